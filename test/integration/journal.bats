#!/usr/bin/env bats
# journal.bats - the event journal (docs/api.md "Events"): a message relayed from
# mail.sustech.edu.cn to gmail.com and read by POP3 leaves its events in both servers'
# events.jsonl and memory; /api/v1/events, /api/v1/journey and /api/v1/stream serve them;
# `mail-agent journey` prints the same path; hostile strings cannot break a JSON line.

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() {
	common_setup_file
	http_topology
	export MID="<journey-1.$$@mail.sustech.edu.cn>"
	send_with_id "$MID" "journey one"
	wait_count usr@gmail.com gmail.com 1 30 >/dev/null
	pop_retr_all usr@gmail.com pass "$GM_POP"
	# the journal's writer appends shortly after: wait for the POP3 line at gmail.com
	wait_grep "$T/data/gmail.com/events.jsonl" '"type":"pop3.retr"' 30
}

teardown_file() { common_teardown_file; }

# send_with_id MESSAGE-ID SUBJECT [HELO]: usr1@mail.sustech.edu.cn -> usr@gmail.com over a
# raw SMTP dialogue (any bytes in HELO and header); fails unless DATA got 250.
send_with_id() {
	python3 - "$EX_SMTP" "$1" "$2" "${3:-journal-test}" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
mid, subject, helo = (os.fsencode(a) for a in sys.argv[2:5])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if line[3:4] != b"-": return line
def say(line, want):
    s.sendall(line + b"\r\n")
    got = reply()
    if not got.startswith(want): sys.exit("%r -> %r" % (line, got))
reply()
say(b"EHLO " + helo, b"250")
say(b"MAIL FROM:<usr1@mail.sustech.edu.cn>", b"250")
say(b"RCPT TO:<usr@gmail.com>", b"250")
say(b"DATA", b"354")
say(b"From: usr1@mail.sustech.edu.cn\r\nTo: usr@gmail.com\r\nSubject: " + subject + b"\r\nMessage-ID: " + mid + b"\r\n\r\nhello\r\n.", b"250")
say(b"QUIT", b"221")
PY
}

# whole_lines_with FILE PATTERN COPY SECONDS: copy FILE to COPY until the copy has a line
# matching PATTERN and ends with a newline (no line half written); fails after SECONDS.
whole_lines_with() {
	local i
	for ((i = 0; i < $4 * 20; i++)); do
		cp "$1" "$3" 2>/dev/null && grep -qE "$2" "$3" && [ -z "$(tail -c 1 "$3")" ] && return 0
		nap 0.05
	done
	echo "no whole copy of $1 with a line matching '$2'" >&2
	return 1
}

# pop_retr_all USER PASSWORD PORT: RETR every message, QUIT.
pop_retr_all() {
	python3 - "$@" <<'PY'
import poplib, sys
user, password, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = poplib.POP3("127.0.0.1", port, timeout=10)
p.user(user); p.pass_(password)
for i in range(1, len(p.list()[1]) + 1): p.retr(i)
p.quit()
PY
}

# in_order WANTED... : stdin lines contain each WANTED (a grep -E pattern) in this order.
in_order() {
	python3 -c '
import re, sys
lines, wanted, at = sys.stdin.read().splitlines(), sys.argv[1:], 0
for w in wanted:
    while at < len(lines) and not re.search(w, lines[at]): at += 1
    if at == len(lines): sys.exit("not found in order: " + w + "\n" + "\n".join(lines))
    at += 1
' "$@"
}

@test "events.jsonl of both servers holds the message's events, one valid JSON object per line" {
	local f snap=$T/events.snap
	for f in "$T/data/exmail.qq.com/events.jsonl" "$T/data/gmail.com/events.jsonl"; do
		# one read of the file, up to its last newline: the servers still append (a session's
		# last events), and a line counted by one reader and not by the next, or one being
		# written, is not a bad line
		python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[:d.rfind(b"\n") + 1])' "$f" "$snap"
		[ -s "$snap" ]
		jq -e -c 'select(.t > 0 and .seq > 0 and (.server | length) > 0 and (.type | length) > 0)' "$snap" >/dev/null
		[ "$(wc -l <"$snap")" -eq "$(jq -c . "$snap" | wc -l)" ] # every line parses alone
	done
	run jq -r --arg m "$MID" 'select(.message_id == $m) | .type' "$T/data/exmail.qq.com/events.jsonl"
	assert_line message.accepted
	assert_line message.queued
	assert_line relay.attempt
	assert_line relay.delivered
	run jq -r --arg m "$MID" 'select(.message_id == $m) | .type' "$T/data/gmail.com/events.jsonl"
	assert_line message.accepted
	assert_line message.delivered
	assert_line pop3.retr
}

