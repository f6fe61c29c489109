"""Resident journeys: the week-by-week story of a few followed residents.

The model keeps no per-person history (at a million residents it would cost more
memory than the population itself). A :class:`JourneyTracker` is the opt-in
exception: it follows a handful of rows. The phases tell it the events they decide
for whole arrays of rows (:meth:`JourneyTracker.note`: deaths, admissions, outpatient
attendances), and at the end of each week it reads this week's needs and requests
(``model.needs``, ``model.gp_requests``, ``model.ae_arrivals``, see :mod:`sim.need`)
and compares the rest of the followed rows' state with the week before, to tell what
happened to each of them: the need they had, where they turned, the contacts they
made, diagnoses, the group they joined or lost, their place in the movement, and how
their activation and dependence moved.

The model calls :meth:`JourneyTracker.record` only when a tracker is attached, so an
unfollowed run costs nothing. Recording only reads the model's state: attaching a
tracker never changes what happens.

Example::

    model = HealthSystemModel("done_with", population__size=5000)
    tracker = JourneyTracker.attach(model, [12, 345])
    model.run(52)
    tracker.story(12)        # [{"week": 3, "lane": "need", "text": "..."}, ...]
    tracker.timeline(12)     # weekly activation, dependence, ... (pandas)
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .community import GROUP_KINDS
from .need import FOLLOWUP, LOW, RETRY
from .population import LONE_WOLF, MOBILISER, NONE, ORGANISER, PARTICIPANT

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["JourneyTracker", "JourneyEvent", "LANES", "STATE_FIELDS", "pick_residents"]

# The rows of a journey timeline, top to bottom: what a person needed, where they
# turned, the services they met, and the life around them.
LANES = ("need", "own resources", "GP", "A&E", "admission", "outpatients", "screening",
         "diagnosis", "link worker", "group", "movement", "life")

# State recorded every week for the timeline (all 0..1 but the counts).
STATE_FIELDS = ("activation", "dependence", "wellbeing", "connectedness", "ltc", "diagnosed",
                "group", "role")

# State compared week on week to detect the events no phase notes.
_SNAPSHOT = ("group", "role", "ltc", "diagnosed", "cum_gp", "cum_ae", "ti_op_followup",
             "ti_gp_followup", "ti_screened", "gp_waiting")

# Events the phases note for their rows (JourneyTracker.note), by key.
NOTED = ("died", "admitted", "outpatients")

ROLE_NAMES = {PARTICIPANT: "a participant", MOBILISER: "a mobiliser",
              ORGANISER: "an organiser", LONE_WOLF: "a lone wolf"}
NEED_TEXT = {"low": "a minor complaint", "flare": "a flare-up of a long-term condition",
             "acute": "an acute episode", "review": "a planned review of a known condition"}
GP_REQUEST_TEXT = {FOLLOWUP: "a booked GP follow-up fell due",
                   RETRY: "tried the GP again after no appointment last week"}


@dataclass(frozen=True)
class JourneyEvent:
    """One thing that happened to a followed resident in one week.

    Attributes:
        week: the week it happened (weeks completed, as in the time series).
        row: the resident's row.
        lane: one of :data:`LANES`.
        text: the event in plain words.
    """

    week: int
    row: int
    lane: str
    text: str

    def as_dict(self) -> dict:
        """The event as plain data."""
        return {"week": self.week, "row": self.row, "lane": self.lane, "text": self.text}


class JourneyTracker:
    """Follows a few residents of one model, week by week.

    Args:
        model: the model whose residents are followed.
        rows: resident rows to follow (living residents).

    Use :meth:`attach` to create one and hook it to the model.
    """

    def __init__(self, model: "HealthSystemModel", rows=()):
        self.rows = np.empty(0, np.int64)
        self.events: list[JourneyEvent] = []
        self._trace: dict[int, dict[str, list]] = {}
        self._before: dict[str, np.ndarray] = {}
        self._noted: dict[str, np.ndarray] = {}  # this week's noted rows, by NOTED key
        self.follow(model, rows)

    @classmethod
    def attach(cls, model: "HealthSystemModel", rows=()) -> "JourneyTracker":
        """Follow ``rows`` of ``model`` from now on; returns the tracker (``model.journeys``).

        If the model already has a tracker, the rows are added to it.
        """
        tracker = getattr(model, "journeys", None)
        if tracker is None:
            tracker = cls(model, rows)
            model.journeys = tracker
        else:
            tracker.follow(model, rows)
        return tracker

    def follow(self, model: "HealthSystemModel", rows) -> np.ndarray:
        """Start following more residents from the current week; returns the new rows.

        Raises:
            ValueError: for a row that is not a living resident.
        """
        rows = np.unique(np.asarray(rows, dtype=np.int64).ravel())
        people = model.people
        bad = rows[(rows < 0) | (rows >= people.n)]
        if bad.size == 0:
            bad = rows[~people.alive[rows]]
        if bad.size:
            raise ValueError(f"resident {int(bad[0])} is not a living resident "
                             f"(expected a row from 0 to {people.n - 1} of someone alive)")
        new = np.setdiff1d(rows, self.rows)
        if new.size == 0:
            return new
        self.rows = np.concatenate([self.rows, new])
        order = np.argsort(self.rows, kind="stable")
        self.rows = self.rows[order]
        before = _snapshot(model, new)
        for field in _SNAPSHOT:
            old = self._before.get(field, np.empty(0, before[field].dtype))
            self._before[field] = np.concatenate([old, before[field]])[order]
        for row in new:
            self._trace[int(row)] = {"week": [], **{f: [] for f in STATE_FIELDS}}
        self._append_state(model, new, model.week)
        return new

    # --- the weekly hooks --------------------------------------------------------------

    def note(self, event: str, rows: np.ndarray) -> None:
        """Called by a phase (only while a tracker is attached): ``rows`` had ``event``
        (one of :data:`NOTED`) this week. Only the followed rows are kept."""
        if self.rows.size:
            self._noted[event] = np.concatenate([self._noted.get(event, np.empty(0, np.int64)),
                                                 self.rows[_member(self.rows, rows)]])

    def _had(self, event: str) -> np.ndarray:
        """Which followed rows (a mask over ``self.rows``) a phase noted ``event`` for."""
        return _member(self.rows, self._noted.get(event))

    def record(self, model: "HealthSystemModel") -> None:
        """Called by the model at the end of each week: note each followed person's week."""
        if self.rows.size == 0:
            return
        week = model.week
        # The phases of the week ran with model.week == week - 1.
        w = _Week(rows=self.rows, a=_snapshot(model, self.rows), b=self._before,
                  start=week - 1)
        died = self._had("died")
        for i in np.flatnonzero(died):
            w.ev.append((i, "life", "died"))
        w.live = model.people.alive[w.rows] & ~died
        _needs_and_care(model, w)
        self._hospital(model, w)
        _conditions(w)
        _community(model, w)
        self.events.extend(JourneyEvent(week, int(w.rows[i]), lane, text)
                           for i, lane, text in w.ev)
        self._before = w.a
        self._noted = {}
        self._append_state(model, w.rows[model.people.alive[w.rows]], week)

    def _hospital(self, model: "HealthSystemModel", w: "_Week") -> None:
        """Admissions, outpatient attendances and referrals (noted by the phases), and
        follow-ups booked or made unneeded."""
        w.admitted = w.live & self._had("admitted")
        discharge = model.people.ti_discharge[w.rows]
        for i in np.flatnonzero(w.admitted):
            w.ev.append((i, "admission", f"admitted to hospital until week {discharge[i] + 1}"))
        w.at_op = w.live & self._had("outpatients")
        for i in np.flatnonzero(w.at_op):
            w.ev.append((i, "outpatients", "outpatient appointment"))
        referred = w.live & (w.b["ti_op_followup"] < 0) & (w.a["ti_op_followup"] > w.start)
        for i in np.flatnonzero(referred):
            via = "after the admission" if w.admitted[i] else "by the GP" if w.saw_gp[i] else ""
            w.ev.append((i, "outpatients", f"referred to outpatients {via}".strip()))
        booked = w.live & w.saw_gp & (w.a["ti_gp_followup"] > w.start) \
            & (w.a["ti_gp_followup"] != w.b["ti_gp_followup"])
        for i in np.flatnonzero(booked):
            w.ev.append((i, "GP", f"GP follow-up booked for week {w.a['ti_gp_followup'][i] + 1}"))
        averted = _member(w.rows, getattr(model, "followups_averted", None))
        for i in np.flatnonzero(w.live & w.saw_gp & averted):
            w.ev.append((i, "GP", "no follow-up needed: resolved at the first contact, a change "
                                "the practice's improvement team adopted"))


    # --- reading the journeys ------------------------------------------------------------

    def story(self, row: int) -> list[dict]:
        """Every event of one followed resident, in order, as dicts (week, lane, text)."""
        return [e.as_dict() for e in self.events if e.row == row]

    def trace(self, row: int) -> dict[str, list]:
        """Weekly state of one followed resident as lists (``week`` and :data:`STATE_FIELDS`).

        Empty lists for a resident who is not followed.
        """
        trace = self._trace.get(int(row))
        if trace is None:
            return {"week": [], **{f: [] for f in STATE_FIELDS}}
        return {k: list(v) for k, v in trace.items()}

    def timeline(self, row: int) -> pd.DataFrame:
        """Weekly state of one followed resident since they were first followed.

        Raises:
            KeyError: for a resident who is not followed.
        """
        if int(row) not in self._trace:
            raise KeyError(f"resident {row} is not followed")
        return pd.DataFrame(self.trace(row))

    def _append_state(self, model: "HealthSystemModel", rows: np.ndarray, week: int) -> None:
        people = model.people
        values = {f: getattr(people, f)[rows].tolist() for f in STATE_FIELDS}
        for j, row in enumerate(rows.tolist()):
            trace = self._trace[row]
            trace["week"].append(week)
            for f in STATE_FIELDS:
                trace[f].append(values[f][j])


