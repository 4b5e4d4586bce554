#!/usr/bin/env bash
# dns-outage.sh - the peer's name gets no DNS answer, then SERVFAIL: the relay defers, then delivers.
. "$(dirname "$0")/lib.sh"

lab_begin dns-outage <<'TEXT'
Before sending, a relay must find where the recipient's domain takes mail: an MX query,
then the exchanger's port and address. When DNS does not answer (a timeout) or answers
SERVFAIL ("the server failed", RCODE 2), the relay cannot tell whether the domain exists,
so it must not bounce: it defers (status 4.4.3) and retries. Only NXDOMAIN ("no such
name") is final (the bounce lab shows that).
Two DNS faults are added to the running mail-dns (mail-dns fault add), one after the other,
each until the relay has deferred the message (then the lab clears it, as an operator
would when DNS is repaired):
  1. no answer at all to MX queries for gmail.com, while usr1@mail.sustech.edu.cn sends
     to usr@gmail.com;
  2. SERVFAIL to MX queries for mail.sustech.edu.cn, while usr@gmail.com sends to
     usr1@mail.sustech.edu.cn.
Each message is deferred while DNS fails and delivered at the first retry after that.
TEXT

lab_topology
lab_start
dns_fault() { "$bin/mail-dns" --conf "$LAB/mail.yaml" fault "$@"; }

step "1. mail-dns fault add '{name: gmail.com, type: MX, action: drop}'"
dns_fault add '{name: gmail.com, type: MX, action: drop}' | show
dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 gmail.com MX | grep -E 'timed out|no servers' | show
lab_send "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com "sent during a DNS outage" | show
lab_wait 15 log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>'
dns_fault clear >/dev/null # DNS is back
lab_wait 15 has_mail gmail.com usr@gmail.com 1
log_of exmail.qq.com 'relay (deferred|delivered)' | show

step "2. mail-dns fault add '{name: mail.sustech.edu.cn, type: MX, action: servfail}'"
dns_fault add '{name: mail.sustech.edu.cn, type: MX, action: servfail}' | show
dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 mail.sustech.edu.cn MX | grep -o 'status: [A-Z]*' | show
lab_send "127.0.0.1:$GM_SMTP" usr@gmail.com usr1@mail.sustech.edu.cn "sent while DNS said SERVFAIL" | show
lab_wait 15 log_has gmail.com 'relay deferred to=<usr1@mail.sustech.edu.cn>'
dns_fault clear >/dev/null # DNS is back
lab_wait 15 has_mail exmail.qq.com usr1@mail.sustech.edu.cn 1
log_of gmail.com 'relay (deferred|delivered)' | show

step "what mail-dns did (its log)"
log_of mail-dns 'fault' | sed -E 's/^[0-9:]+ //' | sort | uniq -c | show

echo
check "during the outage exmail.qq.com deferred with 4.4.3 (no bounce)" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com> .*status=4.4.3.*timeout'
check "the message arrived once DNS answered" has_mail gmail.com usr@gmail.com 1
check "SERVFAIL: gmail.com deferred with 4.4.3 (no bounce)" log_has gmail.com 'relay deferred to=<usr1@mail.sustech.edu.cn> .*status=4.4.3'
check "the message arrived once DNS answered" has_mail exmail.qq.com usr1@mail.sustech.edu.cn 1
check "nobody got a bounce" eval "! grep -qs 'Undelivered Mail' $LAB/data/*/mail/*/new/*"
lab_end
