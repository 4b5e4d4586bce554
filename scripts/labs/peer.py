#!/usr/bin/env python3
# peer.py - a small stand-in SMTP peer for labs that need a misbehaving server.
#
#   peer.py --port PORT [--rcpt-reply "451 4.7.1 ..."] [--greylist SECONDS]
#           [--stall-after-data N] [--store DIR]
#
# Listens on 127.0.0.1:PORT and speaks just enough ESMTP for the relay (EHLO, MAIL,
# RCPT, DATA, RSET, NOOP, QUIT). --rcpt-reply: every RCPT gets that reply (a 4xx forever
# is a peer that never takes the message). --greylist SECONDS: the first RCPT of each
# (client address, sender, recipient) gets "451 4.7.1 Greylisted", one at least SECONDS
# later passes (then --rcpt-reply, if any, applies). --stall-after-data N: the first N messages
# are read to the final "." and stored, but never answered (the reply is lost: the
# client's timeout has to fire, and it does not know the message was taken). Stored
# messages go to DIR as files N.eml (--store). Prints "ready" on stdout once listening
# and one line per transaction ("stored", "refused", "stalled") to stderr.
import argparse
import os
import socketserver
import sys
import threading
import time

args = None
lock = threading.Lock()
stalls_left = 0
accepted = 0
greylist = {}


def log(text):
    print(time.strftime("%H:%M:%S ") + text, file=sys.stderr, flush=True)


def greylist_passes(client, sender, recipient):
    """Greylisting: the first attempt of a (client, sender, recipient) triple is refused,
    a retry at least --greylist seconds later passes."""
    triple = (client, sender.lower(), recipient.lower())
    now = time.monotonic()
    with lock:
        first = greylist.setdefault(triple, now)
    if now - first >= args.greylist:
        log("greylist: %s %s %s first seen %.1fs ago: passes" % (triple + (now - first,)))
        return True
    log("greylist: %s %s %s first seen %.1fs ago: 451" % (triple + (now - first,)))
    return False


class Session(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        global stalls_left, accepted
        self.say("220 stand-in.peer ESMTP (scripts/labs/peer.py)")
        recipients, sender = [], ""
        for raw in self.rfile:
            line = raw.decode("latin-1").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250 stand-in.peer")
            elif verb == "MAIL":
                recipients = []
                sender = line[10:]
                self.say("250 2.1.0 Ok")
            elif verb == "RCPT":
                if args.greylist is not None and not greylist_passes(self.client_address[0], sender, line[8:]):
                    self.say("451 4.7.1 Greylisted, try again later")
                elif args.rcpt_reply:
                    log("refused %s with %s" % (line[8:], args.rcpt_reply))
                    self.say(args.rcpt_reply)
                else:
                    recipients.append(line[8:])
                    self.say("250 2.1.5 Ok")
            elif verb == "DATA":
                if not recipients:
                    self.say("554 5.5.1 Error: no valid recipients")
                    continue
                self.say("354 End data with <CR><LF>.<CR><LF>")
                data = []
                for body in self.rfile:
                    if body in (b".\r\n", b".\n"):
                        break
                    data.append(body)
                with lock:
                    stall = stalls_left > 0
                    stalls_left -= 1 if stall else 0
                    accepted += 1
                    number = accepted
                if args.store:
                    with open(os.path.join(args.store, "%d.eml" % number), "wb") as f:
                        f.write(b"".join(data))
                if stall:
                    log("stored message %d for %s, then stalled: no reply" % (number, ", ".join(recipients)))
                    # Never answer; hold the connection until the client gives up.
                    while self.rfile.read(1):
                        pass
                    log("the client closed the stalled connection")
                    return
                log("stored message %d for %s and answered 250" % (number, ", ".join(recipients)))
                self.say("250 2.0.0 Ok: stored as %d" % number)
            elif verb == "QUIT":
                self.say("221 2.0.0 Bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.say("250 2.0.0 Ok")
            else:
                self.say("502 5.5.2 Error: command not recognized")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global args, stalls_left
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rcpt-reply")
    parser.add_argument("--stall-after-data", type=int, default=0)
    parser.add_argument("--greylist", type=float)
    parser.add_argument("--store")
    args = parser.parse_args()
    stalls_left = args.stall_after_data
    with Server(("127.0.0.1", args.port), Session) as server:
        print("ready", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
