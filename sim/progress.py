"""Terminal output: progress bars and summary tables."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pandas as pd

from .metrics import HEADLINE

__all__ = ["progress_bar", "print_summary"]


@contextlib.contextmanager
def progress_bar(total: int, label: str, quiet: bool = False) -> Iterator:
    """A tqdm bar on stderr (silent when quiet or when stderr is not a terminal)."""
    from tqdm import tqdm

    disable = quiet or not sys.stderr.isatty()
    with tqdm(total=total, desc=label, unit="wk", disable=disable, file=sys.stderr,
              dynamic_ncols=True, leave=False) as bar:
        yield bar


def print_summary(summary: pd.DataFrame, title: str) -> None:
    """Headline metrics: mean over replicates, and min..max when there are several."""
    print(title)
    width = max(len(k) for k in HEADLINE)
    for key in HEADLINE:
        if key not in summary:
            continue
        col = summary[key]
        spread = f"   ({col.min():.3g} .. {col.max():.3g})" if len(col) > 1 else ""
        print(f"  {key:<{width}}  {col.mean():>12.4g}{spread}")
