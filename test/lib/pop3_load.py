#!/usr/bin/env python3
"""pop3_load.py - fills Maildirs and drives many POP3 sessions at once (tests; the bench fills with it).

  pop3_load.py fill MAILROOT SERVER USERS MESSAGES MANIFEST [--seed N]
      Writes MESSAGES CRLF messages into MAILROOT/<user>/new for USERS users named
      u000@pop.test ... in the Maildir naming of MaildirStore, and a JSON manifest
      {user: [sha256 of each message, in delivery order]}.
  pop3_load.py send HOST SMTP-PORT USERS MESSAGES MANIFEST [--seed N] [--sessions N]
      Delivers the same kind of messages through SMTP (smtplib, one connection per user,
      N users at a time). The manifest then holds [sha256, length] of what was sent: the
      stored message is that plus the trace headers the server prepends.
  pop3_load.py fetch HOST PORT MANIFEST [--sessions N] [--rounds R] [--pipeline] [--part I/K]
      N concurrent sessions (threads), each logs in as one user of the manifest (password
      "p" + user number) and RETRs every message, comparing checksums. R rounds. Prints
      one JSON line {"logins":..,"messages":..,"bytes":..,"seconds":..,"errors":[...]}.
      Exits 1 when any message differs or any session failed.
  --part I/K uses only the users I, I+K, I+2K, ... of the manifest, so K processes can
  share the load without sharing a mailbox.
"""
import hashlib
import json
import os
import random
import smtplib
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_run import Run, option, password, user_name  # noqa: E402
import load_run  # noqa: E402


def make_message(rng, user, n):
    lines = [
        "Return-Path: <sender@example.org>",
        "From: sender@example.org",
        "To: %s" % user,
        "Subject: message %d for %s" % (n, user),
        "Message-ID: <%d.%d@example.org>" % (n, rng.randrange(1 << 30)),
        "",
    ]
    for _ in range(rng.randrange(3, 60)):
        kind = rng.random()
        if kind < 0.08:
            lines.append("." * rng.randrange(1, 3) + "dot-started line %d" % rng.randrange(1000))
        elif kind < 0.12:
            lines.append("")
        else:
            lines.append("".join(rng.choice("abcdefghij klmnop.,;:-") for _ in range(rng.randrange(1, 76))))
    if rng.random() < 0.1:
        lines.append(".")  # a lone dot line inside the body
    return ("\r\n".join(lines) + "\r\n").encode()


def send_user(host, port, user, payloads, stats, errors, lock):
    try:
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            smtp.ehlo("load.example.org")
            for data in payloads:
                smtp.sendmail("sender@example.org", [user], data)
        with lock:
            stats["messages"] += len(payloads)
            stats["bytes"] += sum(len(d) for d in payloads)
    except Exception as e:
        with lock:
            errors.append("%s: %s" % (user, e))


def send(host, port, users, messages, manifest_path, seed, sessions):
    rng = random.Random(seed)
    payloads = {user_name(u): [make_message(rng, user_name(u), n) for n in range(messages)] for u in range(users)}
    run = Run()
    names = sorted(payloads)
    for first in range(0, len(names), sessions):
        run.threads(send_user, [(host, port, u, payloads[u]) for u in names[first:first + sessions]])
    with open(manifest_path, "w") as f:
        json.dump({u: [[hashlib.sha256(d).hexdigest(), len(d)] for d in payloads[u]] for u in names}, f)
    return run.report()


def fill(root, server, users, messages, manifest_path, seed):
    rng = random.Random(seed)
    manifest = {}
    base = 1700000000
    for u in range(users):
        user = user_name(u)
        new = os.path.join(root, user, "new")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(root, user, sub), exist_ok=True)
        sums = []
        for n in range(messages):
            data = make_message(rng, user, n)
            name = "%d.M%dP%dQ%d.%s,S=%d" % (base + n, u, os.getpid(), n, server, len(data))
            with open(os.path.join(new, name), "wb") as f:
                f.write(data)
            sums.append(hashlib.sha256(data).hexdigest())
        manifest[user] = sums
    with open(manifest_path, "w") as f:
        json.dump(manifest, f)


