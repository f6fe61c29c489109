"""Placesim's step against its peers' — run by hand, never as a test; installs nothing.

Times, at each size, the time of a step after the first (the first compiles and fills
caches), in-process, each measurement in its own fresh process, the three run in turn
(A B C A B C ...) so that a change in the machine's load falls on all of them:

- **Placesim**: the baseline scenario, one step a week (after its burn-in), with this
  interpreter (the project's ``.venv``);
- **Starsim**: its SIR on a random network (``ss.Sim(diseases=ss.SIR(),
  networks=ss.RandomNet())``), one step a day;
- **Mesa**: one ``mesa.Agent`` per person, activated each step by
  ``model.agents.shuffle_do("step")``; each agent ages and may fall ill (one draw);
- with ``--vs ROOT``, Placesim again from another checkout (the code before a change),
  with this interpreter, in the same rounds: its step against this checkout's.

The peers run with ``--peers-python`` (default: ``/tmp/peers/bin/python`` if it is
there, else this interpreter), a virtualenv with ``starsim`` and ``mesa`` (see
``benchmarks/README.md``). Prints each per-step time (median over the timed steps of a
process, then over its processes), agent-steps a second, the ratios of the peers' step
to Placesim's, the machine and the load average.

Usage:
    .venv/bin/python benchmarks/peers.py                     # 50,000 and 1,000,000
    .venv/bin/python benchmarks/peers.py --sizes 50000 --pairs 5 --steps 20
    .venv/bin/python benchmarks/peers.py --vs ../before       # and the code before
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from machine import cpu_name  # benchmarks/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent

# Each child builds its model and names its step `step`; TIMED_STEPS, run after it, takes
# one step (not timed), then times `steps` steps and prints their times as JSON on its
# last line.
TIMED_STEPS = r"""
step()
times = []
for _ in range({steps}):
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""

PLACESIM = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import sim
from sim.process import keep_freed_heap
keep_freed_heap()
model = sim.HealthSystemModel("baseline", seed=1, population__size={size},
                              population__neighbourhoods=max(1, {size} // 5000))
step = model.step
"""

STARSIM = r"""
import json, time
import starsim as ss
sim = ss.Sim(n_agents={size}, diseases=ss.SIR(), networks=ss.RandomNet(), start=0,
             stop={steps} + 10, dt=1, rand_seed=1, verbose=0)
sim.init()
step = sim.run_one_step
"""

MESA = r"""
import json, time
import mesa

class Person(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.age = self.random.random() * 90.0
        self.ill = False

    def step(self):
        self.age += 1.0 / 52.0
        if self.random.random() < 0.001:
            self.ill = not self.ill

class Place(mesa.Model):
    def __init__(self, n):
        super().__init__(rng=1)
        Person.create_agents(self, n)

    def step(self):
        self.agents.shuffle_do("step")

model = Place({size})
step = model.step
"""


def _peer_env() -> dict[str, str]:
    """This process's environment, with Starsim told not to install fonts at import."""
    return {**os.environ, "STARSIM_INSTALL_FONTS": "0"}


def _run(python: str, code: str) -> float:
    """The median step time (s) of one fresh process."""
    out = subprocess.run([python, "-c", code], capture_output=True, text=True,
                         env=_peer_env())
    if out.returncode:
        sys.exit(f"{python}: {out.stderr[-3000:]}")
    return statistics.median(json.loads(out.stdout.strip().splitlines()[-1]))


def _peers_python(given: str | None) -> str:
    if given:
        return given
    default = Path("/tmp/peers/bin/python")
    return str(default) if default.exists() else sys.executable


def _has_peers(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import starsim, mesa"], capture_output=True,
                           env=_peer_env())
    return probe.returncode == 0


def _version(python: str, module: str) -> str:
    out = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"],
                         capture_output=True, text=True,
                         env=_peer_env())
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=10, help="timed steps per process")
    parser.add_argument("--pairs", type=int, default=3,
                        help="fresh processes of each model per size, run in turn")
    parser.add_argument("--mesa-size", type=int, default=None,
                        help="run the Mesa model at this size instead of each size")
    parser.add_argument("--peers-python", help="interpreter with starsim and mesa")
    parser.add_argument("--vs", type=Path, metavar="ROOT",
                        help="another checkout whose Placesim runs in the same rounds")
    args = parser.parse_args()
    if args.vs and not (args.vs / "sim" / "__init__.py").is_file():
        parser.error(f"--vs {args.vs}: expected a Placesim checkout (a folder with sim/)")
    peers = _peers_python(args.peers_python)
    if not _has_peers(peers):
        sys.exit(f"{peers} cannot import starsim and mesa: see benchmarks/README.md")

    print(f"machine: {platform.machine()} {cpu_name()}, {os.cpu_count()} cores; Python "
          f"{platform.python_version()}; Starsim {_version(peers, 'starsim')}, Mesa "
          f"{_version(peers, 'mesa')} ({peers}); load average now "
          f"{os.getloadavg()[0]:.2f}")
    print("per step: median of the steps after the first in a fresh process, median of "
          f"{args.pairs} processes each, run in turn")
    for size in args.sizes:
        mesa_size = args.mesa_size or size
        codes = {"placesim": (sys.executable, PLACESIM.format(root=str(ROOT), size=size)),
                 "starsim": (peers, STARSIM.format(size=size, steps=args.steps)),
                 "mesa": (peers, MESA.format(size=mesa_size))}
        if args.vs:
            codes["before"] = (sys.executable,
                               PLACESIM.format(root=str(args.vs.resolve()), size=size))
        timed = TIMED_STEPS.format(steps=args.steps)
        codes = {name: (python, code + timed) for name, (python, code) in codes.items()}
        times = {name: [] for name in codes}
        loads = []
        for _ in range(args.pairs):
            for name, (python, code) in codes.items():
                times[name].append(_run(python, code))
                loads.append(os.getloadavg()[0])
        step = {name: statistics.median(t) for name, t in times.items()}
        sizes = {"placesim": size, "starsim": size, "mesa": mesa_size, "before": size}
        print(f"\n{size:,} agents (load average {statistics.median(loads):.2f} while timed)")
        for name, s in step.items():
            print(f"  {name:9s} {1000 * s:9.1f} ms a step ({sizes[name]:,} agents; "
                  f"{sizes[name] / s / 1e6:5.2f} M agent-steps/s; runs "
                  + ", ".join(f"{1000 * t:.1f}" for t in times[name]) + " ms)")
        for name in ("starsim", "mesa"):
            rate = (sizes["placesim"] / step["placesim"]) / (sizes[name] / step[name])
            print(f"  Placesim / {name:8s} {rate:6.2f} (agent-steps a second)")
        if args.vs:
            pairs = [now / then for now, then in zip(times["placesim"], times["before"])]
            print(f"  Placesim's step / {args.vs.name}'s: {statistics.median(pairs):.2f} "
                  f"({min(pairs):.2f}-{max(pairs):.2f}, {len(pairs)} pairs, in turn); "
                  f"{args.vs.name}'s Placesim / starsim "
                  f"{step['starsim'] / step['before']:.2f}")


if __name__ == "__main__":
    main()