# --- helpers -----------------------------------------------------------------------------


@dataclass
class _Week:
    """One week of the followed rows, as :meth:`JourneyTracker.record` reads it: the state
    after (``a``) and before (``b``) the week, and the events found, as
    (index into ``rows``, lane, text)."""
    rows: np.ndarray
    a: dict
    b: dict
    start: int
    live: np.ndarray | None = None
    saw_gp: np.ndarray | None = None
    to_ae: np.ndarray | None = None
    admitted: np.ndarray | None = None
    at_op: np.ndarray | None = None
    screened: np.ndarray | None = None
    ev: list = _field(default_factory=list)


def _needs_and_care(model: "HealthSystemModel", w: _Week) -> None:
    """Needs and where the person turned with them."""
    needs = model.needs
    need_of = {name: _member(w.rows, getattr(needs, name)) if needs is not None
               else np.zeros(w.rows.size, bool) for name in NEED_TEXT}
    gp_kinds = _kinds(w.rows, model.gp_requests)
    ae_kinds = _kinds(w.rows, model.ae_arrivals)
    w.saw_gp = w.a["cum_gp"] > w.b["cum_gp"]
    w.to_ae = w.a["cum_ae"] > w.b["cum_ae"]
    for i in np.flatnonzero(w.live):
        for name, text in NEED_TEXT.items():
            if need_of[name][i]:
                w.ev.append((i, "need", f"had {text}"))
        low_gp, low_ae = LOW in gp_kinds[i], LOW in ae_kinds[i]
        if need_of["low"][i] and not (low_gp or low_ae):
            where = ("self-care, family, peers or their group" if w.b["group"][i] >= 0
                     else "self-care, family or friends")
            w.ev.append((i, "own resources", f"managed it without services ({where})"))
        for kind, text in GP_REQUEST_TEXT.items():
            if kind in gp_kinds[i]:
                w.ev.append((i, "GP", text))
        if gp_kinds[i]:
            if w.saw_gp[i]:
                w.ev.append((i, "GP", "saw a GP"))
            elif w.to_ae[i]:
                w.ev.append((i, "GP", "asked for a GP appointment; none was free"))
            elif w.a["gp_waiting"][i]:
                w.ev.append((i, "GP", "no GP appointment; will try again next week"))
            else:
                w.ev.append((i, "GP", "no GP appointment; gave up (unmet need)"))
        if w.to_ae[i]:
            why = ("after no GP appointment" if gp_kinds[i] and not w.saw_gp[i]
                   else "with a minor complaint" if low_ae
                   else "with an urgent need")
            w.ev.append((i, "A&E", f"went to A&E {why}"))


