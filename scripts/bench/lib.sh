# shellcheck shell=bash
# lib.sh - shared by scripts/bench/*.sh (sourced): free ports, waits, medians, the results file.
#
# Each part writes its Markdown section to $BENCH_SECTIONS/<part>.md (scripts/bench.sh sets
# it to bench/results/sections and rebuilds bench/results/latest.md from every section).

RUNS=${RUNS:-3}
BENCH_SECTIONS=${BENCH_SECTIONS:-$PWD/bench/results/sections}

# phase KIND: the part's time from here to its next phase (or its end) counts as KIND: setup
# (starting servers, filling mailboxes, compiling, stopping, the figures' arithmetic), warm
# (a warm-up round) or load (a measured run, the wait for its last file included). scripts/bench.sh sets BENCH_PHASES and prints the sums per part.
phase() { [ -z "${BENCH_PHASES:-}" ] || echo "$1 $(date +%s.%N)" >>"$BENCH_PHASES"; }

# free_ports N: N distinct free loopback TCP+UDP ports on one line (scripts/free_ports.py).
free_ports() { python3 "$(dirname "${BASH_SOURCE[0]}")/../free_ports.py" "$1" | tr '\n' ' '; echo; }

# wait_tcp PORT: until something listens on 127.0.0.1:PORT (10 s).
wait_tcp() {
	local i
	for ((i = 0; i < 200; i++)); do nc -z 127.0.0.1 "$1" 2>/dev/null && return 0; sleep 0.05; done
	echo "bench: nothing listens on port $1" >&2
	return 1
}

# Spent files are set aside, not deleted, until the bench is over. On this machine's ext4
# (no journal), every inode allocation in a block group steps over each inode freed there
# while the freed inode's table block is dirty (the kernel's recently_deleted(): up to 300 s),
# so deleting one run's messages made the runs after it pay per new file, whichever server
# ran next (perf: up to a third of mail-server's CPU at 1 KB, 10 sessions). A rename frees
# nothing; scripts/bench.sh removes the set-aside files when every part has run.
# set_aside PATH: moves PATH (a file or a whole directory) into a new directory under
# ${BENCH_CACHE:-$T}/set-aside (the same file system: /tmp). A PATH on tmpfs, which has no
# such cost, is removed at once.
set_aside() {
	if [ "$(stat -f -c %T "$1")" = tmpfs ]; then rm -rf "$1"; return; fi
	mv "$1" "$(aside_dir)/"
}
# set_aside_files DIR: sets DIR's regular files aside, leaving DIR (a Maildir's new/) empty.
set_aside_files() {
	[ -d "$1" ] || return 0
	if [ "$(stat -f -c %T "$1")" = tmpfs ]; then find "$1" -maxdepth 1 -type f -delete; return; fi
	find "$1" -maxdepth 1 -type f -exec mv -t "$(aside_dir)" {} +
}
# aside_dir: prints a new directory under ${BENCH_CACHE:-$T}/set-aside (set_aside's).
aside_dir() { mkdir -p "${BENCH_CACHE:-$T}/set-aside" && mktemp -d "${BENCH_CACHE:-$T}/set-aside/XXXXXX"; }
# spread DIR: the directories made directly in DIR go to block groups of their own (ext4's
# top-directory flag, chattr +T: the Orlov allocator spreads their placement), so each
# server's files are allocated away from the inodes another server frees in the same run
# (Postfix frees a queue file per message; see set_aside above). Measured: the kernel-only
# baseline's p50 at 1 KB was 0.61 ms in a directory beside freed inodes, 0.32 ms in one of
# its own block group. A no-op where the file system has no such flag (tmpfs).
spread() { chattr +T "$1" 2>/dev/null || true; }
# retire DIR: a part's temp dir when the part ends: set aside when scripts/bench.sh runs the
# part (BENCH_CACHE, removed when the bench ends), else removed now.
retire() { if [ -n "${BENCH_CACHE:-}" ]; then set_aside "$1"; else rm -rf "$1"; fi; }

# count_files DIR: regular files directly in DIR.
count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l; }

# wait_files DIR N SECONDS: until DIR holds N files; prints the epoch time the last of them
# arrived (the newest inode change time; scripts/bench/wait_files.py, polled every 0.1 s).
wait_files() { python3 "$(dirname "${BASH_SOURCE[0]}")/wait_files.py" "$@"; }

# stat3 V...: "median (min-max)" of the numbers given (any count; "-" if none).
stat3() {
	python3 - "$@" <<'PY'
import statistics, sys
v = [float(x) for x in sys.argv[1:] if x not in ("", "-", "None")]
if not v:
    print("-")
else:
    f = (lambda x: "%.0f" % x) if max(v) >= 100 else (lambda x: "%.2f" % x)
    print("%s (%s-%s)" % (f(statistics.median(v)), f(min(v)), f(max(v))) if len(v) > 1 else f(v[0]))
PY
}

