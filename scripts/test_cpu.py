#!/usr/bin/env python3
# test_cpu.py - the CPU (user + sys) each test file costs, for scripts/test-cpu.sh and
# `make test-cpu`. The suite is CPU-bound on 2 cores, so CPU, not wall, says what to cut.
#
#   test_cpu.py run KIND NAME -- CMD...  runs CMD as a child subreaper, so every descendant
#                                        is counted, even a daemon whose parent exited
#                                        first; prints "cpu<TAB>user<TAB>sys<TAB>wall<TAB>
#                                        KIND<TAB>NAME<TAB>exit status"; CMD's output goes
#                                        to stderr
#   test_cpu.py merge OLD NEW            OLD's lines, those of every (kind, name) in NEW
#                                        replaced by NEW's
#   test_cpu.py top N TSV                the N costliest, and the totals, for a person
#
# A descendant still running when CMD has exited and 10 s have passed is a test that left
# a process behind: it is named on stderr, sent SIGTERM (SIGKILL 5 s later) and counted.
import ctypes
import os
import resource
import signal
import subprocess
import sys
import time

import timing_rows

PR_SET_CHILD_SUBREAPER = 36


def children(pid):
    """The pids whose parent is pid (orphans reparented to this subreaper included)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: the fields start after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def reap_all(deadline):
    """Waits for every child until none is left or the deadline passes; True when none is left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


def command_line(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def run(kind, name, cmd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("test_cpu.py: prctl(PR_SET_CHILD_SUBREAPER) failed")
    # what this process's own children cost before CMD (a pyenv shim's, when python3 was
    # started through one: rusage of children survives exec) is not CMD's
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdout=sys.stderr)
    # orphans are reaped as they end, not after CMD: a zombie still answers kill -0 and is
    # still in its namespace, so a test waiting for a daemon to end would wait its deadline
    while True:
        pid, wait_status = os.waitpid(-1, 0)
        if pid == child.pid:
            status = os.waitstatus_to_exitcode(wait_status)
            break
    wall = time.monotonic() - start
    if not reap_all(time.monotonic() + 10):
        for pid in children(os.getpid()):
            print("test_cpu.py: %s %s left pid %d running: %s" % (kind, name, pid, command_line(pid)), file=sys.stderr)
            os.kill(pid, signal.SIGTERM)
        if not reap_all(time.monotonic() + 5):
            for pid in children(os.getpid()):
                os.kill(pid, signal.SIGKILL)
            reap_all(time.monotonic() + 5)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = usage.ru_utime - before.ru_utime, usage.ru_stime - before.ru_stime
    print("%.2f\t%.2f\t%.2f\t%.1f\t%s\t%s\t%d" % (user + system, user, system, wall, kind, name, status))


def read(path):
    return timing_rows.read(path, 7)


def merge(old, new):
    timing_rows.merge(read(old), read(new), lambda r: (r[4], r[5]))


def top(n, path):
    rows = read(path)
    if not rows:
        sys.exit("no CPU figures yet: run make test-cpu first")
    rows.sort(key=lambda r: -float(r[0]))
    print("costliest %d (CPU s = user + sys of the file's processes; wall s; kind; name):" % n)
    for r in rows[:n]:
        failed = "" if r[6] == "0" else "  (exit %s)" % r[6]
        print("%8.1f = %6.1f + %6.1f  %6.1f  %-4s  %s%s" % (float(r[0]), float(r[1]), float(r[2]), float(r[3]), r[4], r[5], failed))
    for kind in sorted({r[4] for r in rows}):
        mine = [r for r in rows if r[4] == kind]
        print(
            "%s: %d, CPU %.1f s (user %.1f + sys %.1f)"
            % (kind, len(mine), sum(float(r[0]) for r in mine), sum(float(r[1]) for r in mine), sum(float(r[2]) for r in mine))
        )
    print("all: CPU %.1f s, i.e. at least %.0f s of wall on %d cores" % (sum(float(r[0]) for r in rows), sum(float(r[0]) for r in rows) / os.cpu_count(), os.cpu_count()))


if __name__ == "__main__":
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "run" and len(args) >= 4 and args[2] == "--":
        run(args[0], args[1], args[3:])
    elif cmd == "merge" and len(args) == 2:
        merge(args[0], args[1])
    elif cmd == "top" and len(args) == 2:
        top(int(args[0]), args[1])
    else:
        sys.exit("usage: test_cpu.py run KIND NAME -- CMD... | merge OLD NEW | top N TSV")
