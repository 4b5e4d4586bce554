# common.bash - helpers for the bats integration tests.
#
# Every test file gets its own temp dir and its own free loopback ports, so files can
# run while the demo runs and in any order. Usage in a .bats file:
#   load ../lib/common
#   setup_file()    { common_setup_file; make_topology; start_dns; start_server exmail.qq.com; }
#   teardown_file() { common_teardown_file; }

# bats_library DIR: sources a bats library as its DIR/load.bash does, without the
# `$(dirname ...)` that load.bash runs for each of its files. bats sources this file again
# for every test, and those were 15 subshells and dirname processes per test: about 6,600
# processes and 25-40 s of CPU per run on 2 cores (process accounting of a whole run). A
# load.bash with any other line is loaded as it is.
bats_library() {
	local line files=() re='^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)/([^"]+)"$'
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ $re ]]; then
			files+=("$1/${BASH_REMATCH[1]}")
		elif [[ -n $line && $line != \#* ]]; then
			load "$1/load"
			return
		fi
	done <"$1/load.bash"
	for line in "${files[@]}"; do source "$line"; done
}

# bats-assert (assert_output, assert_line, assert_success, ...) with its bats-support base;
# Debian's bats-assert and bats-support packages (scripts/install-deps.sh).
bats_library /usr/lib/bats/bats-support
bats_library /usr/lib/bats/bats-assert

MAIL_BIN=${MAIL_BIN:-$(cd "$BATS_TEST_DIRNAME/../../build/bin" && pwd)}
export MAIL_BIN
# the checkout's root: BATS_TEST_DIRNAME is absolute (no subshell, for the same reason)
REPO_ROOT=${BATS_TEST_DIRNAME%/test/integration}
export REPO_ROOT

# The tests' python3 is Debian's /usr/bin/python3 (they use only its standard library;
# install-deps.sh installs it), also where a version manager's shim comes first on PATH:
# a pyenv shim costs ~0.5 s of CPU per start, against 0.04 s, and the tests start python3
# over a thousand times. A directory holding only that python3, once per bats run.
if [ -x /usr/bin/python3 ] && [ -n "${BATS_RUN_TMPDIR:-}" ] && [[ ":$PATH:" != *":$BATS_RUN_TMPDIR/python3-bin:"* ]]; then
	if [ ! -e "$BATS_RUN_TMPDIR/python3-bin/python3" ]; then
		mkdir -p "$BATS_RUN_TMPDIR/python3-bin"
		ln -s /usr/bin/python3 "$BATS_RUN_TMPDIR/python3-bin/python3" 2>/dev/null || true # another file's test was first
	fi
	export PATH="$BATS_RUN_TMPDIR/python3-bin:$PATH"
fi

common_setup_file() {
	T=$(mktemp -d /tmp/mail-it.XXXXXX)
	export T
	: >"$T/pids"
}

common_teardown_file() {
	stop_all
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $T" >&3; else rm -rf "$T"; fi
	fi
}

# free_ports N: prints N distinct currently free TCP+UDP loopback ports (one per line)
# from 20000-32767 (scripts/free_ports.py says why that range).
free_ports() { python3 "$REPO_ROOT/scripts/free_ports.py" "$1"; }

# now_ms: wall clock in milliseconds (bash's own clock: no process started).
now_ms() { local us=${EPOCHREALTIME/[.,]/}; echo $((us / 1000)); }

# nap SECONDS: sleeps like sleep(1) without starting a process: a read with a timeout on a
# pipe nobody writes to (opened once per shell). The polls below run for minutes in all, in
# parallel on 2 cores: a sleep(1) and a date(1) per poll cost more CPU than what they wait for.
nap() {
	[ -n "${NAP_FD:-}" ] && [ -e "/dev/fd/$NAP_FD" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD" _ || true
}

# wait_until SECONDS CMD...: runs CMD until it succeeds, every 0.05 s for the first 2 s,
# then every 0.2 s (a condition that is not there at once is not there in 50 ms either, and
# each check may start a process); fails, saying what it waited for, when SECONDS of wall
# clock have passed. Tests wait with this (or the helpers below, built on it), never with a
# fixed sleep: the files run in parallel on a loaded machine, so deadlines are generous and
# cost nothing when the condition comes early.
wait_until() {
	local limit_us=$(($1 * 1000000)) start=${EPOCHREALTIME/[.,]/} polls=0
	shift
	until "$@"; do
		if [ $((${EPOCHREALTIME/[.,]/} - start)) -ge "$limit_us" ]; then
			echo "wait_until: still false after $((limit_us / 1000000)) s: $*" >&2
			return 1
		fi
		polls=$((polls + 1))
		if [ "$polls" -le 40 ]; then nap 0.05; else nap 0.2; fi
	done
}

# log_gap_ms FILE FROM TO: milliseconds from the last line of a program's log matching FROM
# to the last one matching TO (grep -E patterns), by the log's own stamps ("YYYY-MM-DD
# HH:MM:SS.mmm ..."): how long the program itself took, which a loaded machine does not add
# the test's own process starts to. Fails when either line is missing.
log_gap_ms() {
	awk -v from="$2" -v to="$3" '
		function ms(line) { split(substr(line, 12, 12), t, /[:.]/); return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
		$0 ~ from { a = ms($0); fa = 1 }
		$0 ~ to { b = ms($0); fb = 1 }
		END { if (!fa || !fb) exit 1; gap = b - a; if (gap < -43200000) gap += 86400000; print gap }' "$1"
}

# pane_shows SOCKET TEXT [TARGET]: the tmux pane (of tmux -L SOCKET) shows TEXT. A terminal
# program's first start may take seconds (mutt builds its caches), so wait on this.
pane_shows() { tmux -L "$1" capture-pane -p ${3:+-t "$3"} | grep -qF -- "$2"; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { nc -z 127.0.0.1 "$1" 2>/dev/null; }

# wait_port PORT [SECONDS] [PID]: until a TCP port accepts; fails early if PID died.
wait_port() {
	local port=$1 limit=${2:-30} pid=${3:-}
	wait_until "$limit" port_open_or_dead "$port" "$pid" && port_open "$port"
}
port_open_or_dead() { port_open "$1" || { [ -n "$2" ] && ! kill -0 "$2" 2>/dev/null; }; }

# dns_answers PORT: mail-dns on PORT answers a query.
dns_answers() { dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short probe.invalid A >/dev/null 2>&1; }

# wait_udp_dns PORT [SECONDS]: until mail-dns answers a query on PORT.
wait_udp_dns() { wait_until "${2:-30}" dns_answers "$1"; }

# start_bg NAME CMD...: runs CMD in the background, log in $T/NAME.log, pid recorded.
start_bg() {
	local name=$1; shift
	"$@" >"$T/$name.log" 2>&1 &
	local pid=$!
	echo "$pid $name" >>"$T/pids"
	eval "PID_${name//[^A-Za-z0-9]/_}=$pid"
	echo "$pid"
}

# gone PID: the process has exited.
gone() { ! kill -0 "$1" 2>/dev/null; }

pid_of() { local v="PID_${1//[^A-Za-z0-9]/_}"; echo "${!v:-}"; }

# stop_one NAME [SIGNAL]: stops one recorded process and waits for it.
stop_one() {
	local name=$1 sig=${2:-TERM} pid
	pid=$(awk -v n="$name" '$2 == n { p = $1 } END { print p }' "$T/pids")
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	wait_until 10 gone "$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	awk -v n="$name" '$2 != n' "$T/pids" >"$T/pids.new" && mv "$T/pids.new" "$T/pids"
}

stop_all() {
	[ -n "${T:-}" ] && [ -f "$T/pids" ] || return 0
	local name
	for name in $(awk '{ print $2 }' "$T/pids"); do stop_one "$name"; done
}

# make_topology [MX...]: writes $T/mail.yaml and $T/zone.yaml: the SPEC.md demo topology
# (exmail.qq.com serving mail.sustech.edu.cn, gmail.com) on free ports, fast retries.
# Each MX argument "DOMAIN PREFERENCE HOST PORT" adds an exchanger for DOMAIN (all of a
# domain's exchangers go into one preference list, in argument order) and the P record
# HOST -> PORT. Optional lines to append: EXTRA_SERVERS (under servers:), EXTRA_RELAY
# (under relay:), EXTRA_ZONE (under P:). Exports DNS_PORT EX_SMTP EX_POP GM_SMTP GM_POP CONF.
make_topology() {
	local ports mx_zone p_zone
	mx_zone=$(zone_mx_lines "$@") || return 1
	p_zone=$(zone_p_lines "$@")
	ports=($(free_ports 5))
	export DNS_PORT=${ports[0]} EX_SMTP=${ports[1]} EX_POP=${ports[2]} GM_SMTP=${ports[3]} GM_POP=${ports[4]}
	export CONF=$T/mail.yaml
	cat >"$T/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:$DNS_PORT
  zone: zone.yaml
agent:
  mail.sustech.edu.cn: { smtp: smtp.exmail.qq.com, pop: pop.exmail.qq.com }
  gmail.com:           { smtp: smtp.gmail.com,     pop: pop.gmail.com }
relay:
  workers: 2
  retry: [1s, 2s]
  expire: 1h
${EXTRA_RELAY:-}
servers:
  exmail.qq.com:
    smtp: $EX_SMTP
    pop: $EX_POP
    accounts:
      usr1@mail.sustech.edu.cn: pass1
      usr2@mail.sustech.edu.cn: pass2
  gmail.com:
    smtp: $GM_SMTP
    pop: $GM_POP
    accounts:
      usr@gmail.com: pass
${EXTRA_SERVERS:-}
YAML
	cat >"$T/zone.yaml" <<YAML
MX:
  mail.sustech.edu.cn.: mxbiz1.qq.com.
  gmail.com.: gmail-smtp-in.l.google.com.
$mx_zone
P:
  smtp.exmail.qq.com.: $EX_SMTP
  smtp.gmail.com.: $GM_SMTP
  pop.exmail.qq.com.: $EX_POP
  pop.gmail.com.: $GM_POP
  mxbiz1.qq.com.: $EX_SMTP
  gmail-smtp-in.l.google.com.: $GM_SMTP
$p_zone
${EXTRA_ZONE:-}
YAML
}

# zone_mx_lines MX...: the MX: entries for make_topology's "DOMAIN PREFERENCE HOST PORT"
# arguments, one preference list per domain, domains in order of first appearance.
zone_mx_lines() {
	local arg other domain pref host port d p h _ seen=" "
	for arg in "$@"; do
		read -r domain pref host port <<<"$arg"
		if [ -z "$port" ]; then echo "make_topology: MX wants 'DOMAIN PREFERENCE HOST PORT', got '$arg'" >&2; return 1; fi
		[[ "$seen" == *" $domain "* ]] && continue
		seen+="$domain "
		echo "  $domain.:"
		for other in "$@"; do
			read -r d p h _ <<<"$other"
			[ "$d" = "$domain" ] && echo "    - { preference: $p, host: $h. }"
		done
	done
	return 0
}

# zone_p_lines MX...: the P: entries (exchanger -> port) for the same arguments.
zone_p_lines() {
	local arg domain pref host port
	for arg in "$@"; do
		read -r domain pref host port <<<"$arg"
		echo "  $host.: $port"
	done
}

# start_dns: starts mail-dns on $CONF and waits until it answers.
start_dns() {
	start_bg mail-dns "$MAIL_BIN/mail-dns" --conf "$CONF" >/dev/null
	wait_udp_dns "$DNS_PORT"
}

# start_server NAME: starts mail-server -n NAME with data in $T/data; waits for its SMTP port.
start_server() {
	local name=$1 port pid
	port=$(awk -v n="  $name:" '$0 == n { f = 1; next } f && /smtp:/ { print $2; exit }' "$CONF")
	pid=$(start_bg "$name" "$MAIL_BIN/mail-server" -n "$name" --conf "$CONF" --data "$T/data")
	wait_port "$port" 30 "$pid"
}

# maildir_count ADDRESS [SERVER]: number of messages in new/ and cur/ of a mailbox (a
# glob, not find | wc: the relay tests poll this).
maildir_count() {
	local addr=$1 server=${2:-*} files had=0
	shopt -q nullglob && had=1
	shopt -s nullglob
	files=($T/data/$server/mail/"$addr"/new/* $T/data/$server/mail/"$addr"/cur/*)
	[ "$had" = 1 ] || shopt -u nullglob
	echo "${#files[@]}"
}
