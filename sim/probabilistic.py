"""The probabilistic reading of a comparison: across plausible worlds, how often and by how much.

For each metric and scenario against the reference, the draws give one paired
difference per plausible world (the mean over the draw's replicates of scenario minus
reference on the same seed). From them:

- ``q025``, ``q05``, ``q50``, ``q95``, ``q975``: quantiles of that difference across
  draws: the 90% and 95% ranges of what the difference is in one place over the
  horizon, with what we don't know about the parameters (parametric) and the
  run-to-run chance of one place (stochastic) both in;
- ``p_higher``: the share of draws in which the scenario is higher than the
  reference, and ``p_better`` the share in which it is better, where a metric has a
  direction (:data:`BETTER`: lower demand, cost, dependence, loneliness; higher
  activation, wellbeing, community); ties count as not better;
- ``share_stochastic``, ``share_parametric``: how the difference's variance splits
  between chance and the parameters. The stochastic part is the variance of a
  paired difference at fixed parameters, pooled over the seeds-only replicates at
  central values and the replicates within draws (when a draw has two or more);
- the ranking of the assumptions that decide it (:mod:`sim.ranking`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .compare import Comparison
    from .draws import DrawDesign

__all__ = ["BETTER", "better_direction", "draw_differences", "probabilistic_table",
           "ProbabilisticComparison", "read_probabilistic", "PROBABILISTIC_COLUMNS", "QUANTILES"]

QUANTILES = {"q025": 0.025, "q05": 0.05, "q50": 0.5, "q95": 0.95, "q975": 0.975}
PROBABILISTIC_COLUMNS = ("draws", "p_better", "p_higher", *QUANTILES, "share_stochastic",
                         "share_parametric", "top_assumption")
# Which way is better, for the metrics that have a direction; the rest have none
# (screening tests, referrals, births ...). One place, read by p_better and the report.
BETTER: dict[str, str] = {
    **{m: "lower" for m in (
        "gp_appointments_per_1000", "ae_attendances_per_1000", "emergency_admissions_per_1000",
        "outpatient_attendances_per_1000", "unmet_need_per_1000", "cost_per_capita",
        "activity_cost_per_capita", "mean_dependence", "high_dependence_share", "lonely_share",
        "low_need_service_share", "gp_requests_per_1000", "minor_to_gp_share",
        "ae_after_failed_gp_share", "pam_level1_share_ltc", "deaths_per_1000",
        "multimorbidity_share")},
    **{m: "higher" for m in (
        "mean_activation", "mean_wellbeing", "group_members", "group_members_per_1000",
        "group_members_share", "movement_participants", "movement_participants_per_1000",
        "movement_share", "community_groups", "pam_level4_share_ltc")},
}


def better_direction(metric: str) -> str:
    """``"lower"``, ``"higher"`` or ``""`` (no direction) for a metric."""
    for suffix in ("_q1", "_q5"):  # a deprived fifth's measure reads as the whole place's
        if metric.endswith(suffix):
            metric = metric[:-3]
    if metric in BETTER:
        return BETTER[metric]
    if metric.startswith("gp_requests_") or (metric.startswith("cost_")
                                             and metric.endswith("_per_capita")):
        return "lower"
    return ""


def draw_differences(draws: pd.DataFrame, metric: str, label: str,
                     reference: str) -> pd.DataFrame:
    """Per draw: the mean paired difference (``diff``) and its within-draw variance.

    Failed runs are left out; a draw without a finite pair is dropped.

    Returns:
        Columns ``draw``, ``diff``, ``within_var`` (variance over the draw's
        replicates, NaN with one), ``n`` (pairs), in draw order.
    """
    ok = draws["error"].isna()
    cols = ["draw", "replicate", metric]
    a = draws.loc[ok & (draws["scenario"] == reference), cols]
    b = draws.loc[ok & (draws["scenario"] == label), cols]
    both = a.merge(b, on=["draw", "replicate"], suffixes=("_a", "_b"))
    both["d"] = both[f"{metric}_b"] - both[f"{metric}_a"]
    both = both[np.isfinite(both["d"])]
    grouped = both.groupby("draw", sort=True)["d"]
    return pd.DataFrame({"diff": grouped.mean(), "within_var": grouped.var(ddof=1),
                         "n": grouped.size()}).reset_index()


def _stochastic_variance(per_draw: pd.DataFrame, central_diffs: np.ndarray) -> float:
    """Variance of one draw's mean difference from chance alone.

    The variance of one replicate's paired difference at fixed parameters, pooled (by
    degrees of freedom) over the seeds-only replicates at central values and the
    replicates within each draw that has two or more; divided by the replicates a
    draw averages.
    """
    x = central_diffs[np.isfinite(central_diffs)]
    df = [x.size - 1] if x.size >= 2 else []
    sums = [float(np.var(x, ddof=1)) * (x.size - 1)] if x.size >= 2 else []
    within = per_draw[per_draw["n"] >= 2]
    df += list(within["n"] - 1)
    sums += list(within["within_var"] * (within["n"] - 1))
    if not df or not len(per_draw):
        return math.nan
    return float(np.sum(sums) / np.sum(df)) / float(per_draw["n"].mean())


def _row(per_draw: pd.DataFrame, metric: str, central_diffs: np.ndarray, drawn: bool) -> dict:
    y = per_draw["diff"].to_numpy(dtype=float)
    row: dict = {"draws": int(y.size)}
    if y.size == 0:
        return row
    row.update({k: float(np.quantile(y, q)) for k, q in QUANTILES.items()})
    row["p_higher"] = float(np.mean(y > 0))
    direction = better_direction(metric)
    row["p_better"] = (float(np.mean(y < 0)) if direction == "lower"
                       else float(np.mean(y > 0)) if direction == "higher" else math.nan)
    total = float(np.var(y, ddof=1)) if y.size >= 2 else math.nan
    if not drawn and total > 0:
        row.update(share_stochastic=1.0, share_parametric=0.0)  # nothing was drawn
    elif total > 0:
        stochastic = min(1.0, _stochastic_variance(per_draw, central_diffs) / total)
        row.update(share_stochastic=stochastic, share_parametric=1.0 - stochastic)
    return row


def probabilistic_table(central: "Comparison", draws: pd.DataFrame, design: "DrawDesign",
                        ranking: pd.DataFrame | None = None) -> pd.DataFrame:
    """``comparison.csv`` with the draws' columns (:data:`PROBABILISTIC_COLUMNS`) added.

    Args:
        central: the seeds-only comparison at central values (its columns come first).
        draws: the draws' rows (:func:`sim.draws.draws_frame`).
        design: the draws' design.
        ranking: :func:`sim.ranking.ranking_table`, for ``top_assumption`` (the
            parameter that explains most of the difference's variance, if salient).
    """
    from .compare import _paired
    from .ranking import salient

    table = central.table.copy()
    extra = []
    for _, base in table.iterrows():
        metric, label = base["metric"], base["scenario"]
        row = {c: math.nan for c in PROBABILISTIC_COLUMNS}
        row["top_assumption"] = ""
        if label == central.reference or metric not in draws:
            row["draws"] = int(draws.loc[draws["scenario"] == label, "draw"].nunique())
            extra.append(row)
            continue
        per_draw = draw_differences(draws, metric, label, central.reference)
        pair = _paired(central.runs[central.reference].result.summary[["seed", metric]],
                       central.runs[label].result.summary[["seed", metric]])
        row.update(_row(per_draw, metric, (pair[f"{metric}_b"] - pair[f"{metric}_a"]).to_numpy(),
                        bool(design.drawn)))
        if ranking is not None and len(ranking):
            top = ranking[(ranking["metric"] == metric) & (ranking["scenario"] == label)]
            if len(top) and salient(top.iloc[0], len(design.drawn)):
                row["top_assumption"] = top["parameter"].iloc[0]
        extra.append(row)
    return pd.concat([table, pd.DataFrame(extra, columns=list(PROBABILISTIC_COLUMNS))], axis=1)


@dataclass
class ProbabilisticComparison:
    """A comparison across plausible worlds (``sim.compare(..., draws=N)``).

    Attributes:
        central: the seeds-only :class:`~sim.compare.Comparison` at central values
            (the mechanism reading, time series and intervals over seeds).
        draws: a row per draw x scenario x replicate (``draws.parquet``).
        design: the draws' design (ranges, values, seeds).
        table: ``comparison.csv``: the central table with the draws' columns.
        ranking: the assumptions that decide each difference (``ranking.csv``).
    """

    central: "Comparison"
    draws: pd.DataFrame
    design: "DrawDesign"
    table: pd.DataFrame
    ranking: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        """Scenario labels, reference first."""
        return self.central.labels

    @property
    def reference(self) -> str:
        """The scenario the differences are taken from."""
        return self.central.reference

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: a row per metric and scenario (``comparison.csv``)."""
        return self.table.copy()

    def differences(self, metric: str, label: str | None = None) -> np.ndarray:
        """Per draw, the paired difference of ``metric`` (scenario minus reference)."""
        label = label or self.labels[1]
        return draw_differences(self.draws, metric, label, self.reference)["diff"].to_numpy()

    def plot(self, metrics: Sequence[str] | None = None, label: str | None = None):
        """A Plotly figure: each headline difference's distribution across draws, zero marked."""
        from .report_uncertainty import distribution_figure

        return distribution_figure(self, metrics, label)

    def tornado(self, metric: str = "gp_appointments_per_1000", label: str | None = None,
                top: int = 8):
        """A Plotly tornado of the assumptions that decide one difference."""
        from .report_uncertainty import tornado_figure

        return tornado_figure(self, metric, label, top)


def read_probabilistic(result: ProbabilisticComparison,
                       metrics: Sequence[str] | None = None) -> dict[str, list[str]]:
    """A plain-English reading of the draws: scenario label -> paragraphs."""
    from .compare import HEADLINE_READ, fmt, words

    metrics = list(metrics or HEADLINE_READ)
    n, k = result.design.draws, len(result.design.drawn)
    out = {}
    for label in result.labels[1:]:
        lines = []
        for m in metrics:
            hit = result.table[(result.table["metric"] == m) & (result.table["scenario"] == label)]
            if not len(hit) or not np.isfinite(hit["q50"].iloc[0]):
                continue
            row = hit.iloc[0]
            how = (f"{words(m)[0]}: {fmt(m, row.q50, True)}{words(m)[1]} (median; 90% of "
                   f"worlds {fmt(m, row.q05, True)} to {fmt(m, row.q95, True)})")
            if np.isfinite(row.p_better):
                how += f", better in {row.p_better:.0%} of worlds"
            if row.top_assumption:
                how += f", decided most by {row.top_assumption}"
            lines.append(how)
        intro = (f"{label} against {result.reference} across {n} plausible worlds "
                 f"({k} uncertain parameter{'s' if k != 1 else ''} drawn"
                 + (", none: only chance varies" if not k else "") + ").")
        out[label] = [intro, "; ".join(lines) + "." if lines else "", _read_ranking(result, label)]
        out[label] = [p for p in out[label] if p]
    return out


def _read_ranking(result: ProbabilisticComparison, label: str,
                  metric: str = "gp_appointments_per_1000") -> str:
    from .compare import words
    from .ranking import SALIENT_SHARE, salient

    rank = result.ranking[(result.ranking["scenario"] == label)
                          & (result.ranking["metric"] == metric)]
    if not len(rank):
        return ""
    named = rank.apply(salient, axis=1, drawn=len(result.design.drawn)).astype(bool)
    hinge, barely = rank[named], rank[~named & (rank["share"] < SALIENT_SHARE)]
    text = f"The difference in {words(metric)[0]} "
    if len(hinge):
        text += "hinges on " + ", ".join(f"{p} ({s:.0%} of its variance)" for p, s in
                                         zip(hinge["parameter"].head(3), hinge["share"].head(3)))
    else:
        text += "is not decided by any one drawn parameter"
    if len(barely):
        text += "; it barely depends on " + ", ".join(barely["parameter"].tail(3))
    return text + "."
