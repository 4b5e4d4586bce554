#!/usr/bin/env python3
"""wait_files.py - the end of a benchmark run whose last step is a file in a directory.

    wait_files.py DIR N SECONDS

Waits until DIR holds N regular files and prints the epoch time the last of them arrived:
the newest inode change time (a delivery's link or rename into DIR sets it), so the end of a
run is exact while the wait polls only every 0.1 s (a find every 20 ms took CPU from the
servers being measured, on 10,000-file directories most of all). Exits 1 after SECONDS,
saying how many arrived. smtp_load.py --wait-dir imports wait_files() from here.
"""
import os
import sys
import time


def wait_files(directory, n, limit):
    """Until DIRECTORY holds N regular files: the newest inode change time among them (epoch s)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            files = [e for e in os.scandir(directory) if e.is_file(follow_symlinks=False)]
        except FileNotFoundError:
            files = []
        if len(files) >= n:
            return max(e.stat(follow_symlinks=False).st_ctime_ns for e in files) / 1e9
        if time.monotonic() > deadline:
            raise TimeoutError("only %d of %d in %s after %ss" % (len(files), n, directory, limit))
        time.sleep(0.1)


if __name__ == "__main__":
    try:
        print("%.6f" % wait_files(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
    except TimeoutError as exc:
        sys.stderr.write("bench: %s\n" % exc)
        sys.exit(1)
