#!/usr/bin/env bats
# server_faults.bats - attacks on a running mail-server (issue 10): descriptor exhaustion,
# junk commands, session lifetime, deleted Maildirs. Each test reproduces the attack.

load ../lib/common

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 4))
	export FD_SMTP=${ports[0]} FD_POP=${ports[1]} JUNK_SMTP=${ports[2]} JUNK_POP=${ports[3]}
	EXTRA_SERVERS="  fd.example:
    smtp: $FD_SMTP
    pop: $FD_POP
    accounts:
      u@fd.example: pw
    limits:
      max_sessions: 2000
      max_sessions_per_ip: 2000
  junk.example:
    smtp: $JUNK_SMTP
    pop: $JUNK_POP
    accounts:
      u@junk.example: pw
      r@junk.example: pw
    limits:
      junk_commands: 5
      max_session_time: 3s
    logging:
      level: debug"
	export EXTRA_SERVERS
	make_topology
	# ulimit -n sets the soft and the hard limit, for this server process only.
	start_bg fd.example bash -c 'ulimit -n 1024 && exec "$0" "$@"' \
		"$MAIL_BIN/mail-server" -n fd.example --conf "$CONF" --data "$T/data" >/dev/null
	wait_port "$FD_SMTP" 30 "$(pid_of fd.example)"
	start_dns
	start_server junk.example
}

teardown_file() {
	exec 7>&- 2>/dev/null || true
	common_teardown_file
}

# hold_clients PORT COUNT: opens COUNT idle connections held until release_clients;
# sets HELD to the "greeted=N busy=N silent=N" summary.
hold_clients() {
	rm -f "$T/hold" "$T/held"
	mkfifo "$T/hold"
	python3 "$REPO_ROOT/test/lib/idle_clients.py" "$1" "$2" <"$T/hold" >"$T/held" 2>&1 &
	HOLD_PID=$!
	exec 7>"$T/hold"
	wait_until 120 test -s "$T/held" # idle_clients.py reports within 80 s
	HELD=$(cat "$T/held")
}

release_clients() { exec 7>&-; wait "$HOLD_PID" 2>/dev/null || true; }

# first_line PORT: the first line a new client gets within 5 s (empty if none): a client
# the server cannot serve gets nothing at all, so the bound only has to beat forever.
first_line() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
try:
    print(s.makefile('rb').readline().decode().strip())
except OSError:
    pass
PY
}

# greets PORT: a new client gets the 220 greeting.
greets() { [[ "$(first_line "$1")" == 220* ]]; }

@test "600 idle sessions under ulimit -n 1024: new SMTP and POP3 clients are still greeted" {
	hold_clients "$FD_SMTP" 600
	echo "# $HELD" >&3
	[ "$HELD" = "greeted=600 busy=0 silent=0" ]
	run first_line "$FD_SMTP"
	assert_output --regexp '^220 '
	run first_line "$FD_POP"
	assert_output --regexp '^\+OK '
	release_clients
}

@test "out of descriptors: every client gets a greeting or the busy reply, and it is logged" {
	hold_clients "$FD_SMTP" 1100
	echo "# $HELD" >&3
	[[ "$HELD" =~ ^greeted=([0-9]+)\ busy=([0-9]+)\ silent=0$ ]]
	[ "${BASH_REMATCH[1]}" -ge 500 ]
	[ "${BASH_REMATCH[2]}" -ge 1 ]
	run first_line "$FD_SMTP"
	assert_output --regexp '^421 4\.7\.0 fd\.example '
	release_clients
	grep -q 'out of file descriptors, new clients get the busy reply' "$T/fd.example.log"
	grep -q 'file descriptor limit below what the limits need nofile=1024' "$T/fd.example.log"
	# once the clients are gone, new ones are served again
	wait_until 60 greets "$FD_SMTP"
	run first_line "$FD_SMTP"
	assert_output --regexp '^220 '
}

# talk PORT DELAY LINE...: sends each LINE (CRLF added) one byte per DELAY seconds and
# prints every reply line received until the server closes (at most 10 s), then
# "elapsed=S" in whole seconds.
talk() {
	python3 - "$@" <<'PY'
import socket, sys, threading, time
port, delay, lines = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
s = socket.create_connection(('127.0.0.1', port), timeout=10)
started = time.time()
def send():
    try:
        for line in lines:
            data = (line + '\r\n').encode()
            if delay == 0:
                s.sendall(data)
                continue
            for i in range(len(data)):
                s.sendall(data[i:i + 1]); time.sleep(delay)
    except OSError:
        pass
threading.Thread(target=send, daemon=True).start()
f = s.makefile('rb')
try:
    for raw in f:
        print(raw.decode(errors='replace').rstrip())
except OSError:
    pass
print('elapsed=%d' % (time.time() - started))
PY
}

@test "junk commands: the 6th NOOP (SMTP) or CAPA (POP3) over junk_commands 5 closes the session" {
	run talk "$JUNK_SMTP" 0 'EHLO junk' NOOP RSET VRFY x HELP NOOP NOOP NOOP
	assert_line --index 0 --regexp '^220 '
	assert_line '421 4.7.0 junk.example Error: too many junk commands'
	[ "$(grep -c "^250 2.0.0 Ok" <<<"$output")" -eq 3 ] # NOOP, RSET, the 5th (NOOP); VRFY 252, HELP 214
	run talk "$JUNK_POP" 0 CAPA CAPA 'USER a' 'USER b' CAPA 'USER c' CAPA
	assert_line '-ERR [SYS/TEMP] too many junk commands, closing connection'
	grep -q ' disconnected reason=junk' "$T/junk.example.log"
}

