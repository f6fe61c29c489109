"""England's real places: local authorities, ICBs and custom patches of LSOAs, offline.

The places come from ``sim/data/england_places.npz`` (built by ``tools/build_places.py``
from ONS and MHCLG open data; see NOTICE): every 2011 LSOA of England with its mid-2020
residents by single year of age, its IMD 2019 decile, its MSOA, local authority (LTLA,
2022) and Integrated Care Board (ICB, 2022).

A scenario's ``place:`` key names a place (see :func:`resolve`); :func:`apply_place`
then sets the population's size, neighbourhoods and deprivation mix from it, and
:func:`populate` gives the residents their LSOA's ages and deprivation when the
population is built. The plain API a place picker needs is :func:`catalogue`,
:func:`search`, :func:`resolve`, :func:`scale_for` and :func:`describe`.

Neighbourhoods are 2011 MSOAs (about 8,300 residents; 2,200 to 28,000): neighbouring
LSOAs grouped by ONS, close to the model's own neighbourhood of about 5,000 where
community groups form, and they keep a run at a tenth of the size workable. At a scaled
size, consecutive MSOAs (ONS numbers them across each authority) are merged until every
neighbourhood has ``population.neighbourhood_min_residents`` simulated residents.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .parameters import SECTIONS

if TYPE_CHECKING:
    from .population import Residents
    from .scenario import Scenario
    from .streams import Streams

__all__ = ["Place", "Layout", "atlas", "catalogue", "search", "resolve", "describe",
           "scale_for", "apply_place", "place_layout", "populate", "ENGLAND_CODE",
           "ATTRIBUTION", "place_line"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "england_places.npz"
FORMAT_VERSION = 1
ENGLAND_CODE = "E92000001"
# The 90+ are spread over 90-94 and 95-99 as 73% to 27%: ONS, Estimates of the very
# old, UK 2020 (about 430,000 aged 90-94, 160,000 aged 95 and over).
OLDEST_BANDS = ((90.0, 5.0, 0.73), (95.0, 5.0, 0.27))
CUSTOM_KEYS = ("ltla", "icb", "lsoa")


@dataclass(frozen=True)
class Atlas:
    """The shipped arrays (see ``tools/build_places.py`` for what each holds)."""

    arrays: dict[str, np.ndarray]

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.arrays[name]
        except KeyError:
            raise AttributeError(name) from None

    @functools.cached_property
    def totals(self) -> np.ndarray:
        """Residents of each LSOA (mid-2020)."""
        return self.arrays["lsoa_ages"].sum(axis=1, dtype=np.int64)

    @functools.cached_property
    def quintile(self) -> np.ndarray:
        """IMD 2019 quintile of each LSOA, 1 = most deprived fifth of England."""
        return ((self.arrays["lsoa_imd_decile"].astype(np.int8) + 1) // 2).astype(np.int8)


@functools.lru_cache(maxsize=1)
def atlas() -> Atlas:
    """The shipped places (loaded once, about 0.2 s)."""
    with np.load(DATA_FILE, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if int(arrays["format_version"]) != FORMAT_VERSION:
        raise RuntimeError(f"{DATA_FILE}: format {int(arrays['format_version'])}, expected "
                           f"{FORMAT_VERSION}; rebuild it with tools/build_places.py")
    return Atlas(arrays)


ATTRIBUTION = ("Source: Office for National Statistics and MHCLG, licensed under the Open "
               "Government Licence v3.0; contains OS data © Crown copyright and database "
               "right (see NOTICE)")


@dataclass(frozen=True, eq=False)  # the same place is the same object (see _places)
class Place:
    """A set of LSOAs with a name: England, an ICB, a local authority or a custom patch.

    Attributes:
        code: the ONS code (E92…, E54…, E06…-E09…), or ``"custom"``.
        name: the official name, or the patch's own.
        kind: ``"england"``, ``"icb"``, ``"ltla"`` or ``"custom"``.
        lsoas: indices of its LSOAs into the atlas, in the atlas order.
    """

    code: str
    name: str
    kind: str
    lsoas: np.ndarray

    @property
    def population(self) -> int:
        """Residents in mid-2020."""
        return int(atlas().totals[self.lsoas].sum())

    @property
    def quintile_mix(self) -> list[float]:
        """Share of residents in each IMD quintile, most deprived first."""
        a = atlas()
        counts = np.bincount(a.quintile[self.lsoas], weights=a.totals[self.lsoas], minlength=6)[1:]
        return (counts / counts.sum()).tolist()

    @property
    def msoas(self) -> int:
        """MSOAs it covers (its neighbourhoods at full size)."""
        return int(np.unique(atlas().lsoa_msoa[self.lsoas]).size)

    @property
    def icbs(self) -> list[str]:
        """Codes of the ICBs its LSOAs are in."""
        a = atlas()
        return [str(a.icb_code[i]) for i in np.unique(a.lsoa_icb[self.lsoas])]


def _named(kind: str) -> list[Place]:
    a = atlas()
    if kind == "england":
        return [Place(ENGLAND_CODE, "England", "england", np.arange(a.lsoa_code.size))]
    codes, names, index = ((a.icb_code, a.icb_name, a.lsoa_icb) if kind == "icb"
                           else (a.ltla_code, a.ltla_name, a.lsoa_ltla))
    order = np.argsort(index, kind="stable")
    starts = np.searchsorted(index[order], np.arange(codes.size + 1))
    return [Place(str(codes[k]), str(names[k]), kind, np.sort(order[starts[k]:starts[k + 1]]))
            for k in range(codes.size)]


@functools.lru_cache(maxsize=1)
def _places() -> tuple[Place, ...]:
    return tuple(_named("england") + _named("icb") + _named("ltla"))


def _short(name: str) -> str:
    """An ICB's name without "NHS " and " Integrated Care Board" (also accepted)."""
    return name.removeprefix("NHS ").removesuffix(" Integrated Care Board")


