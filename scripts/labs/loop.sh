#!/usr/bin/env bash
# loop.sh - two providers relay a domain to each other; the hop count cuts the loop and a bounce says why.
. "$(dirname "$0")/lib.sh"

lab_begin loop <<'TEXT'
Every server that takes a message adds a Received: header on top (RFC 5321 4.4), so a
message carries the list of hops it has made. When two servers each believe the other is
the way to a domain, a message goes back and forth between them: a mail loop. RFC 5321
6.3 asks servers to count the Received: headers and give up past a limit (Postfix's
hopcount_limit is 50; here relay.max_hops, default 50), bouncing the message.
Here neither provider hosts loop.example, but both are a backup MX for it
(relay_domains: [loop.example]) and its MX records name both of them: each skips itself
and hands the message to the other. usr1@mail.sustech.edu.cn sends one message there.
TEXT

ZONE_MX='  gmail.com.: gmail-smtp-in.l.google.com.
  loop.example.:
    - { preference: 10, host: mxbiz1.qq.com. }
    - { preference: 20, host: gmail-smtp-in.l.google.com. }'
EXMAIL_EXTRA='    relay_domains: [loop.example]'
GMAIL_EXTRA='    relay_domains: [loop.example]'
lab_topology
lab_start
me=usr1@mail.sustech.edu.cn

step "loop.example's MX records (dig): both providers"
dig @127.0.0.1 -p "$DNS_PORT" +short loop.example MX | show

step "$me -> someone@loop.example"
lab_send "127.0.0.1:$EX_SMTP" "$me" someone@loop.example "round and round" | show

step "the message goes back and forth (the first hops, from both logs)"
lab_wait 25 dsn_for exmail.qq.com "$me" someone@loop.example
cat "$LAB/data/exmail.qq.com.log" "$LAB/data/gmail.com.log" | grep -E 'relay delivered to=<someone@loop.example>' | sort |
	sed -E 's/^[0-9-]+ ([0-9:.]+) \[[A-Za-z]+\] /\1 /; s/ relay=([^[]*)\[.*/ to \1/' | head -4 | show
hops_ex=$(log_of exmail.qq.com 'relay delivered to=<someone@loop.example>' | wc -l)
hops_gm=$(log_of gmail.com 'relay delivered to=<someone@loop.example>' | wc -l)
echo "    ... exmail.qq.com passed it on $hops_ex times, gmail.com $hops_gm times"

step "the server that found too many Received: headers bounced it"
log_of exmail.qq.com 'relay bounced' | show
log_of gmail.com 'relay bounced' | show

step "the report in $me's mailbox"
f=$(dsn_for exmail.qq.com "$me" someone@loop.example) && dsn_summary "$f" | show
received=$(grep -c '^Received:' "${f:-/dev/null}")
echo "    the original's header, returned in the report, has $received Received: lines"

echo
check "a report with Status 5.4.6 (routing loop detected, RFC 3463)" grep -q '^Status: 5.4.6' "${f:-/dev/null}"
check "its Diagnostic-Code says why: a mail forwarding loop over relay.max_hops" grep -q '^Diagnostic-Code: .*mail forwarding loop: .*relay.max_hops=50' "${f:-/dev/null}"
check "the message made about 50 hops before it was cut ($((hops_ex + hops_gm)))" test $((hops_ex + hops_gm)) -ge 49
check "no queue holds it any more" test -z "$(ls "$LAB"/data/*/queue/*.mail "$LAB"/data/*/queue/*.env 2>/dev/null)"
lab_end
