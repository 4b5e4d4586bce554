#!/usr/bin/env python3
"""load_run.py - what the POP3 load client (pop3_load.py) and the bench scripts share.

As a module: the manifest's users and passwords, Run (client threads, their counters and the
one JSON line that reports them: {"logins":..,"messages":..,"bytes":..,"seconds":..,"errors":[...]}),
and fetch(), which drives rounds of sessions over the manifest's users with a protocol's worker.

As a program (scripts/bench/lib.sh, on the JSON lines of scripts/bench/mailbox_load.c):
  load_run.py rates FETCH-JSON [LOGINS-JSON|-] [CPU-BEFORE CPU-AFTER]
      "messages/s MB/s logins/s CPU-us/message" ("-" for what was not given).
"""
import json
import sys
import threading
import time


def user_name(i):
    return "u%03d@pop.test" % i


def password(user):
    return "p" + user[1:4]


def option(argv, name, default):
    return argv[argv.index(name) + 1] if name in argv else default


def load_users(manifest_path, part):
    """The manifest and the users of part "I/K": I, I+K, I+2K, ... of its sorted users."""
    with open(manifest_path) as f:
        manifest = json.load(f)
    index, count = (int(x) for x in part.split("/"))
    return manifest, sorted(manifest)[index::count]


class Run:
    """Counters shared by the client threads, and the JSON line that reports them."""

    def __init__(self):
        self.stats = {"logins": 0, "messages": 0, "bytes": 0}
        self.errors = []
        self.lock = threading.Lock()
        self.started = time.monotonic()

    def threads(self, target, arg_lists):
        threads = [threading.Thread(target=target, args=args + (self.stats, self.errors, self.lock))
                   for args in arg_lists]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def report(self):
        self.stats["seconds"] = round(time.monotonic() - self.started, 3)
        self.stats["errors"] = self.errors[:10]
        print(json.dumps(self.stats))
        return 1 if self.errors else 0


def fetch(host, port, manifest_path, sessions, rounds, pipeline, part, worker):
    """R rounds; in each, `sessions` users at a time run worker(host, port, user, sums, pipeline,
    stats, errors, lock), one session each. Prints the JSON line; 1 when any session failed."""
    manifest, users = load_users(manifest_path, part)
    run = Run()
    for _ in range(rounds):
        for first in range(0, len(users), sessions):
            run.threads(worker, [(host, port, u, manifest[u], pipeline) for u in users[first:first + sessions]])
    return run.report()


def rates(fetched, logins=None, cpu=None):
    f = json.loads(fetched)
    out = ["%.0f" % (f["messages"] / f["seconds"]), "%.1f" % (f["bytes"] / f["seconds"] / 1e6)]
    if logins and logins != "-":
        l = json.loads(logins)
        out.append("%.0f" % (l["logins"] / l["seconds"]))
    else:
        out.append("-")
    out.append("%.1f" % ((float(cpu[1]) - float(cpu[0])) * 1e6 / f["messages"]) if cpu else "-")
    print(" ".join(out))
    return 0


def main(argv):
    if len(argv) in (2, 3, 5) and argv[0] == "rates":
        return rates(argv[1], argv[2] if len(argv) > 2 else None, argv[3:5] if len(argv) == 5 else None)
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
