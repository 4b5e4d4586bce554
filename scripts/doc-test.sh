#!/usr/bin/env bash
# doc-test.sh [FILE...] - runs every ```sh block of the docs, so they cannot drift.
#
# Default FILEs: README.md docs/operating.md docs/api.md. Each ```sh block is a command a
# reader runs as written; ```text blocks (synopses with placeholders, formats, output) are
# not run, and a fence of any other kind in these files is an error (a command must not
# hide from the test). Blocks run in file order, each with `bash -euo pipefail`, with
# build/bin (or MAIL_BIN) first on PATH, at most DOC_BLOCK_TIMEOUT seconds (default 60).
# Prints one line per block (FILE:LINE ok, or FAILED with its output), then
# "doc-test: N blocks, N ok, N failed"; exits 1 when any failed, 64 on bad usage.
#
# The demo topology (conf/mail.yaml, conf/zone.yaml) runs on its fixed ports, perhaps
# right now, so the commands run against a copy of it of their own:
#   - every port of conf/mail.yaml (each 127.0.0.1:PORT such as dns.listen, and each
#     server's smtp, pop, smtps, pops, http, imap, imaps, ...) is mapped to a free one (scripts/free_ports.py); the config and
#     zone copies and each block's text get the same map, so `dig -p 10053` and
#     `curl http://127.0.0.1:2080/` reach the copy;
#   - the path map is a mirror of the project in a temp dir: every top-level entry is a
#     symlink to the project except conf/ (the rewritten copies, its own tls/) and var/
#     (the data directory), and build/bin is MAIL_BIN. Blocks run from the mirror's root,
#     so conf/mail.yaml, var/NAME.pid, var/NAME/control.sock and the agent's default
#     config are the copy's, and a file a block writes (zone.db) lands in the temp dir.
# Preamble (before the first block, and topped up before each): scripts/start.sh starts
# the copy; usr1@mail.sustech.edu.cn, usr2@mail.sustech.edu.cn and usr@gmail.com each
# hold at least one message; exmail.qq.com's queue holds at least three messages, none
# being sent, so `queue hold/retry/delete "$id"` find one: they are addressed to
# offline.example, which only the zone copy has (its MX's port has no listener, so
# every attempt is deferred; after two failures the relay leaves it alone for 5 minutes).
# Everything started is stopped and the temp dir removed at
# the end (KEEP=1 keeps it).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${MAIL_BIN:-$repo/build/bin}
bin=$(cd "$bin" 2>/dev/null && pwd) || { echo "doc-test: no $bin; run make first" >&2; exit 1; }
limit=${DOC_BLOCK_TIMEOUT:-60}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/operating.md docs/api.md)
# path FILE: FILE as given when absolute, else from the project root
path() { case $1 in /*) echo "$1" ;; *) echo "$repo/$1" ;; esac; }
for f in "${files[@]}"; do
	[ -f "$(path "$f")" ] || { echo "usage: doc-test.sh [FILE...] (paths from the project root; no $f)" >&2; exit 64; }
done
for prog in mail-dns mail-server mail-agent; do
	[ -x "$bin/$prog" ] || { echo "doc-test: $bin/$prog is missing; run make first" >&2; exit 1; }
done

T=$(mktemp -d /tmp/mail-doc.XXXXXX)
root=$T/root
cleanup() {
	[ -x "$root/scripts/stop.sh" ] && "$root/scripts/stop.sh" >/dev/null 2>&1
	if [ -n "${KEEP:-}" ]; then echo "doc-test: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the mirror: the project with its own conf/, var/ and build/bin
mkdir -p "$root/conf" "$root/build" "$T/blocks"
for entry in "$repo"/* "$repo"/.[!.]*; do
	[ -e "$entry" ] || continue
	case ${entry##*/} in conf|var|build|.git) continue ;; esac
	ln -s "$entry" "$root/${entry##*/}"
done
ln -s "$bin" "$root/build/bin"

# --- the port map, the config copies and the blocks, in one Python process (its start is
# the slow part on a loaded machine): blocks/N.sh (ports mapped), blocks/N.where (FILE:LINE);
# a fence other than sh, text, yaml or json is printed as FAILED and counted in blocks/bad.
paths=()
for f in "${files[@]}"; do paths+=("$f" "$(path "$f")"); done
python3 - "$repo" "$T" "$root/conf" "${paths[@]}" <<'PY' || exit 1
import os, re, sys
repo, tmp, conf = sys.argv[1:4]
docs = list(zip(sys.argv[4::2], sys.argv[5::2]))
sys.path.insert(0, os.path.join(repo, "scripts"))
import free_ports

