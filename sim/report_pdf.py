"""``--pdf``: the report printed to ``report.pdf`` by a headless Chromium or Chrome.

A board pack wants a PDF. The report's print stylesheet (:mod:`sim.report_page`) lays it
out on landscape A4 with every chart whole on a page; a browser prints it exactly as it
would on screen, charts included, so the PDF is the browser's own print of the page:

    chromium --headless --no-pdf-header-footer --print-to-pdf=report.pdf report.html

which is all ``--pdf`` does (any Chromium-based browser works; the one found first on
``PATH`` of :data:`BROWSERS` is used). Without one, open report.html and print to PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .errors import InputError

__all__ = ["find_browser", "write_pdf", "browser_for", "print_beside", "BROWSERS"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
            "microsoft-edge")
PRINT_SECONDS = 120  # a 2 MB report prints in a few seconds; more means a hung browser


def find_browser() -> str:
    """The browser that prints the PDF.

    Raises:
        InputError: when there is none, saying what to do instead.
    """
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise InputError("command line", "--pdf", "needs Chromium or Google Chrome on PATH "
                     f"(looked for {', '.join(BROWSERS)}); expected one installed, or leave "
                     "out --pdf, open report.html and print it to PDF")


def write_pdf(html_path: Path, pdf_path: Path, browser: str | None = None) -> None:
    """Print ``html_path`` to ``pdf_path`` with a headless browser (see the module)."""
    browser = browser or find_browser()
    args = [browser, "--headless", "--disable-gpu", "--no-pdf-header-footer",
            "--no-first-run", "--disable-background-networking",
            # Plotly draws on load; give the page time to finish before printing.
            "--virtual-time-budget=10000", f"--print-to-pdf={Path(pdf_path).resolve()}",
            Path(html_path).resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    done = subprocess.run(args, capture_output=True, text=True, timeout=PRINT_SECONDS)
    if done.returncode != 0 or not Path(pdf_path).exists():
        raise RuntimeError(f"{browser} could not print {html_path} to PDF: "
                           f"{done.stderr.strip()[-500:]}")


def browser_for(pdf: bool) -> str | None:
    """The browser for ``--pdf``, found before anything runs (exit 2 if there is none)."""
    return find_browser() if pdf else None


def print_beside(folder: Path, browser: str | None) -> None:
    """``report.pdf`` beside ``report.html`` in ``folder``, when there is a browser."""
    if browser is not None:
        write_pdf(Path(folder) / "report.html", Path(folder) / "report.pdf", browser)

