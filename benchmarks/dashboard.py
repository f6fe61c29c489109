"""A room of laptops: how many browser sessions one dashboard server serves — run by hand.

Starts ``python run.py dashboard`` on a free local port and opens 1, 2, ... sessions in
headless Chromium (Playwright, Debian's /usr/bin/chromium), each its own browser
context as a participant's laptop would be, at 20,000 residents. For each number of
sessions it presses Play in all of them and reports, over ``--seconds``:

- weeks/s each session's page shows (how fast the week on screen advances);
- the server's resident memory (RSS), and its growth per session;
- then it closes every tab and reports the memory once the sessions are freed (the
  server says so in its log, ``--free-after`` seconds after a tab closes).

Usage:
    .venv/bin/python benchmarks/dashboard.py                    # 1 to 4 sessions, 15 s each
    .venv/bin/python benchmarks/dashboard.py --sessions 1 2 3 --seconds 20

The browsers run on the same machine as the server, so they take some of its cores
too; in a room they run on the participants' laptops. The load average is printed: on
a shared machine other work slows it all.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WEEK = re.compile(r"Week (\d+) of")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(log_path: Path, free_after: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "SOLARA_KERNEL_CULL_TIMEOUT": f"{free_after}s"}
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "dashboard", "--port",
                               str(port)], cwd=ROOT, stdout=open(log_path, "w"),
                              stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base, timeout=2)
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the dashboard did not start; see {log_path}")
            time.sleep(0.2)


def week(page) -> int:
    return int(WEEK.search(page.locator(".pair-readout").inner_text()).group(1))


def measure(browser, base: str, sessions: int, seconds: float, server_pid: int) -> dict:
    """Open ``sessions`` tabs, play them all for ``seconds``; weeks/s each and memory."""
    from playwright.sync_api import expect

    contexts, pages = [], []
    for _ in range(sessions):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(base)
        expect(page.locator(".pair-readout")).to_contain_text("Week 0 of", timeout=180_000)
        contexts.append(context)
        pages.append(page)
    idle = rss_mb(server_pid)
    for page in pages:
        page.get_by_role("button", name="▶ Play").click()
    time.sleep(3)  # past the first frames
    start = [(time.monotonic(), week(p)) for p in pages]
    time.sleep(seconds)
    end = [(time.monotonic(), week(p)) for p in pages]
    playing = rss_mb(server_pid)
    for page in pages:
        page.get_by_role("button", name="❚❚ Pause").click()
    rates = [(w1 - w0) / (t1 - t0) for (t0, w0), (t1, w1) in zip(start, end)]
    for context in contexts:
        context.close()
    return {"rates": rates, "idle": idle, "playing": playing}


def wait_freed(log_path: Path, count: int, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_path.read_text().count("a pair of models was freed") >= count:
            return True
        time.sleep(0.5)
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--seconds", type=float, default=15.0, help="how long each round plays")
    ap.add_argument("--free-after", type=int, default=5,
                    help="seconds after a tab closes that its session is freed (30 in a room)")
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    log_path = ROOT / "results" / "dashboard-benchmark-server.log"
    log_path.parent.mkdir(exist_ok=True)
    server, base = start_server(log_path, a.free_after)
    freed = 0
    try:
        print(f"server at start: {rss_mb(server.pid):.0f} MB")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu"])
            for n in a.sessions:
                try:
                    r = measure(browser, base, n, a.seconds, server.pid)
                except Exception as exc:  # a page that stops answering ends the benchmark
                    print(f"{n} session(s): a page stopped answering "
                          f"({type(exc).__name__}); the server is past what it serves")
                    break
                freed += n
                ok = wait_freed(log_path, freed)
                after = rss_mb(server.pid)
                rates = ", ".join(f"{x:.1f}" for x in r["rates"])
                print(f"{n} session(s) playing at 20,000 residents: weeks/s each {rates} "
                      f"(slowest {min(r['rates']):.1f}); server memory {r['idle']:.0f} MB "
                      f"open, {r['playing']:.0f} MB playing; after the tabs closed "
                      f"{after:.0f} MB ({'freed' if ok else 'NOT freed'})")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
