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