@test "trickled NOOP/USER lines are cut off at max_session_time while a normal client is served" {
	talk "$JUNK_SMTP" 0.2 'EHLO t' NOOP NOOP NOOP NOOP >"$T/trickle-smtp" &
	local smtp_pid=$!
	talk "$JUNK_POP" 0.2 'USER a' 'USER a' 'USER a' 'USER a' >"$T/trickle-pop" &
	local pop_pid=$!
	run timeout 10 swaks --server 127.0.0.1 --port "$JUNK_SMTP" --from u@junk.example --to u@junk.example \
		--helo normal --body 'served while others trickle'
	assert_success
	wait "$smtp_pid" "$pop_pid"
	run cat "$T/trickle-smtp"
	assert_line '421 4.4.2 junk.example Error: session time limit exceeded'
	assert_line --regexp '^elapsed=[234]$' # 3 s; the server may accept before the client's clock starts
	run cat "$T/trickle-pop"
	assert_line '-ERR [SYS/TEMP] session time limit exceeded, closing connection'
	assert_line --regexp '^elapsed=[234]$' # 3 s; the server may accept before the client's clock starts
	[ "$(maildir_count u@junk.example junk.example)" -eq 1 ]
	grep -q ' disconnected reason=lifetime' "$T/junk.example.log"
}

# send FROM TO: one message with swaks to junk.example's SMTP port.
send() { timeout 10 swaks --server 127.0.0.1 --port "$JUNK_SMTP" --from "$1" --to "$2" --helo t --body "to $2"; }

@test "a Maildir removed while the server runs is made again by the next delivery" {
	box="$T/data/junk.example/mail/r@junk.example"
	run send u@junk.example r@junk.example
	assert_success
	rm -rf "$box"
	run send u@junk.example r@junk.example
	assert_success
	assert_output --partial '250 2.0.0 Ok: queued as'
	[ "$(maildir_count r@junk.example junk.example)" -eq 1 ]
	# only new/ removed: recreated as well
	rm -rf "$box/new"
	run send u@junk.example r@junk.example
	assert_success
	[ "$(maildir_count r@junk.example junk.example)" -eq 1 ]
}

@test "a bounce to a sender whose Maildir was removed is delivered" {
	box="$T/data/junk.example/mail/r@junk.example"
	run send r@junk.example r@junk.example
	assert_success
	rm -rf "$box"
	run send r@junk.example nobody@nowhere.invalid
	assert_success
	for _ in $(seq 1 300); do [ "$(maildir_count r@junk.example junk.example)" -ge 1 ] && break; nap 0.1; done
	run bash -c "cat '$box'/new/*"
	assert_output --partial 'multipart/report'
	assert_output --partial 'nobody@nowhere.invalid'
}

@test "debug transcript: PASS (tab or space), APOP and AUTH payloads are masked" {
	run talk "$JUNK_POP" 0 'USER u@junk.example' $'PASS\ts3cretA' 'APOP u@junk.example s3cretB' QUIT
	assert_line --partial 'POP3 server signing off'
	run talk "$JUNK_SMTP" 0 'EHLO t' 'AUTH PLAIN czNjcmV0Qw==' 'auth login czNjcmV0RA==' QUIT
	assert_line --regexp '^221 '
	grep -q '<<< "PASS \*\*\*\*"' "$T/junk.example.log"
	grep -q '<<< "APOP u@junk.example \*\*\*\*"' "$T/junk.example.log"
	grep -q '<<< "AUTH PLAIN \*\*\*\*"' "$T/junk.example.log"
	! grep -E 's3cret|czNjcmV0' "$T/junk.example.log"
}

@test "log fields: a quoted local part with spaces and key=value text is quoted in the log" {
	run send r@junk.example '"x status=2.0.0 relay=a"@nowhere.invalid'
	assert_success
	for _ in $(seq 1 300); do grep -q 'relay bounced to=' "$T/junk.example.log" && break; nap 0.1; done
	grep -F 'relay bounced to="<\"x status=2.0.0 relay=a\"@nowhere.invalid>"' "$T/junk.example.log"
	! grep -F 'to=<"x status=2.0.0' "$T/junk.example.log"
}

@test "config faults exit 78 naming file and key: a directory as --conf, a log file in a missing directory, a/b@ account" {
	run "$MAIL_BIN/mail-server" -n junk.example --conf "$T" --data "$T/data78"
	[ "$status" -eq 78 ]
	assert_output --partial "$T: is a directory"
	printf 'servers:\n  a.example:\n    smtp: 1\n    pop: 2\n    accounts:\n      u@a.example: x\nlogging:\n  file: %s/missing/x.log\n' "$T" >"$T/bad-log.yaml"
	run "$MAIL_BIN/mail-server" -n a.example --conf "$T/bad-log.yaml" --data "$T/data78"
	[ "$status" -eq 78 ]
	assert_output --partial "$T/bad-log.yaml:8: logging.file: no such directory"
	printf 'servers:\n  a.example:\n    smtp: 1\n    pop: 2\n    accounts:\n      a/b@a.example: x\n' >"$T/bad-account.yaml"
	run "$MAIL_BIN/mail-server" -n a.example --conf "$T/bad-account.yaml" --data "$T/data78"
	[ "$status" -eq 78 ]
	assert_output --partial "bad-account.yaml:6: servers.a.example.accounts.a/b@a.example: the local part cannot name a Maildir"
}
