#!/usr/bin/env bats
# smtp_load.bats - 200 concurrent sessions x 10 messages delivered exactly once with the
# thread count back to baseline; kill -9 durability: every 250 survives a restart.

load ../lib/common

setup_file() {
	common_setup_file
	local ports
	ports=($(free_ports 2))
	export LOAD_SMTP=${ports[0]} LOAD_POP=${ports[1]}
	EXTRA_SERVERS="  load.example:
    smtp: $LOAD_SMTP
    pop: $LOAD_POP
    accounts:
      sender@load.example: pw
      rcpt@load.example: pw
    limits:
      max_sessions: 300
      max_sessions_per_ip: 300"
	export EXTRA_SERVERS
	make_topology
	start_server load.example
}

teardown_file() { common_teardown_file; }

server_pid() { awk '$2 == "load.example" { print $1 }' "$T/pids"; }
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

@test "200 concurrent sessions x 10 messages: each delivered exactly once, thread count back to baseline" {
	pid=$(server_pid)
	baseline=$(threads_of "$pid")
	for wave in 1 2; do
		run timeout 120 python3 - "$LOAD_SMTP" "$wave" <<'PY'
import smtplib, sys, threading
port, wave = int(sys.argv[1]), sys.argv[2]
errors = []
barrier = threading.Barrier(200)
def session(n):
    try:
        s = smtplib.SMTP('127.0.0.1', port, timeout=60)
        s.ehlo('load')
        barrier.wait(timeout=60)   # all 200 sessions open at once
        for i in range(10):
            msg = 'Subject: load %s-%d-%d\r\n\r\nbody %d-%d\r\n' % (wave, n, i, n, i)
            s.sendmail('sender@load.example', ['rcpt@load.example'], msg)
        s.quit()
    except Exception as e:
        errors.append('%d: %r' % (n, e))
threads = [threading.Thread(target=session, args=(n,)) for n in range(200)]
for t in threads: t.start()
for t in threads: t.join()
print('errors=%d' % len(errors)); print('\n'.join(errors[:5]))
sys.exit(1 if errors else 0)
PY
		[ "$status" -eq 0 ]
		# every session ended: 200 disconnected lines per wave (deadline 10 s)
		for _ in $(seq 1 600); do [ "$(grep -c ' disconnected reason=quit' "$T/load.example.log")" -ge $((wave * 200)) ] && break; nap 0.05; done
		[ "$(grep -c ' disconnected reason=quit' "$T/load.example.log")" -eq $((wave * 200)) ]
		eval "threads_after_$wave=$(threads_of "$pid")"
	done
	box="$T/data/load.example/mail/rcpt@load.example/new"
	[ "$(ls "$box" | wc -l)" -eq 4000 ]
	# every subject exactly once
	[ "$(cat "$box"/* | grep -a '^Subject: load ' | sort -u | wc -l)" -eq 4000 ]
	[ -z "$(find "$T/data/load.example/mail" -path '*/mail/*/tmp/*' -type f)" ]
	# Sessions do not leak threads: at most one thread per concurrent session (+ the
	# listener's reserve) exists, and idle ones are ended, back to the baseline within 15 s.
	[ "$threads_after_1" -le $((baseline + 200 + 16)) ]
	[ "$threads_after_2" -le $((baseline + 200 + 16)) ]
	local now
	for _ in $(seq 1 300); do now=$(threads_of "$pid"); [ "$now" -le "$baseline" ] && break; nap 0.1; done
	echo "# threads baseline=$baseline after_wave1=$threads_after_1 after_wave2=$threads_after_2 settled=$now" >&3
	[ "$now" -le "$baseline" ]
	! grep -q '\[Error\]' "$T/load.example.log"
}

@test "kill -9 while a client streams: every message that got 250 is in the Maildir after restart" {
	pid=$(server_pid)
	box="$T/data/load.example/mail/sender@load.example"
	python3 - "$LOAD_SMTP" "$T/acked" 2>"$T/stream.err" <<'PY' &
import smtplib, sys, threading
port, acked = int(sys.argv[1]), open(sys.argv[2], 'w')
lock = threading.Lock()
def stream(n):
    try:
        s = smtplib.SMTP('127.0.0.1', port, timeout=20)
        s.ehlo('durable')
        for i in range(100000):
            tag = 'durable-%d-%d' % (n, i)
            s.sendmail('rcpt@load.example', ['sender@load.example'], 'Subject: %s\r\n\r\n%s' % (tag, ('x' * 98 + '\r\n') * 20))
            with lock:                  # recorded only after the 250
                acked.write(tag + '\n'); acked.flush()
    except Exception:
        pass                            # the server was killed
threads = [threading.Thread(target=stream, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
PY
	client=$!
	# let it stream until at least 200 messages were acknowledged (deadline 30 s)
	for _ in $(seq 1 600); do [ "$(wc -l <"$T/acked" 2>/dev/null || echo 0)" -ge 200 ] && break; nap 0.05; done
	kill -9 "$pid"
	wait "$client" || true
	acked=$(wc -l <"$T/acked")
	echo "acked=$acked" >&3
	[ "$acked" -ge 200 ]
	awk -v p="$pid" '$1 != p' "$T/pids" >"$T/pids.new" && mv "$T/pids.new" "$T/pids"
	start_server load.example
	missing=0
	stored=$(cat "$box"/new/* | grep -a '^Subject: durable-' | sed 's/^Subject: //; s/\r$//' | sort)
	missing=$(sort "$T/acked" | comm -23 - <(echo "$stored") | wc -l)
	[ "$missing" -eq 0 ]
	# nothing incomplete in new/: every file has its full body
	stat -c '%s %n' "$box"/new/* | awk '{ s = $2; sub(/.*,S=/, "", s); sub(/,.*/, "", s); if ($1 != s) { print "short: " $2; bad = 1 } } END { exit bad }'
	# the restarted server still delivers
	run swaks --server 127.0.0.1:$LOAD_SMTP -f rcpt@load.example -t sender@load.example --header 'Subject: after restart'
	[ "$status" -eq 0 ]
}
