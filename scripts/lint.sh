#!/usr/bin/env bash
# lint.sh INCLUDE-DIR FILE... - clang-tidy (.clang-tidy at the root) over FILEs, each
# compiled as the Makefile compiles it: -std=c++17 against its folder's include root
# (scripts/include-roots.sh), so a lint run sees exactly the headers a build sees.
# Two files at a time (the machine has two cores); exits non-zero when any file has a
# warning, printing each one.
set -euo pipefail
inc=${1:?usage: lint.sh INCLUDE-DIR FILE...}
shift
[ $# -gt 0 ] || exit 0
printf '%s\n' "$@" | xargs -P 2 -I{} sh -c '
	root=$(echo "$1" | cut -d/ -f1)
	out=$(clang-tidy --quiet "$1" -- -std=c++17 -pthread -I"$2/$root" 2>/dev/null) && [ -z "$out" ] && exit 0
	printf "%s\n" "$out"
	exit 1
' lint {} "$inc"