@functools.lru_cache(maxsize=1)
def _by_key() -> dict[str, Place]:
    keys: dict[str, Place] = {}
    for place in _places():
        for key in (place.code, place.name, _short(place.name)):
            keys.setdefault(key.casefold(), place)
    return keys


def catalogue(kind: str | None = None, icb: str | None = None) -> list[Place]:
    """Every named place (England, then the 42 ICBs, then the 309 local authorities).

    Args:
        kind: only ``"england"``, ``"icb"`` or ``"ltla"``.
        icb: only the ICB with this code or name and the local authorities in it.
    """
    places = list(_places())
    if kind is not None:
        places = [p for p in places if p.kind == kind]
    if icb is not None:
        board = resolve(icb, "--icb")
        if board.kind != "icb":
            raise InputError("--icb", icb, f"{board.name} is a {board.kind}; expected an ICB")
        places = [p for p in places if p is board
                  or p.kind == "ltla" and board.code in p.icbs]
    return places


def search(text: str, limit: int | None = None) -> list[Place]:
    """Places whose code or name contains ``text`` (case-insensitive), best first."""
    needle = text.casefold().strip()
    hits = [p for p in _places() if needle in p.code.casefold() or needle in p.name.casefold()]
    hits.sort(key=lambda p: (not p.name.casefold().startswith(needle), p.kind != "ltla", p.name))
    return hits[:limit] if limit else hits


def suggestions(text: str, n: int = 3) -> list[str]:
    """The closest names or codes to ``text``, for an error message."""
    keys = _by_key()
    close = difflib.get_close_matches(text.casefold(), list(keys), n=n * 3, cutoff=0.5)
    out: list[str] = []
    for key in close:
        label = f"{keys[key].name} ({keys[key].code})"
        if label not in out:
            out.append(label)
    if not out:
        out = [f"{p.name} ({p.code})" for p in search(text, n)]
    return out[:n]


def resolve(spec: Any, source: str | Path = "<scenario>") -> Place:
    """The place a scenario's ``place:`` names.

    Args:
        spec: a code or exact name (case-insensitive) of England, an ICB or a local
            authority; or a custom patch ``{ltla: [...]}``, ``{icb: CODE}`` or
            ``{lsoa: [...]}`` (codes or names; several kinds are united), with an
            optional ``name``.
        source: the file (or option) named in error messages.

    Raises:
        InputError: naming ``place`` and, on a miss, the closest matches.
    """
    if isinstance(spec, str):
        place = _by_key().get(spec.strip().casefold())
        if place is None:
            close = suggestions(spec.strip())
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise InputError(source, "place", f"no place called {spec!r}; expected the code or "
                             f"exact name of a local authority or ICB{hint} (see run.py places "
                             "--search TEXT)")
        return place
    if isinstance(spec, dict) and spec:
        return _custom(spec, source)
    raise InputError(source, "place", f"expected a code, a name or a mapping such as "
                     f"{{ltla: [E07000121]}}, got {spec!r}")


