"""The resident population: one row per person, held as named NumPy arrays.

No Python object exists per person. Arrays are allocated with room for the births
expected over the run and grow (rarely) if more arrive; the dead keep their row with
``alive`` false, so row indices never change and the network can refer to them.
Each person has a ``uid`` that keys their random draws (see :mod:`sim.streams`).

Naming follows Starsim: ``ti_<event>`` is the week something happens (-1: none),
``n_<event>`` a count in the current reporting year, ``cum_<event>`` over the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .logistic import expit

if TYPE_CHECKING:
    from .scenario import Scenario
    from .streams import Streams

__all__ = ["Residents", "Resident", "FIELDS", "bytes_per_resident", "row_reserve",
           "rows_added_per_year"]

AGE_BAND_YEARS = 5.0  # the width of a band of population.age_pyramid

# Movement roles (see sim.movement).
NONE, PARTICIPANT, MOBILISER, ORGANISER, LONE_WOLF = 0, 1, 2, 3, 4

FIELDS: dict[str, tuple[np.dtype, object]] = {
    # identity and place
    "uid": (np.uint64, 0),
    "alive": (np.bool_, False),
    "age": (np.float32, 0.0),
    "female": (np.bool_, False),
    "household": (np.int32, -1),
    "neighbourhood": (np.int32, -1),
    "deprivation": (np.int8, 0),  # IMD quintile, 1 = most deprived
    "practice": (np.int32, -1),
    # health
    "wellbeing": (np.float32, 0.0),
    "ltc": (np.int8, 0),  # true count of long-term conditions
    "diagnosed": (np.int8, 0),  # conditions known to services
    # disposition
    "activation": (np.float32, 0.0),
    "dependence": (np.float32, 0.0),
    "activation0": (np.float32, 0.0),  # the person's own long-run level
    "dependence0": (np.float32, 0.0),
    "connectedness": (np.float32, 0.0),
    "connectedness0": (np.float32, 0.0),
    # community and movement
    "group": (np.int32, -1),  # community group row, -1: none
    "organiser": (np.bool_, False),  # has the skills and will to organise
    "role": (np.int8, NONE),  # movement role
    "threshold": (np.float32, 1.0),  # Watts threshold: share of ties to join
    # in the system
    "ti_gp_followup": (np.int32, -1),
    "ti_op_followup": (np.int32, -1),
    "ti_discharge": (np.int32, -1),  # in a hospital bed until this week
    "gp_waiting": (np.bool_, False),  # a request not served last week, trying again
    "ti_screened": (np.int32, -1),  # last health check attended
    "ti_birth": (np.int32, -1),
    "ti_death": (np.int32, -1),
    # contacts in the reporting year (reset each 52 weeks) and over the run
    "n_gp": (np.int16, 0),
    "n_ae": (np.int16, 0),
    "n_admit": (np.int16, 0),
    "n_op": (np.int16, 0),
    "n_unmet": (np.int16, 0),  # GP requests given up on
    "n_low": (np.int16, 0),  # low-level complaints
    "n_low_service": (np.int16, 0),  # ... of which taken to a GP or A&E
    "cum_gp": (np.int32, 0),
    "cum_ae": (np.int32, 0),
}


def rows_added_per_year(scenario: "Scenario") -> float:
    """Rows a run adds a year per starting resident: births and arrivals (the dead keep
    their rows), from the parameters: the fertility rate times the share of residents who
    are women of fertile age in the starting pyramid, and net migration. About 1.5% with
    the defaults (0.96% births, 0.5% arrivals)."""
    h, pop = scenario.health, scenario.population
    pyramid = np.asarray(pop.age_pyramid, np.float64)
    edges = np.arange(pyramid.size + 1) * AGE_BAND_YEARS
    overlap = np.clip(np.minimum(edges[1:], h.fertile_age_max)
                      - np.maximum(edges[:-1], h.fertile_age_min),
                      0.0, AGE_BAND_YEARS) / AGE_BAND_YEARS
    fertile = float((pyramid * overlap).sum() / pyramid.sum()) * pop.female_share
    return h.fertility_rate * fertile + h.net_migration_per_1000 / 1000.0


# The reserve covers a tenth more than the expected rows (chance, and the fertile share
# drifting as a place ages), and RESERVE_SLACK rows for a small place's chance.
RESERVE_MARGIN, RESERVE_SLACK = 1.10, 256


def row_reserve(scenario: "Scenario", weeks: int) -> int:
    """Rows to allocate for a run of ``weeks`` (burn-in included): the starting residents
    and the births and arrivals expected, so that the arrays are not regrown mid-run."""
    size = scenario.population.size
    added = size * rows_added_per_year(scenario) * weeks / 52.0
    return int(size + RESERVE_MARGIN * added) + RESERVE_SLACK


def bytes_per_resident() -> int:
    """Memory of one row of state, for the memory estimate shown before a big run."""
    return sum(np.dtype(dtype).itemsize for dtype, _ in FIELDS.values())


class Residents:
    """Struct of arrays, one row per person ever alive in the run.

    Attributes are the arrays in :data:`FIELDS`, each of length ``capacity``; rows
    ``[0, n)`` are in use. Use :attr:`live` for the rows of living people.
    """

    def __init__(self, capacity: int):
        self.n = 0
        self.capacity = int(capacity)
        for name, (dtype, fill) in FIELDS.items():
            setattr(self, name, np.full(self.capacity, fill, dtype=dtype))
        self._live: np.ndarray | None = None
        self._living: int | None = None
        self._work: dict[str, np.ndarray] = {}
        self._columns: dict[type, tuple] = {}

    # --- rows ---------------------------------------------------------------------------

    def workspace(self, name: str, rows: int, dtype=np.float32) -> np.ndarray:
        """A scratch array of ``rows`` rows kept from week to week under ``name``.

        For the compiled passes that fill an array a row per resident each week:
        allocating it afresh costs page faults worth a good part of the pass.
        """
        work = self._work.get(name)
        if work is None or work.size < rows:
            work = self._work[name] = np.empty(max(rows, self.capacity), dtype=dtype)
        return work

    def columns(self, kind):
        """The named tuple ``kind`` of whole columns (all ``capacity`` rows), by field name,
        for a compiled pass that is told how many rows to read: made once, and again only
        when the arrays grow (a pass every week would otherwise slice a dozen columns)."""
        made = self._columns.get(kind)
        if made is None:
            made = self._columns[kind] = kind(*(getattr(self, name) for name in kind._fields))
        return made

    @property
    def live(self) -> np.ndarray:
        """Row indices of living residents (cached until births or deaths)."""
        if self._live is None:
            self._live = np.flatnonzero(self.alive[: self.n])
        return self._live

    def changed(self) -> None:
        """Forget cached row sets and counts after births or deaths."""
        self._live = None
        self._living = None

    def __len__(self) -> int:
        """Living residents (cached until births or deaths, like :attr:`live`)."""
        if self._living is None:
            self._living = (int(self._live.size) if self._live is not None
                            else int(np.count_nonzero(self.alive[: self.n])))
        return self._living

    def append(self, count: int) -> np.ndarray:
        """Add ``count`` empty rows (growing the arrays if needed); return their indices."""
        need = self.n + count
        if need > self.capacity:
            new_capacity = max(need, int(self.capacity * 1.25))
            for name, (dtype, fill) in FIELDS.items():
                grown = np.full(new_capacity, fill, dtype=dtype)
                grown[: self.n] = getattr(self, name)[: self.n]
                setattr(self, name, grown)
            self.capacity = new_capacity
            self._columns.clear()
        rows = np.arange(self.n, need)
        self.n = need
        self.changed()
        return rows

    def __getitem__(self, row: int) -> "Resident":
        return Resident(self, int(row))

    # --- the starting population -----------------------------------------------------------

    @classmethod
    def build(cls, scenario: "Scenario", streams: "Streams", capacity: int) -> "Residents":
        """The starting population of a scenario.

        Residents are laid out household by household; neighbourhoods are consecutive
        runs of households and practices consecutive runs of residents, so a practice
        serves neighbouring areas, as real practice boundaries do.
        """
        pop = scenario.population
        size = pop.size
        people = cls(capacity)
        rows = people.append(size)
        at = slice(0, size)  # the same rows (a new table starts at 0): a slice is quicker
        people.uid[at] = rows.astype(np.uint64)
        people.alive[at] = True
        uid = people.uid[at]
        u = streams.uniform

        # Age: from the pyramid (population.age_pyramid), uniform within the band.
        pyramid = np.asarray(pop.age_pyramid, np.float64)
        shares = pyramid / pyramid.sum()
        band = np.searchsorted(np.cumsum(shares), u("init.age_band", uid), side="right")
        band = np.minimum(band, len(shares) - 1)
        people.age[at] = band * AGE_BAND_YEARS + u("init.age_within", uid) * AGE_BAND_YEARS
        people.female[at] = u("init.sex", uid) < pop.female_share

        # Households: sizes 1 + Poisson(mean - 1), laid out consecutively.
        hh_rng = streams.generator("init.households")
        sizes = 1 + hh_rng.poisson(scenario.network.household_size - 1.0, size=size)
        starts = np.cumsum(sizes) - sizes
        starts = starts[starts < size]
        household = np.zeros(size, dtype=np.int32)
        household[starts[1:]] = 1
        people.household[at] = np.cumsum(household)

        # Neighbourhoods and their deprivation quintile; practices.
        nbhd = (rows * pop.neighbourhoods) // size
        people.neighbourhood[at] = nbhd
        quintile_of = cls._neighbourhood_quintiles(pop.neighbourhoods, pop.deprivation_mix,
                                                   streams.generator("init.deprivation"))
        people.deprivation[at] = quintile_of[nbhd]
        if scenario.place is not None:  # a real place: its LSOAs' ages and deprivation
            from .places import populate

            populate(people, rows, scenario, streams)
        people.practice[at] = rows // pop.practice_list_size
        q = people.deprivation[at].astype(np.float64)

        # Long-term conditions: Poisson with a rate rising with age and deprivation.
        people.ltc[at] = np.minimum(
            streams.poisson("init.ltc", uid, cls.ltc_mean(people.age[at], q, scenario)),
            scenario.health.initial_ltc_max)
        ltc = people.ltc[at]
        people.diagnosed[at] = cls.known_conditions(
            ltc, (u("init.diagnosed", uid, draw=k) for k in range(int(ltc.max(initial=0)))),
            pop.diagnosed_share)

        # Disposition: activation (lower where deprived), dependence (lower where
        # activated), connectedness, wellbeing; logit-normal so each stays in 0..1.
        z = streams.normal
        z_act, z_dep = z("init.activation", uid), z("init.dependence", uid)
        people.connectedness0[at] = people.connectedness[at] = cls.connectedness_level(
            pop, people.age[at], z("init.connectedness", uid))
        adults = people.age[at] >= pop.adult_age
        people.organiser[at] = adults & (
            u("init.organiser", uid) < scenario.community.organiser_share)
        people.settle(at, z_act, z_dep, z("init.threshold", uid), scenario)
        people.ti_birth[at] = -1 - (people.age[at] * 52).astype(np.int32)
        return people

    @staticmethod
    def _neighbourhood_quintiles(count: int, mix: list[float],
                                 rng: np.random.Generator) -> np.ndarray:
        """IMD quintile of each neighbourhood, in proportion to ``mix``, shuffled."""
        edges = np.cumsum(mix)
        position = (np.arange(count) + 0.5) / count
        quintile = np.minimum(np.searchsorted(edges, position, side="right"), 4) + 1
        return rng.permutation(quintile).astype(np.int8)

    # --- relations shared by the initial build and the weekly health phase ------------------

    @staticmethod
    def known_conditions(ltc: np.ndarray, draws, share: float) -> np.ndarray:
        """How many of each person's ``ltc`` conditions services know: each is known
        with probability ``share``; ``draws[k]`` holds the uniforms of condition ``k``
        (one row per condition up to the most anyone has)."""
        known = np.zeros(ltc.shape, dtype=np.int8)
        for k, u in enumerate(draws):
            known += (k < ltc) & (u < share)
        return known

    @staticmethod
    def connectedness_level(pop, age: np.ndarray, z: np.ndarray) -> np.ndarray:
        """A person's own long-run connectedness (0..1), logit-normal.

        Lower at ``connectedness_old_age`` and over (bereavement and frailty).
        """
        return expit(pop.connectedness_logit_mean
                     - pop.connectedness_old_age_drop * (age >= pop.connectedness_old_age)
                     + pop.connectedness_logit_sd * z)

    @staticmethod
    def ltc_mean(age: np.ndarray, q: np.ndarray, scenario: "Scenario") -> np.ndarray:
        """Mean count of long-term conditions for people of this age and quintile
        (the rule :func:`sim.kernels.health.ltc_mean`)."""
        import sim.kernels as kernels  # (quicker than a from-import of a package)
        from .health import health_params

        age, q = np.asarray(age, np.float64), np.asarray(q, np.float64)
        if age.shape != q.shape or age.ndim != 1:  # (the weekly arrivals': neither)
            age, q = np.broadcast_arrays(age, q)
        return kernels.ltc_means(np.ascontiguousarray(age).ravel(),
                                 np.ascontiguousarray(q).ravel(),
                                 health_params(scenario)).reshape(age.shape)

    def settle(self, rows: slice, z_act: np.ndarray, z_dep: np.ndarray,
               z_threshold: np.ndarray, scenario: "Scenario") -> None:
        """New residents' rows (consecutive) take their own activation and dependence
        (the rule :func:`sim.kernels.health.disposition`), the wellbeing their state
        tends toward (:func:`~sim.kernels.health.wellbeing_target`) and their threshold
        (:func:`~sim.kernels.health.starting_threshold`) from their standard normals,
        once their conditions, connectedness and group are set: one compiled pass
        (:func:`sim.kernels.settle`)."""
        import sim.kernels as kernels
        from .health import health_params
        from .kernels.bounds import rule_params
        from .kernels.health import Newcomers, ThresholdParams

        kernels.settle(rows.start, rows.stop, self.columns(Newcomers), z_act, z_dep,
                       z_threshold, health_params(scenario),
                       rule_params(ThresholdParams, scenario.movement))


@dataclass(frozen=True)
class Resident:
    """A read-only view of one row, for inspection and the dashboard's journeys."""

    people: Residents
    row: int

    def __getattr__(self, name: str):
        if name in FIELDS:
            return getattr(self.people, name)[self.row].item()
        raise AttributeError(name)

    def as_dict(self) -> dict:
        """Every field of this resident as plain Python values."""
        return {name: getattr(self, name) for name in FIELDS}

    def __repr__(self) -> str:
        return (f"Resident(row={self.row}, age={self.age:.0f}, ltc={self.ltc}, "
                f"activation={self.activation:.2f}, dependence={self.dependence:.2f})")
