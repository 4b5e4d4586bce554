#!/usr/bin/env python3
# dns_proxy.py - a UDP stand-in between the providers and mail-dns that can fail one name.
#
#   dns_proxy.py --listen PORT --upstream PORT --mode-file FILE
#
# Forwards every query to mail-dns on 127.0.0.1:UPSTREAM and its reply back, unless FILE
# (read at each query) holds "drop NAME" (the query is never answered: the client times
# out) or "servfail NAME" (RCODE 2, SERVFAIL) for the query's name (case-insensitive, no
# trailing dot). Prints "ready" once listening; logs each failed query on stderr.
import argparse
import socket
import sys
import threading
import time


def question_name(packet):
    labels, pos = [], 12
    while pos < len(packet) and packet[pos] != 0:
        n = packet[pos]
        labels.append(packet[pos + 1:pos + 1 + n].decode("latin-1"))
        pos += 1 + n
    return ".".join(labels).lower(), pos + 5  # end of QNAME's 0, QTYPE, QCLASS


def servfail(query):
    _, end = question_name(query)
    flags = 0x8000 | (query[2] & 0x79) << 8 | 0x80 | 2  # QR, opcode and RD kept, RA, SERVFAIL
    return query[:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00" + query[12:end]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--mode-file", required=True)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.listen))
    print("ready", flush=True)

    def forward(query, client):
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(query, ("127.0.0.1", args.upstream))
            sock.sendto(up.recv(65535), client)
        except OSError:
            pass
        finally:
            up.close()

    while True:
        query, client = sock.recvfrom(65535)
        if len(query) < 12:
            continue
        try:
            with open(args.mode_file) as f:
                mode = f.read().split()
        except OSError:
            mode = []
        name, _ = question_name(query)
        if len(mode) == 2 and name == mode[1].lower().rstrip("."):
            print(time.strftime("%H:%M:%S ") + "%s for %s" % (mode[0], name), file=sys.stderr, flush=True)
            if mode[0] == "servfail":
                sock.sendto(servfail(query), client)
            continue
        threading.Thread(target=forward, args=(query, client), daemon=True).start()


if __name__ == "__main__":
    main()
