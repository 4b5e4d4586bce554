#!/usr/bin/env python3
"""console_browser.py - drives headless Chromium over the DevTools protocol for the web
console's browser test, with the standard library only (HTTP /json/version for the
browser's DevTools socket, then a minimal WebSocket client for Target.createTarget,
Runtime.evaluate and Page.captureScreenshot).

    console_browser.py --out DIR [--browser=FILE] STEP...
    console_browser.py serve --out DIR --ready=FILE

Steps run in order, in one new page, in a browser context of its own (no cookies,
storage or cache from another run): of a Chromium started for this run, or with
--browser=FILE of the one `serve` started, which keeps running until SIGTERM and writes
its DevTools port to FILE once it answers ("cannot start: WHY" when it cannot). A bats
file starts one browser for all its tests: a Chromium start costs seconds of CPU. Steps:
    init=JS         run JS in every document loaded from now on, before its scripts
    open=URL        load URL and wait until the document has loaded
    wait=JS         poll the expression until it is truthy (WAIT_SECONDS, default 30)
    eval=JS         evaluate it (awaiting a promise) and print the result as JSON
    shot=NAME       save a PNG of the whole page as DIR/NAME.png (none when the environment
                    has CONSOLE_SHOTS=0: a full-page PNG costs a second of CPU; a failed
                    step's failure.png is saved all the same)
    run=COMMAND     run a bash command while the page stays open; fails when it fails

Exit 0 when every step passed, 1 (with the step and the last value) when one failed,
77 when Chromium cannot start (the test then skips, saying so).
"""
import base64
import json
import os
import shutil
import signal
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


class Chromium:
    """A headless Chromium with its DevTools port open on 127.0.0.1."""

    def __init__(self, workdir):
        self.profile = tempfile.mkdtemp(prefix="chromium.", dir=workdir)
        self.port = free_port()
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise OSError("chromium is not installed")
        self.log = open(os.path.join(workdir, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={self.profile}", f"--remote-debugging-port={self.port}",
             "--remote-debugging-address=127.0.0.1", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", f"--window-size={WIDTH},900",
             # background work no page of the console asks for: component and safe-browsing
             # updates, sync, default apps, translate, metrics, crash reports, audio
             "--disable-component-update", "--disable-sync", "--disable-default-apps",
             "--disable-client-side-phishing-detection", "--disable-breakpad", "--metrics-recording-only",
             "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
             "--mute-audio", "--password-store=basic",
             "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise OSError(f"chromium exited with {self.proc.returncode}")
            try:
                browser_url(self.port)
                return
            except OSError:
                if time.time() >= deadline:
                    raise OSError("chromium did not open its DevTools port")
                time.sleep(0.2)

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def browser_url(port):
    """The browser-wide DevTools WebSocket of the Chromium on port."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2) as r:
        return json.load(r)["webSocketDebuggerUrl"]


class DevTools:
    """One DevTools connection (the browser's or a page's): commands, and the page's
    exceptions and console errors printed as they come."""

    def __init__(self, url):
        self.ws = WebSocket(url)
        self.next_id = 0

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
        self.ws.sock.close()


class Page(DevTools):
    """A page of its own in a browser context of its own (no cookies, storage or cache
    shared with another page) of the Chromium on port."""

    def __init__(self, port):
        self.browser = DevTools(browser_url(port))
        self.context = self.browser.call("Target.createBrowserContext")["browserContextId"]
        self.target = self.browser.call("Target.createTarget", url="about:blank", browserContextId=self.context)["targetId"]
        super().__init__(f"ws://127.0.0.1:{port}/devtools/page/{self.target}")
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=900, deviceScaleFactor=1, mobile=False)

    def close(self):
        try:
            super().close()
            self.browser.call("Target.closeTarget", targetId=self.target)
            self.browser.call("Target.disposeBrowserContext", browserContextId=self.context)
        finally:
            self.browser.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(out, ready):
    """Starts Chromium for the steps of later runs (--browser), writes its DevTools port to
    the file ready ("cannot start: WHY" when it cannot), and keeps it until SIGTERM."""
    try:
        chromium = Chromium(out)
    except (OSError, ConnectionError) as error:
        with open(ready, "w") as f:
            f.write(f"cannot start: {error}\n")
        return CANNOT_START
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with open(ready + ".new", "w") as f:
            f.write(f"{chromium.port}\n")
        os.rename(ready + ".new", ready)
        chromium.proc.wait()
        return 1  # Chromium ended before it was asked to
    finally:
        chromium.close()


def main(argv):
    if len(argv) == 5 and argv[1] == "serve" and argv[2] == "--out" and argv[4].startswith("--ready="):
        os.makedirs(argv[3], exist_ok=True)
        return serve(argv[3], argv[4].split("=", 1)[1])
    if len(argv) < 3 or argv[1] != "--out":
        print(__doc__, file=sys.stderr)
        return 64
    out, steps = argv[2], argv[3:]
    os.makedirs(out, exist_ok=True)
    chromium = None
    try:
        if steps and steps[0].startswith("--browser="):
            with open(steps.pop(0).split("=", 1)[1]) as f:
                port = f.read().strip()
            if not port.isdigit():
                raise OSError(port)
            port = int(port)
        else:
            chromium = Chromium(out)
            port = chromium.port
        page = Page(port)
    except (OSError, ConnectionError) as error:
        print(f"chromium cannot start: {error}", file=sys.stderr)
        if chromium:
            chromium.close()
        return CANNOT_START
    try:
        for step in steps:
            verb, _, arg = step.partition("=")
            if verb == "init":
                page.call("Page.addScriptToEvaluateOnNewDocument", source=arg)
            elif verb == "open":
                page.open(arg)
            elif verb == "wait":
                page.wait(arg)
            elif verb == "eval":
                print(json.dumps(page.evaluate(arg)))
            elif verb == "shot":
                if os.environ.get("CONSOLE_SHOTS", "1") != "0":
                    page.shot(os.path.join(out, f"{arg}.png"))
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
            page.shot(os.path.join(out, "failure.png"))
        except Exception:  # the failure itself is what matters; the picture is a bonus
            pass
        return 1
    finally:
        try:
            page.close()
        finally:
            if chromium:
                chromium.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
