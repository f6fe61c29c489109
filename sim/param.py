"""How one parameter is declared: :class:`Param`, and the grades and distributions it names.

Each :class:`Param` carries its default, bounds, unit, a one-line description and
the source of the default (or the stated reason for it, marked ``assumption:``).
The scenario schema (:mod:`sim.scenario`), the CLI's ``--set``, the dashboard's
levers, the sweep's parameter list and the parameter table in ``docs/model.md``
are all generated from these declarations; nothing else restates a default.

Policy parameters are declared on the policy classes in :mod:`sim.policies`
(one class per policy) with the same :class:`Param`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "GRADES", "DISTRIBUTIONS", "ONS"]

# The kinds of evidence behind an effect parameter's central value, strongest first.
GRADES: dict[str, str] = {
    "rct": "randomised trial, or a systematic review of controlled studies",
    "controlled": "controlled observational study (difference-in-differences, matched cohort)",
    "uncontrolled": "uncontrolled before-and-after study, case study or expert report",
    "assumption": "no study measures it: a stated assumption",
}

# How a draw over a plausible range is made (sim's probabilistic comparisons): each maps a
# uniform quantile to a value, using (low, central, high) = (plausible[0], default, plausible[1]).
DISTRIBUTIONS: dict[str, str] = {
    "pert": "beta-PERT on low, central, high (the central value is the mode)",
    "triangular": "triangular on low, central, high",
    "uniform": "uniform between low and high",
    "loguniform": "log-uniform between low and high (rate ratios; both above zero)",
}


@dataclass(frozen=True)
class Param:
    """Declaration of one parameter.

    Args:
        default: value used when a scenario does not set it.
        lo, hi: inclusive bounds for numbers (``None`` = unbounded).
        unit: unit of the value, e.g. ``"per person-year"``.
        doc: one-line description.
        source: citation for the default, or ``"assumption: <reason>"``.
        choices: allowed values for a string parameter.
        shares: number of entries for a list of shares that must sum to one.
        lever: shown as a slider in the workshop dashboard.
        integer: the value must be a whole number.
        plausible: ``(low, high)``, the uncertainty about the value (not its bounds of
            validity): the range probabilistic comparisons draw over. Every effect
            parameter has one; ``None`` for structural settings.
        grade: the kind of evidence behind the default, a key of :data:`GRADES`.
        dist: how draws over ``plausible`` are made, a key of :data:`DISTRIBUTIONS`.
    """

    default: Any
    lo: float | None = None
    hi: float | None = None
    unit: str = ""
    doc: str = ""
    source: str = ""
    choices: tuple[str, ...] | None = None
    shares: int | None = None
    lever: bool = False
    integer: bool = False
    plausible: tuple[float, float] | None = None
    grade: str | None = None
    dist: str = "pert"

    def __post_init__(self):
        # A declaration that contradicts itself is a programming error, caught at import.
        if self.grade is not None and self.grade not in GRADES:
            raise ValueError(f"grade {self.grade!r} is not one of {sorted(GRADES)}")
        if self.dist not in DISTRIBUTIONS:
            raise ValueError(f"dist {self.dist!r} is not one of {sorted(DISTRIBUTIONS)}")
        if self.plausible is not None:
            low, high = self.plausible
            lo = -float("inf") if self.lo is None else self.lo
            hi = float("inf") if self.hi is None else self.hi
            if not lo <= low <= self.default <= high <= hi:
                raise ValueError(f"plausible range {self.plausible} must hold the default "
                                 f"{self.default} within the bounds {self.lo}..{self.hi}")
            if self.dist == "loguniform" and low <= 0:
                raise ValueError("a log-uniform range needs a low above zero")
            if self.grade is None:
                raise ValueError("a parameter with a plausible range needs its evidence grade")

    @property
    def kind(self) -> type:
        """The Python type a value of this parameter has."""
        if self.choices is not None:
            return str
        if self.shares is not None:
            return list
        if isinstance(self.default, bool):
            return bool
        if self.integer or isinstance(self.default, int):
            return int
        return float


ONS = "ONS mid-2024 population estimates"
