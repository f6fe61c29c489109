"""Weekly metrics (the contract's columns) and per-run summaries.

The phases count events into a :class:`WeekLog`; the accounting phase turns it and
the population's state into one row of :data:`COLUMNS`, which Mesa's DataCollector
records. :func:`summarise` turns a finished run into the headline summary: rates
over the final year, final state, equity by deprivation, and the calibration
measures of ``scenarios/targets/england.yaml`` (docs/model.md, section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from .need import GP_REQUEST_KINDS, KIND_NAMES

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["COLUMNS", "ACTIVITY", "WeekLog", "week_row", "summarise", "HEADLINE", "SUMMARY_KEYS"]

COLUMNS = (
    "week", "population", "gp_appointments", "ae_attendances", "emergency_admissions",
    "outpatient_attendances", "screening_tests", "link_worker_referrals", "unmet_need",
    "mean_dependence", "high_dependence_share", "mean_activation", "mean_wellbeing",
    "lonely_share", "community_groups", "group_members", "movement_participants",
    "cost_total", "low_need_service_share",
    # What the week's demand was made of: minor complaints that arose, those taken to a
    # GP or A&E, and the GP requests a practice received by kind, served or not
    # (sim.need.GP_REQUEST_KINDS: minor, followup, review, flare, acute, retry).
    "low_needs", "low_to_service", *(f"gp_requests_{kind}" for kind in GP_REQUEST_KINDS),
)

# Activity columns summarised as rates per 1,000 residents per year.
ACTIVITY = ("gp_appointments", "ae_attendances", "emergency_admissions",
            "outpatient_attendances")
STATE = ("mean_dependence", "high_dependence_share", "mean_activation", "mean_wellbeing",
         "lonely_share", "community_groups", "group_members", "movement_participants")
# The metrics reports and comparisons lead with.
HEADLINE = (*(f"{a}_per_1000" for a in ACTIVITY), "cost_per_capita", "unmet_need_per_1000",
            "mean_dependence", "mean_activation", "mean_wellbeing", "lonely_share",
            "group_members", "movement_participants", "low_need_service_share")

HIGH_DEPENDENCE = 0.5  # dependence above which a person counts as highly dependent (assumption)
PAM_CUTS = (0.3, 0.5, 0.7)  # activation cut-points of PAM levels 1|2|3|4 (see docs/model.md)


@dataclass
class WeekLog:
    """Counts of this week's events, filled in by the phases."""

    gp_appointments: int = 0
    ae_attendances: int = 0
    ae_after_failed_gp: int = 0
    emergency_admissions: int = 0
    outpatient_attendances: int = 0
    screening_tests: int = 0
    link_worker_referrals: int = 0
    unmet_need: int = 0
    turned_away: int = 0  # wanted an emergency bed and found none (part of unmet_need)
    low_needs: int = 0
    low_to_service: int = 0
    births: int = 0
    migrants: int = 0
    deaths: int = 0
    policy_cost: float = 0.0
    community_cost: float = 0.0
    gp_requests: tuple = (0,) * len(KIND_NAMES)  # this week's GP requests, by kind code

    def clear(self) -> None:
        """Zero every count for a new week (the defaults, taken once: ``fields`` costs
        more than the week's other bookkeeping)."""
        self.__dict__.update(_WEEK_LOG_ZERO)


_WEEK_LOG_ZERO = {f.name: f.default for f in fields(WeekLog)}  # all immutable


def pam_level(activation: np.ndarray) -> np.ndarray:
    """PAM-like level 1..4 from activation."""
    return np.searchsorted(PAM_CUTS, activation, side="right") + 1


