#!/usr/bin/env bash
# restart.sh - restart one program of a topology that scripts/start.sh started.
#
#   scripts/restart.sh [--conf FILE] [--data DIR] NAME
#
# NAME is a server of the config or mail-dns. Stops it (scripts/stop.sh --only NAME),
# then starts it again (scripts/start.sh --only NAME) and returns once it is ready; the
# other programs keep running. Same defaults as start.sh; exits with start.sh's status.
set -uo pipefail

. "$(dirname "$0")/lib.sh"
conf=$default_conf
data=$default_data
args=() name=""
while [ $# -gt 0 ]; do
	case $1 in
	-c|--conf|-d|--data) [ $# -ge 2 ] || { echo "usage: $0 [--conf FILE] [--data DIR] NAME" >&2; exit 64; }; args+=("$1" "$2"); shift 2 ;;
	-h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	-*) echo "usage: $0 [--conf FILE] [--data DIR] NAME" >&2; exit 64 ;;
	*) [ -z "$name" ] || { echo "usage: $0 [--conf FILE] [--data DIR] NAME" >&2; exit 64; }; name=$1; shift ;;
	esac
done
[ -n "$name" ] || { echo "usage: $0 [--conf FILE] [--data DIR] NAME" >&2; exit 64; }
parse_conf_data_args "${args[@]}"

# Refuse an unknown name before stopping anything.
topology=$("$bin/mail-server" --list-servers --conf "$conf") || exit $?
[ "$name" = mail-dns ] || grep -q "^server $name " <<<"$topology" ||
	{ echo "restart: no server named '$name' in $conf" >&2; exit 64; }
"$root/scripts/stop.sh" --data "$data" --only "$name" || exit $?
exec "$root/scripts/start.sh" --conf "$conf" --data "$data" --only "$name"
