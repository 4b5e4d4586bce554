#!/usr/bin/env bats
# The folder rules of the build: each program folder compiles against an include root that
# holds only what it may use (scripts/include-roots.sh), so a dns/ or agent/ file that
# includes a server header, or a common/ file that includes anything above it, fails.

load ../lib/common

# The folders compile_as is used with, and where the Makefile's compile line for a source
# of each is kept (one `make -n` for them all, in setup_file: it is the costly part).
PROBE_FOLDERS=(agent dns server test/unit common/base common/config common/journal common/lookup common/dns)

setup_file() {
	cd "$BATS_TEST_DIRNAME/../.."
	local build folder source objects=()
	build=$(dirname "$MAIL_BIN")
	for folder in "${PROBE_FOLDERS[@]}"; do
		source=$(find "$folder" -name '*.cpp' ! -name main.cpp | sort | head -1)
		objects+=("$build/obj/${source%.cpp}.o")
		echo "$folder $build/obj/${source%.cpp}.o" >>"$BATS_FILE_TMPDIR/objects"
	done
	make -s -n -B BUILD="$build" "${objects[@]}" | grep -E '(^| )-c ' >"$BATS_FILE_TMPDIR/compile-lines"
	# every folder has its line, so a probe that fails to compile failed on its #include
	local object
	for object in "${objects[@]}"; do
		grep -qF -- " -o $object" "$BATS_FILE_TMPDIR/compile-lines" || { echo "make -n printed no compile line for $object" >&2; return 1; }
	done
}

setup() {
	cd "$BATS_TEST_DIRNAME/../.."
	build=$(dirname "$MAIL_BIN")
	probe=$BATS_TEST_TMPDIR/probe.cpp
}

# compile_as FOLDER HEADER: compiles a one-line source including HEADER with the exact
# flags the Makefile uses for a source in FOLDER (its compile line, up to -c, from
# setup_file's `make -n`; without ccache, which cannot keep a -fsyntax-only run).
compile_as() {
	local folder=$1 header=$2 object flags
	object=$(awk -v f="$folder" '$1 == f { print $2 }' "$BATS_FILE_TMPDIR/objects")
	[ -n "$object" ] || { echo "compile_as: $folder is not in PROBE_FOLDERS"; return 2; }
	flags=$(grep -F -- " -o $object" "$BATS_FILE_TMPDIR/compile-lines" | tail -1 | sed -E 's/ -c .*//; s/ -MMD -MP//; s/^ccache //')
	[ -n "$flags" ] || { echo "compile_as: no compile line for $object"; return 2; }
	printf '#include "%s"\nint probeMain() { return 0; }\n' "$header" >"$probe"
	$flags -fsyntax-only "$probe" 2>&1
}

@test "make compiles each folder against its own include root, not -I." {
	run make -s -n -B BUILD="$build" "$build/obj/agent/agent_app.o"
	[ "$status" -eq 0 ]
	[[ "$output" == *"-I$build/include/agent"* ]]
	[[ "$output" != *" -I. "* ]]
}

@test "agent/ and dns/ cannot include a server header" {
	run compile_as agent server/server_context.h
	[ "$status" -ne 0 ]
	[[ "$output" == *"server/server_context.h"* ]]
	run compile_as dns server/smtp/smtp_command.h
	[ "$status" -ne 0 ]
}

@test "common/ cannot include a program's header; every program folder can include common/" {
	run compile_as common/config dns/zone_index.h
	[ "$status" -ne 0 ]
	# a light header: the check is about the include root, not the header's weight
	for folder in dns server agent test/unit; do
		run compile_as "$folder" common/base/seconds.h
		[ "$status" -eq 0 ] || { echo "$folder: $output"; false; }
	done
	run compile_as server server/smtp/smtp_command.h
	[ "$status" -eq 0 ]
}

@test "common/'s rooms are layered: base sees only base, config sees base, lookup sees config" {
	run compile_as common/base common/config/config.h
	[ "$status" -ne 0 ]
	[[ "$output" == *"common/config/config.h"* ]]
	run compile_as common/journal common/base/seconds.h
	[ "$status" -ne 0 ]
	run compile_as common/config common/base/seconds.h
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run compile_as common/lookup common/config/yaml_checks.h
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run compile_as common/dns common/lookup/name_lookup.h
	[ "$status" -ne 0 ]
}

@test "no two folders of server/ include each other, directly or round a cycle (scripts/folder_cycles.py)" {
	run python3 scripts/folder_cycles.py server common dns
	assert_success
	assert_output ""
	# and the check fails on one: a copy of server/ where store/ includes smtp/
	cp -r server "$BATS_TEST_TMPDIR/server"
	echo '#include "server/smtp/smtp_session.h"' >>"$BATS_TEST_TMPDIR/server/store/maildir.h"
	cd "$BATS_TEST_TMPDIR"
	run python3 "$OLDPWD/scripts/folder_cycles.py" server
	assert_failure
	assert_output --partial "server/store -> server/smtp: server/store/maildir.h includes server/smtp/smtp_session.h"
}

@test "server/ keeps no thread-local state: a message's ids travel with each call" {
	run grep -rn --include='*.h' --include='*.cpp' thread_local server
	assert_failure
	assert_output ""
}
