#!/usr/bin/env bats
# faults.bats - `faults:` rules in a running mail-server: greylisting, drop, delay, stall,
# a refusal at the end of data, a POP3 RETR fault, `fault add|list|clear` through the
# control socket, SIGHUP reload, and a stall ended by the command timeout and by shutdown.
# Each rule matches its own sender domain, so the tests do not see each other's faults.

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() {
	common_setup_file
	make_topology
	cat >>"$CONF" <<'YAML'
limits:
  command_timeout: 4s
faults:
  seed: 42
  rules:
    - stage: rcpt
      match: { sender: "@grey.example", recipient: "*@gmail.com" }
      reply: "451 4.7.1 Greylisted, try again later"
      per: [client, sender, recipient]
      min_wait: 6s
    - { stage: mail, match: { sender: "@drop.example" }, drop: true }
    - { stage: rcpt, match: { sender: "@slow.example" }, delay: 2s }
    - { stage: data, match: { sender: "@stall.example" }, stall: true }
    - { stage: end_of_data, match: { sender: "@eod.example" }, reply: "552 5.3.4 Message refused by a fault" }
    - { stage: retr, match: { recipient: usr@gmail.com }, reply: "451 4.3.0 Try again later", times: 1 }
YAML
	GM_HTTP=$(free_ports 1)
	export GM_HTTP
	add_http gmail.com "$GM_HTTP"
	start_server gmail.com
	wait_port "$GM_HTTP" 30
}

teardown_file() { common_teardown_file; }

fault_cmd() { "$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --data "$T/data" fault "$@"; }

# smtp_try FROM [TIMEOUT] [TRIES]: one message FROM -> usr@gmail.com, TRIES times (default
# 1) back to back from one process (one connection each, no interpreter start between
# them); prints per try "ok", the refusal code and text, "dropped" or "timeout".
smtp_try() {
	python3 - "$GM_SMTP" "$1" "${2:-10}" "${3:-1}" <<'PY'
import smtplib, socket, sys
port, sender, timeout, tries = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
for _ in range(tries):
    try:
        with smtplib.SMTP("127.0.0.1", port, "faults-test", timeout=timeout) as s:
            s.sendmail(sender, ["usr@gmail.com"], "From: %s\r\nSubject: fault test\r\n\r\nbody\r\n" % sender)
        print("ok")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
        print(code, text.decode())
    except smtplib.SMTPResponseException as e:
        print(e.smtp_code, e.smtp_error.decode())
    except smtplib.SMTPServerDisconnected as e:
        # smtplib turns a read timeout into a disconnect too: tell them apart.
        print("timeout" if "timed out" in str(e) else "dropped")
    except socket.timeout:
        print("timeout")
PY
}

# min_wait_passed START_MS MS: MS milliseconds have passed since START_MS.
min_wait_passed() { [ $(($(now_ms) - $1)) -ge "$2" ]; }

@test "greylisting at rcpt: the first attempt gets 451, a retry after min_wait is stored" {
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	# two attempts back to back: the second comes well within min_wait (6 s) of the first
	# (a second interpreter start could take longer than that on a loaded machine)
	run smtp_try alice@grey.example 10 2
	[ "${lines[0]}" = "451 4.7.1 Greylisted, try again later" ]
	[ "${lines[1]}" = "451 4.7.1 Greylisted, try again later" ] # too early
	first=$(now_ms) # the server noted the triple before this (at the first RCPT)
	# the retry that is let through: once min_wait has passed since the first attempt
	wait_until 30 min_wait_passed "$first" 6200
	run smtp_try alice@grey.example
	[ "$output" = "ok" ]
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq $((before + 1)) ]
	grep -q "From: alice@grey.example" "$(find "$T/data/gmail.com/mail/usr@gmail.com/new" -type f | head -n 1)"
	grep -qE "fault fired stage=rcpt rule=1 action=reply" "$T/gmail.com.log"
	# The journal has it too, so a message's journey shows where it was hit.
	curl -sf "http://127.0.0.1:$GM_HTTP/api/v1/events?limit=1000" |
		jq -e '[.events[] | select(.type == "fault.fired" and .stage == "rcpt" and .action == "reply" and .sender == "alice@grey.example")] | length >= 2'
	# Another triple starts over.
	run smtp_try bob@grey.example
	[ "$output" = "451 4.7.1 Greylisted, try again later" ]
}

