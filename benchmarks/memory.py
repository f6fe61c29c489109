"""Peak memory of a run by its size, and the line through it — run by hand.

Each size runs in a fresh process (so its peak resident memory, max RSS, is its own):
the place is built, burnt in (``system.burn_in_weeks``) and run ``--weeks`` weeks.
Prints each size's peak and the least-squares line ``peak = fixed + per resident x
size``, with the rows the state holds (:func:`sim.population.bytes_per_resident`)
and whether the arrays were regrown mid-run (they should not be: the row reserve
follows the births and arrivals expected, :func:`sim.population.row_reserve`).

Usage:
    .venv/bin/python benchmarks/memory.py                          # 0.1 M, 1 M, 3 M
    .venv/bin/python benchmarks/memory.py --sizes 100000 1000000 --weeks 52
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import sim
from sim.process import keep_freed_heap
keep_freed_heap()  # as the CLI and the workers do
t0 = time.perf_counter()
model = sim.HealthSystemModel({scenario!r}, seed=1, population__size={size},
                              population__neighbourhoods=max(1, {size} // 5000),
                              weeks={weeks})
reserve = model.people.capacity
model.run()
print(json.dumps(dict(peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      reserve=reserve, capacity=model.people.capacity, rows=model.people.n,
                      seconds=time.perf_counter() - t0)))
"""


def measure(scenario: str, size: int, weeks: int) -> dict:
    """One run in a fresh interpreter: its peak memory and rows."""
    code = CHILD.format(root=str(ROOT), scenario=scenario, size=size, weeks=weeks)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 3_000_000])
    parser.add_argument("--weeks", type=int, default=26, help="reported weeks after the burn-in")
    parser.add_argument("--scenario", default="done_with")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from sim.population import bytes_per_resident

    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    print(f"{args.scenario}, burn-in then {args.weeks} weeks; {os.cpu_count()} cores, "
          f"{total_gb:.0f} GB; state {bytes_per_resident()} bytes a row")
    peaks = []
    for size in args.sizes:
        r = measure(args.scenario, size, args.weeks)
        peaks.append(r["peak_mb"])
        regrown = "regrown mid-run" if r["capacity"] != r["reserve"] else "not regrown"
        print(f"  {size:>10,} residents: peak {r['peak_mb']:8.0f} MB; rows {r['rows']:,} of "
              f"{r['reserve']:,} reserved ({regrown}); {r['seconds']:.0f} s")
    if len(args.sizes) >= 2:
        per, fixed = np.polyfit(np.array(args.sizes, float), np.array(peaks) * 2**20, 1)
        print(f"  line: peak = {fixed / 2**20:.0f} MB + {per:.0f} bytes a resident")


if __name__ == "__main__":
    main()
