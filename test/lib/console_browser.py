#!/usr/bin/env python3
"""console_browser.py - drives headless Chromium over the DevTools protocol for the web
console's browser test, with the standard library only (HTTP /json for the page's
target, then a minimal WebSocket client for Runtime.evaluate and Page.captureScreenshot).

    console_browser.py --out DIR STEP...

Steps run in order, in one page of one browser:
    init=JS         run JS in every document loaded from now on, before its scripts
    open=URL        load URL and wait until the document has loaded
    wait=JS         poll the expression until it is truthy (WAIT_SECONDS, default 30)
    eval=JS         evaluate it (awaiting a promise) and print the result as JSON
    shot=NAME       save a PNG of the whole page as DIR/NAME.png
    run=COMMAND     run a bash command while the page stays open; fails when it fails

Exit 0 when every step passed, 1 (with the step and the last value) when one failed,
77 when Chromium cannot start (the test then skips, saying so).
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

CANNOT_START = 77
WAIT_SECONDS = float(os.environ.get("WAIT_SECONDS", "30"))
WIDTH = 1280


class WebSocket:
    """RFC 6455 client: enough for one DevTools connection (text frames, masked writes)."""

    def __init__(self, url):
        rest = url.split("://", 1)[1]
        hostport, path = rest.split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket: closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"websocket: handshake refused: {head[:200]!r}")

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("websocket: connection closed")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        head = bytes([0x81])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            data = self._exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("websocket: closed by the browser")
            if opcode == 0x9:  # ping: answer, keep reading
                continue
            message += data
            if b0 & 0x80:
                return message.decode()


class Browser:
    def __init__(self, workdir):
        self.profile = tempfile.mkdtemp(prefix="chromium.", dir=workdir)
        port = free_port()
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise OSError("chromium is not installed")
        self.log = open(os.path.join(workdir, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={self.profile}", f"--remote-debugging-port={port}",
             "--remote-debugging-address=127.0.0.1", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", f"--window-size={WIDTH},900",
             "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        target = None
        while time.time() < deadline and target is None:
            if self.proc.poll() is not None:
                raise OSError(f"chromium exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                    target = pages[0] if pages else None
            except OSError:
                time.sleep(0.2)
        if target is None:
            raise OSError("chromium did not open its DevTools port")
        self.ws = WebSocket(target["webSocketDebuggerUrl"])
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("method") == "Runtime.exceptionThrown":
                print("page exception:", json.dumps(answer["params"]["exceptionDetails"])[:600], file=sys.stderr)
            if answer.get("method") == "Runtime.consoleAPICalled" and answer["params"].get("type") == "error":
                print("console.error:", json.dumps(answer["params"].get("args"))[:600], file=sys.stderr)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate {expression!r}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def open(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete' && location.href !== 'about:blank'")

    def wait(self, expression):
        probe = f"(() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }})()"
        deadline = time.time() + WAIT_SECONDS
        while time.time() < deadline:
            if self.evaluate(probe) is True:
                return
            time.sleep(0.2)
        seen = self.evaluate("document.body ? document.body.innerText.slice(0, 800) : ''")
        raise AssertionError(f"waited {WAIT_SECONDS:.0f}s for {expression}; the page shows: {seen!r}")

    def shot(self, path):
        height = int(self.evaluate("Math.max(document.documentElement.scrollHeight, document.body.scrollHeight, 600)"))
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=min(height, 3000), deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv):
    if len(argv) < 3 or argv[1] != "--out":
        print(__doc__, file=sys.stderr)
        return 64
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    try:
        browser = Browser(out)
    except (OSError, ConnectionError) as error:
        print(f"chromium cannot start: {error}", file=sys.stderr)
        return CANNOT_START
    try:
        for step in argv[3:]:
            verb, _, arg = step.partition("=")
            if verb == "init":
                browser.call("Page.addScriptToEvaluateOnNewDocument", source=arg)
            elif verb == "open":
                browser.open(arg)
            elif verb == "wait":
                browser.wait(arg)
            elif verb == "eval":
                print(json.dumps(browser.evaluate(arg)))
            elif verb == "shot":
                browser.shot(os.path.join(out, f"{arg}.png"))
            elif verb == "run":
                done = subprocess.run(["bash", "-c", arg])
                if done.returncode != 0:
                    raise AssertionError(f"command failed ({done.returncode}): {arg}")
            else:
                raise AssertionError(f"unknown step {step!r}")
        return 0
    except (AssertionError, RuntimeError, ConnectionError) as error:
        print(f"step failed: {error}", file=sys.stderr)
        try:
            browser.shot(os.path.join(out, "failure.png"))
        except Exception:  # the failure itself is what matters; the picture is a bonus
            pass
        return 1
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
