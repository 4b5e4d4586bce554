#!/usr/bin/env bash
# bench.sh BUILD_DIR - runs every scripts/bench/*.sh, each of which measures one of our
# programs against its reference software (NSD, Postfix, Dovecot) in the same run and
# prints the figures and the ratio. BENCH=regex limits which ones run.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export MAIL_BIN
MAIL_BIN=$(cd "$build/bin" && pwd)
status=0
for script in scripts/bench/*.sh; do
	[ -e "$script" ] || continue
	if [ -n "${BENCH:-}" ] && ! [[ $(basename "$script") =~ $BENCH ]]; then continue; fi
	echo "== $(basename "$script" .sh)"
	bash "$script" || { echo "bench $(basename "$script") failed"; status=1; }
done
exit $status
