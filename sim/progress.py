"""Terminal output: progress bars and summary tables."""

from __future__ import annotations

import contextlib
import shutil
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence

import pandas as pd

from .metrics import HEADLINE

__all__ = ["progress_bar", "ProgressLines", "print_summary", "print_comparison", "print_paragraphs"]


@contextlib.contextmanager
def progress_bar(total: int, label: str, quiet: bool = False, unit: str = "wk") -> Iterator:
    """Progress on stderr: a tqdm bar on a terminal, else a line every few percent with the
    time left (a log file or a CI job shows progress too); nothing when quiet.

    Args:
        total: steps in all (e.g. scenarios x replicates x weeks).
        label: what is running; callers may update it with ``bar.set_description``.
        unit: what one step is (default: a simulated week).
    """
    if not quiet and not sys.stderr.isatty():
        yield ProgressLines(total, label)
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit=unit, disable=quiet, file=sys.stderr,
              dynamic_ncols=True, leave=False, mininterval=0.25) as bar:
        yield bar


class ProgressLines:
    """tqdm's ``update`` and ``set_description`` as plain lines: one every
    :attr:`STEP` of the work, each with the share done, the time taken and an ETA."""

    STEP = 0.05  # a line every 5% of the work

    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label, self.n = max(int(total), 1), label, 0
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.next_share = self.STEP

    def set_description(self, desc: str, refresh: bool = False) -> None:
        self.label = desc

    def update(self, n: int = 1) -> None:
        self.n += n
        share = self.n / self.total
        if share + 1e-12 < self.next_share and self.n < self.total:
            return
        while self.next_share <= share + 1e-12:
            self.next_share += self.STEP
        spent = time.perf_counter() - self.started
        left = spent * (1.0 - share) / share if share else float("nan")
        print(f"{self.label}: {share:4.0%} done, {_clock(spent)} so far, about {_clock(left)} "
              "left", file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    """Seconds as ``42 s`` or ``3 min 05 s``."""
    if seconds != seconds:  # NaN
        return "?"
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows of text as aligned columns: the first left-aligned, the rest right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, rows)])


def _pm(mean: float, low: float, high: float, metric: str, signed: bool = False) -> str:
    """``mean ±half`` of a t-interval (plain mean when there is no interval)."""
    from .compare import fmt

    text = fmt(metric, mean, signed)
    if pd.notna(low) and pd.notna(high):
        text += " ±" + fmt(metric, (high - low) / 2.0, signed).lstrip("+")
    return text


def print_summary(summary: pd.DataFrame, title: str) -> None:
    """Headline metrics: mean ±95% CI half-width over replicates, and the range."""
    from .compare import fmt, t_interval

    rows = []
    for key in HEADLINE:
        if key not in summary:
            continue
        mean, _, lo, hi, n = t_interval(summary[key])
        spread = f"{fmt(key, summary[key].min())} .. {fmt(key, summary[key].max())}" \
            if n > 1 else ""
        rows.append((key, _pm(mean, lo, hi, key), spread))
    print(title)
    print(_table(("metric (final year)", "mean ±95% CI", "range over replicates"), rows))


TABLE_WIDTH = 100  # columns: the terminal table fits a 100-column terminal


def print_comparison(comp, metrics: Sequence[str] = HEADLINE) -> None:
    """Per headline metric: each scenario's mean and its paired difference from the first.

    A ``*`` marks a difference whose 95% interval excludes zero. When the table of every
    scenario would be wider than :data:`TABLE_WIDTH`, each scenario gets its own table
    beside the reference.
    """
    table = _comparison_table(comp, comp.labels, metrics)
    if max(len(line) for line in table.splitlines()) <= TABLE_WIDTH or len(comp.labels) < 3:
        print(table)
    else:
        for label in comp.labels[1:]:
            print(_comparison_table(comp, [comp.reference, label], metrics))
            print()
    print("mean ±95% CI half-width over replicates; differences paired by seed; "
          "* = beyond simulation noise")


def _comparison_table(comp, labels: Sequence[str], metrics: Sequence[str]) -> str:
    from .compare import is_clear

    header = ["metric (final year)"]
    for label in labels:
        header.append(label)
        if label != comp.reference:
            header.append(f"{label} - {comp.reference}")
    rows = []
    for m in metrics:
        if m not in set(comp.table["metric"]):
            continue
        cells = [m]
        for label in labels:
            row = comp.row(m, label)
            cells.append(_pm(row["mean"], row["ci_low"], row["ci_high"], m))
            if label != comp.reference:
                mark = " *" if is_clear(row["diff_ci_low"], row["diff_ci_high"]) else "  "
                cells.append(_pm(row["diff"], row["diff_ci_low"], row["diff_ci_high"], m,
                                 signed=True) + mark)
        rows.append(cells)
    return _table(header, rows)


def print_paragraphs(paragraphs: Sequence[str]) -> None:
    """Plain-English paragraphs wrapped to the terminal."""
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    for p in paragraphs:
        print(textwrap.fill(p, width=width))
        print()