def _custom(spec: dict, source) -> Place:
    unknown = sorted(set(spec) - {*CUSTOM_KEYS, "name"})
    if unknown or not set(spec) & set(CUSTOM_KEYS):
        raise InputError(source, f"place.{unknown[0]}" if unknown else "place",
                         f"expected keys among {', '.join(CUSTOM_KEYS)} (and name)")
    a = atlas()
    chosen: list[np.ndarray] = []
    for kind in CUSTOM_KEYS:
        items = spec.get(kind)
        if items is None:
            continue
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise InputError(source, f"place.{kind}", f"expected a code or a list of codes, "
                             f"got {items!r}")
        if kind == "lsoa":
            index = {c: i for i, c in enumerate(a.lsoa_code.tolist())}
            missing = [c for c in items if c.strip().upper() not in index]
            if missing:
                raise InputError(source, "place.lsoa", f"no 2011 LSOA {missing[0]!r}; expected "
                                 "codes such as E01025291")
            chosen.append(np.array([index[c.strip().upper()] for c in items]))
            continue
        for item in items:
            place = resolve(item, source)
            if place.kind != kind:
                raise InputError(source, f"place.{kind}", f"{item!r} is {place.name}, a "
                                 f"{place.kind}; expected a {kind} code or name")
            chosen.append(place.lsoas)
    lsoas = np.unique(np.concatenate(chosen))
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError(source, "place.name", f"expected text, got {name!r}")
    return Place("custom", name or "custom patch", "custom", lsoas)


def describe(place: Place) -> dict:
    """Plain facts about a place (for ``run.py places``, reports and a place picker)."""
    return {"code": place.code, "name": place.name, "kind": place.kind,
            "population": place.population, "quintile_mix": place.quintile_mix,
            "neighbourhoods": place.msoas, "lsoas": int(place.lsoas.size), "icbs": place.icbs}


def place_line(spec) -> str:
    """One sentence naming a scenario's place, its size and the share simulated ('' if none)."""
    if spec.place is None:
        return ""
    place = resolve(spec.place)
    code = f" ({place.code})" if place.code != "custom" else ""
    share = spec.population.size / place.population
    scaled = "" if share > 0.9999 else f", simulated at {100 * share:.3g}% of its size"
    return (f"Place: {place.name}{code}, {place.population:,} residents in mid-2020 in "
            f"{place.msoas:,} MSOA{'s' if place.msoas > 1 else ''}{scaled}; "
            f"{ATTRIBUTION}.")


def scale_for(place: Place, residents: int) -> float:
    """The ``population.scale`` that simulates about ``residents`` of ``place`` (at most 1)."""
    return min(1.0, max(residents, 1) / place.population)


# --- from a place to a population --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Layout:
    """How a place's residents are laid out at a given size.

    Attributes:
        lsoas: atlas indices of the LSOAs given at least one resident, in atlas order.
        residents: simulated residents of each of them (sum: the population size).
        neighbourhood: neighbourhood (0 …) of each of them.
    """

    lsoas: np.ndarray
    residents: np.ndarray
    neighbourhood: np.ndarray

    @property
    def size(self) -> int:
        return int(self.residents.sum())

    @property
    def neighbourhoods(self) -> int:
        return int(self.neighbourhood.max()) + 1


def _allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """``total`` split in proportion to ``weights`` by largest remainders (ties: first)."""
    exact = weights * (total / weights.sum())
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def layout(place: Place, scale: float, min_residents: int) -> Layout:
    """Residents per LSOA at ``scale`` and the neighbourhoods they form.

    Neighbourhoods are the place's MSOAs in atlas order; an MSOA with fewer than
    ``min_residents`` simulated residents is joined by the next ones (the last short
    run joins the one before), so small scales keep enough people to form groups.
    """
    a = atlas()
    lsoas = place.lsoas
    counts = _allocate(a.totals[lsoas].astype(np.float64), int(round(place.population * scale)))
    msoa = a.lsoa_msoa[lsoas]
    unit = np.cumsum(np.r_[True, msoa[1:] != msoa[:-1]]) - 1  # consecutive runs of one MSOA
    per_unit = np.bincount(unit, weights=counts).astype(np.int64)
    group = np.empty(per_unit.size, dtype=np.int64)
    current, filled = 0, 0
    for k, n in enumerate(per_unit):  # over MSOAs (at most 6,791), once per build
        group[k] = current
        filled += n
        if filled >= min_residents:
            current, filled = current + 1, 0
    if filled and current > 0:  # a short last run joins the one before
        group[group == current] = current - 1
    keep = counts > 0
    return Layout(lsoas[keep], counts[keep], group[unit][keep])