def _conditions(w: _Week) -> None:
    """Screening, new conditions and diagnoses."""
    w.screened = w.live & (w.a["ti_screened"] == w.start) & (w.b["ti_screened"] != w.start)
    for i in np.flatnonzero(w.screened):
        w.ev.append((i, "screening", "attended a health check"))
    for i in np.flatnonzero(w.live & (w.a["ltc"] > w.b["ltc"])):
        w.ev.append((i, "life", "developed a new long-term condition (not yet known to services)"))
    for i in np.flatnonzero(w.live & (w.a["diagnosed"] > w.b["diagnosed"])):
        where = ("at the health check " if w.screened[i] else "at outpatients " if w.at_op[i]
                 else "by the GP " if w.saw_gp[i] else "")
        w.ev.append((i, "diagnosis", f"diagnosed with a long-term condition {where}"
                   f"({w.a['diagnosed'][i]} of {w.a['ltc'][i]} now known)"))


def _community(model: "HealthSystemModel", w: _Week) -> None:
    """Link workers, community groups and the movement."""
    linked = _member(w.rows, model.link_worker_referrals)
    for i in np.flatnonzero(w.live & linked):
        w.ev.append((i, "link worker", "referred to a link worker"))
    groups = model.groups
    for i in np.flatnonzero(w.live & (w.a["group"] != w.b["group"])):
        g0, g1 = int(w.b["group"][i]), int(w.a["group"][i])
        w.ev.append((i, "group", _group_change(groups, g0, g1, w.start, bool(linked[i]))))
    for i in np.flatnonzero(w.live & (w.a["role"] != w.b["role"])):
        r0, r1 = int(w.b["role"][i]), int(w.a["role"][i])
        if r1 == NONE:
            w.ev.append((i, "movement", "left the movement"))
        elif r0 == NONE:
            w.ev.append((i, "movement", f"joined the movement as {ROLE_NAMES[r1]}"))
        else:
            w.ev.append((i, "movement", f"became {ROLE_NAMES[r1]} in the movement"))