@test "the relay attempt names the next hop's queue id, and our 250 says queued as that id" {
	local remote accepted
	remote=$(jq -r --arg m "$MID" 'select(.message_id == $m and .type == "relay.attempt") | .remote_id' "$T/data/exmail.qq.com/events.jsonl")
	accepted=$(jq -r --arg m "$MID" 'select(.message_id == $m and .type == "message.accepted") | .queue_id' "$T/data/gmail.com/events.jsonl")
	[ -n "$remote" ] && [ "$remote" = "$accepted" ]
	jq -e -s --arg m "$MID" 'map(select(.message_id == $m and .type == "message.accepted")) | length == 1 and .[0].reply == ("250 2.0.0 Ok: queued as " + .[0].queue_id)' "$T/data/gmail.com/events.jsonl" >/dev/null
	# the attempt's commands, each with its reply and ms
	jq -e -s --arg m "$MID" 'map(select(.message_id == $m and .type == "relay.attempt")) | length == 1 and (.[0].commands | map(.c) | index("DATA") != null)' "$T/data/exmail.qq.com/events.jsonl" >/dev/null
	jq -e -s --arg m "$MID" 'map(select(.message_id == $m and .type == "relay.attempt"))[0] | .exchanger == "gmail-smtp-in.l.google.com" and (.address | endswith(":'"$GM_SMTP"'")) and .ms >= 0 and .reused == false' "$T/data/exmail.qq.com/events.jsonl" >/dev/null
}

@test "GET /api/v1/journey lists accepted, queued, DNS MX and P, the attempt, gmail's accept, delivery and RETR in order" {
	local id
	id=$(jq -rn --arg m "$MID" '$m | @uri')
	run curl -sS --max-time 10 "http://127.0.0.1:$EX_HTTP/api/v1/journey/$id"
	assert_success
	echo "$output" | jq -e '.servers | map(select(.ok)) | map(.server) | sort == ["exmail.qq.com", "gmail.com"]' >/dev/null
	echo "$output" | jq -r '.events[] | "\(.server) \(.type) \(.qtype // "")"' | in_order \
		'^exmail.qq.com message.accepted' '^exmail.qq.com message.queued' \
		'^exmail.qq.com dns.lookup MX' '^exmail.qq.com dns.lookup P' '^exmail.qq.com relay.attempt' \
		'^gmail.com message.accepted' '^gmail.com message.delivered' '^gmail.com pop3.retr'
	# the same from the other end
	curl -sS --max-time 10 "http://127.0.0.1:$GM_HTTP/api/v1/journey/$id" | jq -r '.events[] | "\(.server) \(.type)"' | in_order \
		'^exmail.qq.com message.accepted' '^exmail.qq.com relay.attempt' '^gmail.com message.accepted' '^gmail.com pop3.retr'
}

@test "mail-agent journey prints the path in time order with servers and lanes" {
	run "$MAIL_BIN/mail-agent" journey "${MID:1:-1}" --conf "$CONF"
	assert_success
	echo "$output"
	echo "$output" | in_order 'exmail.qq.com +\[SMTP\] +accepted' 'exmail.qq.com +\[relay\] +queued' \
		'exmail.qq.com +\[DNS\] +MX gmail.com' 'exmail.qq.com +\[DNS\] +P ' 'exmail.qq.com +\[relay\] +to gmail-smtp-in' \
		'> DATA' 'gmail.com +\[peer SMTP\] +accepted' 'gmail.com +\[mailbox\] +stored in usr@gmail.com' 'gmail.com +\[POP3\] +RETR'
	[[ "${lines[1]}" =~ ^\ +\+0\.000\ ms ]]
}

@test "a server that does not answer is listed with ok=false and the rest still comes" {
	local id dead
	dead=$(free_ports 1)
	sed "s/http: $GM_HTTP/http: $dead/" "$CONF" >"$T/dead.yaml"
	id=$(jq -rn --arg m "$MID" '$m | @uri')
	run "$MAIL_BIN/mail-agent" journey "$MID" --conf "$T/dead.yaml"
	assert_success
	assert_output --partial "not answered: gmail.com"
	assert_output --partial "[SMTP]"
}

# streamed_accepted FILE: the event stream in FILE carried a message.accepted event.
streamed_accepted() {
	grep '^data: ' "$1" | sed 's/^data: //' | jq -e -s 'map(.type) | index("message.accepted") != null' >/dev/null 2>&1
}

