"""A sweep's design points: the product of a grid, or a SALib sample of a sampled design.

Sampled designs (``lhs``, ``sobol``, ``morris``) are drawn by SALib from the sweep's
seed alone, so the same sweep file gives the same points on any machine; each sampled
coordinate is mapped to a parameter value by :meth:`sim.sweep_file.SweepParameter.value_at`.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError

if TYPE_CHECKING:
    from .sweep_file import SweepParameter

__all__ = ["design_points"]


def design_points(design: str, params: "tuple[SweepParameter, ...]", samples: int | None,
                  levels: int, seed: int, source: str) -> tuple[list[dict], np.ndarray | None]:
    """The design's points (path -> value, one mapping per point) and, for a sampled
    design, the matrix SALib returned (for the sensitivity analysis)."""
    matrix = None
    if design == "grid":
        points = [dict(zip((p.path for p in params), combo))
                  for combo in itertools.product(*(p.values for p in params))]
    else:
        if len(params) < 2 and design in ("sobol", "morris"):
            raise InputError(source, "parameters", f"a {design} design needs at least two "
                             "parameters; for one, use a grid")
        matrix = _sample(design, params, samples, levels, seed)
        points = [{p.path: p.value_at(x) for p, x in zip(params, row)} for row in matrix]
    return points, matrix


def _sample(design: str, params: tuple[SweepParameter, ...], samples: int, levels: int,
            seed: int) -> np.ndarray:
    """The SALib sample of a sampled design (rows: points; columns: factors)."""
    problem = {"num_vars": len(params), "names": [p.path for p in params],
               "bounds": [p.salib_bounds for p in params]}
    if design == "sobol":
        from SALib.sample import sobol

        # First and total order only: N (D + 2) runs rather than N (2D + 2).
        return sobol.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)
    if design == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=levels, seed=seed)
    from SALib.sample import latin

    return latin.sample(problem, samples, seed=seed)
