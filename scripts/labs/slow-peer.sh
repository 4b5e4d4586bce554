#!/usr/bin/env bash
# slow-peer.sh - a peer stalls after DATA: the relay's timeout fires, it retries, and the message arrives twice.
. "$(dirname "$0")/lib.sh"

lab_begin slow-peer <<'TEXT'
After the final "." of DATA the sender waits for the receiver's reply; only a 250 tells it
the message was taken. If the reply does not come in time, the sender's timeout fires
(relay.command_timeout here; RFC 5321 4.5.3.2 suggests 10 minutes for this one) and it
must assume the message was not taken: it keeps it and retries. But a slow receiver may
still store it after the sender gave up, and then the retry delivers it a second time.
SMTP delivers "at least once", never "exactly once" (RFC 1047); the copies carry the same
Message-ID:, which is how mail programs recognise and hide duplicates.
Here a faults: rule makes gmail.com wait 5 s before it handles the first message's final
dot (then it stores it and answers as usual); exmail.qq.com's command_timeout is 3 s and
it retries after 1 s.
TEXT

COMMAND_TIMEOUT=3s
GMAIL_EXTRA='    faults:
      rules:
        - { stage: end_of_data, delay: 5s, times: 1 }'
lab_topology
lab_start
me=usr1@mail.sustech.edu.cn

step "gmail.com's fault rule (in its config):"
show <<<"$GMAIL_EXTRA"

step "$me -> usr@gmail.com"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "one message, how many copies?" | show

step "attempt 1 times out waiting for the reply to the final dot; attempt 2 gets 250"
lab_wait 20 has_mail gmail.com usr@gmail.com 2
lab_wait 5 log_has exmail.qq.com 'relay delivered'
echo "    gmail.com:"
log_of gmail.com 'fault fired|accepted|disconnected' | show
echo "    exmail.qq.com's relay:"
log_of exmail.qq.com 'relay (deferred|delivered)' | show

msgid=$(message_id_of gmail.com usr@gmail.com)
step "the journey of $msgid (mail-agent journey): two attempts, two copies"
lab_journey "$msgid"

step "the copies in usr@gmail.com's mailbox, by Message-ID"
mailbox_files gmail.com usr@gmail.com | xargs grep -h '^Message-ID:' | sort | uniq -c | show
copies=$(mailbox_count gmail.com usr@gmail.com)
ids=$(mailbox_files gmail.com usr@gmail.com | xargs grep -h '^Message-ID:' | sort -u | wc -l)
echo "    $copies copies of $ids message: a mail program showing one per Message-ID shows it once"

echo
check "the relay's command timeout fired after the data and it deferred" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>.*Timeout: no reply to end of DATA'
check "the retry was accepted (250)" log_has exmail.qq.com 'relay delivered to=<usr@gmail.com>.*attempts=2 .*status=2.0.0'
check "the message arrived at least once ($copies copies)" test "$copies" -ge 1
check "the copies share one Message-ID" test "$ids" -eq 1
check "the queue is empty" test -z "$(ls "$LAB/data/exmail.qq.com/queue/"*.mail "$LAB/data/exmail.qq.com/queue/"*.env 2>/dev/null)"
lab_end
