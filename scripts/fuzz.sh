#!/usr/bin/env bash
# fuzz.sh SECONDS - builds every test/fuzz/*_fuzz.cpp with clang++ and libFuzzer (ASan+UBSan)
# into build-fuzz/ and runs each for SECONDS on a copy of its seed corpus
# (test/fuzz/corpus/NAME/). Crashes are left in build-fuzz/artifacts/; exits non-zero on any.
# Each run is bounded: FUZZ_RSS_MB (default 1024) of memory (-rss_limit_mb, and
# -malloc_limit_mb for one allocation), 10 s per input (-timeout), and the whole run is
# killed SECONDS+60 s after it starts, so a fuzzer can neither eat the machine nor hang.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
rss_mb=${FUZZ_RSS_MB:-1024}
# ASan keeps freed memory in a 256 MB quarantine by default, which reads as ~100 KB of
# growth per input until it is full; a smaller one keeps RSS a measure of real leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
out=build-fuzz
CXX=${FUZZ_CXX:-clang++}
# MAIL_VERSION: common/base/version.cpp refuses to compile without it (the Makefile sets it too).
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -Wall -Wextra "-DMAIL_VERSION=\"$(cat VERSION)\"")
sanitize=-fsanitize=address,undefined
libs=(-lPocoUtil -lPocoJSON -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation -lyaml-cpp -lssl -lcrypto -pthread)
scripts/include-roots.sh "$out/include"

# Library objects (every non-main source), rebuilt only when older than their source.
objects=()
for src in $(find common dns server agent -name '*.cpp' | sort); do
	[ -e "$src" ] || continue
	[ "$(basename "$src")" = main.cpp ] && continue
	obj=$out/obj/${src%.cpp}.o
	objects+=("$obj")
	if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find common dns server agent -name '*.h' -newer "$obj" 2>/dev/null | head -1)" ]; then
		mkdir -p "$(dirname "$obj")"
		echo "fuzz: compile $src"
		root=${src%%/*}
		[ "$root" != common ] || root=$(cut -d/ -f1-2 <<<"$src") # common/ compiles by room
		"$CXX" "${flags[@]}" -I"$out/include/$root" "$sanitize" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	fi
done

# One archive of them: a target links only the objects it reaches, not the agent's line
# editor (libedit) or the console's generated assets, which no parser needs.
archive=$out/libmail-fuzz.a
rm -f "$archive"
ar rcs "$archive" "${objects[@]}"

status=0
for target in test/fuzz/*_fuzz.cpp; do
	[ -e "$target" ] || continue
	name=$(basename "$target" .cpp)
	bin=$out/$name
	echo "fuzz: build $name"
	"$CXX" "${flags[@]}" -I"$out/include/test" "$sanitize" -fsanitize=fuzzer "$target" "$archive" "${libs[@]}" -o "$bin"
	corpus=$out/corpus/${name%_fuzz}
	mkdir -p "$corpus" "$out/artifacts"
	if [ -d "test/fuzz/corpus/${name%_fuzz}" ]; then cp -n "test/fuzz/corpus/${name%_fuzz}"/* "$corpus"/ 2>/dev/null || true; fi
	echo "fuzz: run $name for ${seconds}s"
	if ! timeout -k 5 $((seconds + 60)) "$bin" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
		-rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -timeout=10 \
		-artifact_prefix="$out/artifacts/$name-" "$corpus" 2>"$out/$name.log"; then
		echo "fuzz: $name FAILED, see $out/$name.log and $out/artifacts/" >&2
		tail -40 "$out/$name.log" >&2
		status=1
	else
		grep -E "stat::number_of_executed_units|cov:" "$out/$name.log" | tail -2
	fi
done
exit $status
