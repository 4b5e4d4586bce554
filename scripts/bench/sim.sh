#!/usr/bin/env bash
# sim.sh - a class on one machine: PROVIDERS providers (scripts/gen-topology.sh) with
# USERS accounts each, MESSAGES messages with random senders and recipients across providers
# (UNKNOWN of them to users that do not exist), submitted over SMTPSESSIONS client sessions.
# Checks that every message was delivered exactly once or bounced exactly once (a token in
# each, scripts/bench/sim_load.py check), and measures the time to drain and, per provider,
# the peak RSS, threads and open file descriptors (sampled from /proc every second).
# One run (RUNS does not apply: it loads the whole machine for minutes).
#   env: MAIL_BIN, PROVIDERS=50, USERS=20 (1,000 in all), MESSAGES=20000, SESSIONS=16,
#   UNKNOWN=0.05, KEEP=1 keeps the temp dir
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
export MAIL_BIN=${MAIL_BIN:-$PWD/build/bin}
PROVIDERS=${PROVIDERS:-50}
USERS=${USERS:-20}
MESSAGES=${MESSAGES:-20000}
SESSIONS=${SESSIONS:-16}
UNKNOWN=${UNKNOWN:-0.05}
SIM=$PWD/scripts/bench/sim_load.py
ulimit -n 65536 2>/dev/null || true

T=$(mktemp -d /tmp/mail-bench-sim.XXXXXX)
cleanup() {
	[ -f "$T/sampling" ] && rm -f "$T/sampling" && wait 2>/dev/null
	scripts/stop.sh --data "$T/data" >/dev/null 2>&1 || true
	if [ -n "${KEEP:-}" ]; then echo "kept $T"; else retire "$T"; fi
}
trap cleanup EXIT

base=$(python3 "$SIM" ports "$PROVIDERS")
GEN_LOG_LEVEL=information scripts/gen-topology.sh "$PROVIDERS" "$USERS" --out "$T/top" --port-base "$base"
t0=$(date +%s.%N)
START_TIMEOUT=180 scripts/start.sh --conf "$T/top/mail.yaml" --data "$T/data"
t1=$(date +%s.%N)

# sampler: every second, for each program with a pid file, its RSS (KiB), threads, fds, CPU
# seconds so far and PSS (KiB: RSS with shared pages divided among the processes sharing
# them, so the sum over 50 providers is what they really take); keeps the peak of each (and the idle figures of the first sample) in
# $T/peaks.json.
touch "$T/sampling"
python3 - "$T/data" "$T/sampling" "$T/peaks.json" <<'PY' &
import json, os, sys, time
data, flag, out = sys.argv[1:]
pids = {f[:-4]: int(open(os.path.join(data, f)).read()) for f in os.listdir(data) if f.endswith(".pid")}
peak, idle = {}, {}
def sample(pid):
    status = open("/proc/%d/status" % pid).read().split("\n")
    field = lambda k: int(next(l for l in status if l.startswith(k + ":")).split()[1])
    stat = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    pss = next(int(l.split()[1]) for l in open("/proc/%d/smaps_rollup" % pid) if l.startswith("Pss:"))
    return [field("VmRSS"), field("Threads"), len(os.listdir("/proc/%d/fd" % pid)), cpu, pss]
while os.path.exists(flag):
    for name, pid in pids.items():
        try:
            s = sample(pid)
        except (OSError, StopIteration):
            continue
        idle.setdefault(name, s)
        peak[name] = [max(a, b) for a, b in zip(peak.get(name, s), s)]
    open(flag + ".idle", "w").close()  # the idle figures are taken: the load may start
    time.sleep(1)
json.dump({"peak": peak, "idle": idle}, open(out, "w"))
PY
for ((i = 0; i < 200; i++)); do [ -f "$T/sampling.idle" ] && break; sleep 0.05; done

phase load
echo "sim: $PROVIDERS providers up in $(python3 -c "print('%.1f' % ($t1 - $t0))") s; sending $MESSAGES messages"
sent=$(python3 "$SIM" send "$T/top" --messages "$MESSAGES" --unknown "$UNKNOWN" --sessions "$SESSIONS" --seed 15) ||
	{ echo "sim.sh: load failed: $sent" >&2; exit 1; }