@test "GET /api/v1/events pages by since and filters by message_id; the stream sends new events" {
	local next
	run curl -sS --max-time 5 "http://127.0.0.1:$GM_HTTP/api/v1/events?limit=2"
	assert_success
	[ "$(echo "$output" | jq '.events | length')" -eq 2 ]
	echo "$output" | jq -e '.dropped == 0 and .next == .events[1].seq' >/dev/null
	next=$(echo "$output" | jq .next)
	curl -sS "http://127.0.0.1:$GM_HTTP/api/v1/events?since=$((next - 1))" | jq -e --argjson n "$next" '.events[0].seq == $n' >/dev/null
	curl -sS -G "http://127.0.0.1:$GM_HTTP/api/v1/events" --data-urlencode "message_id=$MID" |
		jq -e --arg m "$MID" '[.events[] | select(.message_id != null and .message_id != $m)] | length == 0' >/dev/null

	curl -sS -N --max-time 60 "http://127.0.0.1:$GM_HTTP/api/v1/stream" >"$T/stream.out" &
	local curl_pid=$!
	wait_until 30 grep -qs '^: journal of' "$T/stream.out" # subscribed
	send_with_id "<stream-1.$$@mail.sustech.edu.cn>" "streamed"
	wait_until 30 streamed_accepted "$T/stream.out"
	kill "$curl_pid" 2>/dev/null || true
	wait "$curl_pid" || true
	grep -q '^event: journal$' "$T/stream.out"
}

@test "hostile HELO and header strings cannot break a JSON line" {
	local helo=$'evil"\\\x01\x7f\xff\xfe{"type":"x"}'
	send_with_id "<hostile\"$$@x\\y>" $'subj \x01 "q"' "$helo"
	# the writer keeps appending (the relay to gmail.com follows) and a batch may reach the
	# file in pieces: check a copy taken when it held the event and ended with a whole line
	local f=$T/journal-snapshot.jsonl
	whole_lines_with "$T/data/exmail.qq.com/events.jsonl" 'hostile' "$f" 10
	[ "$(wc -l <"$f")" -eq "$(jq -c . "$f" | wc -l)" ]
	# the HELO came through as one string value (invalid UTF-8 as U+FFFD), not as keys
	jq -e -s 'map(select(.type == "smtp.helo" and (.helo | startswith("evil\"\\\u0001\u007f\ufffd\ufffd{\"type\":\"x\"}")))) | length == 1' "$f" >/dev/null
	jq -e -s 'map(select(.type == "x")) | length == 0' "$f" >/dev/null
}

@test "the server stops promptly while a stream is open" {
	curl -sS -N --max-time 20 "http://127.0.0.1:$GM_HTTP/api/v1/stream" >"$T/stream2.out" &
	local curl_pid=$! start
	wait_until 30 grep -qs '^: journal of' "$T/stream2.out" # the stream is open
	start=$(now_ms)
	stop_one gmail.com
	[ $(($(now_ms) - start)) -lt 4000 ]
	wait "$curl_pid" || true
	start_server gmail.com
}

@test "mail-dns records dns.query events over UDP and TCP into the file --journal names" {
	local port
	port=$(free_ports 1)
	start_bg dns-journal "$MAIL_BIN/mail-dns" --conf "$CONF" --listen "127.0.0.1:$port" --journal "$T/dns-events.jsonl" >/dev/null
	wait_udp_dns "$port" 30
	dig @127.0.0.1 -p "$port" +short gmail.com MX >/dev/null
	wait_grep "$T/dns-events.jsonl" '"name":"gmail.com"' 30
	jq -e -s 'map(select(.type == "dns.query" and .server == "mail-dns" and .name == "gmail.com" and .qtype == "MX"
		and .rcode == "NOERROR" and .transport == "udp" and (.answer | index("10 gmail-smtp-in.l.google.com") != null))) | length == 1' \
		"$T/dns-events.jsonl" >/dev/null
	# the same query over TCP (dns/tcp_server.cpp) is recorded too, with its transport
	dig @127.0.0.1 -p "$port" +tcp +short gmail.com MX >/dev/null
	whole_lines_with "$T/dns-events.jsonl" '"transport":"tcp"' "$T/dns-events-copy.jsonl" 10
	jq -e -s 'map(select(.type == "dns.query" and .name == "gmail.com" and .qtype == "MX" and .rcode == "NOERROR"
		and .transport == "tcp" and (.client | startswith("127.0.0.1:")) and (.answer | index("10 gmail-smtp-in.l.google.com") != null))) | length == 1' \
		"$T/dns-events-copy.jsonl" >/dev/null
	stop_one dns-journal
}