# stats LIST...: for each space-separated LIST of numbers its median and its stat3, all
# joined by "|" ("m1|s1|m2|s2|..."), in one process (a cell's figures took one each).
stats() {
	python3 - "$@" <<'PY'
import statistics, sys
out = []
for arg in sys.argv[1:]:
    v = [float(x) for x in arg.split() if x not in ("-", "None")]
    f = (lambda x: "%.0f" % x) if v and max(v) >= 100 else (lambda x: "%.2f" % x)
    out.append(str(statistics.median(v)) if v else "0")
    out.append("-" if not v else "%s (%s-%s)" % (f(statistics.median(v)), f(min(v)), f(max(v))) if len(v) > 1 else f(v[0]))
print("|".join(out))
PY
}

# median V...: the median alone (for ratios).
median() {
	python3 -c 'import statistics, sys; v = [float(x) for x in sys.argv[1:] if x not in ("", "-", "None")]; print(statistics.median(v) if v else 0)' "$@"
}

# ratio A B: A/B with two decimals ("-" when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0) printf "%.2f\n", a / b; else print "-" }'; }

# section PART: stdin becomes the part's Markdown section (dated).
section() {
	mkdir -p "$BENCH_SECTIONS"
	{
		echo "## $1"
		echo
		echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC'), $RUNS runs each, median (min-max)._"
		echo
		cat
		echo
	} >"$BENCH_SECTIONS/$1.md"
}

# json_field JSON KEY: one field of a JSON object.
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }

# provider_config FILE DNS-PORT SMTP-PORT POP-PORT [EXTRA-YAML]: the one-provider config the
# SMTP benchmarks load (bench.example, sender@ and rcpt@, limits high enough for the load,
# logging at warning), with EXTRA-YAML appended (e.g. a journal: section).
provider_config() {
	cat >"$1" <<YAML
dns:
  listen: 127.0.0.1:$2
  zone: zone.yaml
servers:
  bench.example:
    smtp: $3
    pop: $4
    accounts:
      sender@bench.example: pw
      rcpt@bench.example: pw
limits:
  max_sessions: 1000
  max_sessions_per_ip: 1000
  max_messages_per_session: 100000
logging:
  level: warning
YAML
	[ -z "${5:-}" ] || printf '%s\n' "$5" >>"$1"
}

# start_postfix: the private Postfix instance, shared with the integration tests.
. "$(dirname "${BASH_SOURCE[0]}")/../postfix.sh"

# start_dovecot DIR PROTOCOL PORT MAILROOT USERS: Dovecot serving PROTOCOL (pop3 or imap) on
# 127.0.0.1:PORT from its own copy of MAILROOT (users u000@pop.test.. with passwords p000..,
# as pop3_load.py fills them; owned by mail, as filled_mailboxes leaves them), in DIR; prints
# its pid. Returns 1 (printing nothing) when Dovecot or its users are not installed
# (dovecot-pop3d / dovecot-imapd, bench group).
start_dovecot() {
	local dir=$1 protocol=$2 port=$3 root=$4 users=$5 i
	command -v dovecot >/dev/null && getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null || return 1
	[ -x "/usr/lib/dovecot/$protocol" ] || return 1
	mkdir -p "$dir/run" "$dir/mail"
	linked_copy "$root" "$dir/mail"
	for ((i = 0; i < users; i++)); do printf 'u%03d@pop.test:{PLAIN}p%03d\n' "$i" "$i"; done >"$dir/passwd"
	# The other protocol's listener is switched off (port 0).
	local other=imap
	[ "$protocol" = imap ] && other=pop3
	cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/run/state
log_path = $dir/dovecot.log
protocols = $protocol
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:$dir/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = home=$dir/mail/%u
}
# Dovecot's documented high-performance login mode: login processes serve many clients.
service $protocol-login {
  inet_listener $protocol {
    address = 127.0.0.1
    port = $port
  }
  service_count = 0
  process_min_avail = 2
}
# ... and mail processes that serve many sessions one after another (all users share one uid).
service $protocol {
  service_count = 0
  process_min_avail = 2
}
service $other-login {
  inet_listener $other {
    port = 0
  }
}
CONF
	dovecot -F -c "$dir/dovecot.conf" >"$dir/stdout.log" 2>"$dir/stderr.log" &
	echo $!
}

LOAD_RUN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../test/lib" && pwd)/load_run.py

# rates FETCH-JSON [LOGINS-JSON|-] [CPU-BEFORE CPU-AFTER]: "messages/s MB/s logins/s CPU-us/message".
rates() { python3 "$LOAD_RUN" rates "$@"; }

# linked_copy FROM TO: TO becomes a copy of the directory tree FROM whose files are hard links
# to FROM's (new directories, same files: the messages are only read, and renamed from new/
# to cur/, which changes the copy's directory, not the file).
linked_copy() { mkdir -p "$2" && cp -al "$1/." "$2/"; }

