"""The workshop dashboard's model: two scenarios stepped in lockstep, changed as the room asks.

Everything here is plain Python (no Solara), so it is tested without a browser and
the app in :mod:`sim.dashboard` only draws it.

- :class:`PairModel` — a ``mesa.Model`` holding a left ("done to") and a right ("done
  with") :class:`~sim.model.HealthSystemModel` on the same seed (common random
  numbers), stepped together; optionally a few more seeds of each, for a band of
  uncertainty. Levers apply at the start, or mid-run from the current week
  (:meth:`PairModel.set_lever`); a policy can be started or stopped now
  (:meth:`PairModel.set_policy`); each change leaves a marker. Bad values never raise:
  they are reported in :attr:`PairModel.problems` and the scenario's own value is kept.
- :func:`lever_target` — what a lever sets on one side.

One side's scenario as YAML the CLI runs is :func:`sim.dashboard_export.export_yaml`.

The levers are in :mod:`sim.dashboard_levers`; what the charts draw is read from the
sides by :mod:`sim.dashboard_data`.
"""

from __future__ import annotations

import collections
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dashboard_levers import (AS_SCENARIO, LEFT, RIGHT, WORKSHOP_POPULATION, Lever,
                               fixed_mid_run, lever_by_key, levers)
from .dashboard_scenarios import read_offered
from .errors import InputError
from .journey import JourneyTracker, pick_residents
from .mesa_import import mesa
from .metrics import COLUMNS
from .model import HealthSystemModel, estimated_bytes
from .policies import POLICIES
from .scenario import Scenario

__all__ = ["PairModel", "Side", "Marker", "live_pairs", "release_memory", "lever_target",
           "value_at", "MAX_SEEDS", "JOURNEYS"]

JOURNEYS = 8  # residents with different lives followed on both sides, shown first
POOL = 24  # more residents followed from week 0, among whom to find lives that differ most
MAX_SEEDS = 5  # seeds per side for the band: more would slow Play below what a room watches
# Share of the machine's available memory one session's models may take: a room's
# laptops share the server (assumption: leave room for a second session and the OS).
MEMORY_SHARE = 0.5

_LIVE: "weakref.WeakSet[PairModel]" = weakref.WeakSet()


def live_pairs() -> int:
    """Pairs holding models now (a closed browser tab's pair has let go of its models)."""
    return sum(1 for pair in list(_LIVE) if pair.runs)


def release_memory() -> None:
    """Collect freed models now and hand the freed heap back to the system (glibc only).

    The model keeps freed memory for reuse within a run (``sim.model``); after a
    session closes, the server should shrink rather than keep it for a session that may
    never come.
    """
    import ctypes
    import gc
    import platform

    gc.collect()
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


@dataclass
class Side:
    """One scenario of the pair on one seed: its model, its history and what was changed.

    Attributes:
        name: the scenario's name (its file stem).
        file_spec: the scenario as read from its file.
        model: the running model (its ``spec`` is the scenario in force).
        tracker: the journeys followed (only on the first seed's sides).
        history: this side's weekly metrics rows, by column.
    """

    name: str
    file_spec: Scenario
    model: HealthSystemModel
    tracker: JourneyTracker | None = None
    history: dict[str, list] = field(default_factory=lambda: {c: [] for c in COLUMNS})

    @property
    def spec(self) -> Scenario:
        """The scenario in force now (levers and mid-run changes applied)."""
        return self.model.spec

    @property
    def description(self) -> str:
        """The scenario file's first sentence, as written (levers may since have moved)."""
        text = " ".join(self.file_spec.description.split())
        return text.split(". ")[0].rstrip(".") + "." if text else ""

    def record(self) -> None:
        """Append this week's metrics row to the history."""
        for c in COLUMNS:
            self.history[c].append(self.model.metrics[c])


@dataclass(frozen=True)
class Marker:
    """A change of the world mid-run, drawn as a line on the time axes.

    Attributes:
        week: weeks completed when it was made (it shapes the weeks after).
        text: what changed, in a few words.
        sides: the indexes of the sides it changed (0 left, 1 right).
    """

    week: int
    text: str
    sides: tuple[int, ...]


def value_at(spec: Scenario, path: str) -> Any:
    """The value at a dotted path, or ``None`` where the scenario does not list a policy."""
    node: Any = spec
    for part in path.split("."):
        node = getattr(node, part, None)
    return node


