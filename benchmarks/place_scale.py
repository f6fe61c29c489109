"""A real place at full size: build time, seconds per simulated year, peak memory.

Run by hand, never as a timed test. Each place runs in a fresh process so its peak
memory (max RSS) is its own; CPU time is printed beside wall time, since the machine
may be shared.

Usage:
    .venv/bin/python benchmarks/place_scale.py                  # the largest ICB, 3.0 M
    .venv/bin/python benchmarks/place_scale.py --place Lancaster --scenario done_with
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from sim import HealthSystemModel
from sim.scenario import load_scenario
place, scenario, weeks = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = load_scenario(scenario, overrides={"place": place, "weeks": weeks})
c0, t0 = time.process_time(), time.perf_counter()
model = HealthSystemModel(spec)
build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
model.run(1)  # the kernels' first call compiles or loads them: not a simulated week's cost
c1, t1 = time.process_time(), time.perf_counter()
model.run(weeks + 1)
per_year = (time.perf_counter() - t1) * 52 / weeks
per_year_cpu = (time.process_time() - c1) * 52 / weeks
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"residents": spec.population.size, "neighbourhoods":
                  spec.population.neighbourhoods, "build_s": build, "build_cpu_s": build_cpu,
                  "s_per_year": per_year, "cpu_s_per_year": per_year_cpu, "peak_mb": peak}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--place", default="E54000050",
                        help="code or name (default: North East and North Cumbria ICB)")
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    done = subprocess.run([sys.executable, "-c", CHILD, args.place, args.scenario,
                           str(args.weeks)], capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{args.place} ({args.scenario}): {r['residents']:,} residents in "
          f"{r['neighbourhoods']:,} neighbourhoods; build {r['build_s']:.1f} s "
          f"(cpu {r['build_cpu_s']:.1f} s); {r['s_per_year']:.1f} s per simulated year "
          f"(cpu {r['cpu_s_per_year']:.1f} s); peak memory {r['peak_mb']:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
