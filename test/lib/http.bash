# http.bash - helpers for the HTTP API tests (load after ../lib/common).

# add_http SERVER PORT [LINES...]: gives a server of $CONF an http: port (make_topology
# writes none); extra LINES (already indented) go right after it.
add_http() {
	local server=$1 port=$2; shift 2
	python3 - "$CONF" "$server" "$port" "$@" <<'PY'
import sys
path, server, port, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
lines = open(path).read().split("\n")
i = lines.index("  %s:" % server)
lines[i + 1:i + 1] = ["    http: %s" % port] + extra
open(path, "w").write("\n".join(lines))
PY
}

# api PORT PATH [CURL ARGS...]: GET (or what the args say) on the API; prints the body,
# then a last line "HTTP NNN". --path-as-is keeps '..' for the tests that send it.
api() {
	local port=$1 path=$2; shift 2
	curl -s --path-as-is --max-time 70 -w '\nHTTP %{http_code}\n' "$@" "http://127.0.0.1:$port$path"
}

# api_json PORT PATH [CURL ARGS...]: the body only; fails unless the status is 2xx.
api_json() {
	local out code
	out=$(api "$@") || return 1
	code=$(tail -n 1 <<<"$out")
	sed '$d' <<<"$out"
	[[ "$code" == "HTTP 2"* ]] || { echo "$code" >&2; return 1; }
}

# send_raw HOST:PORT FROM TO FILE: the message in FILE (LF or CRLF lines) over SMTP.
send_raw() {
	python3 - "$@" <<'PY'
import smtplib, sys
server, sender, rcpt, path = sys.argv[1:5]
host, port = server.rsplit(":", 1)
data = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
with smtplib.SMTP(host, int(port), "http-test", timeout=10) as s:
    s.sendmail(sender, [rcpt], data)
PY
}

# hold_pop3 NAME PORT USER PASS: a POP3 session (started as background process NAME) that
# logs in and stays in the TRANSACTION state, holding the mailbox, until stop_one NAME.
hold_pop3() {
	start_bg "$1" python3 -c '
import poplib, sys, time
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
print("logged in", flush=True)
time.sleep(120)
' "$2" "$3" "$4" >/dev/null
	wait_log "$1" 'logged in' 10
}

# add_http_ports: an http: port for each provider of $CONF (EX_HTTP, GM_HTTP).
add_http_ports() {
	local ports
	ports=($(free_ports 2))
	export EX_HTTP=${ports[0]} GM_HTTP=${ports[1]}
	add_http exmail.qq.com "$EX_HTTP"
	add_http gmail.com "$GM_HTTP"
}

# http_topology [MX...]: make_topology (with its MX arguments) and an http: port for each
# provider (EX_HTTP, GM_HTTP), mail-dns and both servers running, their HTTP ports answering.
http_topology() {
	make_topology "$@"
	add_http_ports
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	wait_port "$EX_HTTP" 30
	wait_port "$GM_HTTP" 30
}