def lever_target(lever: Lever, spec: Scenario, file_spec: Scenario, value: Any) -> Any:
    """The value ``lever`` sets on a side, or ``None`` when it does not apply there.

    ``spec`` is the side's scenario in force, ``file_spec`` as read from its file.

    Place levers (population, GP capacity) set both sides, so the two places are the
    same. A policy's lever sets only a side whose scenario lists that policy: moving
    screening uptake must not switch screening on in "done with". Governance set to
    "as in each scenario" gives each side its file's own.
    """
    if lever.policy is not None:
        return value if getattr(spec.policies, lever.policy) is not None else None
    if value == AS_SCENARIO:
        return value_at(file_spec, lever.path)
    return value


def _available_memory() -> int | None:
    from .preflight import available_memory  # one reading of /proc/meminfo

    return available_memory()


class PairModel(mesa.Model):
    """Two health-system models stepped together: the left ("done to") and the right ("done with").

    Both run on the same seed, so residents, needs and every other draw are paired
    (common random numbers) and the difference between the sides is the policies'.

    Args:
        left, right: names of scenario files offered (``scenarios/<name>.yaml``).
        seed: the seed of the first pair.
        seeds: pairs run in all (seeds ``seed``, ``seed + 1``, ...), for a band.
        journeys: residents with different lives to follow (the same rows on both
            sides: the same people); ``pool`` more are followed to find the lives that
            differ most (:func:`sim.dashboard_data.most_different`).
        place: a place of England (a local authority's or ICB's code or name,
            :mod:`sim.places`) whose age structure, deprivation and neighbourhoods both
            sides take, scaled to the population lever (the room's speed); ``None``: the
            scenarios' own typical place.
        **lever_values: lever values by :attr:`Lever.key`, e.g. ``population__size=20000``.

    Attributes:
        runs: per seed, the left and the right :class:`Side`.
        sides: the first seed's left and right sides (the ones the charts lead with).
        values: every lever's value in force, by key.
        markers: changes made mid-run (:class:`Marker`).
        problems: messages about input that could not be used (shown, never raised).
        followed: resident rows followed in both models.
    """

    def __init__(self, left: str = LEFT, right: str = RIGHT, seed: int = 1, *, seeds: int = 1,
                 journeys: int = JOURNEYS, pool: int = POOL, place: str | None = None,
                 **lever_values: Any):
        self.problems: list[str] = []
        self.place = self._place(place)
        seed = self._whole(seed, "seed", 0, 2**32 - 1 - MAX_SEEDS, 1)
        self.n_seeds = self._whole(seeds, "seeds", 1, MAX_SEEDS, 1)
        super().__init__(rng=seed)
        from .process import keep_freed_heap

        keep_freed_heap()  # the dashboard's server process
        self.seed = seed
        # Play steps the pair in a server thread while the page moves levers or follows
        # someone new: nothing may change in the middle of a week.
        self.lock = threading.RLock()
        self._step_times: collections.deque[float] = collections.deque(maxlen=200)
        self.values = {lever.key: lever.default for lever in levers()}
        self.values.update(self._lever_values(lever_values))
        self.markers: list[Marker] = []
        names = [self._read(left, LEFT), self._read(right, RIGHT)]
        self.names = [name for name, _ in names]
        self._check_memory([spec for _, spec in names])
        self.runs = [[self._build(name, spec, seed + i) for name, spec in names]
                     for i in range(self.n_seeds)]
        self.sides = self.runs[0]
        for side in self.sides:
            side.tracker = JourneyTracker.attach(side.model)
        # The two populations are built from the same seed and the same place, so a row
        # is the same person on both sides: follow the same rows in each.
        first = pick_residents(self.sides[0].model, journeys) if journeys else []
        self.stories = list(first)  # the residents picked for their different lives
        more = pick_residents(self.sides[0].model, journeys + pool)[journeys:] if pool else []
        self.follow(first + more)
        self.running = True
        _LIVE.add(self)

    # --- reading -----------------------------------------------------------------------

    @property
    def left(self) -> Side:
        """The left side (by default "done to")."""
        return self.sides[0]

    @property
    def right(self) -> Side:
        """The right side (by default "done with")."""
        return self.sides[1]

    @property
    def week(self) -> int:
        """Weeks completed (both sides together)."""
        return self.sides[0].model.week if self.runs else self._closed_week

    @property
    def horizon(self) -> int:
        """Weeks the pair runs for (the shorter scenario's horizon)."""
        return min(s.file_spec.weeks for s in self.sides)

    def settings(self) -> dict[str, Any]:
        """What restores this pair: scenarios, seeds and every lever not at its default."""
        moved = {lever.key: self.values[lever.key] for lever in levers()
                 if self.values[lever.key] != lever.default}
        chosen = {} if self.place is None else {"place": self.place.code}
        return {"left": self.names[0], "right": self.names[1], "seed": self.seed,
                "seeds": self.n_seeds, **chosen, **moved}

    def policy_state(self, i: int, kind: str) -> str:
        """``running``, ``scheduled``, ``stopped`` or ``absent`` for policy ``kind`` on side ``i``."""
        settings = getattr(self.sides[i].spec.policies, kind)
        if settings is None or not settings.enabled:
            return "absent"
        policy = next((p for p in self.sides[i].model.policies if p.kind == kind), None)
        if policy is not None and policy.due(self.week):
            return "running"
        return "scheduled" if settings.start_week > self.week else "stopped"

    def weeks_per_second(self, window: float = 3.0) -> float:
        """Weeks stepped per second over the last few seconds (0 when not playing)."""
        now = time.perf_counter()
        recent = [t for t in self._step_times if now - t <= window]
        if len(recent) < 2 or now - recent[-1] > 1.0:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0])

    # --- running and changing ------------------------------------------------------------

    def step(self) -> None:
        """One week of every model."""
        with self.lock:
            if not self.runs:
                return
            for run in self.runs:
                for side in run:
                    side.model.step()
                    side.record()
            self._step_times.append(time.perf_counter())
            self.running = self.week < self.horizon

    def set_lever(self, key: str, value: Any) -> str:
        """Move a lever from the current week on; returns what happened, in words.

        A lever that shaped the world when it was built (the population) is kept for
        the next Reset. A bad value is refused (reported in :attr:`problems`).
        """
        lever = lever_by_key(key)
        try:
            if lever is None:
                raise InputError("dashboard", key, "no such lever")
            value = lever.coerce(value)
        except InputError as exc:
            self.problems.append(f"{exc.key}: {exc.problem}; nothing changed")
            return self.problems[-1]
        with self.lock:
            self.values[lever.key] = value
            if fixed_mid_run(lever):
                return f"{lever.label}: {lever.show(value)} from the next Reset"
            touched = []
            for i in range(2):
                side = self.sides[i]
                target = lever_target(lever, side.spec, side.file_spec, value)
                if target is None:
                    continue
                if target == value_at(self.sides[i].spec, lever.path):
                    touched.append(i)
                    continue
                for run in self.runs:
                    run[i].model.set_parameters({lever.path: target}, "dashboard")
                touched.append(i)
            if not touched:
                return f"{lever.label} acts on neither side (neither scenario runs its policy)"
            self.markers.append(Marker(self.week, f"{lever.label} {lever.show(value)}",
                                       tuple(touched)))
            where = "both sides" if len(touched) == 2 else self.names[touched[0]]
            return f"{lever.label}: {lever.show(value)} on {where} from week {self.week + 1}"

    def set_policy(self, i: int, kind: str, running: bool) -> str:
        """Start or stop policy ``kind`` on side ``i`` (every seed) at the current week."""
        if kind not in POLICIES or i not in (0, 1):
            self.problems.append(f"policy {kind!r} on side {i!r}: expected a policy of "
                                 f"{', '.join(POLICIES)} on side 0 or 1; nothing changed")
            return self.problems[-1]
        with self.lock:
            # A policy started here runs with the room's levers for it, as shown.
            tuned = {lever.path: self.values[lever.key] for lever in levers()
                     if running and lever.policy == kind and lever.kind != "switch"}
            for run in self.runs:
                run[i].model.set_policy(kind, running, "dashboard")
                if tuned:
                    run[i].model.set_parameters(tuned, "dashboard")
            verb = "started" if running else "stopped"
            name = kind.replace("_", " ")
            self.markers.append(Marker(self.week, f"{name} {verb}", (i,)))
            return f"{name} {verb} on {self.names[i]} from week {self.week + 1}"

    def follow(self, rows) -> list[int]:
        """Follow more residents on both sides from now on; returns the rows now followed.

        Raises:
            InputError: for a row that is not a living resident on both sides (the same
                person may have died on one side only).
        """
        try:
            wanted = [int(r) for r in np.atleast_1d(np.asarray(rows, dtype=object))]
        except (TypeError, ValueError):
            raise InputError("dashboard", "resident", f"expected resident numbers, got {rows!r}") from None
        with self.lock:
            for side in self.sides:
                people = side.model.people
                for row in wanted:
                    if not (0 <= row < people.n and people.alive[row]):
                        raise InputError("dashboard", "resident",
                                         f"{row} is not a living resident in {side.name} "
                                         f"(expected a number from 0 to {people.n - 1})")
            for side in self.sides:
                side.tracker.follow(side.model, wanted)
        self.followed = [int(r) for r in self.sides[0].tracker.rows]
        return self.followed

    def close(self) -> None:
        """Let go of every model (the browser tab closed); stepping does nothing after.

        The first seed's sides keep their names and histories, without their models.
        """
        with self.lock:
            self._closed_week = self.week
            self.runs = []
            for side in self.sides:
                side.model = side.tracker = None
            self.running = False

    # --- building ------------------------------------------------------------------------

    def _whole(self, value: Any, name: str, lo: int, hi: int, fallback: int) -> int:
        try:
            number = int(value)
            if number != value and not (isinstance(value, str) and str(number) == value.strip()):
                raise ValueError
            if not lo <= number <= hi:
                raise ValueError
            return number
        except (TypeError, ValueError):
            self.problems.append(f"{name} {value!r} is not a whole number from {lo} to {hi}; "
                                 f"using {fallback}")
            return fallback

    def _lever_values(self, given: dict[str, Any]) -> dict[str, Any]:
        """Valid lever values by key; a bad or unknown one is reported and left out."""
        values = {}
        for key, value in given.items():
            lever = lever_by_key(key)
            if lever is None:
                self.problems.append(f"unknown lever {key!r}; ignored")
                continue
            try:
                values[lever.key] = lever.coerce(value)
            except InputError as exc:
                self.problems.append(f"{exc.key}: {exc.problem}; the scenario's value is kept")
        return values

    def _place(self, text: Any):
        """The place asked for, or ``None`` (a place not found is reported, with the
        closest names)."""
        if text is None or text == "":
            return None
        from .places import resolve

        try:
            return resolve(str(text), "place")
        except InputError as exc:
            self.problems.append(f"{exc}; showing the scenarios' own place")
            return None

    def _read(self, name: Any, fallback: str) -> tuple[str, Scenario]:
        """An offered scenario file; a name not offered or a broken file is reported."""
        try:
            return name, read_offered(name)
        except InputError as exc:
            self.problems.append(f"{exc}; showing {fallback}")
            return fallback, read_offered(fallback)

    def _check_memory(self, specs: list[Scenario]) -> None:
        """Refuse a population the server's free memory cannot hold (two sides, each seed)."""
        lever = lever_by_key("population__size")
        size = self.values[lever.key]
        weeks = max(spec.weeks for spec in specs)
        degree = max(spec.network.mean_degree for spec in specs)
        available = _available_memory()
        need = 2 * self.n_seeds * estimated_bytes(size, weeks, degree)
        if available is not None and need > MEMORY_SHARE * available:
            self.problems.append(
                f"population.size: {size:,} residents on {2 * self.n_seeds} models need about "
                f"{need / 1e9:.1f} GB and this server has {available / 1e9:.1f} GB free; "
                f"expected at most {MEMORY_SHARE:.0%} of it: using {WORKSHOP_POPULATION:,}")
            self.values[lever.key] = WORKSHOP_POPULATION

    def _build(self, name: str, spec: Scenario, seed: int) -> Side:
        """One side on one seed, with every lever that applies to it."""
        file_spec = spec
        for lever in levers():
            target = lever_target(lever, file_spec, file_spec, self.values[lever.key])
            if target is None or target == value_at(file_spec, lever.path):
                continue
            try:  # one at a time, so one bad value does not lose the others
                spec = spec.with_overrides({lever.path: target}, "dashboard")
            except InputError as exc:
                self.problems.append(f"{exc.key}: {exc.problem}; the scenario's value is kept")
        if self.place is not None:  # the place's structure, at the population lever's size
            from .places import scale_for

            residents = self.values[lever_by_key("population__size").key]
            spec = spec.with_overrides({"place": self.place.code,
                                        "population.scale": scale_for(self.place, residents)},
                                       "dashboard")
        return Side(name, file_spec, HealthSystemModel(spec, seed=seed))
