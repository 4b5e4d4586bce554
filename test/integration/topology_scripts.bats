#!/usr/bin/env bats
# topology_scripts.bats - scripts/start.sh, scripts/stop.sh, scripts/run.sh and `make run`
# (SPEC.md "Scripts and make targets") on a two-provider config with free ports: every
# port answers, PID files, nothing left behind, a dying program stops the rest.

load ../lib/common
load ../lib/relay

setup_file() {
	common_setup_file
	make_topology
}

teardown_file() {
	"$REPO_ROOT/scripts/stop.sh" --data "$T/var" >/dev/null 2>&1
	common_teardown_file
}

teardown() {
	# whatever a test left running (it failed half-way) must not leak into the next one
	"$REPO_ROOT/scripts/stop.sh" --data "$T/var" >/dev/null 2>&1
	local pids
	pids=$(pgrep -f -- "/mail-(server|dns) .*--conf $T/" || true)
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
}

# leftovers: our programs still running on this file's config.
leftovers() { pgrep -af -- "/mail-(server|dns) .*--conf $T/" || true; }

all_ports_answer() {
	dig @127.0.0.1 -p "$DNS_PORT" +time=1 +tries=1 +short mxbiz1.qq.com TYPE65280 | grep -q .
	local port
	for port in "$EX_SMTP" "$EX_POP" "$GM_SMTP" "$GM_POP"; do nc -z 127.0.0.1 "$port"; done
}

# in_new_group OUT CMD...: runs CMD in the background as the leader of a new process group
# with SIGINT at its default (a shell's `&` would start it with SIGINT ignored, unlike a
# terminal's foreground job), output to OUT; prints its pid (= the group id). Its exit
# status lands in OUT.rc (see group_status).
in_new_group() {
	local out=$1 i; shift
	rm -f "$out.pid" "$out.rc"
	python3 -c 'import os, signal, sys
out = sys.argv[1]
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.setpgid(0, 0)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1); os.dup2(fd, 2)
    os.execvp(sys.argv[2], sys.argv[2:])
with open(out + ".pid.tmp", "w") as f: f.write(str(pid))
os.rename(out + ".pid.tmp", out + ".pid")
_, status = os.waitpid(pid, 0)
with open(out + ".rc.tmp", "w") as f: f.write(str(os.waitstatus_to_exitcode(status)))
os.rename(out + ".rc.tmp", out + ".rc")' "$out" "$@" </dev/null >/dev/null 2>&1 3>&- &
	for ((i = 0; i < 1500; i++)); do [ -s "$out.pid" ] && break; nap 0.02; done
	cat "$out.pid"
}

# group_status OUT SECONDS: the exit status of an in_new_group command, once it has exited.
group_status() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do [ -s "$1.rc" ] && { cat "$1.rc"; return 0; }; nap 0.05; done
	echo "still running after $2 s" >&2
	return 1
}

# wait_gone PID SECONDS: until the process has exited.
wait_gone() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do kill -0 "$1" 2>/dev/null || return 0; nap 0.05; done
	return 1
}

