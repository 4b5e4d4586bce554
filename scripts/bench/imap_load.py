#!/usr/bin/env python3
"""imap_load.py - drives many IMAP sessions at once against Maildirs filled by pop3_load.py.

  imap_load.py fetch HOST PORT MANIFEST [--sessions N] [--rounds R] [--part I/K]
      N concurrent sessions (threads), each logs in as one user of the manifest (password
      "p" + user number), SELECTs INBOX and fetches every message with one
      `FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])`, comparing checksums, then LOGOUT. R rounds.
      Prints load_run.py's JSON line {"logins":..,"messages":..,"bytes":..,"seconds":..,"errors":[...]}
      and exits 1 when any message differs or any session failed.
"""
import hashlib
import os
import re
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "lib"))
import load_run  # noqa: E402
from load_run import option, password  # noqa: E402

LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


class Session:
    """A minimal IMAP client over a raw socket: tagged commands and literals.

    What arrives is kept in one bytearray read from an offset: a line or a literal is
    copied out once, and consumed bytes are dropped only when the socket is read again
    (once per 1 MiB or so), so a FETCH of a whole mailbox costs the client O(its size),
    not a copy of the rest of the buffer per line as slicing bytes would."""

    CHUNK = 1 << 20

    def __init__(self, host, port, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = bytearray()
        self.pos = 0
        self.tag = 0
        if not self.line().startswith(b"* OK"):
            raise RuntimeError("no greeting")

    def refill(self, what):
        if self.pos:
            del self.buf[:self.pos]
            self.pos = 0
        chunk = self.sock.recv(self.CHUNK)
        if not chunk:
            raise RuntimeError("connection closed" + what)
        self.buf += chunk

    def line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end + 2])
                self.pos = end + 2
                return line
            self.refill("")

    def take(self, n):
        while len(self.buf) - self.pos < n:
            self.refill(" in a literal")
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return data

    def command(self, text):
        """Sends one command; returns (untagged lines with their literals, tagged reply)."""
        self.tag += 1
        tag = b"t%d" % self.tag
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        responses = []
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                return responses, line
            literals = []
            m = LITERAL.search(line) if line.endswith(b"}\r\n") else None
            while m:
                literals.append(self.take(int(m.group(1))))
                line = self.line()
                m = LITERAL.search(line) if line.endswith(b"}\r\n") else None
            responses.append((line, literals))

    def close(self):
        self.sock.close()


def fetch_user(host, port, user, sums, _pipeline, stats, errors, lock):
    try:
        s = Session(host, port)
        _, reply = s.command('LOGIN "%s" "%s"' % (user, password(user)))
        if b" OK " not in reply:
            raise RuntimeError("login %s: %r" % (user, reply))
        _, reply = s.command("SELECT INBOX")
        if b" OK " not in reply:
            raise RuntimeError("select %s: %r" % (user, reply))
        responses, reply = s.command("FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])")
        if b" OK " not in reply:
            raise RuntimeError("fetch %s: %r" % (user, reply))
        bodies = [literals[0] for _, literals in responses if literals]
        if len(bodies) != len(sums):
            raise RuntimeError("%s: %d messages, expected %d" % (user, len(bodies), len(sums)))
        nbytes = 0
        for i, (data, want) in enumerate(zip(bodies, sums)):
            nbytes += len(data)
            if hashlib.sha256(data).hexdigest() != want:
                raise RuntimeError("%s message %d: checksum differs (%d bytes)" % (user, i + 1, len(data)))
        s.command("LOGOUT")
        s.close()
        with lock:
            stats["logins"] += 1
            stats["messages"] += len(sums)
            stats["bytes"] += nbytes
    except Exception as e:  # every failure is reported, none hidden
        with lock:
            errors.append(str(e))


def main(argv):
    if len(argv) >= 4 and argv[0] == "fetch":
        return load_run.fetch(argv[1], int(argv[2]), argv[3], int(option(argv, "--sessions", 8)),
                               int(option(argv, "--rounds", 1)), False, option(argv, "--part", "0/1"), fetch_user)
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
