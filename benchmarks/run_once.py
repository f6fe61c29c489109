"""One run, timed from inside — for timing two checkouts against each other, by hand.

Imports Placesim from ``--root`` (default: this checkout), builds a place of ``--size``
residents (``population.neighbourhoods`` = size / 5,000), burns it in and runs
``--weeks`` weeks, then prints one line: build, run and per-week time, the threads used
and the time by phase. Run it in turn with two roots (A B A B) to get a ratio that holds
while the machine's speed drifts, e.g. against the code before a change, checked out
beside this one with ``git worktree add ../before <commit>``:

    .venv/bin/python benchmarks/run_once.py --root ../before --scenario done_with
    .venv/bin/python benchmarks/run_once.py --scenario done_with --set system.threads=1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--scenario", default="done_with")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE", help="a parameter override (repeatable)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    import sim
    from sim.process import keep_freed_heap

    keep_freed_heap()  # as the command line does
    overrides = {"population.size": args.size, "weeks": args.weeks,
                 "population.neighbourhoods": max(1, args.size // 5000)}
    for text in args.overrides:
        key, _, value = text.partition("=")
        overrides[key] = int(value) if value.lstrip("-").isdigit() else value
    t0 = time.perf_counter()
    model = sim.HealthSystemModel(args.scenario, seed=1, **{k.replace(".", "__"): v
                                                              for k, v in overrides.items()})
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    asked = getattr(model.spec.system, "threads", None)  # None: code before system.threads
    if asked is None:
        used = "1 (before threads)"
    else:
        from sim.kernels.threads import resolve

        used = str(resolve(asked))
    phases = ", ".join(f"{k} {1000 * v / args.weeks:.1f}" for k, v in model.phase_seconds.items())
    print(f"{args.root.resolve().name}: {args.scenario} {args.size:,} x {args.weeks}: build "
          f"{t1 - t0:.1f} s (burn-in included), run {t2 - t1:.1f} s, "
          f"{1000 * (t2 - t1) / args.weeks:.1f} ms a week, threads {used}; ms a week by "
          f"phase: {phases}")


if __name__ == "__main__":
    main()
