#!/usr/bin/env bash
# backup-mx.sh - the primary MX is down, the backup (preference 20) takes the mail and forwards it later.
. "$(dirname "$0")/lib.sh"

lab_begin backup-mx <<'TEXT'
A domain may list several mail exchangers (MX records), each with a preference: senders
try the lowest value first and the next one when it cannot be reached (RFC 5321 5.1).
gmail.com's MX records here are gmail-smtp-in.l.google.com (preference 10: the gmail.com
provider itself) and mx2.backup.net (preference 20: a backup MX, a server with
relay_domains: [gmail.com], which accepts mail for gmail.com from anyone and keeps it in
its queue). The gmail.com provider is down at first: exmail.qq.com's relay finds its port
closed, moves on to the backup, and the backup retries the primary (its relay.retry)
until it is back. Once the primary runs again, new mail goes straight to it.
TEXT

ZONE_MX='  gmail.com.:
    - { preference: 10, host: gmail-smtp-in.l.google.com. }
    - { preference: 20, host: mx2.backup.net. }'
lab_topology
lab_ports BK_SMTP BK_POP
cat >>"$LAB/mail.yaml" <<YAML
  backup.net:
    smtp: $BK_SMTP
    pop: $BK_POP
    relay_domains: [gmail.com]
YAML
echo "  mx2.backup.net.: $BK_SMTP" >>"$LAB/zone.yaml"
lab_start mail-dns exmail.qq.com backup.net
me=usr1@mail.sustech.edu.cn

step "gmail.com's MX records (dig):"
dig @127.0.0.1 -p "$DNS_PORT" +short gmail.com MX | show
echo "    the gmail.com provider (port $GM_SMTP) is not running"

step "$me -> usr@gmail.com while the primary is down"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "sent while the primary was down" | show
lab_wait 15 log_has backup.net 'relay deferred to=<usr@gmail.com>' 2
echo "    exmail.qq.com's relay:"
log_of exmail.qq.com 'relay (delivered|deferred)' | show
echo "    backup.net holds it and tries the primary:"
log_of backup.net ' accepted |relay (delivered|deferred)' | show

step "start the primary (the gmail.com provider)"
lab_start gmail.com
lab_wait 20 has_mail gmail.com usr@gmail.com 1
log_of backup.net 'relay delivered' | show

step "$me -> usr@gmail.com again, with the primary up"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "sent with the primary up" | show
lab_wait 15 has_mail gmail.com usr@gmail.com 2
log_of exmail.qq.com 'relay delivered' | tail -1 | show

step "the Received: headers of each message in usr@gmail.com's mailbox (newest first)"
for f in $(mailbox_files gmail.com usr@gmail.com); do
	echo "$(grep -m1 '^Subject:' "$f")" | show
	grep '^Received: from' "$f" | sed 's/^/  /' | show
done

echo
first=$(grep -l 'Subject: sent while the primary was down' $(mailbox_files gmail.com usr@gmail.com) 2>/dev/null)
second=$(grep -l 'Subject: sent with the primary up' $(mailbox_files gmail.com usr@gmail.com) 2>/dev/null)
check "exmail.qq.com handed the first message to the backup" log_has exmail.qq.com "relay delivered to=<usr@gmail.com> relay=mx2.backup.net"
check "the backup deferred it while the primary was down" log_has backup.net 'relay deferred to=<usr@gmail.com>'
check "the first message reached usr@gmail.com through the backup" grep -q '^Received: from backup.net' "${first:-/dev/null}"
check "the second went straight to the primary" log_has exmail.qq.com "relay delivered to=<usr@gmail.com> relay=gmail-smtp-in.l.google.com"
check "and not through the backup" eval "[ -n '$second' ] && ! grep -q '^Received: from backup.net' '$second'"
check "usr@gmail.com has exactly the two messages" test "$(mailbox_count gmail.com usr@gmail.com)" -eq 2
lab_end
