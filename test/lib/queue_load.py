#!/usr/bin/env python3
"""queue_load.py - load for the relay queue tests (test/integration/relay_queue_file.bats).

    queue_load.py flood PORT ACKED THREADS LINES
        THREADS sessions to 127.0.0.1:PORT, each sending messages to usr@gmail.com from
        usr1@mail.sustech.edu.cn until the connection fails (the server is killed); the
        Message-ID of every message answered 250 is appended to ACKED at once. Each
        message has LINES body lines and ends with "end of <message-id>".
    queue_load.py check ACKED DIR...
        Reads every message file under DIR... (Maildir new/ and cur/): fails unless every
        Message-ID in ACKED arrived exactly once, no message arrived twice, and every
        message that arrived is whole (all its lines, its end line). Prints a summary.
    queue_load.py big PORT SESSIONS BYTES
        SESSIONS concurrent sessions, each sending one message of about BYTES octets
        (one shared, already dot-stuffed buffer: the client holds it once) to
        usr@gmail.com; fails unless every one got 250.
"""
import os
import re
import smtplib
import socket
import sys
import threading

SENDER = "usr1@mail.sustech.edu.cn"
RCPT = "usr@gmail.com"


def body_lines(mid, lines):
    return "".join("line %05d of %s %s\r\n" % (i, mid, "x" * 40) for i in range(lines))


def flood(port, acked_path, threads, lines):
    lock = threading.Lock()
    out = open(acked_path, "a")

    def run(t):
        i = 0
        try:
            with smtplib.SMTP("127.0.0.1", port, "flood", timeout=60) as s:
                while True:
                    i += 1
                    mid = "k%d-%d@load.test" % (t, i)
                    msg = ("From: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s>\r\nSubject: kill %s\r\n\r\n%send of %s\r\n"
                           % (SENDER, RCPT, mid, mid, body_lines(mid, lines), mid))
                    s.sendmail(SENDER, [RCPT], msg)
                    with lock:
                        out.write(mid + "\n")
                        out.flush()
        except (OSError, smtplib.SMTPException):
            return  # the server went away

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def check(acked_path, dirs):
    acked = set(l.strip() for l in open(acked_path) if l.strip())
    seen = {}
    broken = []
    lines_of = None
    for d in dirs:
        for sub in ("new", "cur"):
            path = os.path.join(d, sub)
            if not os.path.isdir(path):
                continue
            for name in os.listdir(path):
                text = open(os.path.join(path, name), "rb").read().decode("utf-8", "replace")
                m = re.search(r"^Message-ID: <([^>]*)>", text, re.M)
                if not m or not m.group(1).endswith("@load.test"):
                    continue
                mid = m.group(1)
                seen[mid] = seen.get(mid, 0) + 1
                body = re.findall(r"^line \d{5} of " + re.escape(mid) + " x{40}$", text, re.M)
                if lines_of is None:
                    lines_of = len(body)
                if len(body) != lines_of or not re.search(r"^end of " + re.escape(mid) + r"\r?$", text, re.M):
                    broken.append(mid)
    missing = sorted(acked - set(seen))
    twice = sorted(mid for mid, n in seen.items() if n > 1)
    print("acked=%d arrived=%d unacked_arrived=%d missing=%d twice=%d broken=%d"
          % (len(acked), len(seen), len(set(seen) - acked), len(missing), len(twice), len(broken)))
    if missing or twice or broken:
        print("missing: %s\ntwice: %s\nbroken: %s" % (missing[:10], twice[:10], broken[:10]))
        return 1
    return 0


def reply(f):
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("closed")
        if line[3:4] != b"-":
            return int(line[:3])


def big(port, sessions, size):
    line = b"y" * 998 + b"\r\n"
    data = (b"From: <%s>\r\nTo: <%s>\r\nSubject: big\r\n\r\n" % (SENDER.encode(), RCPT.encode())
            + line * (size // len(line)) + b".\r\n")
    failures = []

    def run(i):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=600) as s:
                f = s.makefile("rb")
                codes = [reply(f)]
                for cmd in (b"EHLO big", b"MAIL FROM:<%s>" % SENDER.encode(), b"RCPT TO:<%s>" % RCPT.encode(), b"DATA"):
                    s.sendall(cmd + b"\r\n")
                    codes.append(reply(f))
                s.sendall(data)
                codes.append(reply(f))
                s.sendall(b"QUIT\r\n")
                if codes != [220, 250, 250, 250, 354, 250]:
                    failures.append((i, codes))
        except OSError as exc:
            failures.append((i, str(exc)))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(sessions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        print("failed: %d %s" % (len(failures), failures[:5]))
        return 1
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "flood":
        flood(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return 0
    if cmd == "check":
        return check(sys.argv[2], sys.argv[3:])
    if cmd == "big":
        return big(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
