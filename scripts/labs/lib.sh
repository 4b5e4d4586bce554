# lib.sh - what every lab shares; a lab (scripts/labs/NAME.sh) sources it.
#
# A lab runs the real programs (build/bin, or MAIL_BIN) in a temp dir of its own on free
# loopback ports, so it never touches the demo (conf/, var/) and several can run at
# once. Its shape:
#   . "$(dirname "$0")/lib.sh"
#   lab_begin NAME <<'TEXT'       the explanation, printed first
#   ...
#   TEXT
#   lab_ports DNS A_SMTP A_POP ...  free ports into those variables
#   cat >"$LAB/mail.yaml"  ...    the providers and the zone the lab needs
#   lab_start                     mail-dns and every server (scripts/start.sh)
#   step "what happens now"; lab_send ...; lab_wait ...; show ...
#   check "expectation" COMMAND...
#   lab_end                       exit 0 when every check passed, else 1
# Exit status 77 (lab_skip) means the lab cannot run here (say why); the bats file counts
# it as skipped. Everything the lab started is stopped on exit, Ctrl-C included; KEEP=1
# keeps the temp dir (configs, logs, Maildirs) for a look afterwards.

set -uo pipefail

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
labs_dir=$root/scripts/labs
LAB=""
lab_failed=0
lab_checks=0
lab_started=$(date +%s%N)
lab_cleanups=()

# lab_begin NAME: makes $LAB, arms the cleanup and prints the explanation (stdin).
lab_begin() {
	for prog in mail-dns mail-server mail-agent; do
		[ -x "$bin/$prog" ] || { echo "lab: $bin/$prog is missing; run make first" >&2; exit 1; }
	done
	LAB=$(mktemp -d "/tmp/mail-lab-$1.XXXXXX")
	mkdir -p "$LAB/data"
	trap lab_cleanup EXIT
	trap 'echo; echo "interrupted"; exit 130' INT TERM
	echo "=== lab: $1"
	sed 's/^/  /'
	echo
}

# lab_on_exit COMMAND...: run COMMAND when the lab ends (namespaces).
lab_on_exit() { lab_cleanups+=("$*"); }

lab_cleanup() {
	local rc=$? c
	trap - EXIT INT TERM
	[ -n "$LAB" ] || exit "$rc"
	"$root/scripts/stop.sh" --data "$LAB/data" >/dev/null 2>&1
	for c in "${lab_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	if [ -n "${KEEP:-}" ]; then echo "kept $LAB"; else rm -rf "$LAB"; fi
	exit "$rc"
}

# lab_ports VAR...: a distinct free loopback port into each variable (scripts/free_ports.py).
lab_ports() {
	local ports i=0
	ports=($(python3 "$root/scripts/free_ports.py" "$#"))
	for var in "$@"; do printf -v "$var" %s "${ports[i]}"; i=$((i + 1)); done
}

# lab_start [NAME...]: starts mail-dns and the servers of $LAB/mail.yaml (or only the
# named ones) and returns once every port answers; a failure shows their log and ends the lab.
lab_start() {
	local args=() n
	for n in "$@"; do args+=(--only "$n"); done
	if ! "$root/scripts/start.sh" --conf "$LAB/mail.yaml" --data "$LAB/data" "${args[@]}" >"$LAB/start.out" 2>&1; then
		cat "$LAB/start.out"
		echo "FAIL: could not start ${*:-the topology}"
		exit 1
	fi
}

# lab_stop NAME...: stops those programs (SIGTERM, then wait).
lab_stop() {
	local args=() n
	for n in "$@"; do args+=(--only "$n"); done
	"$root/scripts/stop.sh" --data "$LAB/data" "${args[@]}" >/dev/null 2>&1
}

# step TEXT: announces what happens next; show: indents what follows (stdin).
step() { printf '\n--> %s\n' "$*"; }
show() { sed 's/^/    /'; }