def week_row(model: "HealthSystemModel") -> dict:
    """This week's row of :data:`COLUMNS`.

    The state columns come from one compiled pass over the residents
    (:func:`sim.kernels.week_state`): counts directly, means by NumPy over the
    living residents' values in row order, exactly as before.
    """
    import sim.kernels as kernels  # (quicker than a from-import of a package)
    from .kernels.accounting import StateColumns

    people, log, costs = model.people, model.log, model.spec.costs
    n = people.n
    dependence, activation, wellbeing, living, high, adults, lonely, members, movement = \
        (kernels.week_state_threads if kernels.small_pass_threaded(n) else kernels.week_state)(
            people.columns(StateColumns), n, _state_cuts(model.spec.population),
            *(people.workspace(name, n) for name in _WORKSPACES))
    nan = float("nan")
    cost = (log.gp_appointments * costs.gp_appointment
            + log.ae_attendances * costs.ae_attendance
            + log.emergency_admissions * costs.emergency_admission
            + log.outpatient_attendances * costs.outpatient_attendance
            + log.turned_away * costs.turned_away_admission
            + log.policy_cost + log.community_cost)
    return {
        "week": model.week,
        "population": int(living),
        "gp_appointments": log.gp_appointments,
        "ae_attendances": log.ae_attendances,
        "emergency_admissions": log.emergency_admissions,
        "outpatient_attendances": log.outpatient_attendances,
        "screening_tests": log.screening_tests,
        "link_worker_referrals": log.link_worker_referrals,
        "unmet_need": log.unmet_need,
        "mean_dependence": _float32_mean(dependence) if living else nan,
        "high_dependence_share": high / living if living else nan,
        "mean_activation": _float32_mean(activation) if living else nan,
        "mean_wellbeing": _float32_mean(wellbeing) if living else nan,
        "lonely_share": lonely / adults if adults else nan,
        "community_groups": model.groups.count,
        "group_members": int(members),
        "movement_participants": int(movement),
        "cost_total": float(cost),
        "low_need_service_share": (log.low_to_service / log.low_needs) if log.low_needs else 0.0,
        "low_needs": log.low_needs,
        "low_to_service": log.low_to_service,
        **{column: int(log.gp_requests[k]) for column, k in _GP_REQUEST_COLUMNS},
    }


def _float32_mean(values: np.ndarray) -> float:
    """``float(values.mean())`` of a non-empty float32 array, without ``np.mean``'s Python
    layer (2 of its 5.6 microseconds at 20,000): NumPy's own pairwise sum, divided by the
    count in float64 and rounded to float32, as ``mean`` does."""
    return float(np.float32(float(np.add.reduce(values)) / values.size))


_WORKSPACES = tuple(f"week_state.{k}" for k in range(3))  # the compact columns' scratch
_GP_REQUEST_COLUMNS = tuple((f"gp_requests_{kind}", k) for kind, k in GP_REQUEST_KINDS.items())


def _state_cuts(pop):
    """The pass's cut-points for a ``population`` section, made again only for another
    section object (sections are immutable; a change mid-run makes a new one)."""
    global _CUTS
    last = _CUTS  # read once: another thread's model may replace it meanwhile
    if last[0] is not pop:
        from .kernels.accounting import StateCuts

        last = _CUTS = (pop, StateCuts(HIGH_DEPENDENCE, np.float32(pop.lonely_below),
                                       float(pop.adult_age)))
    return last[1]


_CUTS: tuple = (None, None)


# --- summaries ---------------------------------------------------------------------------------


def _share_of_top(counts: np.ndarray, top: float) -> float:
    """Share of all contacts made by the top ``top`` fraction of people."""
    total = counts.sum()
    if total == 0:
        return 0.0
    k = max(1, int(round(top * counts.size)))
    return float(np.sort(counts)[-k:].sum() / total)


def _rate(numerator: float, people: float) -> float:
    return float(numerator) / float(people) if people else float("nan")

# Every key of the run summary (:func:`summarise`), in its order: what sweeps may list as
# outputs and calibration targets may name. ``tests/test_model.py`` holds summarise to it.
SUMMARY_KEYS: tuple[str, ...] = (
    "weeks", "population", "gp_appointments_per_1000", "ae_attendances_per_1000",
    "emergency_admissions_per_1000", "outpatient_attendances_per_1000",
    "unmet_need_per_1000", "screening_tests_per_1000", "link_worker_referrals_per_1000",
    "cost_per_capita", "mean_dependence", "high_dependence_share", "mean_activation",
    "mean_wellbeing", "lonely_share", "community_groups", "group_members",
    "movement_participants", "low_need_service_share", "gp_appointments_per_1000_q1",
    "ae_attendances_per_1000_q1", "emergency_admissions_per_1000_q1",
    "outpatient_attendances_per_1000_q1", "activity_cost_per_capita_q1",
    "unmet_need_per_1000_q1", "mean_dependence_q1", "mean_activation_q1",
    "mean_wellbeing_q1", "lonely_share_q1", "group_members_share_q1", "movement_share_q1",
    "low_need_service_share_q1", "gp_appointments_per_1000_q5",
    "ae_attendances_per_1000_q5", "emergency_admissions_per_1000_q5",
    "outpatient_attendances_per_1000_q5", "activity_cost_per_capita_q5",
    "unmet_need_per_1000_q5", "mean_dependence_q5", "mean_activation_q5",
    "mean_wellbeing_q5", "lonely_share_q5", "group_members_share_q5", "movement_share_q5",
    "low_need_service_share_q5", "gp_top10_share", "gp_top1_share", "multimorbidity_share",
    "multimorbidity_share_80plus", "multimorbidity_share_0_19",
    "multimorbidity_odds_ratio_q1_q5", "multimorbidity_odds_ratio_q1_q5_age_standardised",
    "ae_ratio_q1_q5", "pam_level1_share_ltc",
    "pam_level4_share_ltc", "activation_rate_ratio_gp", "activation_rate_ratio_ae",
    "activation_rate_ratio_admit", "activation_rate_ratio_op", "births_per_1000",
    "net_migration_per_1000", "deaths_per_1000", "ae_after_failed_gp_share",
)


