#!/usr/bin/env bash
# greylisting.sh - the first attempt gets 451, the relay retries after relay.retry, the message arrives.
. "$(dirname "$0")/lib.sh"

lab_begin greylisting <<'TEXT'
Greylisting is an anti-spam trick built on the retry rule: a receiver answers the first
attempt of each (client address, sender, recipient) triple with a temporary refusal,
"451 4.7.1 Greylisted, try again later", and remembers the triple. A real mail server
keeps the message and tries again later (relay.retry); much spam software never does.
A retry after the minimum wait (min_wait) passes. The cost is a delay for the first
message of each new triple.
Here gmail.com's MX is a stand-in peer greylisting with a 2 s minimum wait, and
exmail.qq.com retries after 3 s.
TEXT

RETRY='[3s]'
lab_peer_topology --greylist 2 --store "$LAB/peer-store"
lab_start mail-dns exmail.qq.com
me=usr1@mail.sustech.edu.cn

step "$me -> usr@gmail.com (gmail.com's MX is the greylisting peer on port $PEER)"
sent=$(date +%s%N)
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "greylisted once" | show
lab_wait 20 peer_stored 1
took=$((($(date +%s%N) - sent) / 1000000))
lab_wait 5 log_has exmail.qq.com 'relay delivered'

step "each attempt: the 451 defers it, the retry after 3 s passes"
peer_story
echo "    the message arrived ${took} ms after it was sent"

echo
check "the first attempt was deferred with 451 4.7.1" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>.*attempts=1 .*451 4.7.1 Greylisted'
check "the retry (attempt 2) was delivered" log_has exmail.qq.com 'relay delivered to=<usr@gmail.com>.*attempts=2 '
check "the peer stored the message once" test "$(ls "$LAB/peer-store" | wc -l)" -eq 1
check "it arrived after the retry wait, not before (${took} ms)" test "$took" -ge 2500
lab_end
