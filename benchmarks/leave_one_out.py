"""Each policy's contribution to its package: the package against the package without it.

    .venv/bin/python benchmarks/leave_one_out.py [--size 20000] [--replicates 4]

For ``done_to`` and ``done_with`` in turn, runs the whole package and the package with
one policy switched off (``policies.<kind>.enabled=false``), on the same seeds (common
random numbers), and prints a Markdown table: per policy, the whole package minus the
package without it, final year, per 1,000 residents a year (cost per resident), mean
over replicates with its 95% interval. A policy's row is what it adds to the package
given the others (the contributions need not sum to the package's effect: policies
interact). The numbers in docs/model.md ("done to against done with") come from here.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from scipy import stats

from sim.runner import run_scenario
from sim.scenario import load_scenario

METRICS = {"gp_appointments_per_1000": "GP", "ae_attendances_per_1000": "A&E",
           "emergency_admissions_per_1000": "admissions",
           "outpatient_attendances_per_1000": "outpatients", "cost_per_capita": "cost (GBP)",
           "unmet_need_per_1000": "unmet need", "lonely_share": "lonely (share)"}


def _interval(diff: np.ndarray) -> str:
    mean = float(diff.mean())
    if diff.size < 2:
        return f"{mean:+.3g}"
    half = float(stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size))
    return f"{mean:+.3g} [{mean - half:+.3g}, {mean + half:+.3g}]"


def contributions(package: str, size: int, replicates: int, seed: int = 1) -> list[str]:
    """Markdown rows: for each policy of ``package``, package minus package-without-it."""
    common = {"population.size": size}
    full = run_scenario(package, seed=seed, replicates=replicates, overrides=common).summary
    rows = []
    for kind in load_scenario(package).active_policies():
        without = run_scenario(package, seed=seed, replicates=replicates,
                               overrides={**common, f"policies.{kind}.enabled": False}).summary
        cells = [_interval(full[m].to_numpy() - without[m].to_numpy()) for m in METRICS]
        rows.append(f"| {package} | `{kind}` | " + " | ".join(cells) + " |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| package | policy | " + " | ".join(METRICS.values()) + " |")
    print("|" + " --- |" * (len(METRICS) + 2))
    for package in ("done_to", "done_with"):
        for row in contributions(package, args.size, args.replicates, args.seed):
            print(row, flush=True)


if __name__ == "__main__":
    main()