@test "start.sh starts everything and returns once every port answers; stop.sh leaves nothing" {
	run "$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var"
	[ "$status" -eq 0 ]
	[[ "$output" == *"running mail-dns exmail.qq.com gmail.com"* ]]
	all_ports_answer
	local name
	for name in mail-dns exmail.qq.com gmail.com; do
		[ -s "$T/var/$name.pid" ]
		kill -0 "$(cat "$T/var/$name.pid")"
	done
	[ -n "$(leftovers)" ]

	run "$REPO_ROOT/scripts/stop.sh" --data "$T/var"
	[ "$status" -eq 0 ]
	[ -z "$(leftovers)" ]
	! ls "$T"/var/*.pid 2>/dev/null
	grep -q 'stopped server=gmail.com' "$T/var/gmail.com.log"
	! nc -z 127.0.0.1 "$GM_SMTP"
}

@test "mail flows between providers started by start.sh" {
	"$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var"
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "started by script" usr@gmail.com
	local i
	for ((i = 0; i < 600; i++)); do
		grep -qs '^Subject: started by script' "$T"/var/gmail.com/mail/usr@gmail.com/new/* && break
		nap 0.05
	done
	grep -qs '^Subject: started by script' "$T"/var/gmail.com/mail/usr@gmail.com/new/*
	"$REPO_ROOT/scripts/stop.sh" --data "$T/var"
	[ -z "$(leftovers)" ]
}

@test "start.sh refuses to start a second copy over the same data directory" {
	"$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var"
	run "$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running"* ]]
	all_ports_answer
	"$REPO_ROOT/scripts/stop.sh" --data "$T/var"
	[ -z "$(leftovers)" ]
}

@test "start.sh: a server that cannot start shows its log and stops the rest" {
	# something else holds gmail.com's POP3 port
	python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(60)' "$GM_POP" &
	local holder=$!
	wait_port "$GM_POP" 30
	# what an earlier run logged is not this run's story
	mkdir -p "$T/var"
	for i in $(seq 50); do echo "OLD RUN LINE $i"; done >"$T/var/gmail.com.log"
	run "$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var"
	kill "$holder"; wait "$holder" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"gmail.com exited"* ]]
	[[ "$output" == *"cannot start"* ]]
	[[ "$output" != *"OLD RUN LINE"* ]]
	[ -z "$(leftovers)" ]
	! ls "$T"/var/*.pid 2>/dev/null
}

@test "start.sh with a broken config exits 78 and starts nothing" {
	sed 's/^    smtp: .*/    smtp: not-a-port/' "$CONF" >"$T/broken.yaml"
	run "$REPO_ROOT/scripts/start.sh" --conf "$T/broken.yaml" --data "$T/var2"
	[ "$status" -eq 78 ]
	[[ "$output" == *"broken.yaml:"* ]]
	[ -z "$(pgrep -af -- "--conf $T/broken.yaml" || true)" ]
}

@test "run.sh: foreground, logs prefixed with the program name, Ctrl-C stops everything" {
	local leader
	leader=$(in_new_group "$T/run.log" "$REPO_ROOT/scripts/run.sh" --conf "$CONF" --data "$T/var")
	local i
	for ((i = 0; i < 600; i++)); do all_ports_answer 2>/dev/null && break; nap 0.05; done
	all_ports_answer
	wait_log run 'gmail\.com +\| .*started server=gmail.com' 30 || { cat "$T/run.log"; false; }
	grep -qE '^mail-dns +\| .*dns: ' "$T/run.log"
	grep -qE '^exmail\.qq\.com +\| .*started server=exmail.qq.com' "$T/run.log"
	kill -INT -- "-$leader" # what a terminal's Ctrl-C does: SIGINT to the whole process group
	[ "$(group_status "$T/run.log" 10)" -eq 0 ]
	grep -q '^run: stopping' "$T/run.log"
	[ -z "$(leftovers)" ]
	grep -qE '^gmail\.com +\| .*stopped server=gmail.com' "$T/run.log"
	grep -qE '^mail-dns +\| .*stopped' "$T/run.log"
}

@test "run.sh: when one program dies the others are stopped and the status is 1" {
	"$REPO_ROOT/scripts/run.sh" --conf "$CONF" --data "$T/var" >"$T/run2.out" 2>&1 &
	local runner=$!
	local i
	for ((i = 0; i < 600; i++)); do all_ports_answer 2>/dev/null && break; nap 0.05; done
	all_ports_answer
	pkill -9 -f -- "-n gmail.com --conf $T/mail.yaml"
	wait_gone "$runner" 10
	local rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 1 ]
	grep -q 'gmail.com exited with status' "$T/run2.out"
	[ -z "$(leftovers)" ]
}

