#!/usr/bin/env bats
# server_startup.bats - mail-server's command line and configuration checks (SPEC.md
# "Programs"): exit 64 on bad usage, 78 on a bad config naming file, line and key, 0 on
# SIGTERM; it never binds anything before the whole config is checked.

load ../lib/common

setup_file() { common_setup_file; make_topology; }
teardown_file() { common_teardown_file; }

@test "mail-server --help prints usage and exits 0" {
	run "$MAIL_BIN/mail-server" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"-n NAME"* ]]
	[[ "$output" == *"--data"* ]]
}

@test "mail-server without -n exits 64" {
	run "$MAIL_BIN/mail-server" --conf "$CONF"
	[ "$status" -eq 64 ]
	[[ "$output" == *"-n NAME is required"* ]]
}

@test "mail-server with an unknown option exits 64" {
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"frobnicate"* ]]
}

@test "mail-server with an unknown server name exits 64 and lists the known ones" {
	run "$MAIL_BIN/mail-server" -n nosuch --conf "$CONF" --data "$T/data"
	[ "$status" -eq 64 ]
	[[ "$output" == *"no server named 'nosuch'"* ]]
	[[ "$output" == *"exmail.qq.com, gmail.com"* ]]
}

@test "a missing config file exits 78 naming the file" {
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/nope.yaml" --data "$T/data"
	[ "$status" -eq 78 ]
	[[ "$output" == *"$T/nope.yaml: cannot open file"* ]]
}

@test "a file on which yaml-cpp's LoadAll never ends is refused with 78 in bounded memory" {
	# Found by config_fuzz: yaml-cpp 0.7's LoadAll appended empty documents for ever on this
	# (malformed) flow text until memory ran out; ulimit keeps a regression from eating the machine.
	cp "$REPO_ROOT/test/fuzz/corpus/config/loadall_loop" "$T/loop.yaml"
	# Sanitizer builds reserve terabytes of address space for their shadow memory, so the
	# address-space limit applies only to the normal build (time still bounds the others).
	local limit="ulimit -v 1000000;"
	case "$MAIL_BIN" in *build-asan* | *build-tsan*) limit="" ;; esac
	run bash -c "$limit exec timeout 20 '$MAIL_BIN/mail-server' --check --conf '$T/loop.yaml'"
	[ "$status" -eq 78 ]
	[[ "$output" == *"$T/loop.yaml:"* ]]
}

@test "a bad key exits 78 naming file, line and key, and binds nothing" {
	local port
	port=$(free_ports 1)
	sed "s/^    smtp: $GM_SMTP\$/    smtp: $port\n    smtp_port: 1/" "$CONF" >"$T/bad.yaml"
	cp "$T/zone.yaml" "$T/zone-bad.yaml"
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/bad.yaml" --data "$T/data"
	[ "$status" -eq 78 ]
	[[ "$output" =~ $T/bad.yaml:[0-9]+:\ servers\.gmail\.com\.smtp_port:\ unknown\ key ]]
	! nc -z 127.0.0.1 "$port"
}

@test "a port out of range exits 78" {
	sed "s/^    pop: $GM_POP\$/    pop: 123456/" "$CONF" >"$T/range.yaml"
	run "$MAIL_BIN/mail-server" -n gmail.com --conf "$T/range.yaml" --data "$T/data"
	[ "$status" -eq 78 ]
	[[ "$output" == *"servers.gmail.com.pop: out of range"* ]]
}

@test "SIGTERM and SIGINT stop the server with exit 0" {
	local sig pid
	for sig in TERM INT; do
		"$MAIL_BIN/mail-server" -n gmail.com --conf "$CONF" --data "$T/data" 2>"$T/sig.log" &
		pid=$!
		wait_port "$GM_SMTP" 30 "$pid" || true
		# the process is up (its log says so) before the signal is sent
		for _ in $(seq 1 600); do grep -q "started server=gmail.com" "$T/sig.log" && break; nap 0.05; done
		grep -q "started server=gmail.com" "$T/sig.log"
		kill -"$sig" "$pid"
		local rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 0 ]
	done
}

@test "the data directory is created under DATA/NAME" {
	local pid
	"$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/fresh" 2>"$T/fresh.log" &
	pid=$!
	for _ in $(seq 1 600); do [ -d "$T/fresh/exmail.qq.com" ] && break; nap 0.05; done
	kill -TERM "$pid"; wait "$pid"
	[ -d "$T/fresh/exmail.qq.com" ]
}