def _snapshot(model: "HealthSystemModel", rows: np.ndarray) -> dict[str, np.ndarray]:
    people = model.people
    return {f: getattr(people, f)[rows].copy() for f in _SNAPSHOT}


def _member(rows: np.ndarray, among: np.ndarray | None) -> np.ndarray:
    """Which of ``rows`` are in ``among``.

    Asked this way round (``among`` in ``rows``), numpy compares ``among`` with each of
    the few followed rows in turn instead of sorting the whole of ``among``.
    """
    if among is None or len(among) == 0:
        return np.zeros(rows.size, dtype=bool)
    return np.isin(rows, among[np.isin(among, rows)])


def _kinds(rows: np.ndarray, requests) -> list[set[int]]:
    """The kinds of request each of ``rows`` made (a set per row)."""
    out: list[set[int]] = [set() for _ in range(rows.size)]
    if requests is None or len(requests) == 0:
        return out
    mask = np.isin(requests.rows, rows)
    where = np.searchsorted(rows, requests.rows[mask])  # rows are kept sorted
    for i, k in zip(where.tolist(), requests.kind[mask].tolist()):
        out[i].add(k)
    return out


def _group_change(groups, g0: int, g1: int, week: int, via_link_worker: bool) -> str:
    """A change of community group in words."""
    def name(g: int) -> str:
        return f"{GROUP_KINDS[groups.kind_code[g]]} group #{g}"

    if g0 < 0:
        if groups.ti_born[g1] == week and groups.members[g1] <= 1:
            return f"started a new {name(g1)}"
        via = " through a link worker" if via_link_worker else ""
        return f"joined a {name(g1)}{via}"
    if g1 < 0:
        if not groups.alive[g0]:
            return f"their {name(g0)} folded"
        return f"left the {name(g0)}"
    if groups.ti_born[g1] == week:
        return f"the {name(g0)} split; went with the new {name(g1)}"
    return f"moved from the {name(g0)} to a {name(g1)}"


def pick_residents(model: "HealthSystemModel", count: int = 8) -> list[int]:
    """A handful of residents with different lives, to follow in a workshop.

    Deterministic for a given population: an older person with several conditions,
    someone lonely, someone in the most and the least deprived places, an organiser, a
    highly dependent person, a young adult, a group member; then others to fill.
    """
    people = model.people
    live = people.live
    age, ltc = people.age[live], people.ltc[live]
    adult = age >= 18
    lonely = people.connectedness[live] < model.spec.population.lonely_below
    criteria = [
        (age >= 75) & (ltc >= 3),
        adult & (age < 50) & lonely,
        adult & (people.deprivation[live] == 1) & (ltc >= 1),
        adult & people.organiser[live] & (people.group[live] < 0),
        adult & (people.dependence[live] > 0.5),
        (age >= 18) & (age < 30),
        adult & (people.deprivation[live] == 5),
        adult & (people.group[live] >= 0),
    ]
    chosen: list[int] = []
    for i, mask in enumerate(criteria):
        # Spread the picks over the population rather than all from the first rows.
        candidates = live[mask]
        candidates = candidates[~np.isin(candidates, chosen)]
        if candidates.size:
            chosen.append(int(candidates[(candidates.size * (2 * i + 1)) // (2 * len(criteria))]))
        if len(chosen) == count:
            break
    rest = live[~np.isin(live, chosen)]
    step = max(rest.size // max(count, 1), 1)
    for row in rest[::step]:
        if len(chosen) >= count:
            break
        chosen.append(int(row))
    return chosen[:count]
