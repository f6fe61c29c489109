"""The assumptions that decide a difference: its variance across draws, split by parameter.

Across the draws, a scenario's paired difference ``y`` varies with the drawn parameters
and with chance. An additive regression of ``y`` on every drawn parameter, each with
its own cubic polynomial (in its standardised value), is fitted by least squares; a
parameter's **share** is the variance of its own fitted term over the variance of
``y``: the part of the difference it explains on its own, a first-order index in the
sense of Sobol estimated by a metamodel (the regression route to single-parameter
partial EVPI of Strong, Oakley & Brennan 2014 asks the same question of each parameter).
Shares are at least zero and, with the Latin hypercube's nearly uncorrelated columns,
add up to about the regression's R²; the rest is chance and interactions.

A parameter is **salient** (named as deciding a difference) when it explains at least
:data:`SALIENT_SHARE` and dropping its terms worsens the fit beyond chance: the F-test
of the nested regressions, at 5% after a Bonferroni correction over the parameters
drawn. With few draws, chance alone gives every parameter some share; the test keeps it
from being read as a finding.

A Fourier estimator on the same draws (SALib's RBD-FAST) was tried first: at 24 draws it
gave the GP appointment price a quarter of the variance of the difference in GP
appointments, which the price cannot move, and shares adding to well over one; the
regression, on the same draws, gave it 0.2% (p = 0.8) and shares adding to 0.7.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .draws import DrawDesign

__all__ = ["ranking_table", "additive_shares", "salient", "RANKING_COLUMNS", "SALIENT_SHARE"]

RANKING_COLUMNS = ("metric", "scenario", "rank", "parameter", "share", "p_value",
                   "diff_when_low", "diff_when_high", "low", "central", "high", "grade", "origin")
SALIENT_SHARE = 0.05  # a parameter explaining less of the variance is not named as deciding it
LEVEL = 0.05  # the F-test's level, before the Bonferroni correction
MIN_RESIDUAL_DF = 10  # residual degrees of freedom the regression keeps, at least
FIFTH = 0.2  # the tornado's ends: draws with the parameter in its lowest and highest fifth


def _degree(n: int, k: int) -> int:
    """The polynomial degree the draws afford: cubic, else quadratic, else linear, else 0."""
    return next((d for d in (3, 2, 1) if n - 1 - d * k >= MIN_RESIDUAL_DF), 0)


def additive_shares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each column's share of ``var(y)`` and its F-test p-value, from the additive regression.

    Args:
        x: ``n x k`` drawn values (columns that vary).
        y: ``n`` differences.

    Returns:
        ``(shares, p_values)``, or ``None`` when the draws are too few for even a
        linear term per parameter.
    """
    from scipy import stats

    n, k = x.shape
    degree = _degree(n, k)
    if degree == 0 or np.ptp(y) == 0:
        return None
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    design = np.column_stack([np.ones(n)] + [z[:, j] ** p for j in range(k)
                                             for p in range(1, degree + 1)])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    rss = float(((y - design @ beta) ** 2).sum())
    df_res = n - design.shape[1]
    groups = [list(range(1 + j * degree, 1 + (j + 1) * degree)) for j in range(k)]
    gains = _drop_gains(design, beta, groups)
    shares, p_values = np.zeros(k), np.ones(k)
    for j, cols in enumerate(groups):
        shares[j] = float(np.var(design[:, cols] @ beta[cols]) / np.var(y))
        if gains is not None:
            gain = gains[j]
        else:  # a rank-deficient design: refit without the parameter's terms
            reduced = np.delete(design, cols, axis=1)
            b, *_ = np.linalg.lstsq(reduced, y, rcond=None)
            gain = float(((y - reduced @ b) ** 2).sum()) - rss
        if rss <= 1e-12 * float(((y - y.mean()) ** 2).sum()):  # an exact fit
            p_values[j] = 0.0 if gain > 0 else 1.0
        else:
            p_values[j] = float(stats.f.sf((gain / degree) / (rss / df_res), degree, df_res))
    return shares, p_values


def _drop_gains(design: np.ndarray, beta: np.ndarray,
                groups: list[list[int]]) -> list[float] | None:
    """How much the residual sum of squares grows when each group of columns is dropped,
    from the full fit alone: ``beta_g' [(X'X)^-1]_gg^-1 beta_g`` (the extra sum of squares
    of the nested F-test), with ``(X'X)^-1`` from one SVD of the design, in place of a
    refit per group (the same number up to rounding; 256 draws of 50-odd parameters took
    minutes the other way). ``None`` when the design is not of full rank (then only a
    refit gives the nested fit)."""
    _, s, vt = np.linalg.svd(design, full_matrices=False)
    if s[-1] <= s[0] * max(design.shape) * np.finfo(float).eps:
        return None
    inverse = (vt.T / s**2) @ vt  # (X'X)^-1
    gains = []
    for cols in groups:
        b = beta[cols]
        gains.append(max(0.0, float(b @ np.linalg.solve(inverse[np.ix_(cols, cols)], b))))
    return gains


def salient(row, drawn: int) -> bool:
    """Whether a ranking row's parameter may be named as deciding the difference."""
    return bool(row["share"] >= SALIENT_SHARE and row["p_value"] < LEVEL / max(drawn, 1))


def ranking_table(draws: pd.DataFrame, design: "DrawDesign", reference: str,
                  labels: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Per metric and scenario, every drawn parameter by its share, most first.

    Columns :data:`RANKING_COLUMNS`: ``share`` and ``p_value`` from
    :func:`additive_shares`; ``diff_when_low``/``diff_when_high``, the mean difference
    in the draws with the parameter in its lowest/highest fifth (the tornado's bars);
    the parameter's range, evidence grade and where the range came from.
    """
    from .probabilistic import draw_differences

    drawn = design.drawn
    rows = []
    for label in (l for l in labels if l != reference):
        for metric in metrics if drawn else ():
            per_draw = draw_differences(draws, metric, label, reference)
            y = per_draw["diff"].to_numpy(dtype=float)
            x = design.matrix[per_draw["draw"].to_numpy()]
            fit = additive_shares(x, y) if y.size else None
            if fit is None:
                continue
            found = []
            for j, r in enumerate(drawn):
                lo_cut, hi_cut = np.quantile(x[:, j], [FIFTH, 1.0 - FIFTH])
                found.append({"metric": metric, "scenario": label, "parameter": r.path,
                              "share": fit[0][j], "p_value": fit[1][j],
                              "diff_when_low": float(y[x[:, j] <= lo_cut].mean()),
                              "diff_when_high": float(y[x[:, j] >= hi_cut].mean()),
                              "low": r.low, "central": r.central, "high": r.high,
                              "grade": r.grade, "origin": r.origin})
            found.sort(key=lambda f: -f["share"])
            rows += [{**f, "rank": k + 1} for k, f in enumerate(found)]
    return pd.DataFrame(rows, columns=list(RANKING_COLUMNS))
