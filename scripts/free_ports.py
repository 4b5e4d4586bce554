#!/usr/bin/env python3
# free_ports.py N - prints N distinct currently free TCP+UDP loopback ports, one per line.
#
# From 20000-32767: no demo uses them, and they lie below the kernel's ephemeral range
# (32768-60999), so an outgoing connection cannot take a port between this check and the
# server's bind. Used by the tests (test/lib/common.bash) and the labs (scripts/labs/lib.sh).
import random
import socket
import sys

n = int(sys.argv[1])
out = set()
while len(out) < n:
    p = random.randint(20000, 32767)
    if p in out:
        continue
    try:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", p))
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", p))
        t.close()
        u.close()
        out.add(p)
    except OSError:
        pass
print("\n".join(map(str, out)))