# lab_send HOST:PORT FROM TO SUBJECT [BODY_OCTETS]: one message with Python's smtplib, as
# the course's agent sends; prints the server's final reply. Fails if it was refused.
lab_send() {
	python3 - "$@" <<'PY'
import smtplib, sys, email.utils
server, sender, rcpt, subject = sys.argv[1:5]
size = int(sys.argv[5]) if len(sys.argv) > 5 else 0
host, port = server.rsplit(":", 1)
body = "Sent by a lab.\r\n" + ("x" * 70 + "\r\n") * (size // 72)
msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n\r\n%s"
       % (sender, rcpt, subject, email.utils.formatdate(), email.utils.make_msgid("lab"), body))
try:
    with smtplib.SMTP(host, int(port), "lab-client", timeout=10) as s:
        s.ehlo()
        code, reply = s.mail(sender)
        if code >= 400:
            print("refused at MAIL: %d %s" % (code, reply.decode()))
            sys.exit(1)
        code, reply = s.rcpt(rcpt)
        if code >= 400:
            print("refused at RCPT: %d %s" % (code, reply.decode()))
            sys.exit(1)
        code, reply = s.data(msg)
        print("%d %s" % (code, reply.decode()))
        sys.exit(0 if code == 250 else 1)
except (OSError, smtplib.SMTPException) as e:
    print("failed: %s" % e)
    sys.exit(1)
PY
}

# lab_ehlo HOST:PORT: the server's greeting and EHLO reply, as a client sees them.
lab_ehlo() {
	python3 - "$1" <<'PY'
import smtplib, sys
host, port = sys.argv[1].rsplit(":", 1)
with smtplib.SMTP(host, int(port), "lab-client", timeout=10) as s:
    code, text = s.ehlo()
    lines = text.decode().split("\n")
    for i, line in enumerate(lines):
        print("%d%s%s" % (code, " " if i == len(lines) - 1 else "-", line))
PY
}

# lab_wait SECONDS COMMAND...: until COMMAND succeeds (every 0.1 s); fails at the deadline.
# SECONDS is what the lab needs on a quiet machine; the deadline is LAB_WAIT_SCALE (4)
# times that, in wall-clock time, since the test suite runs labs beside other files on
# a loaded machine. Waiting longer costs nothing when COMMAND succeeds early.
lab_wait() {
	local deadline=$((SECONDS + $1 * ${LAB_WAIT_SCALE:-4}))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# mailbox_files SERVER ADDRESS: the messages of a Maildir (new/ and cur/), oldest first.
mailbox_files() {
	local d=$LAB/data/$1/mail/$2
	ls -1tr "$d"/new/* "$d"/cur/* 2>/dev/null
}

# mailbox_count SERVER ADDRESS; has_mail SERVER ADDRESS N: at least N messages.
mailbox_count() { mailbox_files "$1" "$2" | wc -l; }
has_mail() { [ "$(mailbox_count "$1" "$2")" -ge "$3" ]; }

# log_of NAME [PATTERN]: a program's log (its lines matching the grep -E PATTERN), with
# the date and the level cut off, so steps read as a story.
log_of() {
	grep -E -- "${2:-.}" "$LAB/data/$1.log" 2>/dev/null | sed -E 's/^[0-9-]+ ([0-9:]+)\.[0-9]+ \[[A-Za-z]+\] /\1 /'
}

# log_has NAME PATTERN [N]: the log has such a line (grep -E), or at least N of them.
log_has() { [ "$(grep -cE -- "$2" "$LAB/data/$1.log" 2>/dev/null)" -ge "${3:-1}" ]; }

# dsn_summary FILE: a delivery-failure report's own Subject, Final-Recipient, Action,
# Status, Remote-MTA and Diagnostic-Code lines (RFC 3464).
dsn_summary() {
	awk '/^Subject:/ && !subject++ || /^(Final-Recipient|Action|Status|Remote-MTA|Diagnostic-Code):/' "$1"
}

# dsn_for SERVER ADDRESS RECIPIENT: the report in ADDRESS's mailbox about RECIPIENT.
dsn_for() {
	local f
	for f in $(mailbox_files "$1" "$2"); do
		grep -qi "^Final-Recipient: rfc822; *$3" "$f" && { echo "$f"; return 0; }
	done
	return 1
}

# message_id_of SERVER ADDRESS: the Message-ID: of the oldest message in that mailbox.
message_id_of() {
	local f
	f=$(mailbox_files "$1" "$2" | head -1)
	[ -n "$f" ] && sed -n 's/^Message-I[Dd]: *//p' "$f" | head -1 | tr -d '\r'
}

# lab_journey MESSAGE-ID: the message's path across the servers, from their journals
# (mail-agent journey asks each server's http: API), into $LAB/journey.txt and shown.
lab_journey() {
	"$bin/mail-agent" journey "$1" --conf "$LAB/mail.yaml" >"$LAB/journey.txt" 2>&1
	show <"$LAB/journey.txt"
}

# api_get PORT PATH: GET http://127.0.0.1:PORT/api/v1/PATH, the JSON answer on stdout.
api_get() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/api/v1/%s" % (sys.argv[1], sys.argv[2]), timeout=10).read().decode())' "$1" "$2"
}

