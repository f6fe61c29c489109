"""The evidence check: each policy's effect in the model against what studies found.

Like :mod:`sim.calibration` for the baseline, ``run.py evidence`` checks the policies.
A targets file (``scenarios/targets/evidence.yaml``) lists published effects::

    size: 15000        # residents
    t0: 468            # end of the touch quarter (weeks); the year after ends at t0 + 52
    replicates: 3
    seed: 1
    targets:
      social_prescribing_gp:
        policy: social_prescribing   # the policy, run alone ...
        scenario: done_with          # ... with its settings in this shipped package
        package: false               # true: run the whole package (the policy's touched)
        population: touched          # touched (the same residents, by uid) | place
        metric: gp_appointments      # see MEASURES
        effect: -0.1                 # the published effect (relative, unless stated)
        lo: -0.3                     # its interval: the model passes inside [lo, hi]
        hi: 0.05
        grade: controlled            # a key of sim.parameters.GRADES
        source: Mercer et al. 2019; Wilding et al. 2025

Each replicate runs the baseline and each policy alone on the same seed (common random
numbers). An effect **on the people touched** compares the touched residents' contacts in
the year after the touch quarter with those of the same uids in the baseline run (their
twins); beside it stands what an uncontrolled before-after evaluation of the same people
would have concluded (their year after against their year before, in the policy run).
An effect **on the place** compares activity per resident in the year after (or, for a
campaign, in the weeks on air) with the baseline's. The model passes a target when its
mean over replicates lies within the published interval.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .calibration import TARGETS_DIR
from .errors import InputError
from .parameters import GRADES
from .statistics import t_interval
from .twins import COUNTS, TOUCHED, Observed, lookup, observe

__all__ = ["DEFAULT_EVIDENCE", "EvidenceTarget", "EvidenceTargets", "load_evidence",
           "check_evidence", "evidence_runs", "format_table", "markdown_table", "MEASURES",
           "COLUMNS"]

DEFAULT_EVIDENCE = TARGETS_DIR / "evidence.yaml"
# What can be measured: contacts (relative change), loneliness among the touched (as a
# standardised difference), screening's yield and the movement's participation.
MEASURES = (*COUNTS, "admissions_wanted", "loneliness_sd", "diagnoses_per_1000_checks",
            "participation_16plus")
POPULATIONS = ("touched", "place")
WINDOWS = ("year_after", "on_air")
COLUMNS = ("target", "policy", "population", "metric", "model", "ci_low", "ci_high",
           "before_after", "effect", "lo", "hi", "grade", "passed", "source")
_TOP = {"name", "description", "size", "t0", "replicates", "seed", "targets"}
_KEYS = {"policy", "scenario", "package", "population", "metric", "window", "effect", "lo",
         "hi", "grade", "source", "description"}
_REQUIRED = ("policy", "scenario", "population", "metric", "effect", "lo", "hi", "grade",
             "source")


@dataclass(frozen=True)
class EvidenceTarget:
    """One published effect of one policy (see the module docstring for the keys)."""

    name: str
    policy: str
    scenario: str
    population: str
    metric: str
    window: str
    package: bool  # run the whole package, not the policy alone
    effect: float
    lo: float
    hi: float
    grade: str
    source: str


@dataclass(frozen=True)
class EvidenceTargets:
    name: str
    size: int
    t0: int
    replicates: int
    seed: int
    targets: tuple[EvidenceTarget, ...]
    path: Path


def _choice(src, where, value, allowed):
    if value not in allowed:
        near = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise InputError(src, where, f"{value!r} is not one of {', '.join(map(str, allowed))}"
                         + hint)
    return value


def _unknown(src, where, keys, allowed):
    for key in keys:
        if key not in allowed:
            _choice(src, f"{where}{key}" if where else str(key), key, sorted(allowed))


def _number(src, where, value, integer=False, low=None):
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) and (not integer or float(value).is_integer()) \
        and (low is None or value >= low)
    if not ok:
        kind = "a whole number" if integer else "a finite number"
        raise InputError(src, where, f"expected {kind}" + (f" >= {low}" if low is not None
                                                           else "") + f", got {value!r}")
    return int(value) if integer else float(value)


def load_evidence(path: str | Path = DEFAULT_EVIDENCE) -> EvidenceTargets:
    """Read and check an evidence-targets file; bad input raises :class:`InputError`."""
    from .policies import POLICIES
    from .scenario import SCENARIO_DIR, read_yaml

    path = Path(path)
    data = read_yaml(path)
    src = str(path)
    _unknown(src, "", data, _TOP)
    entries = data.get("targets")
    if not isinstance(entries, dict) or not entries:
        raise InputError(src, "targets", "expected a mapping of target names to "
                         "{" + ", ".join(_REQUIRED) + "}")
    targets = []
    for name, entry in entries.items():
        where = f"targets.{name}"
        if not isinstance(entry, dict):
            raise InputError(src, where, "expected a mapping with " + ", ".join(_REQUIRED))
        _unknown(src, f"{where}.", entry, _KEYS)
        for key in _REQUIRED:
            if key not in entry:
                raise InputError(src, f"{where}.{key}", "missing; every target needs "
                                 + ", ".join(_REQUIRED))
        policy = _choice(src, f"{where}.policy", entry["policy"], sorted(POLICIES))
        scenario = str(entry["scenario"])
        if not (SCENARIO_DIR / f"{scenario}.yaml").exists():
            raise InputError(src, f"{where}.scenario", f"{scenario!r} is not a shipped "
                             "scenario (see run.py list)")
        population = _choice(src, f"{where}.population", entry["population"], POPULATIONS)
        metric = _choice(src, f"{where}.metric", entry["metric"], MEASURES)
        if population == "touched" and policy not in TOUCHED:
            raise InputError(src, f"{where}.population", f"{policy} acts on the whole place; "
                             "expected population: place")
        window = _choice(src, f"{where}.window", entry.get("window", "year_after"), WINDOWS)
        effect, lo, hi = (_number(src, f"{where}.{k}", entry[k]) for k in ("effect", "lo", "hi"))
        if not lo <= effect <= hi:
            raise InputError(src, where, f"expected lo <= effect <= hi, got lo={lo:g}, "
                             f"effect={effect:g}, hi={hi:g}")
        grade = _choice(src, f"{where}.grade", entry["grade"], sorted(GRADES))
        source = entry["source"]
        if not isinstance(source, str) or not source.strip():
            raise InputError(src, f"{where}.source", "expected the effect's source as text")
        package = entry.get("package", False)
        if not isinstance(package, bool):
            raise InputError(src, f"{where}.package", f"expected true or false, got {package!r}")
        targets.append(EvidenceTarget(str(name), policy, scenario, population, metric, window,
                                      package, effect, lo, hi, grade, " ".join(source.split())))
    size = _number(src, "size", data.get("size", 20_000), integer=True, low=100)
    t0 = _number(src, "t0", data.get("t0", 156), integer=True, low=52)
    reps = _number(src, "replicates", data.get("replicates", 3), integer=True, low=1)
    seed = _number(src, "seed", data.get("seed", 1), integer=True, low=0)
    return EvidenceTargets(str(data.get("name", path.stem)), size, t0, reps, seed,
                           tuple(targets), path)


def _rate(obs: Observed, metric: str, weeks) -> float:
    """The place's activity per resident-week in ``weeks`` (a slice or a mask)."""
    w = obs.weekly
    if metric == "admissions_wanted":  # admitted, or turned away for want of a bed
        count = w["emergency_admissions"].sum() + obs.turned_away
        return count / w["population"].sum()
    return w[metric][weeks].sum() / w["population"][weeks].sum()


