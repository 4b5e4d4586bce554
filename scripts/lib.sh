# lib.sh - shared by the topology scripts (start.sh, stop.sh, restart.sh, run.sh, demo.sh,
# capture.sh, lab.sh); source it.

# The project is found from this file's own location, so the scripts work from any
# directory; their default config and data directory are the project's own.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MAIL_BIN:-$root/build/bin}
default_conf=$root/conf/mail.yaml
default_data=$root/var

# parse_conf_data_args "$@": sets conf and data from --conf/-c and --data/-d (their
# defaults are whatever the caller set before); with allow_only=1 also --only NAME
# (repeatable, into the array only); --help prints the script's header comment; anything
# else is a usage error (exit 64).
parse_conf_data_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		-c|--conf) [ $# -ge 2 ] || script_usage; conf=$2; shift 2 ;;
		-d|--data) [ $# -ge 2 ] || script_usage; data=$2; shift 2 ;;
		--only) [ "${allow_only:-0}" = 1 ] && [ $# -ge 2 ] || script_usage; only+=("$2"); shift 2 ;;
		-h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
		*) script_usage ;;
		esac
	done
}

script_usage() {
	echo "usage: $0 [--conf FILE] [--data DIR]${allow_only:+ [--only NAME]}" >&2
	exit 64
}

# wanted NAME: the program is one the caller acts on (every one unless --only was given).
wanted() {
	[ ${#only[@]} -eq 0 ] && return 0
	local n
	for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
only=()

# ensure_cert CONF: when CONF's tls: names tls/cert.pem next to it (the demo's layout) and
# the file is missing, makes a self-signed one with make-cert.sh (keys are never committed).
ensure_cert() {
	local dir
	dir=$(dirname "$1")
	if grep -qE '^[[:space:]]*cert:[[:space:]]*tls/cert\.pem' "$1" && [ ! -s "$dir/tls/cert.pem" ]; then
		"$root/scripts/make-cert.sh" "$dir/tls" >&2 || return 1
	fi
	return 0
}

# nap SECONDS: sleeps like sleep(1) without starting a process: a read with a timeout on a
# pipe nobody writes to (opened at the first call). The scripts' polls run next to the test
# suite on a loaded machine, where a sleep(1) per poll costs more CPU than what it waits for.
nap() {
	[ -n "${nap_fd:-}" ] || exec {nap_fd}<> <(:)
	read -r -t "$1" -u "$nap_fd" _ || true
}
