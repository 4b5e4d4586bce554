#!/usr/bin/env bash
# lint.sh INCLUDE-DIR FILE... - clang-tidy (.clang-tidy at the root) over FILEs, each
# compiled as the Makefile compiles it: -std=c++17 against its folder's include root
# (scripts/include-roots.sh), so a lint run sees exactly the headers a build sees, and
# MAIL_VERSION defined (the Makefile gives it to common/base/version.cpp from VERSION).
# One file per core at a time; exits non-zero when any file has a warning, printing each.
#
# clang-tidy parses every Poco header again for each file (about 10 s a file here), so a
# file found clean is remembered in LINT_CACHE (default ~/.cache/mail-lint), keyed by
# the clang-tidy version, .clang-tidy, and the bytes of the file and of every project
# header it includes (g++ -MM): any change to one of them lints the file again. A file
# with warnings is never remembered. LINT_CACHE=off lints everything.
set -euo pipefail
inc=${1:?usage: lint.sh INCLUDE-DIR FILE...}
shift
[ $# -gt 0 ] || exit 0
cache=${LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mail-lint}
if [ "$cache" != off ]; then mkdir -p "$cache"; fi
salt=$( (clang-tidy --version; cat .clang-tidy) | sha256sum | cut -c1-64)
export cache salt inc
printf '%s\n' "$@" | xargs -P "$(nproc)" -I{} bash -c '
	file=$1 root=${1%%/*}
	[ "$root" != common ] || root=$(cut -d/ -f1-2 <<<"$1") # common/ compiles by room
	key=""
	if [ "$cache" != off ]; then
		# the build'"'"'s own dependency file when it is there and newer than the file, else g++ -MM
		d=${LINT_DEPS:-build/obj}/${file%.cpp}.d
		if [ -f "$d" ] && [ "$d" -nt "$file" ]; then rules=$(cat "$d"); else rules=$(g++ -MM -std=c++17 -I"$inc/$root" "$file" 2>/dev/null) || rules=$file; fi
		deps=$(printf "%s\n" "$rules" | sed "s/\\\\$//" | tr " " "\n" | grep -v ":$" | grep . | sort -u)
		key=$( { echo "$salt $file"; for d in $deps; do sha256sum <"$d"; done; } | sha256sum | cut -c1-64)
		[ -e "$cache/$key" ] && exit 0
	fi
	out=$(clang-tidy --quiet "$file" -- -std=c++17 -pthread -DMAIL_VERSION="\"lint\"" -I"$inc/$root" 2>/dev/null) && [ -z "$out" ] &&
		{ [ -z "$key" ] || touch "$cache/$key"; exit 0; }
	printf "%s\n" "$out"
	exit 1
' lint {}
