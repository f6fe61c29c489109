"""The health-system model: residents, practices, acute services, groups and policies.

:class:`HealthSystemModel` is a ``mesa.Model``. Residents are NumPy arrays
(:mod:`sim.population`); GP practices, the acute trust and community groups are
``mesa.Agent`` objects. One step is one week, in the order of :data:`PHASES`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .acute import AcuteTrust, run_acute_care
from .burn_in import burn_in
from .community import CommunityGroups, run_community, seed_groups
from .deferred import numba_checked
from .errors import InputError
from .health import advance_health
from .levers import Levers
from .mesa_import import mesa
from .metrics import COLUMNS, WeekLog, summarise, week_row
from .movement import spread_movement
from .need import Requests, arise_needs, choose_care
from .network import build_network
from .policies import POLICIES
from .process import started
from .population import FIELDS, Residents, row_reserve
from .practice import GPPractice, serve_primary_care
from .scenario import Scenario, load_scenario
from .shared_data import record as record_shared_data
from .streams import Streams

if TYPE_CHECKING:  # results need pandas; a run does not (sim.deferred)
    import pandas as pd

__all__ = ["HealthSystemModel", "PHASES"]


def _apply_policies(model: "HealthSystemModel") -> None:
    """Phase 8: policies in force act, setting next week's levers and paying their way.

    A policy starting in week ``s`` first acts at the end of week ``s``; the levers it
    sets shape week ``s + 1`` onward.
    """
    model.levers = Levers()
    g = model.groups
    g.grant[: g.n] = 0.0  # grants, contracts and their burden are set afresh each week
    g.burden[: g.n] = 0.0
    g.funding[: g.n] = 0
    record_shared_data(model)  # what those who act can see (sim.shared_data; off: nothing)
    for policy in model.policies:
        due = policy.due(model.week)
        if due and not policy.running:
            policy.running = True
            policy.start()
        elif not due and policy.running:
            policy.running = False
            policy.stop()
        if policy.running:
            policy.step()
            model.log.policy_cost += policy.cost_this_week


def _account(model: "HealthSystemModel") -> None:
    """Phase 9: this week's metrics row (costs included), collected by the DataCollector."""
    model.metrics = week_row(model)
    for key in model.log_totals:
        model.log_totals[key] += getattr(model.log, key)
    model.datacollector.collect(model)


# The week, in order (docs/model.md, 1.3). Each phase is one function.
PHASES: tuple[tuple[str, Any], ...] = (
    ("health", advance_health),
    ("need", arise_needs),
    ("choice", choose_care),
    ("primary_care", serve_primary_care),
    ("acute", run_acute_care),
    ("community", run_community),
    ("movement", spread_movement),
    ("policies", _apply_policies),
    ("accounting", _account),
)


def _metric(name: str):
    """A DataCollector reporter for one column of this week's metrics."""
    def report(model: "HealthSystemModel"):
        return model.metrics[name]
    report.__name__ = name
    return report


class WeekCollector(mesa.DataCollector):
    """Mesa's DataCollector of this week's metrics, one reporter a column, whose
    ``collect`` appends the row's values to the columns' lists (``model_vars``) itself.

    Mesa's own calls each reporter and deep-copies what it returns, about a
    microsecond a column and thirty columns a week; the row is made afresh each week
    of plain numbers, so the values appended are the same."""

    def __init__(self, columns):
        super().__init__(model_reporters={c: _metric(c) for c in columns})
        self._columns = tuple((c, self.model_vars[c]) for c in columns)

    def collect(self, model: "HealthSystemModel") -> None:
        self._collection_steps.append(model.time)
        row = model.metrics
        for name, values in self._columns:
            values.append(row[name])


def estimated_bytes(size: int, weeks: int, mean_degree: float = 8.0) -> int:
    """Rough peak memory of a run (residents, ties and working arrays)."""
    from .population import bytes_per_resident

    rows = size * (1.0 + 0.0165 * weeks / 52.0)  # as population.row_reserve with the defaults
    ties = size * (mean_degree + 3.0) * 2  # directed entries of the CSR
    return int(rows * (bytes_per_resident() + 160) + ties * 8 * 3)


