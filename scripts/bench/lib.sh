# shellcheck shell=bash
# lib.sh - shared by scripts/bench/*.sh (sourced): free ports, waits, medians, the results file.
#
# Each part writes its Markdown section to $BENCH_SECTIONS/<part>.md (scripts/bench.sh sets
# it to bench/results/sections and rebuilds bench/results/latest.md from every section).

RUNS=${RUNS:-3}
BENCH_SECTIONS=${BENCH_SECTIONS:-$PWD/bench/results/sections}

# free_ports N: N distinct free loopback TCP+UDP ports on one line (scripts/free_ports.py).
free_ports() { python3 "$(dirname "${BASH_SOURCE[0]}")/../free_ports.py" "$1" | tr '\n' ' '; echo; }

# wait_tcp PORT: until something listens on 127.0.0.1:PORT (10 s).
wait_tcp() {
	local i
	for ((i = 0; i < 200; i++)); do nc -z 127.0.0.1 "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "bench: nothing listens on port $1" >&2
	return 1
}

# count_files DIR: regular files directly in DIR.
count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# wait_files DIR N SECONDS: until DIR holds N files; prints the epoch time it was reached.
wait_files() {
	local dir=$1 n=$2 limit=$3 start=$SECONDS
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		[ "$(count_files "$dir")" -ge "$n" ] && { date +%s.%N; return 0; }
		sleep 0.02
	done
	echo "bench: only $(count_files "$dir") of $n in $dir after ${limit}s" >&2
	return 1
}

# stat3 V...: "median (min-max)" of the numbers given (any count; "-" if none).
stat3() {
	python3 - "$@" <<'PY'
import statistics, sys
v = [float(x) for x in sys.argv[1:] if x not in ("", "-", "None")]
if not v:
    print("-")
else:
    f = (lambda x: "%.0f" % x) if max(v) >= 100 else (lambda x: "%.2f" % x)
    print("%s (%s-%s)" % (f(statistics.median(v)), f(min(v)), f(max(v))) if len(v) > 1 else f(v[0]))
PY
}

# median V...: the median alone (for ratios).
median() {
	python3 -c 'import statistics, sys; v = [float(x) for x in sys.argv[1:] if x not in ("", "-", "None")]; print(statistics.median(v) if v else 0)' "$@"
}

# ratio A B: A/B with two decimals ("-" when B is 0).
ratio() { python3 -c 'import sys; a, b = map(float, sys.argv[1:]); print("%.2f" % (a / b) if b else "-")' "$1" "$2"; }

# section PART: stdin becomes the part's Markdown section (dated).
section() {
	mkdir -p "$BENCH_SECTIONS"
	{
		echo "## $1"
		echo
		echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC'), $RUNS runs each, median (min-max)._"
		echo
		cat
		echo
	} >"$BENCH_SECTIONS/$1.md"
}

# json_field JSON KEY: one field of a JSON object.
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }

# provider_config FILE DNS-PORT SMTP-PORT POP-PORT [EXTRA-YAML]: the one-provider config the
# SMTP benchmarks load (bench.example, sender@ and rcpt@, limits high enough for the load,
# logging at warning), with EXTRA-YAML appended (e.g. a journal: section).
provider_config() {
	cat >"$1" <<YAML
dns:
  listen: 127.0.0.1:$2
  zone: zone.yaml
servers:
  bench.example:
    smtp: $3
    pop: $4
    accounts:
      sender@bench.example: pw
      rcpt@bench.example: pw
limits:
  max_sessions: 1000
  max_sessions_per_ip: 1000
  max_messages_per_session: 100000
logging:
  level: warning
YAML
	[ -z "${5:-}" ] || printf '%s\n' "$5" >>"$1"
}

# start_postfix: the private Postfix instance, shared with the integration tests.
. "$(dirname "${BASH_SOURCE[0]}")/../postfix.sh"