def _touched_sums(obs: Observed, uids: np.ndarray, metric: str, year: str) -> float:
    uid, counts = (obs.uid, obs.after) if year == "after" else (obs.before_uid, obs.before)
    pos = lookup(uid, uids)
    return float(counts[metric][pos[pos >= 0]].sum())


def measure(target: EvidenceTarget, policy: Observed, base: Observed, t0: int):
    """``(model effect, before-after effect)`` of one replicate (NaN where undefined)."""
    m, nan = target.metric, float("nan")
    if m == "diagnoses_per_1000_checks":
        return 1000.0 * policy.diagnoses / max(policy.checks, 1), nan
    if m == "participation_16plus":
        return policy.participation, nan
    if target.population == "place":
        # The weeks a campaign was on air, in both runs alike (the twin week by week).
        weeks = slice(t0, t0 + 52) if target.window == "year_after" else policy.on_air
        return _rate(policy, m, weeks) / _rate(base, m, weeks) - 1.0, nan
    uids = policy.touched
    if m == "loneliness_sd":
        mine, twin = lookup(policy.uid, uids), lookup(base.uid, uids)
        both = (mine >= 0) & (twin >= 0)
        spread = base.connectedness[base.adults].std()
        gain = policy.connectedness[mine[both]].mean() - base.connectedness[twin[both]].mean()
        return -gain / spread, nan  # less connected is lonelier
    twin = _touched_sums(base, uids, m, "after")
    after = _touched_sums(policy, uids, m, "after")
    before = _touched_sums(policy, uids, m, "before")
    return after / twin - 1.0 if twin else nan, after / before - 1.0 if before else nan