@test "drop at mail closes the connection without a reply" {
	run smtp_try x@drop.example
	[ "$output" = "dropped" ]
	wait_log gmail.com "fault fired stage=mail rule=2 action=drop" 30
	wait_log gmail.com "disconnected reason=fault" 30
}

@test "delay at rcpt holds the reply, then the message is stored" {
	local start elapsed
	start=$(now_ms)
	run smtp_try x@slow.example
	elapsed=$(($(now_ms) - start))
	[ "$output" = "ok" ]
	[ "$elapsed" -ge 2000 ]
}

@test "stall at data answers nothing until the client gives up; nothing is stored" {
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	run smtp_try x@stall.example 2
	[ "$output" = "timeout" ]
	wait_log gmail.com "fault fired stage=data rule=4 action=stall" 30
	wait_log gmail.com "disconnected reason=lost" 30
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq "$before" ]
}

@test "a reply fault at end_of_data refuses the message and leaves no file" {
	local before
	before=$(maildir_count usr@gmail.com gmail.com)
	run smtp_try x@eod.example
	[ "$output" = "552 5.3.4 Message refused by a fault" ]
	[ "$(maildir_count usr@gmail.com gmail.com)" -eq "$before" ]
	# (empty files in .spool are the spool files made ahead for the next messages)
	[ -z "$(find "$T/data/gmail.com/mail/.spool" "$T/data/gmail.com/mail/usr@gmail.com/tmp" -type f ! -empty)" ]
	[ "$(queue_count gmail.com)" -eq 0 ]
}

@test "a retr fault answers -ERR once (times: 1), then RETR works" {
	run python3 - "$GM_POP" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("usr@gmail.com"); p.pass_("pass")
try:
    p.retr(1)
    print("first ok")
except poplib.error_proto as e:
    print("first", e.args[0].decode())
print("second", p.retr(1)[0].decode())
p.quit()
PY
	echo "$output"
	[ "${lines[0]}" = "first -ERR [SYS/TEMP] Try again later" ]
	[[ "${lines[1]}" == "second +OK "* ]]
}

@test "fault add, list and clear change the running rules through the control socket" {
	run fault_cmd add '{stage: connect, match: {client: "127.0.0.*"}, reply: "554 5.7.1 Go away", times: 1}'
	[ "$status" -eq 0 ]
	[[ "$output" == 'added {stage: connect, match: {client: "127.0.0.*"}, reply: "554 5.7.1 Go away", times: 1}' ]]
	run smtp_try x@a.example
	[ "$output" = "554 5.7.1 Go away" ]
	run fault_cmd list
	[ "$status" -eq 0 ]
	# rule 1's hits depend on which tests ran before; its text does not
	[[ "${lines[0]}" == "1 hits="[0-9]*" {stage: rcpt, match: {sender: \"@grey.example\""* ]]
	[[ "${lines[6]}" == '7 hits=1 {stage: connect, match: {client: "127.0.0.*"}, reply: "554 5.7.1 Go away", times: 1}' ]]
	run fault_cmd add '{stage: rcpt, reply: "250 ok"}'
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a refusal"* ]]
	run fault_cmd clear
	[ "$status" -eq 0 ]
	[ "$output" = "7 fault rules cleared" ]
	run fault_cmd list
	[ "$output" = "no fault rules" ]
	run smtp_try x@eod.example
	[ "$output" = "ok" ]
}

