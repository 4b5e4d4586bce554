#!/usr/bin/env bash
# expiry.sh - a peer that answers 4xx forever: retries, then a bounce with 4.4.7 at relay.expire.
. "$(dirname "$0")/lib.sh"

lab_begin expiry <<'TEXT'
A 4xx reply means "not now, try later" (RFC 5321 4.2.5): the relay keeps the message in its
queue and tries again after each wait of relay.retry. It does not try forever: once the
message is older than relay.expire it gives up and sends a delivery-failure report with
Status 4.4.7 (RFC 3463: delivery time expired; the 4 says the last failure itself was a
temporary one); the Diagnostic-Code carries the peer's last reply.
Here a faults: rule makes gmail.com answer every RCPT with "451 4.3.0 try again later",
exmail.qq.com retries every second, and relay.expire is 6s (Postfix's
maximal_queue_lifetime is 5 days; the demo's default is the same).
TEXT

EXPIRE=6s
GMAIL_EXTRA='    faults:
      rules:
        - { stage: rcpt, reply: "451 4.3.0 try again later" }'
lab_topology
lab_start
me=usr1@mail.sustech.edu.cn

step "gmail.com's fault rule (in its config):"
show <<<"$GMAIL_EXTRA"
step "$me -> usr@gmail.com"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "it will never arrive" | show
sent=$(date +%s)

step "each attempt gets 451 and is deferred, until relay.expire"
lab_wait 20 has_mail exmail.qq.com "$me" 1
waited=$(($(date +%s) - sent))
echo "    gmail.com:"
log_of gmail.com 'fault fired' | show
echo "    exmail.qq.com's relay:"
log_of exmail.qq.com 'relay (deferred|bounced|dsn-delivered)' | show
attempts=$(log_of exmail.qq.com 'relay deferred' | wc -l)

step "the report in $me's mailbox, ${waited}s after sending"
f=$(dsn_for exmail.qq.com "$me" usr@gmail.com) && dsn_summary "$f" | show

echo
check "the relay tried more than once before giving up ($attempts deferrals)" test "$attempts" -ge 2
check "a report with Status 4.4.7 arrived" grep -q '^Status: 4.4.7' "${f:-/dev/null}"
check "its Diagnostic-Code carries the peer's last 451" grep -q '^Diagnostic-Code: .*451 4.3.0 try again later' "${f:-/dev/null}"
check "it came at relay.expire (6s), not before (${waited}s)" test "$waited" -ge 5
check "the queue is empty afterwards" test -z "$(ls "$LAB/data/exmail.qq.com/queue/"*.mail "$LAB/data/exmail.qq.com/queue/"*.env 2>/dev/null)"
lab_end
