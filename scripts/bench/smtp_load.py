#!/usr/bin/env python3
"""smtp_load.py - SMTP load client for the benchmarks: msg/s and time per message.

    smtp_load.py HOST PORT --sessions N --messages M --size BYTES --mode conn|reuse
                 [--from A] [--to B] [--timeout S]

SESSIONS concurrent sessions share MESSAGES messages of SIZE octets (headers + body,
CRLF lines of 78 octets). mode conn: a new connection per message (greeting, EHLO, MAIL,
RCPT, DATA, QUIT), the time per message is connect -> 250 after the final dot; mode
reuse: one connection per session, as smtp-source -d, the time is MAIL -> 250. Prints one
JSON line: messages, seconds (first connect to last 250), p50_ms, p99_ms, errors, start
(epoch seconds of the first connect), end and the rates accept_rate (MESSAGES / seconds) and
rate (MESSAGES / (end - start)). --wait-dir DIR: the load is done when DIR holds MESSAGES
files (a delivery's last step), end is the newest inode change time among them (the link or
rename into DIR sets it; polled every 0.1 s, --wait-timeout S); without it end is the last
250. --fields a,b: only those fields, space-separated (the JSON line goes to stderr when the
load fails), so a benchmark run costs one process instead of one per figure.
One asyncio process, so at high rates the client itself is a ceiling (the smtp-sink row
shows where it lies).
"""
import argparse
import asyncio
import json
import sys
import time

from wait_files import wait_files


def make_message(size, sender, rcpt):
    head = "From: <%s>\r\nTo: <%s>\r\nSubject: bench\r\n\r\n" % (sender, rcpt)
    line = "x" * 76 + "\r\n"
    body_len = max(0, size - len(head))
    body = line * (body_len // len(line))
    rest = body_len - len(body)
    if rest > 2:
        body += "y" * (rest - 2) + "\r\n"
    return (head + body).encode()


async def reply(reader):
    """Reads one (multi-line) reply; returns its code."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3])


async def expect(reader, code, what):
    got = await reply(reader)
    if got != code:
        raise RuntimeError("%s: %d" % (what, got))


async def transaction(reader, writer, args, data):
    writer.write(b"MAIL FROM:<%s>\r\n" % args.sender.encode())
    await expect(reader, 250, "MAIL")
    writer.write(b"RCPT TO:<%s>\r\n" % args.to.encode())
    await expect(reader, 250, "RCPT")
    writer.write(b"DATA\r\n")
    await expect(reader, 354, "DATA")
    writer.write(data + b".\r\n")
    await expect(reader, 250, "end of data")


async def open_session(args):
    reader, writer = await asyncio.open_connection(args.host, args.port, limit=1 << 20)
    await expect(reader, 220, "greeting")
    writer.write(b"EHLO bench.client\r\n")
    await expect(reader, 250, "EHLO")
    return reader, writer


async def session(args, data, left, times, errors):
    conn = None
    try:
        while left[0] > 0:
            left[0] -= 1
            start = time.monotonic()
            if conn is None:
                conn = await open_session(args)
                if args.mode == "reuse":
                    start = time.monotonic()
            await transaction(conn[0], conn[1], args, data)
            times.append(time.monotonic() - start)
            if args.mode == "conn":
                conn[1].write(b"QUIT\r\n")
                await reply(conn[0])
                conn[1].close()
                conn = None
    except Exception as exc:  # a failed session is counted, the others go on
        errors.append(repr(exc))
    if conn is not None:
        conn[1].write(b"QUIT\r\n")
        try:
            await reply(conn[0])
        except Exception:
            pass
        conn[1].close()


async def main(args):
    data = make_message(args.size, args.sender, args.to)
    left, times, errors = [args.messages], [], []
    wall = time.time()
    start = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(session(args, data, left, times, errors)
                                            for _ in range(args.sessions))), args.timeout)
    seconds = time.monotonic() - start
    times.sort()
    pick = lambda q: round(times[min(len(times) - 1, int(q * len(times)))] * 1000, 2) if times else None
    result = {"messages": len(times), "seconds": round(seconds, 3), "p50_ms": pick(0.50),
              "p99_ms": pick(0.99), "errors": errors[:5], "start": wall, "end": wall + seconds}
    if args.wait_dir and not errors:
        try:
            result["end"] = wait_files(args.wait_dir, args.messages, args.wait_timeout)
        except TimeoutError as exc:
            errors.append(str(exc))
            result["errors"] = errors[:5]
    result["accept_rate"] = round(args.messages / seconds, 1) if seconds else None
    span = result["end"] - wall
    result["rate"] = round(args.messages / span, 1) if span > 0 else None
    line = json.dumps(result)
    if args.fields:
        print(" ".join(str(result[f]) for f in args.fields.split(",")))
        if errors:
            print(line, file=sys.stderr)
    else:
        print(line)
    return 0 if not errors else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--mode", choices=("conn", "reuse"), default="conn")
    p.add_argument("--from", dest="sender", default="sender@bench.example")
    p.add_argument("--to", default="rcpt@bench.example")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--wait-dir")
    p.add_argument("--wait-timeout", type=float, default=300)
    p.add_argument("--fields")
    sys.exit(asyncio.run(main(p.parse_args())))
