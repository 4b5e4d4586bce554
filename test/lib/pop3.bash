# pop3.bash - shared setup for the POP3 integration files (load after ../lib/common).

POP3_LOAD="$BATS_TEST_DIRNAME/../lib/pop3_load.py"

# pop3_topology: writes $T/mail.yaml with server pop.test on free ports (accounts
# alice@pop.test "alice pw" -- a space inside --, bob@pop.test "bobpw", and
# u000..u099@pop.test with passwords p000..p099, as pop3_load.py expects). servers: is
# the file's last section, so a test may append another server. Exports DNS_PORT P_SMTP
# P_POP CONF MAILROOT, and S_SMTP S_POP: two more free ports for such a server.
pop3_topology() {
	local ports
	ports=($(free_ports 5))
	export DNS_PORT=${ports[0]} P_SMTP=${ports[1]} P_POP=${ports[2]} S_SMTP=${ports[3]} S_POP=${ports[4]}
	export CONF=$T/mail.yaml MAILROOT=$T/data/pop.test/mail
	{
		cat <<YAML
dns:
  listen: 127.0.0.1:$DNS_PORT
  zone: zone.yaml
agent:
  pop.test: { smtp: smtp.pop.test, pop: pop.pop.test }
servers:
  pop.test:
    smtp: $P_SMTP
    pop: $P_POP
    limits:
      max_sessions_per_ip: 200
    accounts:
      alice@pop.test: "alice pw"
      bob@pop.test: bobpw
YAML
		for i in $(seq -w 0 99); do echo "      u0$i@pop.test: p0$i"; done
	} >"$CONF"
	printf 'MX:\n  pop.test.: mx.pop.test.\nP:\n  mx.pop.test.: %s\n' "$P_SMTP" >"$T/zone.yaml"
}

# start_pop_test: starts mail-server -n pop.test (data in $T/data), waits for both ports.
start_pop_test() {
	start_bg pop.test "$MAIL_BIN/mail-server" -n pop.test --conf "$CONF" --data "$T/data" >/dev/null
	wait_port "$P_SMTP" 30 "$(pid_of pop.test)"
	wait_port "$P_POP" 30 "$(pid_of pop.test)"
}

# put_message USER FILE-NAME-STAMP CONTENT: a message as an older MaildirStore wrote it
# (CRLF, S= only) into $MAILROOT/USER/new.
put_message() {
	local user=$1 stamp=$2 content=$3 dir=$MAILROOT/$1
	mkdir -p "$dir/tmp" "$dir/new" "$dir/cur"
	printf '%s' "$content" >"$dir/tmp/$stamp"
	mv "$dir/tmp/$stamp" "$dir/new/$stamp.pop.test,S=$(stat -c %s "$dir/tmp/$stamp")"
}

# pop_script PORT IN-FILE [AFTER PID]: a raw POP3 client. Sends IN-FILE (one command a
# line; LF becomes CRLF) to 127.0.0.1:PORT in one write, then prints every reply line
# (CR removed) until the server closes the connection. With AFTER and PID, sends SIGTERM
# to PID once AFTER reply lines have arrived. IN-FILE is a name under transcripts/.
# Gives up (non-zero) after 20 seconds.
pop_script() {
	timeout 20 python3 - "$1" "$BATS_TEST_DIRNAME/transcripts/$2" "${3:-0}" "${4:-0}" <<'PY'
import os, signal, socket, sys
port, script, after, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(open(script, "rb").read().replace(b"\n", b"\r\n"))
data, signalled = b"", False
while True:
    if after and not signalled and data.count(b"\r\n") >= after:
        os.kill(pid, signal.SIGTERM); signalled = True
    chunk = s.recv(1000)
    if not chunk: break
    data += chunk
sys.stdout.write(data.decode().replace("\r\n", "\n"))
PY
}

# assert_transcript NAME: $output is exactly transcripts/NAME.ref (Postfix's .in/.ref
# style: the .in is what the client sends, the .ref the whole dialogue the server must
# answer with); a unified diff when not.
assert_transcript() {
	local ref="$BATS_TEST_DIRNAME/transcripts/$1.ref" diff
	if ! diff=$(diff -u --label "$1.ref" --label output "$ref" <(printf '%s\n' "$output")); then
		fail "$diff"
	fi
}

# alice_octets: the size of alice@pop.test's maildrop as POP3 reports it: the stored
# files with CRLF line ends (files named with W= hold LF ends, one CR more per line;
# older files, named with S= only, hold CRLF already).
alice_octets() {
	local f total=0
	for f in "$MAILROOT"/alice@pop.test/new/* "$MAILROOT"/alice@pop.test/cur/*; do
		[ -f "$f" ] || continue
		total=$((total + $(stat -c %s "$f")))
		case $f in *,W=*) total=$((total + $(wc -l <"$f"))) ;; esac
	done
	echo "$total"
}
