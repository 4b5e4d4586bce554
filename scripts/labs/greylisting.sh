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
Here gmail.com greylists with a faults: rule (2 s minimum wait) and exmail.qq.com
retries after 3 s.
TEXT

RETRY='[3s]'
GMAIL_EXTRA='    faults:
      rules:
        - stage: rcpt
          match: { recipient: "*@gmail.com" }
          reply: "451 4.7.1 Greylisted, try again later"
          per: [client, sender, recipient]
          min_wait: 2s'
lab_topology
lab_start
me=usr1@mail.sustech.edu.cn

step "gmail.com's fault rule (in its config; mail-server -n gmail.com fault list shows it)"
show <<<"$GMAIL_EXTRA"

step "$me -> usr@gmail.com"
sent=$(date +%s%N)
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "greylisted once" | show
lab_wait 20 has_mail gmail.com usr@gmail.com 1
took=$((($(date +%s%N) - sent) / 1000000))

step "each attempt: the 451 defers it, the retry 3 s later passes"
echo "    gmail.com:"
log_of gmail.com 'fault fired|accepted' | show
echo "    exmail.qq.com's relay:"
log_of exmail.qq.com 'relay (deferred|delivered)' | show
echo "    the message was in usr@gmail.com's mailbox ${took} ms after it was sent"

msgid=$(message_id_of gmail.com usr@gmail.com)
step "the sender's journey: mail-agent journey '$msgid' (both servers' journals;
    gmail.com links the refused first attempt by client, sender and recipient)"
lab_journey "$msgid"
id=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$msgid")
api_get "$EX_HTTP" "journey/$id" >"$LAB/journey.json"
api_get "$GM_HTTP" "events" >"$LAB/gmail-events.json"
step "gmail.com's journal: the fault.fired event of the first attempt (GET /api/v1/events)"
events_of "$LAB/gmail-events.json" fault.fired | show

echo
check "the first attempt was deferred with 451 4.7.1" log_has exmail.qq.com 'relay deferred to=<usr@gmail.com>.*attempts=1 .*451 4.7.1 Greylisted'
check "gmail.com's rule fired once" test "$(log_of gmail.com 'fault fired' | wc -l)" -eq 1
check "the retry (attempt 2) was delivered" log_has exmail.qq.com 'relay delivered to=<usr@gmail.com>.*attempts=2 '
check "the journey has two relay.attempt events" test "$(events_of "$LAB/journey.json" relay.attempt | wc -l)" -eq 2
check "the first attempt's reply was the 451" bash -c '[[ "$1" == "451 4.7.1 Greylisted"* ]]' _ "$(events_of "$LAB/journey.json" relay.attempt reply | head -1)"
check "the second attempt's reply was 250" bash -c '[[ "$1" == "250 "* ]]' _ "$(events_of "$LAB/journey.json" relay.attempt reply | sed -n 2p)"
check "gmail.com's journal has the fault.fired at rcpt" test "$(events_of "$LAB/gmail-events.json" fault.fired stage)" = rcpt
check "the journey has gmail.com's fault.fired at rcpt" test "$(events_of "$LAB/journey.json" fault.fired server)" = gmail.com
check "usr@gmail.com has the message, once" test "$(mailbox_count gmail.com usr@gmail.com)" -eq 1
check "it arrived after the retry wait, not before (${took} ms)" test "$took" -ge 2500
lab_end
