# idle_clients.py PORT COUNT - opens COUNT connections to 127.0.0.1:PORT at once, reads
# each one's first line (connects and first lines within 80 s in all: on a starved machine,
# or a slow build such as make tsan's, a server out of descriptors accepts slowly, its
# listen queue fills and the kernel retries the SYNs with back-off; the greetings are slow,
# not missing), prints "greeted=N busy=N silent=N" (busy: a 421 or -ERR first line), then
# holds them open until stdin closes.
import resource, selectors, socket, sys, time

port, count = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
sel = selectors.DefaultSelector()
socks, firsts = [], {}
deadline = time.time() + 80
for _ in range(count):
    s = socket.create_connection(('127.0.0.1', port), timeout=max(1.0, deadline - time.time()))
    s.setblocking(False)
    socks.append(s)
    firsts[s] = b''
    sel.register(s, selectors.EVENT_READ)
pending = set(socks)
while pending and time.time() < deadline:
    for key, _ in sel.select(timeout=0.2):
        s = key.fileobj
        try:
            data = s.recv(512)
        except OSError:
            data = b''
        firsts[s] += data
        if b'\n' in firsts[s] or not data:
            pending.discard(s)
            sel.unregister(s)
greeted = sum(1 for s in socks if firsts[s].startswith((b'220', b'+OK')))
busy = sum(1 for s in socks if firsts[s].startswith((b'421', b'-ERR')))
print('greeted=%d busy=%d silent=%d' % (greeted, busy, count - greeted - busy), flush=True)
sys.stdin.read()