# filled_mailboxes: USERS mailboxes x MESSAGES messages filled once per make bench
# (pop3_load.py fill: MaildirStore naming, CRLF; checksums in manifest.json), in
# $BENCH_CACHE/mailboxes-USERSxMESSAGES when scripts/bench.sh set BENCH_CACHE (pop3.sh and
# imap.sh then share one set: the fill and its deletion were most of their setup), else in
# $T. Owned by mail (Dovecot's mail_uid; mail-server runs as root). Prints the directory,
# holding mail/ and manifest.json.
filled_mailboxes() {
	local dir=${BENCH_CACHE:-$T}/mailboxes-${USERS}x$MESSAGES
	if [ ! -f "$dir/manifest.json" ]; then
		echo "filling $USERS mailboxes x $MESSAGES messages" >&2
		rm -rf "$dir"
		mkdir -p "$dir"
		python3 "$(dirname "$LOAD_RUN")/pop3_load.py" fill "$dir/mail" pop.test "$USERS" "$MESSAGES" "$dir/manifest.json.part"
		chown -R mail:mail "$dir/mail"
		mv "$dir/manifest.json.part" "$dir/manifest.json"
	fi
	echo "$dir"
}

# mailbox_servers PROTOCOL: the setup pop3.sh and imap.sh share, in $T (the caller's temp
# dir, with a pids array its cleanup kills): the filled mailboxes (filled_mailboxes; its
# manifest copied to $T/manifest.json), mail-server serving a linked copy of them on its
# PROTOCOL port (pop3 or imap), and Dovecot serving another linked copy with the same
# protocol (start_dovecot). Sets OUR_PORT, OUR_PID, HAVE_DOVECOT (0/1), DOVE_PORT and
# DOVE_PID, and waits until both listen.
mailbox_servers() {
	local protocol=$1 dns smtp pop imap i
	read -r dns smtp pop imap DOVE_PORT < <(free_ports 5)
	{
		printf 'dns:\n  listen: 127.0.0.1:%s\n  zone: zone.yaml\nagent: {}\nservers:\n  pop.test:\n' "$dns"
		printf '    smtp: %s\n    pop: %s\n' "$smtp" "$pop"
		[ "$protocol" = imap ] && printf '    imap: %s\n' "$imap"
		printf '    logging:\n      level: warning\n    limits:\n      max_sessions_per_ip: 1000\n    accounts:\n'
		for ((i = 0; i < USERS; i++)); do printf '      u%03d@pop.test: p%03d\n' "$i" "$i"; done
	} >"$T/mail.yaml"
	printf 'MX: {}\n' >"$T/zone.yaml"
	OUR_PORT=$pop
	[ "$protocol" = imap ] && OUR_PORT=$imap
	local filled
	filled=$(filled_mailboxes)
	cp "$filled/manifest.json" "$T/manifest.json"
	linked_copy "$filled/mail" "$T/data/pop.test/mail"
	"$MAIL_BIN/mail-server" -n pop.test --conf "$T/mail.yaml" --data "$T/data" 2>"$T/mail-server.log" &
	OUR_PID=$!
	pids+=("$OUR_PID")
	HAVE_DOVECOT=0
	if DOVE_PID=$(start_dovecot "$T/dovecot" "$protocol" "$DOVE_PORT" "$filled/mail" "$USERS"); then
		HAVE_DOVECOT=1
		pids+=("$DOVE_PID")
	fi
	wait_tcp "$OUR_PORT"
	[ "$HAVE_DOVECOT" = 0 ] || wait_tcp "$DOVE_PORT"
}

# build_mailbox_load: compiles the C load client of pop3.sh and imap.sh (mailbox_load.c, with
# libcrypto for its SHA-256) to $T/mailbox_load.
build_mailbox_load() {
	cc -O2 -Wall -Wextra -pthread -o "$T/mailbox_load" "$(dirname "${BASH_SOURCE[0]}")/mailbox_load.c" -lcrypto
}

# run_load PROTOCOL MODE PORT ARGS...: the C load client (one process, --sessions threads) over
# every user of $T/manifest.json; prints its JSON line and fails when any session failed.
run_load() {
	local protocol=$1 mode=$2 port=$3
	shift 3
	timeout 300 "$T/mailbox_load" "$protocol" "$mode" 127.0.0.1 "$port" "$T/manifest.json" "$@"
}

# cpu_ticks PID: clock ticks (getconf CLK_TCK a second) of CPU PID has used so far, all its
# threads, ended ones too (utime + stime in /proc/PID/stat); 0 when PID is gone. awk, not
# Python: read inside a measured window, it must cost next to nothing.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# machine_ticks: clock ticks all cores have spent busy so far (user, nice, system, irq,
# softirq and steal in /proc/stat's cpu line).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# tree_cpu PID: CPU seconds (user + system) used so far by PID and all its descendants
# (Dovecot's master, login, auth and imap processes; mail-server's threads).
tree_cpu() {
	python3 - "$1" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
children, ticks = {}, {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    children.setdefault(fields[1], []).append(pid)
    ticks[pid] = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
total, todo = 0, [sys.argv[1]]
while todo:
    pid = todo.pop()
    total += ticks.get(pid, 0)
    todo += children.get(pid, [])
print("%.3f" % (total / hz))
PY
}
