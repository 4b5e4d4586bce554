#!/usr/bin/env python3
"""idle_load.py - holds idle SMTP sessions open and measures what they cost the server.

    idle_load.py HOST PORT PID COUNT...

For each COUNT in turn (ascending), opens connections until COUNT sessions are held, each
having read its 220 greeting and then sending nothing; prints one JSON line per COUNT:
sessions held, seconds to accept the new ones (first connect to last greeting), the
server's RSS (MiB) and thread count from /proc/PID/status, and the p50/max time a new
client waits for its greeting while they are held (9 probes, each closed after it).
"""
import asyncio
import json
import sys
import time


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024.0, int(fields["Threads"])


async def hold(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    line = await reader.readline()
    if not line.startswith(b"220"):
        raise RuntimeError("greeting: %r" % line)
    return writer


async def greeting_wait(host, port):
    start = time.monotonic()
    writer = await hold(host, port)
    took = time.monotonic() - start
    writer.close()
    return took


async def settled(pid, limit=1.0):
    """The server's RSS and threads once settled: the same in three reads 0.1 s apart (or after
    LIMIT seconds, the fixed sleep this replaces)."""
    deadline = time.monotonic() + limit
    last, same = proc_status(pid), 0
    while same < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now = proc_status(pid)
        same = same + 1 if now == last else 0
        last = now
    return last


async def main(host, port, pid, counts):
    held = []
    for count in counts:
        start = time.monotonic()
        need = count - len(held)
        # at most 500 connects in flight, so the listen backlog is not what is measured
        for first in range(0, need, 500):
            held += await asyncio.gather(*(hold(host, port) for _ in range(min(500, need - first))))
        accept = time.monotonic() - start
        rss, threads = await settled(pid)
        waits = sorted([await greeting_wait(host, port) for _ in range(9)])
        print(json.dumps({"sessions": len(held), "accept_s": round(accept, 3), "rss_mib": round(rss, 1),
                          "threads": threads, "greeting_p50_ms": round(waits[4] * 1000, 2),
                          "greeting_max_ms": round(waits[-1] * 1000, 2)}), flush=True)
    for w in held:
        w.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(c) for c in sys.argv[4:]]))
