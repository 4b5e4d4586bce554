# lib.sh - shared by the topology scripts (start.sh, run.sh, demo.sh); source it.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MAIL_BIN:-$root/build/bin}

# parse_conf_data_args "$@": sets conf and data from --conf/-c and --data/-d (their
# defaults are whatever the caller set before); --help prints the script's header
# comment; anything else is a usage error (exit 64).
parse_conf_data_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		-c|--conf) [ $# -ge 2 ] || script_usage; conf=$2; shift 2 ;;
		-d|--data) [ $# -ge 2 ] || script_usage; data=$2; shift 2 ;;
		-h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) script_usage ;;
		esac
	done
}

script_usage() { echo "usage: $0 [--conf FILE] [--data DIR]" >&2; exit 64; }

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
