"""Sensitivity indices of a sweep's outputs, computed by SALib.

Sobol designs give first-order (``S1``) and total (``ST``) indices with their
confidence intervals (Saltelli 2010 estimators, bootstrap intervals); Morris designs
give ``mu``, ``mu_star`` (mean absolute elementary effect, with its interval) and
``sigma`` (Morris 1991; Campolongo et al. 2007); SALib measures an elementary effect
per the parameter's whole range, so ``mu_star`` is in the output's unit: the mean
absolute change in the output for a move from one bound to the other. An output is the mean over a design
point's replicates, so replicates average out run-to-run noise before the analysis.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["sensitivity_table", "write_sensitivity", "CONF_LEVEL"]

CONF_LEVEL = 0.95  # confidence level of the bootstrap intervals
RESAMPLES = 200  # bootstrap resamples (SALib's default is 100; more steadies the intervals)

SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["output", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]


def point_means(sweep, runs: pd.DataFrame) -> pd.DataFrame:
    """Outputs averaged over each point's replicates, one row per design point, in order.

    A point with any failed replicate is NaN: SALib's estimators need every point.
    """
    outputs = list(sweep.outputs)
    frame = runs[["point", *outputs]].copy()
    frame.loc[runs["error"].notna(), outputs] = np.nan
    means = frame.groupby("point")[outputs].agg(lambda s: s.mean(skipna=False))
    return means.reindex(range(len(sweep.points)))


def sensitivity_table(sweep, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Indices of every output to every parameter, or ``None`` for grid and LHS designs.

    Args:
        sweep: the :class:`~sim.sweep.Sweep`.
        runs: its complete runs (see :func:`sim.sweep.read_runs`).

    Returns:
        Long table: ``output, parameter`` and the design's index columns. An output
        with failed runs or no variance gets NaN indices (and a ``note``).
    """
    if sweep.design not in ("sobol", "morris"):
        return None
    from SALib.analyze import morris, sobol

    problem = sweep.problem()
    means = point_means(sweep, runs)
    rows = []
    for output in sweep.outputs:
        y = means[output].to_numpy(dtype=float)
        note = ""
        if not np.all(np.isfinite(y)):
            note = "runs failed or are missing; no indices"
        elif np.ptp(y) == 0:
            note = "output does not vary; no indices"
        if note:
            for name in problem["names"]:
                rows.append({"output": output, "parameter": name, "note": note})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if sweep.design == "sobol":
                res = sobol.analyze(problem, y, calc_second_order=False, conf_level=CONF_LEVEL,
                                    num_resamples=RESAMPLES, seed=sweep.seed)
                keys = SOBOL_COLUMNS[2:]
            else:
                res = morris.analyze(problem, sweep.matrix, y, conf_level=CONF_LEVEL,
                                     num_resamples=RESAMPLES, num_levels=sweep.levels,
                                     seed=sweep.seed)
                keys = MORRIS_COLUMNS[2:]
        for j, name in enumerate(problem["names"]):
            rows.append({"output": output, "parameter": name,
                         **{k: float(np.asarray(res[k])[j]) for k in keys}, "note": ""})
    columns = (SOBOL_COLUMNS if sweep.design == "sobol" else MORRIS_COLUMNS) + ["note"]
    return pd.DataFrame(rows).reindex(columns=columns)


def write_sensitivity(path: Path, sweep, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Write ``sensitivity.csv`` for Sobol and Morris designs (atomically); nothing otherwise."""
    table = sensitivity_table(sweep, runs)
    if table is None:
        return None
    tmp = path.with_name(f".{path.name}.tmp")
    table.to_csv(tmp, index=False)
    tmp.replace(path)
    return table