@test "make run brings the topology up (MAIL_CONF/MAIL_DATA) and Ctrl-C brings it down" {
	local leader
	leader=$(MAIL_CONF=$CONF MAIL_DATA=$T/var in_new_group "$T/make-run.out" make -s -C "$REPO_ROOT" run)
	local i
	for ((i = 0; i < 600; i++)); do all_ports_answer 2>/dev/null && break; nap 0.05; done
	all_ports_answer || { cat "$T/make-run.out"; false; }
	grep -q 'build/bin/mail-agent -e usr1@mail.sustech.edu.cn -p pass1\|mail-agent --conf' "$T/make-run.out"
	grep -q "dig @127.0.0.1 -p $DNS_PORT gmail.com MX" "$T/make-run.out"
	kill -INT -- "-$leader"
	group_status "$T/make-run.out" 10
	for ((i = 0; i < 600; i++)); do [ -z "$(leftovers)" ] && break; nap 0.05; done
	[ -z "$(leftovers)" ]
	# a Ctrl-C is a clean stop: no program "exited with status", no make error line
	cat "$T/make-run.out"
	grep -q '^run: stopped' "$T/make-run.out"
	! grep -qE 'exited with status|Error [0-9]|\*\*\*' "$T/make-run.out"
}

@test "make run builds no unit tests and installs only the run packages; make install PREFIX=" {
	run make -n -C "$REPO_ROOT" run
	[ "$status" -eq 0 ]
	[[ "$output" != *unit-tests* ]]
	[[ "$output" != *test/unit* ]]
	[[ "$output" == *"scripts/install-deps.sh run"* ]]
	[[ "$output" != *"install-deps.sh test"* ]]
	[[ "$output" != *"install-deps.sh fuzz"* ]]
}

@test "make install PREFIX=DIR puts the three programs in DIR/bin" {
	run make -s -C "$REPO_ROOT" install PREFIX="$T/prefix"
	[ "$status" -eq 0 ]
	local prog
	for prog in mail-dns mail-server mail-agent; do
		[ -x "$T/prefix/bin/$prog" ]
		"$T/prefix/bin/$prog" --version | grep -q "^$prog "
	done
}

# fake_clone: a copy of the scripts in $T/clone with the test topology as its default
# config, so the scripts' defaults can be tried without touching the real project.
fake_clone() {
	mkdir -p "$T/clone/conf"
	cp -r "$REPO_ROOT/scripts" "$T/clone/"
	cp "$CONF" "$T/clone/conf/mail.yaml"
	cp "$T/zone.yaml" "$T/clone/conf/zone.yaml"
}

