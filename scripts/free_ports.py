#!/usr/bin/env python3
# free_ports.py N - prints N distinct currently free TCP+UDP loopback ports, one per line.
#
# From 20000-32767: no demo uses them, and they lie below the kernel's ephemeral range
# (32768-60999), so an outgoing connection cannot take a port between this check and the
# server's bind. Used by the tests (test/lib/common.bash), the labs (scripts/labs/lib.sh)
# and the benchmarks (scripts/bench/lib.sh).
#
# The ports are handed out in turn from one cursor kept in a file under /tmp and taken
# under flock, so every caller on the machine (the bats files that run in parallel, two
# test suites side by side, a lab beside them) gets ports no other caller got in the last
# 12,768 hand-outs. A free check alone is not enough: a port handed to one file stays free
# until its server binds it, and a random pick elsewhere could take it in between.
import fcntl
import os
import socket
import sys

LOW, HIGH = 20000, 32767
STATE = os.environ.get("MAIL_PORTS_STATE", "/tmp/mail-free-ports.cursor")


def is_free(port):
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(("127.0.0.1", port))
            finally:
                s.close()
        return True
    except OSError:
        return False


def take(n):
    span = HIGH - LOW + 1
    if n < 1 or n > span // 2:
        sys.exit("free_ports: N must be between 1 and %d" % (span // 2))
    try:
        fd = os.open(STATE, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # another user's cursor: keep one of our own
        fd = os.open("%s.%d" % (STATE, os.getuid()), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        raw = os.read(fd, 32).decode(errors="replace").strip()
        # A fresh cursor starts at a place set by the process id, so two machines'
        # sequences (or a cursor file removed by a /tmp cleaner) do not start together.
        cursor = int(raw) if raw.isdigit() else os.getpid()
        out = []
        for _ in range(span):
            port = LOW + cursor % span
            cursor += 1
            if is_free(port):
                out.append(port)
                if len(out) == n:
                    break
        if len(out) < n:
            sys.exit("free_ports: fewer than %d free ports in %d-%d" % (n, LOW, HIGH))
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, str(cursor % span).encode())
        return out
    finally:
        os.close(fd)


if __name__ == "__main__":
    print("\n".join(map(str, take(int(sys.argv[1])))))