def _policy_alone(target: EvidenceTarget, size: int):
    from .scenario import load_scenario

    spec = load_scenario(target.scenario)
    off = {} if target.package else {f"policies.{k}.enabled": False
                                     for k in spec.active_policies() if k != target.policy}
    return spec.with_overrides({**off, "population.size": size}, "evidence")


def evidence_runs(targets: EvidenceTargets, replicates: int | None = None) -> dict:
    """The scenarios :func:`check_evidence` runs, each with its replicates: the baseline
    (under ``None``) and each policy alone (under ``(scenario, policy, package)``)."""
    from .scenario import load_scenario

    reps = {"replicates": replicates or targets.replicates}
    runs = {None: load_scenario("baseline").with_overrides(
        {"population.size": targets.size, **reps}, "evidence")}
    for t in targets.targets:
        key = (t.scenario, t.policy, t.package)
        if key not in runs:
            runs[key] = _policy_alone(t, targets.size).with_overrides(reps, "evidence")
    return runs


def check_evidence(targets: EvidenceTargets, *, replicates: int | None = None,
                   seed: int | None = None, progress=None, workers: int = 1) -> pd.DataFrame:
    """Run the baseline and each policy alone on common seeds; the table of :data:`COLUMNS`.

    The runs go to ``workers`` processes (1: this one); the table is the same to the bit
    with any number, since each run is its scenario alone on its seed."""
    from .runner import replicate_seeds

    reps = replicates or targets.replicates
    seeds = replicate_seeds(targets.seed if seed is None else seed, reps)
    scenarios = evidence_runs(targets, reps)
    tasks = [(spec, s, None if key is None else key[1])
             for key, spec in scenarios.items() for s in seeds]
    observed = iter(_observed(tasks, targets.t0, workers, progress))
    runs = {key: [next(observed) for _ in seeds] for key in scenarios}
    baseline = runs[None]
    rows = []
    for t in targets.targets:
        pairs = [measure(t, p, b, targets.t0)
                 for p, b in zip(runs[(t.scenario, t.policy, t.package)], baseline)]
        effects = np.array([e for e, _ in pairs])
        mean, _, low, high, _ = t_interval(effects)
        ba = np.array([b for _, b in pairs])
        rows.append({"target": t.name, "policy": t.policy, "population": t.population,
                     "metric": t.metric, "model": mean, "ci_low": low, "ci_high": high,
                     "before_after": float(np.nanmean(ba)) if np.isfinite(ba).any()
                     else float("nan"),
                     "effect": t.effect, "lo": t.lo, "hi": t.hi, "grade": t.grade,
                     "passed": bool(t.lo <= mean <= t.hi), "source": t.source})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _observed(tasks: list, t0: int, workers: int, progress) -> list:
    """:func:`~sim.twins.observe` of each ``(scenario, seed, policy)`` of ``tasks``, in
    order: in this process, or on a pool of ``workers``; ``progress()`` after each."""
    from .replicates import submit_all, worker_pool

    with worker_pool(workers) as pool:
        if pool is None:
            each = (observe(spec, s, t0, policy) for spec, s, policy in tasks)
        else:
            futures = submit_all(pool, _observe_on_worker,
                                 [(spec.to_dict(), s, t0, policy) for spec, s, policy in tasks])
            each = (future.result() for future in futures)
        done = []
        for observed in each:
            done.append(observed)
            if progress:
                progress()
        return done


