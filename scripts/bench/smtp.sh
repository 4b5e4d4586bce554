#!/usr/bin/env bash
# smtp.sh - durable SMTP accept + Maildir delivery throughput: mail-server vs Postfix.
#
# Both receive the same smtp-source load (SESSIONS concurrent sessions, MESSAGES messages,
# one local recipient) on their own loopback port and deliver into Maildirs; the figure is
# messages per second from the first connect until every message is in a Maildir new/.
# Postfix runs as a private instance (own config, queue and Maildir dirs under a temp dir,
# listening only on its loopback port) and is stopped at the end.
#   scripts/bench/smtp.sh [BUILD_DIR]     env: MAIL_BIN (set by scripts/bench.sh), SESSIONS=10, MESSAGES=5000
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
bin=${MAIL_BIN:-$build/bin}
SESSIONS=${SESSIONS:-10}
MESSAGES=${MESSAGES:-5000}
command -v smtp-source >/dev/null || { echo "smtp.sh: smtp-source missing (apt-get install postfix)" >&2; exit 1; }

T=$(mktemp -d /tmp/mail-bench-smtp.XXXXXX)
PF=$T/postfix
chmod 755 "$T" # postfix daemons (uid postfix, nobody) must reach their dirs
ours_pid=""
cleanup() {
	[ -n "$ours_pid" ] && kill "$ours_pid" 2>/dev/null && wait "$ours_pid" 2>/dev/null || true
	[ -f "$PF/conf/main.cf" ] && postfix -c "$PF/conf" stop >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT

read -r OURS PFPORT POP DNS < <(python3 - <<'PY'
import socket
ports = []
socks = []
for _ in range(4):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); ports.append(s.getsockname()[1]); socks.append(s)
print(*ports)
PY
)

# count_until DIR N SECONDS: waits until DIR holds N files; prints the time it was reached
count_until() {
	local dir=$1 n=$2 limit=$3 start=$SECONDS
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		[ "$(find "$dir" -type f 2>/dev/null | wc -l)" -ge "$n" ] && { date +%s.%N; return 0; }
		sleep 0.05
	done
	echo "smtp.sh: only $(find "$dir" -type f 2>/dev/null | wc -l) of $n in $dir after ${limit}s" >&2
	return 1
}

# run_load PORT MAILDIR_NEW: smtp-source load, prints msg/s until all are delivered
run_load() {
	local port=$1 dir=$2 start end
	start=$(date +%s.%N)
	smtp-source -s "$SESSIONS" -m "$MESSAGES" -f sender@bench.example -t rcpt@bench.example "127.0.0.1:$port"
	end=$(count_until "$dir" "$MESSAGES" 300)
	python3 -c "print('%.0f' % ($MESSAGES / ($end - $start)))"
}

# --- ours
cat >"$T/mail.yaml" <<YAML
dns:
  listen: 127.0.0.1:$DNS
  zone: zone.yaml
servers:
  bench.example:
    smtp: $OURS
    pop: $POP
    accounts:
      sender@bench.example: pw
      rcpt@bench.example: pw
logging:
  level: warning
YAML
echo 'MX: {}' >"$T/zone.yaml"
"$bin/mail-server" -n bench.example --conf "$T/mail.yaml" --data "$T/data" 2>"$T/ours.log" &
ours_pid=$!
for _ in $(seq 1 100); do nc -z 127.0.0.1 "$OURS" 2>/dev/null && break; sleep 0.05; done
ours_rate=$(run_load "$OURS" "$T/data/bench.example/mail/rcpt@bench.example/new")
kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true; ours_pid=""

# --- Postfix: private instance, virtual(8) Maildir delivery (fsync before it reports success)
mkdir -p "$PF/conf" "$PF/queue" "$PF/data" "$PF/mail"
chown postfix "$PF/data"
chown -R nobody:nogroup "$PF/mail"
echo "rcpt@bench.example bench.example/rcpt/" >"$PF/conf/vmailbox"
cat >"$PF/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
myhostname = pf.bench.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = bench.example
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/conf/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
maillog_file_prefixes = $PF
maillog_file = $PF/maillog
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
CF
# the stock services, without chroot, SMTP only on our port
sed -e 's/^smtp\( *\)inet.*/'"127.0.0.1:$PFPORT"' inet n - n - - smtpd/' \
	-e '/^[a-z]/s/^\([^ ]* *[^ ]* *[^ ]* *[^ ]* *\)y /\1n /' /etc/postfix/master.cf >"$PF/conf/master.cf"
postfix -c "$PF/conf" check >/dev/null 2>&1 || true
postfix -c "$PF/conf" start >"$T/postfix-start.log" 2>&1 || { cat "$T/postfix-start.log" >&2; exit 1; }
for _ in $(seq 1 200); do nc -z 127.0.0.1 "$PFPORT" 2>/dev/null && break; sleep 0.05; done
pf_rate=$(run_load "$PFPORT" "$PF/mail/bench.example/rcpt/new")
postfix -c "$PF/conf" stop >/dev/null 2>&1 || true

ratio=$(python3 -c "print('%.2f' % ($ours_rate / $pf_rate))")
echo "smtp: sessions=$SESSIONS messages=$MESSAGES mail-server=${ours_rate} msg/s postfix=${pf_rate} msg/s ratio=${ratio}"