demo = open(os.path.join(repo, "conf/mail.yaml")).read()
# every 127.0.0.1:PORT outside comments (dns.listen, resolvers, ...) and every port key of a server
live = "\n".join(line.split("#")[0] for line in demo.split("\n"))
ports = sorted(set(re.findall(r"127\.0\.0\.1:([0-9]+)", live)
                   + re.findall(r"(?m)^\s+(?:[a-z_]*(?:smtp|pop|imap|http|submission)s?|port):\s*([0-9]+)\s*$", live)))
if not ports:
    sys.exit("doc-test: no ports found in conf/mail.yaml")
fresh = free_ports.take(len(ports) + 1)
mapping = dict(zip(ports, map(str, fresh)))
offline = fresh[-1]  # offline.example's exchanger: nothing listens there
with open(os.path.join(tmp, "ports"), "w") as out:
    out.writelines("%s %s\n" % item for item in mapping.items())
pattern = re.compile(r"(?<![0-9])(" + "|".join(map(re.escape, mapping)) + r")(?![0-9])")
def map_ports(text):
    return pattern.sub(lambda m: mapping[m.group(1)], text)

open(os.path.join(conf, "mail.yaml"), "w").write(map_ports(demo))
zone = map_ports(open(os.path.join(repo, "conf/zone.yaml")).read())
zone = re.sub(r"(?m)^MX:\n", "MX:\n  offline.example.: mx.offline.example.\n", zone)
zone = re.sub(r"(?m)^P:\n", "P:\n  mx.offline.example.: %d\n" % offline, zone)
open(os.path.join(conf, "zone.yaml"), "w").write(zone)

n = bad = 0
opening, closing = re.compile(r"^(\s*)```(.*)$"), re.compile(r"^\s*```\s*$")
for name, path in docs:
    fence = None
    for number, line in enumerate(open(path).read().split("\n"), 1):
        if fence is None:
            m = opening.match(line)
            if m:
                indent, info = m.group(1), m.group(2).strip()
                fence = {"indent": indent, "info": info, "line": number, "text": []}
                if info not in ("sh", "text", "yaml", "json"):
                    print("FAILED %s:%d: a fence must be ```sh (run) or ```text, ```yaml, ```json (not run), not '%s'"
                          % (name, number, info))
                    bad += 1
        elif closing.match(line):
            if fence["info"] == "sh":
                n += 1
                with open(os.path.join(tmp, "blocks", "%d.sh" % n), "w") as out:
                    out.write(map_ports("".join(t + "\n" for t in fence["text"])))
                with open(os.path.join(tmp, "blocks", "%d.where" % n), "w") as out:
                    out.write("%s:%d\n" % (name, fence["line"]))
            fence = None
        else:
            fence["text"].append(line[len(fence["indent"]):] if line.startswith(fence["indent"]) else line)
    if fence is not None:
        print("FAILED %s:%d: the fence is never closed" % (name, fence["line"]))
        bad += 1
open(os.path.join(tmp, "blocks", "bad"), "w").write("%d\n" % bad)
PY
[ -d "$repo/conf/tls" ] && cp -r "$repo/conf/tls" "$root/conf/tls" # else start.sh makes one

# --- the preamble
export PATH="$root/build/bin:$PATH"
cd "$root" || exit 1
# wait_until and friends from the tests' helpers (their bats-only load lines do nothing here)
BATS_TEST_DIRNAME=$repo/test/integration
load() { :; }
. "$repo/test/lib/common.bash"
unset -f load

agent() { timeout 30 mail-agent "$@" >/dev/null; }
# has_mail SERVER ADDRESS: the Maildir holds a message (a glob: the preamble runs before
# every block, and starts no process it can do without)
has_mail() {
	local f
	for f in "var/$1/mail/$2/new/"* "var/$1/mail/$2/cur/"*; do [ -f "$f" ] && return 0; done
	return 1
}
# queue_ok JSON: exmail.qq.com's queue (queue --json) holds at least three messages and none
# is being sent; the first time also that the relay has made two attempts (see seed)
probed=false
queue_ok() {
	jq -e --argjson probed "$probed" '(.messages | length) >= 3 and all(.messages[]; .state != "sending")
		and ($probed or ([.messages[].attempts] | add) >= 2)' <<<"$1" >/dev/null && probed=true
}
# attempted: the relay has tried one of the queued messages
attempted() { queue_json 2>/dev/null | jq -e 'any(.messages[]; .attempts >= 1)' >/dev/null; }
queue_json() { mail-server -n exmail.qq.com queue --json; }
queue_settled() { local json; json=$(queue_json 2>/dev/null) && queue_ok "$json"; }