@test "start.sh and stop.sh find their project from any directory (defaults: its conf/ and var/)" {
	fake_clone
	cd /
	run "$T/clone/scripts/start.sh"
	[ "$status" -eq 0 ]
	[[ "$output" == *"logs and pid files in $T/clone/var"* ]]
	all_ports_answer
	[ -n "$(pgrep -af -- "--conf $T/clone/conf/mail.yaml" || true)" ]
	cd /tmp
	run "$T/clone/scripts/stop.sh"
	[ "$status" -eq 0 ]
	[ -z "$(pgrep -af -- "--conf $T/clone/conf/mail.yaml" || true)" ]
	! ls "$T"/clone/var/*.pid 2>/dev/null
	rm -rf "$T/clone"
}

@test "stop.sh says so when there is nothing to stop" {
	run "$REPO_ROOT/scripts/stop.sh" --data "$T/nothing-here"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to stop: no data directory $T/nothing-here"* ]]
}

@test "start.sh --only, stop.sh --only and restart.sh act on one server; stop.sh --conf on one config" {
	run "$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var" --only mail-dns --only exmail.qq.com
	[ "$status" -eq 0 ]
	[[ "$output" == *"running mail-dns exmail.qq.com "* ]]
	! nc -z 127.0.0.1 "$GM_SMTP"
	run "$REPO_ROOT/scripts/start.sh" --conf "$CONF" --data "$T/var" --only gmail.com
	[ "$status" -eq 0 ]
	all_ports_answer
	local ex_pid gm_pid
	ex_pid=$(cat "$T/var/exmail.qq.com.pid")
	gm_pid=$(cat "$T/var/gmail.com.pid")
	run "$REPO_ROOT/scripts/restart.sh" --conf "$CONF" --data "$T/var" gmail.com
	[ "$status" -eq 0 ]
	[ "$(cat "$T/var/exmail.qq.com.pid")" = "$ex_pid" ]
	[ "$(cat "$T/var/gmail.com.pid")" != "$gm_pid" ]
	all_ports_answer
	run "$REPO_ROOT/scripts/restart.sh" --conf "$CONF" --data "$T/var" nosuch.example
	[ "$status" -eq 64 ]
	run "$REPO_ROOT/scripts/stop.sh" --data "$T/var" --only gmail.com
	[ "$status" -eq 0 ]
	! nc -z 127.0.0.1 "$GM_SMTP"
	kill -0 "$ex_pid"
	# a config naming other servers stops only mail-dns (every config has one) here
	sed 's/exmail\.qq\.com:$/other.example:/; s/^  gmail\.com:$/  other2.example:/' "$CONF" >"$T/other.yaml"
	run "$REPO_ROOT/scripts/stop.sh" --conf "$T/other.yaml" --data "$T/var"
	[ "$status" -eq 0 ]
	kill -0 "$ex_pid"
	"$REPO_ROOT/scripts/stop.sh" --conf "$CONF" --data "$T/var"
	[ -z "$(leftovers)" ]
}

@test "capture.sh: -d is not a duration any more (-t is); as a non-root user it says why and fails" {
	run "$REPO_ROOT/scripts/capture.sh" --conf "$CONF" -d 5
	[ "$status" -eq 64 ]
	[[ "$output" == *"-t MAX_SECONDS"* ]]
	local out
	out=$(mktemp -d /tmp/mail-capture-it.XXXXXX)
	chmod 777 "$out"
	cd /
	run runuser -u nobody -- "$REPO_ROOT/scripts/capture.sh" -o "$out/x.pcapng" -t 2
	rm -rf "$out"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"needs root or membership of the wireshark group"* ]]
	[[ "$output" != *"packets in"* ]]
	[[ "$output" != *"recording on lo"* ]]
}

@test "Ctrl-C during demo.sh stops the agent and the servers at once" {
	# an agent that hangs (as one waiting on DNS timeouts does) and records its pid
	mkdir -p "$T/fakebin"
	ln -sf "$MAIL_BIN/mail-server" "$MAIL_BIN/mail-dns" "$T/fakebin/"
	printf '#!/bin/bash\necho $$ >>"%s/agents"\nexec sleep 30\n' "$T" >"$T/fakebin/mail-agent"
	chmod +x "$T/fakebin/mail-agent"
	rm -f "$T/agents"
	local leader i
	leader=$(MAIL_BIN=$T/fakebin in_new_group "$T/demo.out" "$REPO_ROOT/scripts/demo.sh" --conf "$CONF" --data "$T/demo")
	for ((i = 0; i < 600; i++)); do [ -s "$T/agents" ] && break; nap 0.05; done
	[ -s "$T/agents" ] || { cat "$T/demo.out"; false; }
	kill -INT -- "-$leader"
	local rc
	rc=$(group_status "$T/demo.out" 20) || { cat "$T/demo.out"; false; }
	[ "$rc" -ne 0 ]
	local pid
	for pid in $(cat "$T/agents"); do wait_gone "$pid" 15; done # its sleep 30 would outlast that
	[ "$(wc -l <"$T/agents")" -eq 1 ] # no agent ran after the Ctrl-C
	[ -z "$(leftovers)" ]
}

@test "make run on a terminal: Ctrl-C stops everything and make exits 0" {
	# a real terminal (pty): Ctrl-C is the line discipline's SIGINT to the foreground group
	run env MAIL_CONF="$CONF" MAIL_DATA="$T/var" python3 - "$REPO_ROOT" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("make", ["make", "-s", "-C", sys.argv[1], "run"])
out, deadline, sent = b"", time.time() + 60, False
while True:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not sent and out.count(b"ready server=") == 2 and b"dig @" in out:
        time.sleep(0.3)
        os.write(fd, b"\x03")
        sent = True
    if time.time() > deadline:
        break
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("make status", os.waitstatus_to_exitcode(status))
PY
	echo "$output"
	[[ "$output" == *"run: stopped"* ]]
	[[ "${lines[-1]}" == "make status 0" ]]
	[[ "$output" != *"exited with status"* ]]
	[[ "$output" != *"Error"* ]]
	[[ "$output" != *"Interrupt"* ]]
	[ -z "$(leftovers)" ]
}
