#!/usr/bin/env bats
# dns_hostile.bats - mail-dns under random and crafted malformed datagrams stays up, correct and small.

load ../lib/common

setup_file() {
	common_setup_file
	make_topology
	cp "$REPO_ROOT/conf/zone.yaml" "$T/zone.yaml"
	start_dns
}

teardown_file() { common_teardown_file; }

dns_pid() { awk '$2 == "mail-dns" { print $1 }' "$T/pids"; }
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }

still_answers() {
	[ "$(dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short gmail.com MX)" = "10 gmail-smtp-in.l.google.com." ]
	[ "$(dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 +short smtp.gmail.com TYPE65280)" = '\# 2 07E9' ]
	kill -0 "$(dns_pid)"
}

# hostile.py MODE: sends datagrams to mail-dns; every reply must be a well-formed header
# with QR set, the query's ID and opcode; prints "sent=N replies=M" or fails with a reason.
hostile() {
	python3 - "$DNS_PORT" "$1" <<'PY'
import os, random, socket, struct, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
addr = ("127.0.0.1", port)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

def hdr(id=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", id, flags, qd, an, ns, ar)
def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"
Q = name(b"gmail", b"com") + struct.pack(">HH", 15, 1)
OPT = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
valid = hdr() + Q

crafted = [bytes(n) for n in range(12)]                          # every short header
crafted += [
    hdr(qd=0), hdr(qd=2) + Q, hdr(qd=2) + Q + Q, hdr(qd=65535) + Q,
    hdr(),                                                        # question missing
    hdr() + b"\x05gma",                                           # label past end
    hdr() + b"\x3fabc",                                           # long label past end
    hdr() + b"\xc0\x0c\0\x0f\0\x01",                              # pointer to itself
    hdr() + b"\x01a\xc0\x0c\0\x0f\0\x01",                         # pointer loop
    hdr() + b"\xc0\x20\0\x0f\0\x01" + bytes(30),                  # forward pointer
    hdr() + b"\xc0",                                              # half a pointer
    hdr() + b"\xff\xff\0\x0f\0\x01",                              # pointer past the end
    hdr() + b"\x41a\0\0\x0f\0\x01", hdr() + b"\x81a\0\0\x0f\0\x01", # label types 01, 10
    hdr() + b"".join(b"\x3f" + b"x" * 63 for _ in range(5)) + b"\0\0\x0f\0\x01",  # name > 255
    hdr() + b"\x05gmail\x03com\0\0",                              # class missing
    hdr(an=65535) + Q, hdr(ns=1) + Q + b"\0", hdr(ar=3) + Q + OPT,
    hdr(ar=2) + Q + OPT + OPT,                                    # two OPTs
    hdr(ar=1) + Q + b"\x01x" + OPT,                               # OPT not at the root
    hdr(ar=1) + Q + b"\0" + struct.pack(">HHIH", 41, 1232, 0, 50),  # OPT rdata past end
    hdr(ar=1) + Q + OPT[:-2] + b"\0\x04" + b"\0\x0a\0\x00",       # OPT with an empty option
    hdr(flags=0x8100) + Q,                                         # a reply: no answer
    valid + os.urandom(3000),                                      # trailing garbage
    valid + bytes(60000),                                          # oversized datagram
] + [hdr(flags=op << 11) + Q for op in range(16)]                  # every opcode

def check(query, reply):
    if len(reply) < 12: raise SystemExit("short reply %r to %r" % (reply, query[:40]))
    if reply[:2] != query[:2]: raise SystemExit("id mismatch for %r" % query[:40])
    if not reply[2] & 0x80: raise SystemExit("QR clear for %r" % query[:40])
    if (reply[2] & 0x78) != (query[2] & 0x78): raise SystemExit("opcode not copied for %r" % query[:40])
    if len(reply) > 1232: raise SystemExit("reply too large (%d)" % len(reply))

def lockstep(datagrams, wait):
    replies = 0
    s.settimeout(wait)
    for d in datagrams:
        s.sendto(d, addr)
        try:
            r = s.recv(65535)
        except socket.timeout:
            if len(d) >= 12 and not d[2] & 0x80 and len(d) < 4096:
                raise SystemExit("no reply to %r" % d[:40])
            continue
        check(d, r); replies += 1
    return replies

if mode == "crafted":
    print("sent=%d replies=%d" % (len(crafted), lockstep(crafted, 0.5)))
else:
    rnd = random.Random(int(os.environ.get("SEED", "0")) or None)
    def mutate(b):
        b = bytearray(b)
        for _ in range(rnd.randint(1, 6)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b[:rnd.randint(0, len(b))] if rnd.random() < 0.3 else b)
    datagrams = []
    for i in range(6000):
        kind = i % 3
        if kind == 0: datagrams.append(os.urandom(rnd.randint(0, 600)))
        elif kind == 1: datagrams.append(mutate(valid))
        else: datagrams.append(mutate(hdr(ar=1) + Q + OPT))
    sent = replies = 0
    s.setblocking(False)
    deadline = time.time() + 30
    for d in datagrams:                    # bounded burst: drain replies as we go
        s.sendto(d, addr); sent += 1
        while True:
            try: r = s.recv(65535)
            except BlockingIOError: break
            if len(r) < 12 or not r[2] & 0x80: raise SystemExit("bad reply %r" % r[:40])
            replies += 1
        if sent % 200 == 0: time.sleep(0.005)
        if time.time() > deadline: raise SystemExit("too slow")
    print("sent=%d replies=%d" % (sent, replies))
PY
}

@test "each crafted malformed datagram gets a checked reply or silence" {
	run hostile crafted
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == sent=* ]]
	still_answers
}

@test "thousands of random and mutated datagrams: still answering, RSS steady" {
	local pid before after
	pid=$(dns_pid)
	before=$(rss_kb "$pid")
	for round in 1 2 3; do
		run hostile random
		echo "$output"
		[ "$status" -eq 0 ]
	done
	still_answers
	after=$(rss_kb "$pid")
	echo "rss before=${before}kB after=${after}kB"
	[ "$after" -lt $((before + 8192)) ]
	! grep -qiE "fatal|error" "$T/mail-dns.log"
}
