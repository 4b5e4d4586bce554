# relay.bash - helpers for the relay integration tests (load after ../lib/common).

# send_mail HOST:PORT FROM SUBJECT TO...: one message over SMTP with python3 smtplib;
# fails unless the server accepted it (every recipient included).
send_mail() {
	local server=$1 from=$2 subject=$3; shift 3
	python3 - "$server" "$from" "$subject" "$@" <<'PY'
import smtplib, sys
server, sender, subject, rcpts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
host, port = server.rsplit(":", 1)
msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nbody of %s\r\n.a line starting with a dot\r\n"
       % (sender, ", ".join(rcpts), subject, subject))
with smtplib.SMTP(host, int(port), "relay-test", timeout=10) as s:
    refused = s.sendmail(sender, rcpts, msg)
    if refused:
        sys.exit("refused: %r" % refused)
PY
}

# send_many HOST:PORT FROM TO COUNT: COUNT messages (subjects "msg 1".."msg COUNT") in one session.
send_many() {
	python3 - "$@" <<'PY'
import smtplib, sys
server, sender, rcpt, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = server.rsplit(":", 1)
with smtplib.SMTP(host, int(port), "relay-test", timeout=30) as s:
    for i in range(1, count + 1):
        s.sendmail(sender, [rcpt], "From: %s\r\nTo: %s\r\nSubject: msg %d\r\n\r\nnumber %d\r\n" % (sender, rcpt, i, i))
PY
}


# wait_count ADDRESS SERVER N SECONDS: until the mailbox holds at least N messages (a look
# every 0.05 s); prints the milliseconds it took. Fails (printing the count) at the deadline.
wait_count() {
	local addr=$1 server=$2 n=$3 limit_us=$(($4 * 1000000)) start=${EPOCHREALTIME/[.,]/} count waited
	while :; do
		count=$(maildir_count "$addr" "$server")
		waited=$((${EPOCHREALTIME/[.,]/} - start))
		if [ "$count" -ge "$n" ]; then echo $((waited / 1000)); return 0; fi
		if [ "$waited" -gt "$limit_us" ]; then echo "count=$count after ${4}s" >&2; return 1; fi
		nap 0.05
	done
}

# mailbox_text ADDRESS SERVER: every message of the mailbox, concatenated.
mailbox_text() {
	find "$T/data/$2/mail/$1/new" "$T/data/$2/mail/$1/cur" -type f -exec cat {} + 2>/dev/null
}

# queue_count SERVER: messages in the server's relay queue (one-file entries, and entries
# of the older two-file layout by their envelope).
queue_count() {
	find "$T/data/$1/queue" -maxdepth 1 \( -name '*.mail' -o -name '*.env' \) 2>/dev/null | wc -l
}

# wait_log NAME PATTERN SECONDS: until the program's log has a line matching PATTERN (grep -E).
wait_log() { wait_grep "$T/$1.log" "$2" "$3"; }

# wait_grep FILE PATTERN SECONDS: until FILE has a line matching PATTERN (grep -E).
wait_grep() {
	wait_until "$3" grep -qE "$2" "$1" 2>/dev/null && return 0
	echo "no line matching '$2' in $1" >&2
	return 1
}

# running NAME: the last recorded process of that name (start_bg) is alive.
running() {
	local pid
	pid=$(awk -v n="$1" '$2 == n { p = $1 } END { print p }' "$T/pids")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# exmail_topology: the demo topology with mail-dns and exmail.qq.com running.
exmail_topology() {
	make_topology
	start_dns
	start_server exmail.qq.com
}

# queue_topology: the demo topology with retries 10 minutes apart (so any attempt a test
# sees was asked for), mail-dns and exmail.qq.com running, gmail.com down: mail for it
# waits in exmail.qq.com's queue.
queue_topology() {
	make_topology
	sed -i 's/^  retry: .*/  retry: [10m]/' "$CONF"
	start_dns
	start_server exmail.qq.com
}
