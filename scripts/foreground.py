#!/usr/bin/env python3
# foreground.py - run a command as the terminal's foreground process group of its own.
#
#   scripts/foreground.py COMMAND [ARG ...]
#
# `make run` would otherwise share the terminal's process group with the topology, so a
# Ctrl-C also reaches make, which dies of SIGINT (status 130) whatever run.sh does. Here
# the command gets its own group and the terminal, so Ctrl-C reaches only it; this
# process gives the terminal back to its own group afterwards and exits with the
# command's status. Without a controlling terminal, or from the background, it just
# runs the command.
import os
import signal
import sys


def main():
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
        ours = os.tcgetpgrp(tty)
    except OSError:
        os.execvp(sys.argv[1], sys.argv[1:])
    if ours != os.getpgrp():
        # started in the background (`make run &`): the terminal is not ours to hand out
        os.close(tty)
        os.execvp(sys.argv[1], sys.argv[1:])
    # Changing the terminal's group from a group that is not (or no longer) in the
    # foreground raises SIGTTOU; the Ctrl-C is for the command, not for us.
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(tty, os.getpgrp())
        os.close(tty)
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execvp(sys.argv[1], sys.argv[1:])
    try:
        os.setpgid(pid, pid)  # also here, so that neither side races the other
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
    os.tcsetpgrp(tty, ours)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: foreground.py COMMAND [ARG ...]")
    main()