class HealthSystemModel(mesa.Model):
    """A place's health system, week by week.

    Args:
        scenario: a :class:`~sim.scenario.Scenario`, a path to a YAML file, a
            shipped scenario's name, a dict of scenario data, or ``None`` for the
            baseline.
        seed: the run's seed (default: the scenario's ``seed``).
        **overrides: parameter overrides with ``__`` for nesting, e.g.
            ``network__mean_degree=8`` or ``policies__screening__uptake=0.6``
            (so ``mesa.batch_run`` can drive the model).

    Attributes:
        spec: the validated scenario in force.
        people: the residents (:class:`~sim.population.Residents`).
        network: the social network (:class:`~sim.network.Network`).
        practices: the GP practices; ``acute``: the acute trust; ``groups``: the
            community groups table (each living group is also a ``CommunityGroup`` agent).
        week: weeks completed.
        phase_seconds: wall time spent in each phase so far.
    """

    def __init__(self, scenario: Scenario | str | Path | Mapping | None = None, *,
                 seed: int | None = None, **overrides: Any):
        numba_checked()  # before the first kernel: not all of SciPy's linalg (sim.deferred)
        spec = _as_scenario(scenario)
        if overrides:
            spec = spec.with_overrides(
                {k.replace("__", "."): v for k, v in overrides.items()}, "HealthSystemModel()")
        seed = spec.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.spec = spec
        self.run_seed = seed
        self.week = 0
        self.streams = Streams(seed, crn=spec.system.common_random_numbers)
        self.levers = Levers()
        self.log = WeekLog()
        self.log_totals = {k: 0 for k in ("births", "deaths", "migrants", "ae_after_failed_gp",
                                          "ae_attendances", "gp_appointments", "low_needs",
                                          "low_to_service")}
        self.journeys = None  # a sim.journey tracker, when the dashboard follows residents
        self.phase_seconds = {name: 0.0 for name, _ in PHASES}
        self.metrics: dict[str, Any] = {}
        self.reporting_start = 0  # week the per-person contact counts were last zeroed
        self.changes = []  # sim.midrun.Change: the world changed mid-run (week, values)

        # Residents, with room for the births of the whole run.
        size = spec.population.size
        weeks = spec.weeks + spec.system.burn_in_weeks
        t0 = time.perf_counter()
        self.people = Residents.build(spec, self.streams, row_reserve(spec, weeks))
        self.network = build_network(self.people, spec, self.streams)
        self.build_seconds = time.perf_counter() - t0

        n_practices = int(self.people.practice[: self.people.n].max()) + 1
        lists = np.bincount(self.people.practice[: self.people.n], minlength=n_practices)
        self.practices = [GPPractice(self, i, lists[i]) for i in range(n_practices)]
        self.practice_wait = np.zeros(n_practices)
        self.practice_style = np.array([p.consultation_style for p in self.practices])
        self.acute = AcuteTrust(self, size)
        self.groups = CommunityGroups(self)
        seed_groups(self)
        self.policies = [POLICIES[kind](self, settings)
                         for kind, settings in spec.active_policies().items()]
        self.gp_requests = Requests.empty()
        self.ae_arrivals = Requests.empty()
        self.link_worker_referrals = np.empty(0, np.int64)
        self.needs = None

        self.datacollector = self.new_datacollector()
        self.streams.week = 0
        self.burn_in_seconds = 0.0
        self.start_population = size  # living at week 0 (set again after a burn-in)
        burn_in(self, spec.system.burn_in_weeks)  # unreported: week 0 is in steady state
        started()  # the entry point's start is over, if it marked one (sim.process)

    def new_datacollector(self) -> mesa.DataCollector:
        """An empty collector of this week's metrics (one row a reported week)."""
        return WeekCollector([c for c in COLUMNS if c != "week"])

    # --- running ------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week: every phase of :data:`PHASES`, in order."""
        self.log.clear()
        if (self.week - self.spec.weeks) % 52 == 0:
            self._start_reporting_year()
        self.streams.week = self.week
        import sim.kernels as kernels  # (quicker than a from-import of a package)

        # Ctrl-C lands between weeks, not inside a kernel; the passes use system.threads.
        with kernels.signals_held(), kernels.use_threads(self.spec.system.threads):
            for name, phase in PHASES:
                t0 = time.perf_counter()
                if name == "accounting":
                    self.week += 1
                phase(self)
                self.phase_seconds[name] += time.perf_counter() - t0
        if self.spec.system.check_invariants:
            from .invariants import check_invariants

            check_invariants(self)
        if self.journeys is not None:
            self.journeys.record(self)

    def run(self, weeks: int | None = None, progress=None) -> "HealthSystemModel":
        """Step to ``weeks`` (default: the scenario's horizon); return self.

        Args:
            weeks: weeks to run in all (not more).
            progress: optional callable ``progress(weeks_done)`` called each week.
        """
        horizon = self.spec.weeks if weeks is None else int(weeks)
        while self.week < horizon:
            self.step()
            if progress is not None:
                progress(self.week)
        return self

    def _start_reporting_year(self) -> None:
        """Zero per-person contact counts: the summary's 'final year' starts here."""
        people = self.people
        self.reporting_start = self.week
        for name in FIELDS:
            if name.startswith("n_"):  # the reporting year's counts, by naming convention
                getattr(people, name)[:] = 0

    def remove_residents(self, rows: np.ndarray) -> None:
        """Deaths: mark rows dead, leave groups and ties, free beds."""
        people = self.people
        people.alive[rows] = False
        people.ti_death[rows] = self.week
        people.group[rows] = -1
        people.role[rows] = 0
        people.ti_discharge[rows] = -1
        people.ti_gp_followup[rows] = -1
        people.ti_op_followup[rows] = -1
        people.gp_waiting[rows] = False
        people.changed()
        self.network.note_deaths(rows)
        self.log.deaths += int(rows.size)

    # --- changing the world mid-run (sim.midrun) ----------------------------------------

    def set_parameters(self, overrides: Mapping[str, Any], source: str = "set_parameters"):
        """Apply validated dotted-path overrides from the next week on (weeks run stay).

        Raises:
            InputError: for a bad value or a setting fixed when the world was built.
        """
        from .midrun import set_parameters

        return set_parameters(self, overrides, source)

    def set_policy(self, kind: str, running: bool, source: str = "set_policy"):
        """Start or stop policy ``kind`` at the current week (see :mod:`sim.midrun`)."""
        from .midrun import set_policy

        return set_policy(self, kind, running, source)

    # --- results ------------------------------------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """Weekly metrics so far, one row a week, with the contract's columns."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "week", np.arange(1, len(frame) + 1))
        return frame[list(COLUMNS)]

    def summary(self) -> dict:
        """Headline summary of the run so far (see :func:`sim.metrics.summarise`)."""
        return summarise(self)

    def resident(self, row: int):
        """A read-only view of one resident."""
        return self.people[row]


def _as_scenario(scenario) -> Scenario:
    if scenario is None:
        return load_scenario("baseline")
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, Path, Mapping)):
        return load_scenario(scenario)
    raise InputError("HealthSystemModel()", "scenario",
                     f"expected a Scenario, a path or a dict, got {type(scenario).__name__}")