# events_of JSON-FILE TYPE [KEY]: the events of that type in an answer with "events", one a
# line (their KEY's value, or the whole event).
events_of() {
	python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))["events"]:
    if e["type"] == sys.argv[2]: print(e.get(sys.argv[3], "") if len(sys.argv) > 3 else json.dumps(e))' "$@"
}

# check TEXT COMMAND...: one expected outcome; prints PASS or FAIL with TEXT.
check() {
	local text=$1
	shift
	lab_checks=$((lab_checks + 1))
	if "$@" >/dev/null 2>&1; then
		echo "PASS: $text"
	else
		echo "FAIL: $text"
		lab_failed=$((lab_failed + 1))
	fi
}

# lab_end: the verdict; exit 0 when every check passed.
lab_end() {
	local ms=$((($(date +%s%N) - lab_started) / 1000000))
	echo
	if [ "$lab_failed" -eq 0 ] && [ "$lab_checks" -gt 0 ]; then
		echo "=== lab passed: $lab_checks checks in $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
		exit 0
	fi
	echo "=== lab FAILED: $lab_failed of $lab_checks checks (logs: KEEP=1 keeps $LAB)"
	exit 1
}

# lab_skip WHY: the lab cannot run here; exit 77 (counted as skipped).
lab_skip() {
	echo "SKIP: $*"
	exit 77
}

# lab_topology: writes $LAB/mail.yaml and $LAB/zone.yaml with the course's two providers
# on free ports: exmail.qq.com (mail.sustech.edu.cn: usr1, usr2) and gmail.com (usr),
# each found through its MX and P records, each with an http: API (for lab_journey). Sets
# DNS_PORT EX_SMTP EX_POP EX_HTTP GM_SMTP GM_POP GM_HTTP.
# A lab shapes it with RETRY ([1s]), EXPIRE (1h) and COMMAND_TIMEOUT (5s) for the relay,
# and blocks of YAML lines, already indented: EXMAIL_EXTRA and GMAIL_EXTRA (under each
# server), TOP_EXTRA (top level), ZONE_MX (under MX:, replacing gmail.com's), ZONE_P (under P:).
lab_topology() {
	lab_ports DNS_PORT EX_SMTP EX_POP EX_HTTP GM_SMTP GM_POP GM_HTTP
	cat >"$LAB/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:$DNS_PORT
  zone: zone.yaml
agent:
  mail.sustech.edu.cn: { smtp: smtp.exmail.qq.com, pop: pop.exmail.qq.com }
  gmail.com:           { smtp: smtp.gmail.com,     pop: pop.gmail.com }
relay:
  retry: ${RETRY:-[1s]}
  expire: ${EXPIRE:-1h}
  connect_timeout: 2s
  command_timeout: ${COMMAND_TIMEOUT:-5s}
${TOP_EXTRA:-}
servers:
  exmail.qq.com:
    smtp: $EX_SMTP
    pop: $EX_POP
    http: $EX_HTTP
    accounts:
      usr1@mail.sustech.edu.cn: pass1
      usr2@mail.sustech.edu.cn: pass2
${EXMAIL_EXTRA:-}
  gmail.com:
    smtp: $GM_SMTP
    pop: $GM_POP
    http: $GM_HTTP
    accounts:
      usr@gmail.com: pass
${GMAIL_EXTRA:-}
YAML
	cat >"$LAB/zone.yaml" <<YAML
MX:
  mail.sustech.edu.cn.: mxbiz1.qq.com.
${ZONE_MX:-  gmail.com.: gmail-smtp-in.l.google.com.}
P:
  smtp.exmail.qq.com.: $EX_SMTP
  pop.exmail.qq.com.: $EX_POP
  mxbiz1.qq.com.: $EX_SMTP
  smtp.gmail.com.: $GM_SMTP
  pop.gmail.com.: $GM_POP
  gmail-smtp-in.l.google.com.: $GM_SMTP
${ZONE_P:-}
YAML
}