def summarise(model: "HealthSystemModel") -> dict:
    """Headline summary of a finished run.

    Activity is per 1,000 residents per year over the final year (the whole run if
    shorter); state metrics are their final values; ``_q1``/``_q5`` are the most and
    least deprived quintiles.
    """
    frame = model.timeseries()
    final = frame.tail(min(52, len(frame)))
    years = len(final) / 52.0
    mean_pop = final["population"].mean()
    out: dict[str, float] = {"weeks": int(model.week), "population": int(frame["population"].iloc[-1])}
    for col in (*ACTIVITY, "unmet_need", "screening_tests", "link_worker_referrals"):
        out[f"{col}_per_1000"] = 1000.0 * _rate(final[col].sum(), mean_pop * years)
    out["cost_per_capita"] = _rate(final["cost_total"].sum(), mean_pop * years)
    for col in STATE:
        out[col] = float(frame[col].iloc[-1])
    totals = model.log_totals
    out["low_need_service_share"] = _rate(totals["low_to_service"], totals["low_needs"]) \
        if totals["low_needs"] else 0.0
    # Per-person counts cover the weeks since the reporting year began.
    out.update(_equity(model, max(model.week - model.reporting_start, 1) / 52.0))
    out.update(_calibration_measures(model))
    out["births_per_1000"] = 1000.0 * _rate(model.log_totals["births"], frame["population"].mean()
                                           * len(frame) / 52.0)
    out["net_migration_per_1000"] = 1000.0 * _rate(
        model.log_totals["migrants"], frame["population"].mean() * len(frame) / 52.0)
    out["deaths_per_1000"] = 1000.0 * _rate(model.log_totals["deaths"], frame["population"].mean()
                                           * len(frame) / 52.0)
    out["ae_after_failed_gp_share"] = _rate(model.log_totals["ae_after_failed_gp"],
                                            model.log_totals["ae_attendances"])
    return out


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _equity(model: "HealthSystemModel", years: float) -> dict:
    """The headline metrics for the most (``_q1``) and least (``_q5``) deprived quintiles.

    Activity and unmet need count everyone who lived in the quintile during the final
    year (the dead included) over the living; cost is activity cost only, since
    policy and community spending is not attributable to a quintile.
    """
    people, costs = model.people, model.spec.costs
    n = people.n
    live = people.live
    out = {}
    activity = (("gp_appointments", people.n_gp[:n], costs.gp_appointment),
                ("ae_attendances", people.n_ae[:n], costs.ae_attendance),
                ("emergency_admissions", people.n_admit[:n], costs.emergency_admission),
                ("outpatient_attendances", people.n_op[:n], costs.outpatient_attendance))
    for q in (1, 5):
        in_q = people.deprivation[:n] == q
        alive_q = live[people.deprivation[live] == q]
        person_years = alive_q.size * years
        cost = 0.0
        for col, counts, unit in activity:
            total = counts[in_q].sum(dtype=np.int64)
            out[f"{col}_per_1000_q{q}"] = 1000.0 * _rate(total, person_years)
            cost += total * unit
        out[f"activity_cost_per_capita_q{q}"] = _rate(cost, person_years)
        out[f"unmet_need_per_1000_q{q}"] = 1000.0 * _rate(
            people.n_unmet[:n][in_q].sum(dtype=np.int64), person_years)
        for col in ("dependence", "activation", "wellbeing"):
            out[f"mean_{col}_q{q}"] = _mean(getattr(people, col)[alive_q])
        adults = alive_q[people.age[alive_q] >= model.spec.population.adult_age]
        out[f"lonely_share_q{q}"] = _mean(people.connectedness[adults]
                                          < model.spec.population.lonely_below)
        out[f"group_members_share_q{q}"] = _mean(people.group[alive_q] >= 0)
        out[f"movement_share_q{q}"] = _mean(people.role[alive_q] > 0)
        low = people.n_low[:n][in_q].sum(dtype=np.int64)
        out[f"low_need_service_share_q{q}"] = _rate(
            people.n_low_service[:n][in_q].sum(dtype=np.int64), low)
    return out


