"""Speed of the workshop dashboard, live in a browser — run by hand, never as a timed test.

Starts ``python run.py dashboard`` on a free local port, opens it in headless Chromium
(Playwright, Debian's /usr/bin/chromium), presses Play and watches the page for a while.
Reports, at the default 20,000 residents with both models stepping:

- weeks/s the server steps while playing (the rate the page's status line shows,
  measured in the server from its own step times);
- weeks/s the browser sees (how fast the week on screen advances);
- how long Pause takes to answer (a page that cannot keep up stops answering);
- for comparison, in this process without a browser: the pair alone, and the pair
  plus one redraw of the side-by-side view per week.

Usage:
    .venv/bin/python benchmarks/dashboard.py                       # 20 s of Play
    .venv/bin/python benchmarks/dashboard.py --seconds 30 --render-steps 3
    .venv/bin/python benchmarks/dashboard.py --play-ms 21          # Mesa's play interval

The machine's load average is printed too: on a shared box other work slows it all.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
READOUT = re.compile(r"Week (\d+) of \d+.*?(?:· ([\d.]+) weeks/s)?$")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(weeks: int = 40) -> tuple[float, float]:
    """Weeks/s of the pair alone, and with the side-by-side view redrawn every week."""
    import solara
    from mesa.visualization.utils import update_counter

    from sim.dashboard import Workshop
    from sim.dashboard_pair import PairModel

    model = PairModel()
    for _ in range(5):
        model.step()
    t0 = time.perf_counter()
    for _ in range(weeks):
        model.step()
    alone = weeks / (time.perf_counter() - t0)
    solara.render(Workshop(model), handle_error=False)
    t0 = time.perf_counter()
    for _ in range(weeks):
        model.step()
        update_counter.value += 1  # what SolaraViz's Play does after each step
    drawn = weeks / (time.perf_counter() - t0)
    return alone, drawn


def set_slider(page, label: str, presses: int) -> None:
    """Move one of SolaraViz's sliders from its minimum by ``presses`` steps."""
    slider = page.locator(f"[role=slider][aria-label='{label}']")
    slider.focus()
    slider.press("Home")
    for _ in range(presses):
        slider.press("ArrowRight")


def in_browser(seconds: float, play_ms: int, render_steps: int) -> dict:
    """Play the dashboard in Chromium for ``seconds``; sample the status line."""
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(ROOT / "results" / "dashboard-benchmark-server.log", "w")
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "dashboard", "--port",
                               str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the dashboard did not start; see results/"
                                     "dashboard-benchmark-server.log")
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(base)
            readout = page.locator(".pair-readout")
            expect(readout).to_contain_text("Week 0", timeout=60_000)
            # SolaraViz's sliders: play interval 1, 11, 21 ... ms; render interval 1, 3, 5 ...
            set_slider(page, "Play Interval (ms)", (play_ms - 1) // 10)
            set_slider(page, "Render Interval (steps)", (render_steps - 1) // 2)
            page.get_by_role("button", name="▶", exact=True).click()
            samples = []
            t_end = time.monotonic() + seconds
            while time.monotonic() < t_end:
                m = READOUT.search(readout.inner_text())
                if m:
                    samples.append((time.monotonic(), int(m.group(1)),
                                    float(m.group(2)) if m.group(2) else 0.0))
                time.sleep(0.5)
            t0 = time.monotonic()
            page.get_by_role("button", name="❚❚", exact=True).click()
            expect(page.get_by_role("button", name="▶", exact=True)).to_be_visible(timeout=120_000)
            pause_latency = time.monotonic() - t0
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    warm = [s for s in samples if s[0] - samples[0][0] >= 3.0 and s[2] > 0] or samples
    seen = (warm[-1][1] - warm[0][1]) / max(warm[-1][0] - warm[0][0], 1e-9) if len(warm) > 1 else 0.0
    return {"server": statistics.median(s[2] for s in warm) if warm else 0.0,
            "browser": seen, "pause_latency": pause_latency, "last_week": samples[-1][1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to play (default 20)")
    ap.add_argument("--play-ms", type=int, default=1, help="SolaraViz play interval (1, 11, 21 ...)")
    ap.add_argument("--render-steps", type=int, default=1,
                    help="SolaraViz render interval: weeks per redraw (1, 3, 5 ...)")
    a = ap.parse_args(argv)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    alone, drawn = in_process()
    print(f"in this process, 20,000 residents, both models: {alone:.1f} weeks/s stepping alone, "
          f"{drawn:.1f} weeks/s with the side-by-side view redrawn every week")
    r = in_browser(a.seconds, a.play_ms, a.render_steps)
    print(f"in Chromium (play interval {a.play_ms} ms, a redraw every {a.render_steps} week(s)): "
          f"server steps {r['server']:.1f} weeks/s; the page shows {r['browser']:.1f} weeks/s; "
          f"reached week {r['last_week']} in {a.seconds:.0f} s; Pause answered in "
          f"{r['pause_latency']:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
