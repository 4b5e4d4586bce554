#!/usr/bin/env python3
# test_times.py - the times of the tests, for scripts/run-tests.sh and `make test-times`.
#
#   test_times.py boost XML...        Boost.Test XML logs    -> "seconds<TAB>unit<TAB>SUITE<TAB>CASE"
#   test_times.py junit XML...        bats' JUnit reports    -> "seconds<TAB>bats<TAB>FILE<TAB>TEST"
#   test_times.py joblog JOBLOG       GNU parallel's job log of bats' files -> "seconds<TAB>file<TAB>FILE<TAB>(whole file)":
#                                     a file's wall time with its setup_file and teardown_file, which
#                                     bats' own times leave out (run-tests.sh starts the longest first)
#   test_times.py merge OLD NEW       OLD's lines, those of every (kind, file) in NEW replaced by NEW's
#   test_times.py top N TSV           the N slowest tests and the slowest files, for a person
import os
import sys
import xml.etree.ElementTree as ET

import timing_rows


def boost(paths):
    """Boost.Test XML logs (--logger=XML,test_suite,FILE): TestingTime is in microseconds."""
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError):
            continue
        for master in root.findall("TestSuite"):
            for suite in master.findall("TestSuite"):
                for case in suite.iter("TestCase"):
                    us = int(case.findtext("TestingTime") or 0)
                    print("%.3f\tunit\t%s\t%s" % (us / 1e6, suite.get("name"), case.get("name")))


def junit(paths):
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError):
            continue
        junit_cases(root)


def junit_cases(root):
    for suite in root.iter("testsuite"):
        name = os.path.basename(suite.get("name") or "?")
        if not name.endswith(".bats"):
            name += ".bats"
        for case in suite.iter("testcase"):
            print("%.3f\tbats\t%s\t%s" % (float(case.get("time") or 0), name, case.get("name")))


def joblog(path):
    """parallel --joblog: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command; the
    command is run_file DIR SEQ /path/NAME.bats (scripts/run-tests.sh)."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return
    for line in lines:
        cols = line.split("\t")
        if len(cols) < 9:
            continue
        bats = [w for w in cols[8].split() if w.endswith(".bats")]
        if bats:
            print("%.3f\tfile\t%s\t(whole file)" % (float(cols[3]), os.path.basename(bats[-1])))


def read(path):
    return timing_rows.read(path, 4, 3)


def merge(old, new):
    timing_rows.merge(read(old), read(new), lambda r: (r[1], r[2]))


def top(n, path):
    rows = read(path)
    if not rows:
        sys.exit("no test times yet: run make test first")
    whole = sorted((r for r in rows if r[1] == "file"), key=lambda r: -float(r[0]))
    rows = [r for r in rows if r[1] != "file"]
    rows.sort(key=lambda r: -float(r[0]))
    print("slowest %d tests (seconds, kind, file or suite, test):" % n)
    for r in rows[:n]:
        print("%8.2f  %-4s  %-28s %s" % (float(r[0]), r[1], r[2], r[3]))
    if whole:
        print("\nslowest bats files, whole (wall seconds with setup_file, beside the files run with them):")
        for r in whole[:n]:
            print("%8.2f  %s" % (float(r[0]), r[2]))
    files = {}
    for r in rows:
        files[(r[1], r[2])] = files.get((r[1], r[2]), 0.0) + float(r[0])
    print("\nslowest files (seconds, the sum of their tests):")
    for (kind, name), t in sorted(files.items(), key=lambda kv: -kv[1])[:n]:
        print("%8.2f  %-4s  %s" % (t, kind, name))
    total = sum(float(r[0]) for r in rows)
    print("\n%d tests, %.1f s in all (run one after another)" % (len(rows), total))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "boost":
        boost(args)
    elif cmd == "junit":
        junit(args)
    elif cmd == "joblog":
        joblog(args[0])
    elif cmd == "merge":
        merge(args[0], args[1])
    elif cmd == "top":
        top(int(args[0]), args[1])
    else:
        sys.exit("usage: test_times.py boost|junit|joblog|merge|top ...")