@test "GET, POST and DELETE /api/v1/faults change the running rules" {
	run fault_cmd clear # the first rule added is then number 1, whatever ran before
	[ "$status" -eq 0 ]
	run api "$GM_HTTP" /api/v1/faults -X POST -d '{"stage": "end_of_data", "match": {"sender": "@api.example"}, "reply": "554 5.7.1 Refused through the API"}'
	[ "${lines[-1]}" = "HTTP 201" ]
	[ "$(jq -r .index <<<"${lines[0]}")" = 1 ]
	run smtp_try x@api.example
	[ "$output" = "554 5.7.1 Refused through the API" ]
	run api_json "$GM_HTTP" /api/v1/faults
	[ "$(jq -r '.rules[0].hits' <<<"$output")" = 1 ]
	[ "$(jq -r '.rules[0].stage + " " + .rules[0].action' <<<"$output")" = "end_of_data reply" ]
	[ "$(jq -r '.rules[0].rule' <<<"$output")" = '{stage: end_of_data, match: {sender: "@api.example"}, reply: "554 5.7.1 Refused through the API"}' ]
	run api "$GM_HTTP" /api/v1/faults -X POST -d '{"stage": "rcpt", "reply": "250 ok"}'
	[ "${lines[-1]}" = "HTTP 400" ]
	[[ "${lines[0]}" == *"not a refusal"* ]]
	run api_json "$GM_HTTP" /api/v1/faults -X DELETE
	[ "$(jq -r .cleared <<<"$output")" = 1 ]
	run smtp_try x@api.example
	[ "$output" = "ok" ]
}

@test "SIGHUP reloads the rules from the config" {
	sed -i 's/@eod.example/@eod2.example/' "$CONF"
	kill -HUP "$(awk '$2 == "gmail.com" { print $1 }' "$T/pids")"
	wait_log gmail.com "reloaded faults rules=6" 30
	run fault_cmd list
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[4]}" == '5 hits=0 {stage: end_of_data, match: {sender: "@eod2.example"}'* ]]
	run smtp_try x@eod2.example
	[ "$output" = "552 5.3.4 Message refused by a fault" ]
	running gmail.com
}

# ehlo_reply SECONDS: connects, sends EHLO and prints the first reply line to it (or "timeout").
ehlo_reply() {
	python3 - "$GM_SMTP" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=float(sys.argv[2]))
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO faults-test\r\n")
try:
    print(f.readline().decode().strip() or "closed")
except socket.timeout:
    print("timeout")
PY
}

@test "a stall ends at the command timeout with 421" {
	run fault_cmd add '{stage: ehlo, stall: true, times: 1}'
	[ "$status" -eq 0 ]
	local start elapsed
	start=$(now_ms)
	run ehlo_reply 20
	elapsed=$(($(now_ms) - start))
	[ "$output" = "421 4.4.2 gmail.com Error: timeout exceeded" ]
	[ "$elapsed" -ge 3500 ]
	[ "$elapsed" -lt 15000 ]
}

@test "a reply fault that is not a 4xx/5xx refusal is refused at load with exit 78" {
	sed 's/reply: "552 5.3.4 Message refused by a fault"/reply: "250 ok"/' "$CONF" >"$T/bad.yaml"
	run "$MAIL_BIN/mail-server" --check --conf "$T/bad.yaml"
	[ "$status" -eq 78 ]
	[[ "$output" == *"faults.rules[4].reply"*"not a refusal"* ]]
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/bad.yaml" --data "$T/bad-data"
	[ "$status" -eq 78 ]
}

@test "a stall ends at shutdown: the client gets 421 and the server stops at once" {
	run fault_cmd add '{stage: ehlo, stall: true}'
	[ "$status" -eq 0 ]
	ehlo_reply 20 >"$T/stalled.out" &
	local client=$!
	wait_grep "$T/gmail.com.log" "stage=ehlo rule=8 action=stall" 30
	stop_one gmail.com
	wait "$client"
	# the 421 is the shutdown's (command_timeout's 4 s would end the stall with another
	# reply, and stop_one's SIGKILL after 10 s with none); "at once" by the server's own log
	# stamps, so a loaded machine's slow test commands do not count
	[ "$(cat "$T/stalled.out")" = "421 4.3.2 gmail.com Service shutting down" ]
	local took
	took=$(log_gap_ms "$T/gmail.com.log" '- stopping server=gmail.com' '- stopped server=gmail.com')
	echo "# stopping to stopped with a stalled session: $took ms" >&3
	[ "$took" -lt 3000 ]
}
