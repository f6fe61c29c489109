"""Helpers of the dashboard's browser tests: the real server, Debian's Chromium, the page.

The server is started as a user starts it (``python run.py dashboard``) on a free
127.0.0.1 port, optionally under a command that wraps it (``strace`` for the privacy
test). Chromium is Debian's, driven by Playwright; ``setup.sh`` installs both.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WEEK = re.compile(r"Week (\d+) of")

browser_needed = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}: setup.sh installs it "
                                        "with apt-get when run as root")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(log_path: Path, wrapper: list[str] = (), env: dict | None = None):
    """``python run.py dashboard`` on a free local port; yields its base URL."""
    check = subprocess.run([sys.executable, "-m", "sim.dashboard_assets", "--check"],
                           cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, "run setup.sh (python -m sim.dashboard_assets):\n" + check.stdout
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([*wrapper, sys.executable, str(ROOT / "run.py"), "dashboard",
                             "--port", str(port)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                            start_new_session=True)  # its own group: see the finally
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"the dashboard exited: {log_path.read_text()}"
            try:
                with urllib.request.urlopen(base, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the dashboard did not answer within 120 s"
            time.sleep(0.25)
        yield base
    finally:
        # The whole process group: under a wrapper (strace -f) ending the wrapper alone
        # left the dashboard it started running after the test.
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        log.close()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


@contextmanager
def chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    playwright.expect.set_options(timeout=30_000)  # 5 s by default: too short on a busy CI box
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class NetLog:
    """Every request and websocket of a browser context; anything not local is a failure."""

    def __init__(self, base: str):
        self.origin = urlsplit(base).netloc
        self.urls: list[str] = []
        self.bad: list[str] = []
        self.errors: list[str] = []

    def attach(self, context):
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("response", lambda r: r.status >= 400 and self.bad.append(f"{r.status} {r.url}"))
        context.on("requestfailed",
                   lambda r: "ERR_ABORTED" not in (r.failure or "") and self.bad.append(
                       f"{r.failure} {r.url}"))
        context.on("page", lambda page: (page.on("websocket", lambda ws: self.urls.append(ws.url)),
                                         page.on("pageerror", lambda e: self.errors.append(str(e)))))
        return self

    def external(self) -> list[str]:
        out = []
        for url in self.urls:
            u = urlsplit(url[len("blob:"):] if url.startswith("blob:") else url)
            if u.scheme in ("data", "about"):
                continue
            if not (u.scheme in ("http", "ws") and u.netloc == self.origin):
                out.append(url)
        return out

    def assert_clean(self):
        assert self.urls, "no requests recorded"
        assert not self.external(), f"the page asked beyond the local server: {self.external()}"
        assert not self.bad, f"failed requests: {self.bad}"
        assert not self.errors, f"errors in the page: {self.errors}"


def open_dashboard(context, url: str):
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    expect(page.locator(".pair-readout")).to_contain_text("Week 0 of", timeout=120_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    return page


def week(page) -> int:
    return int(WEEK.search(page.locator(".pair-readout").inner_text()).group(1))


def wait_week(page, n: int, at_least: bool = False) -> None:
    op = ">=" if at_least else "==="
    page.wait_for_function(
        f"n => {{ const m = (document.querySelector('.pair-readout') || {{}}).innerText"
        f"?.match(/Week (\\d+) of/); return m && +m[1] {op} n; }}", arg=n, timeout=90_000)


def step(page, times: int = 1) -> None:
    """Press Step ``times``, each time waiting for the week to move on."""
    for _ in range(times):
        now = week(page)
        page.get_by_role("button", name="Step", exact=True).click()
        wait_week(page, now + 1)


def play(page, until: int) -> None:
    page.get_by_role("button", name="▶ Play").click()
    wait_week(page, until, at_least=True)


def pause(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="❚❚ Pause").click()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled(timeout=60_000)


def chart_values(page, selector: str, trace: int, points: int) -> list[float]:
    """The y values of one trace of a chart, once it shows ``points`` points."""
    chart = page.locator(f"{selector} .js-plotly-plot").first
    page.wait_for_function(
        "([sel, t, n]) => { const el = document.querySelector(sel + ' .js-plotly-plot');"
        " return el && el.data && el.data[t].x.length >= n; }",
        arg=[selector, trace, points], timeout=90_000)
    return chart.evaluate(f"el => Array.from(el.data[{trace}].y)")


def shots_dir(tmp_path: Path) -> Path:
    """Screenshots go to a temporary folder, or to ``$PLACESIM_SCREENSHOTS`` (docs/img)."""
    folder = Path(os.environ.get("PLACESIM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


FREED = "a pair of models was freed"


def close_and_wait_freed(context, log: Path, timeout: float = 120.0) -> None:
    """Close a browser context and wait until the server has freed every session's models.

    So that the next test does not run while the server closes this one's sessions.
    """
    context.close()
    deadline = time.monotonic() + timeout
    while True:
        freed = [line for line in log.read_text().splitlines() if FREED in line]
        if freed and freed[-1].endswith("; 0 session(s) hold models"):
            return
        assert time.monotonic() < deadline, "the server did not free the closed sessions"
        time.sleep(0.5)