class Session:
    """A minimal POP3 client over a raw socket: enough for pipelined RETR.

    Received bytes stay in one buffer read from an offset (pos), so taking a line or a body
    copies only that line or body: slicing the rest off after each reply copied the whole
    pipelined backlog once per message, which made this client, not the server, the limit."""

    def __init__(self, host, port, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.pos = 0
        greeting = self.line()
        if not greeting.startswith(b"+OK"):
            raise RuntimeError("greeting %r" % greeting)

    def _receive(self, what):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise RuntimeError("connection closed" + what)
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                out = self.buf[self.pos:i]
                self.pos = i + 2
                return out
            self._receive("")

    def body(self):
        """Multi-line body up to the terminating '.', un-stuffed, as CRLF bytes."""
        scan = self.pos
        while True:
            if self.buf.startswith(b".\r\n", self.pos):
                self.pos += 3
                return b""
            end = self.buf.find(b"\r\n.\r\n", scan)
            if end >= 0:
                data = self.buf[self.pos:end + 2]
                self.pos = end + 5
                data = data.replace(b"\r\n..", b"\r\n.")
                if data.startswith(b".."):
                    data = data[1:]
                return data
            scan = max(self.pos, len(self.buf) - 4) - self.pos  # what is scanned stays scanned
            self._receive(" in a body")

    def command(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.line()

    def close(self):
        self.sock.close()


def fetch_user(host, port, user, sums, pipeline, stats, errors, lock):
    try:
        s = Session(host, port)
        s.sock.sendall(("USER %s\r\nPASS %s\r\n" % (user, password(user))).encode())
        r1, r2 = s.line(), s.line()
        if not r2.startswith(b"+OK"):
            raise RuntimeError("login %s: %r %r" % (user, r1, r2))
        stat = s.command("STAT").split()
        if int(stat[1]) != len(sums):
            raise RuntimeError("%s: STAT %r, expected %d messages" % (user, stat, len(sums)))
        nbytes = 0
        if pipeline:
            s.sock.sendall("".join("RETR %d\r\n" % (i + 1) for i in range(len(sums))).encode())
        for i, want in enumerate(sums):
            reply = s.line() if pipeline else s.command("RETR %d" % (i + 1))
            if not reply.startswith(b"+OK"):
                raise RuntimeError("%s RETR %d: %r" % (user, i + 1, reply))
            data = s.body()
            nbytes += len(data)
            if isinstance(want, list):  # sent through SMTP: the server prepended trace headers
                want, length = want
                if not data.startswith(b"Return-Path: "):
                    raise RuntimeError("%s message %d: no Return-Path first" % (user, i + 1))
                data = data[-length:]
            if hashlib.sha256(data).hexdigest() != want:
                raise RuntimeError("%s message %d: checksum differs (%d bytes)" % (user, i + 1, len(data)))
        if not s.command("QUIT").startswith(b"+OK"):
            raise RuntimeError("%s: QUIT failed" % user)
        s.close()
        with lock:
            stats["logins"] += 1
            stats["messages"] += len(sums)
            stats["bytes"] += nbytes
    except Exception as e:  # every failure is reported, none hidden
        with lock:
            errors.append(str(e))


def fetch(host, port, manifest_path, sessions, rounds, pipeline, part):
    return load_run.fetch(host, port, manifest_path, sessions, rounds, pipeline, part, fetch_user)


def main(argv):
    if len(argv) >= 6 and argv[0] == "fill":
        fill(argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5], int(option(argv, "--seed", 1)))
        return 0
    if len(argv) >= 6 and argv[0] == "send":
        return send(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), argv[5], int(option(argv, "--seed", 1)),
                    int(option(argv, "--sessions", 10)))
    if len(argv) >= 4 and argv[0] == "fetch":
        return fetch(argv[1], int(argv[2]), argv[3], int(option(argv, "--sessions", 100)),
                     int(option(argv, "--rounds", 1)), "--pipeline" in argv, option(argv, "--part", "0/1"))
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