echo "sim: submitted: $sent"
checked=$(python3 "$SIM" check "$T/top" "$T/data" --wait 1800) && ok=yes || ok=no
echo "sim: checked: $checked"
phase setup
rm -f "$T/sampling"
wait
queued=$(find "$T"/data/*/queue -maxdepth 1 \( -name '*.mail' -o -name '*.env' \) 2>/dev/null | wc -l)
scripts/stop.sh --data "$T/data" >/dev/null
dns_queries=$(sed -n 's/.*stopped .*queries=\([0-9]*\).*/\1/p' "$T/data/mail-dns.log" | tail -1)

python3 - "$sent" "$checked" "$T/peaks.json" "$PROVIDERS" "$USERS" "$MESSAGES" "$SESSIONS" "$UNKNOWN" "$ok" "$queued" "${dns_queries:-?}" >"$T/section.md" <<'PY'
import json, statistics, sys
sent, checked, peaks = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
providers, users, messages, sessions, unknown, ok, queued, dns = sys.argv[4:]
submit = sent["seconds"]
drain = checked["end"] - sent["start"]
print("%s providers (scripts/gen-topology.sh %s %s), %d users in all, %s messages with random"
      % (providers, providers, users, int(providers) * int(users), messages))
print("senders and recipients on other providers (%s%% to users that do not exist there), submitted"
      % (float(unknown) * 100))
print("to each sender's own provider over %s client sessions of 50 messages. Every provider and" % sessions)
print("mail-dns on 127.0.0.1 of this machine; relay workers 4, retry [2s, 5s, 30s], logging information.")
print()
print("| | |")
print("| --- | --- |")
print("| exactly once (delivered or bounced, nothing missing, duplicated or misplaced) | %s |" % ok)
print("| delivered / bounced (DSN in the sender's mailbox) | %d / %d |" % (checked["delivered"], checked["bounced"]))
print("| missing / duplicates / misplaced / unplanned | %d / %d / %d / %d |"
      % (checked["missing"], checked["duplicates"], checked["misplaced"], checked["unplanned"]))
print("| submission time (all accepted) | %.1f s (%.0f msg/s) |" % (submit, int(messages) / submit))
print("| time to drain (first submission to the last message or DSN in a mailbox) | %.1f s (%.0f msg/s) |" % (drain, int(messages) / drain))
print("| left in relay queues at the end | %s |" % queued)
print("| DNS queries mail-dns answered (whole run) | %s |" % dns)
cpu = sum(v[3] for v in peaks["peak"].values())
print("| CPU seconds of all providers and mail-dns (start to drained) | %.1f (%.1f ms per message) |" % (cpu, 1000.0 * cpu / int(messages)))
if "client_cpu" in sent:
    print("| CPU seconds of the load client (Python smtplib, one process) | %.1f (%.1f ms per message) |" % (sent["client_cpu"], 1000.0 * sent["client_cpu"] / int(messages)))
rows = sorted(((n, v) for n, v in peaks["peak"].items() if n != "mail-dns"), key=lambda x: int(x[0][1:].split(".")[0]))
def col(i): return [v[i] for _, v in rows]
print()
print("Per provider, peak during the run (idle: first sample, after start):")
print()
print("| | min | median | max | sum |")
print("| --- | --- | --- | --- | --- |")
for label, i, scale in (("RSS MiB", 0, 1024.0), ("PSS MiB", 4, 1024.0), ("threads", 1, 1), ("fds", 2, 1), ("CPU s", 3, 1.0)):
    c = [x / scale for x in col(i)]
    f = (lambda x: "%.1f" % x) if isinstance(scale, float) else (lambda x: "%d" % x)
    print("| %s | %s | %s | %s | %s |" % (label, f(min(c)), f(statistics.median(c)), f(max(c)), f(sum(c))))
for label, i in (("RSS MiB idle", 0), ("PSS MiB idle", 4)):
    idle = [v[i] / 1024.0 for n, v in peaks["idle"].items() if n != "mail-dns"]
    print("| %s | %.1f | %.1f | %.1f | %.1f |" % (label, min(idle), statistics.median(idle), max(idle), sum(idle)))
if "mail-dns" in peaks["peak"]:
    d = peaks["peak"]["mail-dns"]
    print()
    print("mail-dns peak: %.1f MiB RSS, %d threads, %d fds." % (d[0] / 1024.0, d[1], d[2]))
print()
print("<details><summary>every provider (peak RSS and PSS MiB, threads, fds; CPU s)</summary>")
print()
print("| provider | RSS MiB | PSS MiB | threads | fds | CPU s |")
print("| --- | --- | --- | --- | --- | --- |")
for n, v in rows:
    print("| %s | %.1f | %.1f | %d | %d | %.1f |" % (n, v[0] / 1024.0, v[4] / 1024.0, v[1], v[2], v[3]))
print()
print("</details>")
PY
mkdir -p "$BENCH_SECTIONS"
{
	echo "## sim"
	echo
	echo "_Run $(date -u '+%Y-%m-%d %H:%M UTC'), one run (it loads the whole machine)._"
	echo
	cat "$T/section.md"
	echo
} >"$BENCH_SECTIONS/sim.md"
cat "$BENCH_SECTIONS/sim.md"
[ "$ok" = yes ]