def _observe_on_worker(data: dict, seed: int, t0: int, policy: str | None):
    """On a worker: :func:`~sim.twins.observe` of the scenario ``data``."""
    from .workers import scenario_on_worker

    return observe(scenario_on_worker(data), seed, t0, policy)


def _num(x: float, metric: str) -> str:
    if not np.isfinite(x):
        return "-"
    if metric in ("diagnoses_per_1000_checks",):
        return f"{x:.0f}"
    if metric in ("participation_16plus",):
        return f"{100 * x:.1f}%"
    if metric == "loneliness_sd":
        return f"{x:+.2f} SD"
    return f"{100 * x:+.1f}%"


def _rows(table: pd.DataFrame):
    for r in table.itertuples():
        m = r.metric
        yield (r.target, r.population, _num(r.model, m),
               f"{_num(r.ci_low, m)} .. {_num(r.ci_high, m)}" if np.isfinite(r.ci_low) else "-",
               _num(r.before_after, m), _num(r.effect, m),
               f"{_num(r.lo, m)} .. {_num(r.hi, m)}", r.grade,
               "within" if r.passed else "OUTSIDE")


HEADER = ("target", "on", "model", "95% interval", "before-after", "published",
          "published range", "grade", "result")


def format_table(table: pd.DataFrame) -> str:
    """The evidence table as aligned text for the terminal."""
    rows = list(_rows(table))
    widths = [max(len(str(row[i])) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip()
             for row in [HEADER, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(table: pd.DataFrame) -> str:
    """The evidence table in Markdown, with each row's source (for docs/model.md)."""
    head = (*HEADER, "source")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row, source in zip(_rows(table), table["source"]):
        lines.append("| " + " | ".join(map(str, (*row, source))) + " |")
    return "\n".join(lines)


def write_outputs(table: pd.DataFrame, out: Path) -> None:
    """``evidence.csv`` and ``evidence.md`` into ``out``."""
    table.to_csv(out / "evidence.csv", index=False)
    (out / "evidence.md").write_text(markdown_table(table) + "\n", encoding="utf-8")


def command(targets_path: Path | None, replicates: int | None, seed: int | None,
            out: Path | None, quiet: bool = False, workers: int | None = None) -> int:
    """``run.py evidence``: print and write the table; 1 when any effect is outside.
    ``workers``: processes for the runs (default: as for ``run``'s replicates)."""
    import sys

    from .cli_options import workers_for_replicates
    from .progress import progress_bar
    from .results import default_out, results_dir

    targets = load_evidence(targets_path or DEFAULT_EVIDENCE)
    runs = list(evidence_runs(targets, replicates).values())
    workers, where = workers_for_replicates(workers, runs)  # memory checked too
    out = out or default_out("evidence")
    with results_dir(out) as tmp:
        if not quiet:  # (once the results folder is known to be good)
            print(f"evidence: {where}", file=sys.stderr)
        with progress_bar(sum(spec.replicates for spec in runs), "evidence", quiet,
                          unit="run") as bar:
            table = check_evidence(targets, replicates=replicates, seed=seed,
                                   progress=lambda: bar.update(1), workers=workers)
        write_outputs(table, tmp)
    missed = int((~table["passed"]).sum())
    reps = replicates or targets.replicates
    print(f"policies against {targets.name}: {targets.size:,} residents, each policy alone "
          f"against the baseline on {reps} common seed(s); the year after week {targets.t0}; "
          "mean over replicates with its 95% interval; before-after: what an uncontrolled "
          "evaluation of the same people would have found")
    print(format_table(table))
    print(f"{len(table) - missed} of {len(table)} effects within the evidence"
          + (f"; {missed} outside" if missed else ""))
    print(f"wrote {out}")
    return 1 if missed else 0
