#!/usr/bin/env bash
# slow-peer.sh - a peer stalls after DATA: the relay's timeout fires, it retries, and the message arrives twice.
. "$(dirname "$0")/lib.sh"

lab_begin slow-peer <<'TEXT'
After the final "." of DATA the sender waits for the receiver's reply; only a 250 tells it
the message was taken. If the reply never comes, the sender's timeout fires
(relay.command_timeout here; RFC 5321 4.5.3.2 suggests 10 minutes for this one) and it
must assume the message was not taken: it keeps it and retries. But the receiver may have
stored it already, and then the retry delivers it a second time. SMTP delivers "at least
once", never "exactly once" (RFC 1047); the copies carry the same Message-ID:, which is
how mail programs recognise and hide duplicates.
Here gmail.com's MX is a stand-in peer that stores the first message and then never
answers; the relay's command_timeout is 3s and it retries after 1s.
TEXT

COMMAND_TIMEOUT=3s
lab_peer_topology --stall-after-data 1 --store "$LAB/peer-store"
lab_start mail-dns exmail.qq.com
me=usr1@mail.sustech.edu.cn

step "$me -> usr@gmail.com (gmail.com's MX is the stand-in peer on port $PEER)"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "one message, how many copies?" | show

step "the first attempt: the peer stores it and stalls; the relay's timeout fires; the retry gets 250"
lab_wait 20 peer_stored 2
lab_wait 5 log_has exmail.qq.com 'relay delivered'
peer_story

step "the copies the peer stored, by Message-ID"
grep -h '^Message-ID:' "$LAB"/peer-store/*.eml | sort | uniq -c | show
copies=$(ls "$LAB/peer-store" | wc -l)
ids=$(grep -h '^Message-ID:' "$LAB"/peer-store/*.eml | sort -u | wc -l)
echo "    $copies copies of $ids message: a mail program showing one per Message-ID shows it once"

echo
check "the relay's command timeout fired after the data and it deferred" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>.*Timeout: no reply to end of DATA'
check "the retry was accepted (250)" log_has exmail.qq.com 'relay delivered to=<usr@gmail.com>.*status=2.0.0'
check "the message arrived at least once ($copies copies)" test "$copies" -ge 1
check "the duplicates share one Message-ID" test "$ids" -eq 1
check "the queue is empty" test -z "$(ls "$LAB/data/exmail.qq.com/queue/"*.env 2>/dev/null)"
lab_end