def apply_place(scenario: "Scenario", source: str | Path = "<scenario>") -> "Scenario":
    """The scenario with its population set from its ``place`` (unchanged without one).

    Sets ``population.size`` (the place's residents times ``population.scale``),
    ``population.neighbourhoods`` and ``population.deprivation_mix`` (the place's share of
    residents in each quintile); everything else keeps its value.
    """
    pop = scenario.population
    if scenario.place is None:
        if pop.scale != 1.0:
            raise InputError(source, "population.scale", f"{pop.scale:g} applies only with "
                             "place:; expected population.size to size a run without one")
        return scenario
    place = resolve(scenario.place, source)
    lay = place_layout(scenario.place, pop.scale, pop.neighbourhood_min_residents, str(source))
    lo, hi = SECTIONS["population"]["size"].lo, SECTIONS["population"]["size"].hi
    if not lo <= lay.size <= hi:
        raise InputError(source, "population.scale", f"{pop.scale:g} of {place.name} "
                         f"({place.population:,}) is {lay.size:,} residents; expected "
                         f"{lo:,.0f} to {hi:,.0f} (population.size's bounds)")
    mix = [round(s, 6) for s in place.quintile_mix]
    mix[int(np.argmax(mix))] += round(1.0 - sum(mix), 6)
    population = pop.model_copy(update={"size": lay.size, "neighbourhoods": lay.neighbourhoods,
                                        "deprivation_mix": mix})
    return scenario.model_copy(update={"population": population})


@functools.lru_cache(maxsize=16)
def _cached_layout(key: str, scale: float, min_residents: int) -> Layout:
    return layout(resolve(json.loads(key)), scale, min_residents)


def place_layout(spec: Any, scale: float, min_residents: int, source: str = "<scenario>") -> Layout:
    """:func:`layout` of the place ``spec`` names (cached: a scenario is validated often)."""
    resolve(spec, source)  # errors name the right file
    return _cached_layout(json.dumps(spec, sort_keys=True), float(scale), int(min_residents))


def populate(people: "Residents", rows: np.ndarray, scenario: "Scenario",
             streams: "Streams") -> None:
    """Give the starting residents their LSOA's ages, neighbourhood and deprivation.

    Residents are laid out LSOA by LSOA (consecutive rows, so practices serve
    neighbouring areas); each one's single year of age is drawn from their LSOA's
    mid-2020 counts (the same draws, ``init.age_band`` and ``init.age_within``, as the
    default path), and their IMD quintile is their LSOA's.
    """
    pop = scenario.population
    lay = place_layout(scenario.place, pop.scale, pop.neighbourhood_min_residents)
    if lay.size != rows.size:
        raise RuntimeError(f"place layout has {lay.size} residents, the scenario {rows.size}")
    a = atlas()
    area = np.repeat(np.arange(lay.lsoas.size), lay.residents)
    uid = people.uid[rows]
    ages = a.lsoa_ages[lay.lsoas].astype(np.float64)
    cum = np.cumsum(ages, axis=1) / ages.sum(axis=1, keepdims=True)
    cum += np.arange(lay.lsoas.size)[:, None]  # row k's cumulative shares lie in (k, k + 1]
    years = ages.shape[1]
    year = np.searchsorted(cum.ravel(), area + streams.uniform("init.age_band", uid),
                           side="right") - area * years
    year = np.clip(year, 0, years - 1)
    within = streams.uniform("init.age_within", uid)
    oldest = year == years - 1
    (lo1, span1, share1), (lo2, span2, _) = OLDEST_BANDS
    first = within < share1
    top = np.where(first, lo1 + span1 * within / share1,
                   lo2 + span2 * (within - share1) / (1.0 - share1))
    people.age[rows] = np.where(oldest, top, year + within)
    people.neighbourhood[rows] = lay.neighbourhood[area]
    people.deprivation[rows] = a.quintile[lay.lsoas][area]
