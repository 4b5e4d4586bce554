#!/usr/bin/env python3
"""relay_tools.py - small peers and senders for the relay engine tests (relay_engine.bats).

  relay_tools.py dnsproxy PORT UPSTREAM_PORT COUNT_FILE
      UDP proxy in front of mail-dns: forwards every query, and rewrites COUNT_FILE with
      one line per query received ("UNIXTIME NAME TYPE"), so a test counts what reached
      mail-dns, and when.
  relay_tools.py refuser PORT COUNT_FILE
      TCP peer that greets every connection with 421 and closes it, appending one line
      to COUNT_FILE per connection ("UNIXTIME connect", stamped before the 421 is sent;
      a destination that is down at the greeting).
  relay_tools.py silent PORT
      TCP peer that lets connections in (the kernel's backlog) and never says a word.
  relay_tools.py recorder PORT yes|no LOG
      SMTP peer that offers PIPELINING (yes) or not (no) in its EHLO reply. It answers
      MAIL only after 0.3 s and appends to LOG one line per MAIL: "MAIL then: VERBS", the
      commands that arrived before that reply (a pipelining client has sent RCPT and DATA
      by then; one that waits for each reply has sent nothing). Accepts every message.
  relay_tools.py send HOST:PORT FROM TO COUNT SESSIONS [PREFIX]
      COUNT messages (Subject: "PREFIX N", default "msg N") over SESSIONS parallel SMTP sessions.
Each peer stops by itself after 120 s, so a failed test cannot leave it running.
"""
import smtplib
import socket
import struct
import sys
import threading
import time

LIFETIME = 120


def qname(packet):
    labels, i = [], 12
    while i < len(packet) and packet[i]:
        n = packet[i]
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype = struct.unpack("!H", packet[i + 1:i + 3])[0] if i + 3 <= len(packet) else 0
    return ".".join(labels).lower(), qtype


def dnsproxy(port, upstream, count_file):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", port))
    server.settimeout(0.5)
    seen = []
    deadline = time.time() + LIFETIME
    while time.time() < deadline:
        try:
            query, client = server.recvfrom(4096)
        except socket.timeout:
            continue
        name, qtype = qname(query)
        seen.append("%.3f %s %d" % (time.time(), name, qtype))
        with open(count_file, "w") as f:
            f.write("".join(line + "\n" for line in seen))
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(query, ("127.0.0.1", upstream))
            server.sendto(up.recv(4096), client)
        except socket.timeout:
            pass
        finally:
            up.close()


def listener(port):
    """A loopback TCP socket listening on PORT."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    return server


def accept_for_lifetime(server, handle):
    """Calls handle(conn) for each connection until LIFETIME has passed."""
    server.settimeout(0.5)
    deadline = time.time() + LIFETIME
    while time.time() < deadline:
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        handle(conn)


def refuser(port, count_file):
    def refuse(conn):
        with open(count_file, "a") as f:
            f.write("%.3f connect\n" % time.time())
        try:
            conn.sendall(b"421 4.3.2 mx.down.example Service not available\r\n")
        finally:
            conn.close()

    accept_for_lifetime(listener(port), refuse)


def silent(port):
    server = listener(port)
    time.sleep(LIFETIME)
    server.close()


def recorder_session(conn, pipelining, log):
    buf = b""

    def line():
        nonlocal buf
        while b"\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                raise ConnectionError("closed")
            buf += data
        text, buf = buf.split(b"\r\n", 1)
        return text

    conn.settimeout(30)
    conn.sendall(b"220 mx.recorder.example ESMTP\r\n")
    while True:
        verb = line().split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            conn.sendall(b"250-mx.recorder.example\r\n" + (b"250-PIPELINING\r\n" if pipelining else b"") + b"250 8BITMIME\r\n")
        elif verb == b"MAIL":
            time.sleep(0.3)
            conn.setblocking(False)
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    buf += data
            except BlockingIOError:
                pass
            conn.settimeout(30)
            sent = [l.split(b" ", 1)[0].upper().decode() for l in buf.split(b"\r\n")[:-1]]
            with open(log, "a") as f:
                f.write("MAIL then: %s\n" % " ".join(sent))
            conn.sendall(b"250 2.1.0 Ok\r\n")
        elif verb == b"RCPT":
            conn.sendall(b"250 2.1.5 Ok\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            while line() != b".":
                pass
            conn.sendall(b"250 2.0.0 Ok: queued as R%d\r\n" % int(time.time() * 1000))
        elif verb == b"QUIT":
            conn.sendall(b"221 2.0.0 Bye\r\n")
            return
        else:
            conn.sendall(b"250 2.0.0 Ok\r\n")


def recorder(port, pipelining, log):
    def serve(conn):
        try:
            recorder_session(conn, pipelining, log)
        except (OSError, ConnectionError):
            pass
        finally:
            conn.close()

    accept_for_lifetime(listener(port), lambda conn: threading.Thread(target=serve, args=(conn,), daemon=True).start())


def send(server, sender, rcpt, count, sessions, prefix):
    host, port = server.rsplit(":", 1)
    numbers = list(range(1, count + 1))
    lock = threading.Lock()
    failures = []

    def run():
        with smtplib.SMTP(host, int(port), "relay-test", timeout=30) as s:
            while True:
                with lock:
                    if not numbers:
                        return
                    n = numbers.pop(0)
                try:
                    s.sendmail(sender, [rcpt], "From: %s\r\nTo: %s\r\nSubject: %s %d\r\n\r\nnumber %d\r\n" % (sender, rcpt, prefix, n, n))
                except smtplib.SMTPException as e:
                    failures.append("%d: %s" % (n, e))

    threads = [threading.Thread(target=run) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit("refused: %s" % failures[:5])


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "dnsproxy":
        dnsproxy(int(args[0]), int(args[1]), args[2])
    elif mode == "refuser":
        refuser(int(args[0]), args[1])
    elif mode == "silent":
        silent(int(args[0]))
    elif mode == "recorder":
        recorder(int(args[0]), args[1] == "yes", args[2])
    elif mode == "send":
        send(args[0], args[1], args[2], int(args[3]), int(args[4]), args[5] if len(args) > 5 else "msg")
    else:
        sys.exit("usage: see the docstring")
