#!/usr/bin/env python3
"""sim_load.py - load and exactly-once check for a gen-topology.sh topology.

  sim_load.py ports N                      a free base port P (P-1 .. P+2N-1 free on 127.0.0.1)
  sim_load.py send DIR --messages M [--unknown F] [--sessions S] [--per-session K] [--seed X]
  sim_load.py check DIR DATA [--wait SECONDS]

send: M messages, each from a random user (DIR/users.txt) to a random user of another
provider, or (fraction F, default 0.05) to a user that does not exist there; submitted to the
sender's own provider over SMTP, S sessions at once, K messages per session. Each message
carries a token (X-Sim-Token: simN); DIR/plan.txt records "TOKEN deliver|bounce SENDER RCPT".
Prints JSON {start, seconds, sent, client_cpu} (client_cpu: this process's CPU seconds).
check: scans every Maildir under DATA (DATA/SERVER/mail/ADDRESS/{new,cur}) until every token
of the plan is accounted for (or SECONDS pass): a delivered copy (in the recipient's mailbox)
or a delivery-status report naming it (Return-Path: <>, in the sender's mailbox). Prints
JSON {delivered, bounced, missing, duplicates, misplaced, end}; exit 0 only when each
token arrived exactly once, as planned, where planned.
"""
import argparse, json, os, random, re, resource, smtplib, socket, sys, threading, time

TOKEN = re.compile(rb"^X-Sim-Token: (sim\d+)\r?$", re.M)


def free_base(n):
    for _ in range(2000):
        base = random.randint(20001, 32767 - 2 * n)
        socks = []
        try:
            for p in range(base - 1, base + 2 * n):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind(("127.0.0.1", p))
            return base
        except OSError:
            pass
        finally:
            for s in socks:
                s.close()
    sys.exit("no free port range of %d" % (2 * n + 1))


def read_users(topdir):
    users = []
    with open(os.path.join(topdir, "users.txt")) as f:
        for line in f:
            addr, pw, server, hostport = line.split()
            host, port = hostport.rsplit(":", 1)
            users.append((addr, server, host, int(port)))
    return users


def send(args):
    rng = random.Random(args.seed)
    users = read_users(args.dir)
    plan = []
    for i in range(args.messages):
        sender = rng.choice(users)
        rcpt = rng.choice(users)
        while rcpt[1] == sender[1] and len(users) > 1 and users[0][1] != users[-1][1]:
            rcpt = rng.choice(users)
        if rng.random() < args.unknown:
            plan.append(("sim%d" % i, "bounce", sender, "nobody%d@%s" % (i, rcpt[0].split("@")[1])))
        else:
            plan.append(("sim%d" % i, "deliver", sender, rcpt[0]))
    with open(os.path.join(args.dir, "plan.txt"), "w") as f:
        for token, fate, sender, rcpt in plan:
            f.write("%s %s %s %s\n" % (token, fate, sender[0], rcpt))
    # one work item: up to K messages of one provider's senders, sent in one session
    by_server = {}
    for item in plan:
        by_server.setdefault(item[2][1], []).append(item)
    work = []
    for items in by_server.values():
        for k in range(0, len(items), args.per_session):
            work.append(items[k:k + args.per_session])
    rng.shuffle(work)
    lock = threading.Lock()
    errors = []
    sent = [0]

    def worker():
        while True:
            with lock:
                if not work:
                    return
                batch = work.pop()
            host, port = batch[0][2][2], batch[0][2][3]
            try:
                with smtplib.SMTP(host, port, "sim-load", timeout=120) as s:
                    for token, _, sender, rcpt in batch:
                        msg = ("From: <%s>\r\nTo: <%s>\r\nSubject: sim %s\r\nX-Sim-Token: %s\r\n"
                               "Message-ID: <%s@sim.load>\r\n\r\nmessage %s from %s to %s\r\n"
                               % (sender[0], rcpt, token, token, token, token, sender[0], rcpt))
                        s.sendmail(sender[0], [rcpt], msg)
                        with lock:
                            sent[0] += 1
            except (OSError, smtplib.SMTPException) as e:
                with lock:
                    errors.append("%s:%d %r" % (host, port, e))

    start = time.time()
    threads = [threading.Thread(target=worker) for _ in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {"start": start, "seconds": time.time() - start, "sent": sent[0],
           "client_cpu": usage.ru_utime + usage.ru_stime}
    if errors:
        out["errors"] = errors[:5]
        print(json.dumps(out))
        sys.exit(1)
    print(json.dumps(out))


def check(args):
    plan = {}
    with open(os.path.join(args.dir, "plan.txt")) as f:
        for line in f:
            token, fate, sender, rcpt = line.split()
            plan[token] = (fate, sender, rcpt)
    seen = {}      # token -> list of (kind, mailbox)
    scanned = set()
    deadline = time.time() + args.wait
    while True:
        for server in os.listdir(args.data):
            mail = os.path.join(args.data, server, "mail")
            if not os.path.isdir(mail):
                continue
            for box in os.listdir(mail):
                for sub in ("new", "cur"):
                    d = os.path.join(mail, box, sub)
                    try:
                        names = os.listdir(d)
                    except OSError:
                        continue
                    for name in names:
                        key = name.split(":")[0]
                        if (box, key) in scanned:
                            continue
                        scanned.add((box, key))
                        with open(os.path.join(d, name), "rb") as f:
                            data = f.read()
                        kind = "bounce" if data.startswith(b"Return-Path: <>") else "deliver"
                        for token in TOKEN.findall(data):
                            seen.setdefault(token.decode(), []).append((kind, box.lower()))
        done = sum(1 for t in plan if t in seen)
        if done == len(plan) or time.time() > deadline:
            break
        time.sleep(0.2)
    end = time.time()
    counts = {"delivered": 0, "bounced": 0, "missing": 0, "duplicates": 0, "misplaced": 0}
    bad = []
    for token, (fate, sender, rcpt) in plan.items():
        got = seen.get(token, [])
        if not got:
            counts["missing"] += 1
            bad.append("%s missing (%s %s -> %s)" % (token, fate, sender, rcpt))
            continue
        if len(got) > 1:
            counts["duplicates"] += 1
            bad.append("%s seen %d times: %r" % (token, len(got), got))
            continue
        kind, box = got[0]
        want_box = rcpt.lower() if fate == "deliver" else sender.lower()
        if kind != fate or box != want_box:
            counts["misplaced"] += 1
            bad.append("%s: %s in %s, planned %s in %s" % (token, kind, box, fate, want_box))
            continue
        counts["delivered" if fate == "deliver" else "bounced"] += 1
    unplanned = [t for t in seen if t not in plan]
    counts["unplanned"] = len(unplanned)
    counts["end"] = end
    counts["problems"] = bad[:10]
    print(json.dumps(counts))
    sys.exit(0 if not bad and not unplanned else 1)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ports")
    p.add_argument("n", type=int)
    p = sub.add_parser("send")
    p.add_argument("dir")
    p.add_argument("--messages", type=int, required=True)
    p.add_argument("--unknown", type=float, default=0.05)
    p.add_argument("--sessions", type=int, default=16)
    p.add_argument("--per-session", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("check")
    p.add_argument("dir")
    p.add_argument("data")
    p.add_argument("--wait", type=float, default=0)
    args = ap.parse_args()
    if args.cmd == "ports":
        print(free_base(args.n))
    elif args.cmd == "send":
        send(args)
    else:
        check(args)


if __name__ == "__main__":
    main()
