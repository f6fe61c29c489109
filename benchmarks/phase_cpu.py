"""CPU time a week by phase, from inside one run — for judging work saved on a busy machine.

Imports Placesim from ``--root`` (default: this checkout), builds a place of ``--size``
residents (``population.neighbourhoods`` = size / 5,000), runs two warm-up weeks, then
``--weeks`` more, and prints milliseconds a week by phase, wall (``model.phase_seconds``)
and CPU (``time.process_time`` around each phase: what the phase cost, whichever core ran
it and however busy the machine). Run it in turn with two roots (A B A B), e.g.:

    .venv/bin/python benchmarks/phase_cpu.py --root ../before --size 1000000 --weeks 12
    .venv/bin/python benchmarks/phase_cpu.py --size 1000000 --weeks 12 --threads 1
"""

from __future__ import annotations

import argparse
import time

from in_process import import_placesim, place_options, warmed_model  # beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    place_options(parser, weeks=12)
    parser.add_argument("--burn-in", type=int, default=None,
                        help="system.burn_in_weeks (default: the scenario's)")
    args = parser.parse_args()
    sim = import_placesim(args.root)
    import sim.model

    cpu: dict[str, float] = {}

    def timed(name, phase):
        def run(model):
            start = time.process_time()
            phase(model)
            cpu[name] = cpu.get(name, 0.0) + time.process_time() - start
        return run

    sim.model.PHASES = tuple((name, timed(name, phase)) for name, phase in sim.model.PHASES)
    extra = {} if args.burn_in is None else {"system__burn_in_weeks": args.burn_in}
    model = warmed_model(sim, args, **extra)
    wall0, cpu0 = dict(model.phase_seconds), dict(cpu)
    t0, c0 = time.perf_counter(), time.process_time()
    model.run()
    t1, c1 = time.perf_counter(), time.process_time()
    per_week = 1000.0 / args.weeks
    print(f"{args.root.resolve().name}: {args.scenario} {args.size:,}, threads {args.threads}: "
          f"{per_week * (t1 - t0):.2f} ms a week wall, {per_week * (c1 - c0):.2f} CPU")
    print("wall " + ", ".join(f"{k} {per_week * (v - wall0[k]):.3f}"
                              for k, v in model.phase_seconds.items()))
    print("cpu  " + ", ".join(f"{k} {per_week * (v - cpu0[k]):.3f}" for k, v in cpu.items()))


if __name__ == "__main__":
    main()