def _odds(p: float) -> float:
    return p / (1.0 - p) if 0 < p < 1 else float("nan")


def _calibration_measures(model: "HealthSystemModel") -> dict:
    """Distribution and gradient measures compared with the calibration targets."""
    people = model.people
    live = people.live
    age, ltc, q = people.age[live], people.ltc[live], people.deprivation[live]
    multi = ltc >= 2
    out = {
        "gp_top10_share": _share_of_top(people.n_gp[live].astype(np.int64), 0.10),
        "gp_top1_share": _share_of_top(people.n_gp[live].astype(np.int64), 0.01),
        "multimorbidity_share": float(multi.mean()),
        "multimorbidity_share_80plus": float(multi[age >= 80].mean()) if (age >= 80).any() else np.nan,
        "multimorbidity_share_0_19": float(multi[age < 20].mean()) if (age < 20).any() else np.nan,
        "multimorbidity_odds_ratio_q1_q5": _odds(multi[q == 1].mean()) / _odds(multi[q == 5].mean())
        if (q == 1).any() and (q == 5).any() else np.nan,
        "multimorbidity_odds_ratio_q1_q5_age_standardised": _age_standardised_odds_ratio(
            multi, q, age),
    }
    ae1 = people.n_ae[live][q == 1].mean() if (q == 1).any() else np.nan
    ae5 = people.n_ae[live][q == 5].mean() if (q == 5).any() else np.nan
    out["ae_ratio_q1_q5"] = float(ae1 / ae5) if ae5 else np.nan
    with_ltc = ltc > 0
    level = pam_level(people.activation[live])
    out["pam_level1_share_ltc"] = float((level[with_ltc] == 1).mean()) if with_ltc.any() else np.nan
    out["pam_level4_share_ltc"] = float((level[with_ltc] == 4).mean()) if with_ltc.any() else np.nan
    # Rate ratios of use, PAM level 4 vs 1, among people with a condition, adjusted for
    # the count of conditions by direct standardisation (cf. Deeny et al. 2018).
    for col, counts in (("gp", people.n_gp), ("ae", people.n_ae), ("admit", people.n_admit),
                        ("op", people.n_op)):
        out[f"activation_rate_ratio_{col}"] = _standardised_ratio(
            counts[live][with_ltc], level[with_ltc], np.minimum(ltc[with_ltc], 4))
    return out


def _age_standardised_odds_ratio(outcome: np.ndarray, q: np.ndarray, age: np.ndarray) -> float:
    """Odds ratio of ``outcome``, most vs least deprived quintile, each quintile's share
    directly standardised to the whole population's mix of five-year age bands.

    Equal to the crude ratio where age does not depend on deprivation (the default
    place); in a real place, whose deprived areas are younger, it keeps age out of the
    comparison, as the published figures it is judged against do.
    """
    band = np.minimum(age // 5, 19).astype(np.int64)
    weight = np.bincount(band, minlength=20) / max(band.size, 1)
    share = []
    for quintile in (1, 5):
        in_q = q == quintile
        people = np.bincount(band[in_q], minlength=20)
        cases = np.bincount(band[in_q], weights=outcome[in_q], minlength=20)
        if not people.any():
            return float("nan")
        share.append(float((weight * np.divide(cases, people, out=np.zeros(20),
                                               where=people > 0)).sum()))
    return _odds(share[0]) / _odds(share[1])


def _standardised_ratio(counts: np.ndarray, level: np.ndarray, stratum: np.ndarray) -> float:
    """Rate ratio level 4 vs level 1, standardised to the combined stratum mix."""
    num = den = 0.0
    for s in np.unique(stratum):
        in_s = stratum == s
        l4, l1 = in_s & (level == 4), in_s & (level == 1)
        if l4.sum() < 5 or l1.sum() < 5:
            continue
        weight = in_s.sum()
        num += weight * counts[l4].mean()
        den += weight * counts[l1].mean()
    return float(num / den) if den else float("nan")