# seed: the state the blocks may count on (see the header), restored when a block used it up
seed() {
	local need=() json queued
	has_mail exmail.qq.com usr1@mail.sustech.edu.cn || need+=(--to usr1@mail.sustech.edu.cn)
	has_mail exmail.qq.com usr2@mail.sustech.edu.cn || need+=(--to usr2@mail.sustech.edu.cn)
	has_mail gmail.com usr@gmail.com || need+=(--to usr@gmail.com)
	if [ ${#need[@]} -gt 0 ]; then
		agent -e usr1@mail.sustech.edu.cn -p pass1 send "${need[@]}" --subject "doc-test seed" --body "hello from the doc test" || return 1
		wait_until 30 has_mail exmail.qq.com usr1@mail.sustech.edu.cn || return 1
		wait_until 30 has_mail exmail.qq.com usr2@mail.sustech.edu.cn || return 1
		wait_until 30 has_mail gmail.com usr@gmail.com || return 1
	fi
	json=$(queue_json) || return 1
	queue_ok "$json" && return 0
	queued=$(jq '.messages | length' <<<"$json")
	while [ "$queued" -lt 3 ]; do
		agent -e usr1@mail.sustech.edu.cn -p pass1 send --to someone@offline.example \
			--subject "doc-test queued $queued" --body "this one waits in the queue" || return 1
		queued=$((queued + 1))
	done
	# The first time, two failed attempts in a row (the relay's own, then one `retry --all`
	# asks for) mark offline.example dead for relay.retry's second step (5m), so the relay
	# starts no attempt of its own while the blocks run, and a message queued later waits.
	if ! $probed; then
		wait_until 30 attempted || return 1
		mail-server -n exmail.qq.com queue retry --all >/dev/null || return 1
	fi
	wait_until 30 queue_settled
}

since() { echo $(($(now_ms) - $1)); } # since MS: ms from then to now (now_ms: common.bash)
began=$(now_ms)
START_TIMEOUT=${START_TIMEOUT:-30} scripts/start.sh >"$T/start.log" 2>&1 ||
	{ echo "doc-test: the topology did not start:"; cat "$T/start.log"; exit 1; }
[ -z "${VERBOSE:-}" ] || echo "       (start $(since "$began") ms)"
began=$(now_ms)
seed >"$T/seed.log" 2>&1 || { echo "doc-test: the preamble failed:"; cat "$T/seed.log"; exit 1; }
[ -z "${VERBOSE:-}" ] || echo "       (first preamble $(since "$began") ms)"

n=$(find "$T/blocks" -name '*.sh' | wc -l)
bad_fences=$(cat "$T/blocks/bad")
ok=0 failed=$bad_fences
for i in $(seq 1 "$n"); do
	read -r where <"$T/blocks/$i.where"
	began=$(now_ms)
	if ! seed >"$T/seed.log" 2>&1; then
		echo "FAILED $where: the preamble could not restore its state before this block:"
		sed 's/^/    /' "$T/seed.log"
		failed=$((failed + 1))
		continue
	fi
	[ -z "${VERBOSE:-}" ] || echo "       (preamble $(since "$began") ms)"
	began=$(now_ms)
	timeout -k 5 "$limit" bash -euo pipefail "$T/blocks/$i.sh" >"$T/blocks/$i.out" 2>&1
	rc=$?
	took=$(since "$began")
	if [ $rc -eq 0 ]; then
		printf 'ok     %s (%d.%01d s)\n' "$where" $((took / 1000)) $((took % 1000 / 100))
		[ -z "${VERBOSE:-}" ] || sed 's/^/    /' "$T/blocks/$i.out"
		ok=$((ok + 1))
	else
		[ $rc -eq 124 ] && why="timed out after ${limit}s" || why="exit $rc"
		echo "FAILED $where ($why); the block (ports mapped) and its output:"
		sed 's/^/    $ /' "$T/blocks/$i.sh"
		sed 's/^/    /' "$T/blocks/$i.out"
		failed=$((failed + 1))
	fi
done
echo "doc-test: $((n + bad_fences)) blocks, $ok ok, $failed failed"
[ "$failed" -eq 0 ]
