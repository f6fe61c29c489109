"""Every model parameter, declared once.

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

__all__ = ["Param", "SECTIONS", "SCENARIO_FIELDS", "GRADES", "DISTRIBUTIONS"]

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
    def uncertain(self) -> bool:
        """Whether draws vary this parameter (it has a plausible range wider than a point)."""
        return self.plausible is not None and self.plausible[0] < self.plausible[1]

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


P = Param
ONS = "ONS mid-2024 population estimates"

# --- the sections of a scenario -------------------------------------------------------
# Rates are per person-week inside the model; here they are given in the units people
# quote (per year) and converted where they are used.

SECTIONS: dict[str, dict[str, Param]] = {
    "population": {
        "size": P(50_000, 100, 20_000_000, "residents", "Residents at the start of the run",
                  "assumption: a typical English place (two primary care networks)",
                  lever=True, integer=True),
        "neighbourhoods": P(10, 1, 100_000, "neighbourhoods", "Neighbourhoods (MSOA-like areas)",
                            "assumption: about 5,000 residents each, the size of an English MSOA"),
        "deprivation_mix": P([0.2, 0.2, 0.2, 0.2, 0.2], 0.0, 1.0, "share",
                             "Share of neighbourhoods in each IMD quintile, most deprived first",
                             "English IMD 2019 quintiles are 20% each by construction", shares=5),
        "female_share": P(0.506, 0.0, 1.0, "share", "Share of residents who are female", ONS),
        "activation_logit_mean": P(-0.37, -5.0, 5.0, "logit",
                                   "Mean activation (logit scale) in the middle quintile",
                                   "fitted, over the final year of a 10-year baseline, to PAM "
                                   "levels among people with a long-term condition: 24% "
                                   "level 1, 13% level 4 (Health Foundation 2018)"),
        "activation_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of activation",
                                 "fitted with activation_logit_mean"),
        "activation_deprivation_step": P(0.12, 0.0, 2.0, "logit per quintile",
                                         "Lower activation per step toward the most deprived",
                                         "Hibbard & Gilburt 2014: activation is lower in "
                                         "deprived groups"),
        "dependence_logit_mean": P(-1.0, -5.0, 5.0, "logit", "Mean dependence (logit scale)",
                                   "assumption: most people turn to services for a minority "
                                   "of what they could manage"),
        "dependence_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of dependence",
                                 "assumption: tuned to use concentration (Kontopantelis 2021)"),
        "dependence_activation_coupling": P(0.8, 0.0, 5.0, "logit per logit",
                                            "How much lower dependence is at higher activation",
                                            "assumption: the two are facets of one disposition"),
        "connectedness_logit_mean": P(0.05, -5.0, 5.0, "logit", "Mean connectedness (logit)",
                                      "fitted, over the final year of a 10-year baseline, to 7% "
                                      "of adults often or always lonely (ONS OPN, Dec "
                                      "2023-Jan 2024)"),
        "connectedness_logit_sd": P(1.0, 0.0, 5.0, "logit", "Spread of connectedness",
                                    "assumption: one logit, as for activation and dependence; "
                                    "with the mean it sets the 7% lonely"),
        "lonely_below": P(0.2, 0.0, 1.0, "connectedness",
                          "Connectedness below which a person is lonely",
                          "assumption: the bottom of the scale, where ONS's 'often or "
                          "always' sits; the mean is fitted to 7% with this cut"),
        "diagnosed_share": P(0.8, 0.0, 1.0, "share",
                             "Share of long-term conditions diagnosed at the start",
                             "assumption: e.g. about 1 in 5 with hypertension or type 2 "
                             "diabetes undiagnosed (PHE 2017; Diabetes UK)"),
        "practice_list_size": P(10_000, 500, 100_000, "patients",
                                "Registered list of one GP practice",
                                "NHS Digital, Patients Registered at a GP Practice 2024: "
                                "63 m patients over about 6,300 practices", integer=True),
        # With a real place (scenario key ``place``, see sim.places).
        "scale": P(1.0, 0.0001, 1.0, "share of the place's residents",
                   "With a place: share of its residents simulated, keeping its age and "
                   "deprivation structure (for quick runs)",
                   "assumption: the whole place unless a quicker run is asked for"),
        "neighbourhood_min_residents": P(1_000, 1, 1_000_000, "residents",
                                         "With a place: fewest simulated residents in a "
                                         "neighbourhood (MSOAs merge below it)",
                                         "assumption: enough adults in a neighbourhood for "
                                         "its community groups at a scaled size; at full "
                                         "size every MSOA (2,200 or more) is one",
                                         integer=True),
        "connectedness_old_age": P(80.0, 0.0, 130.0, "years",
                                   "Age from which connectedness is lower",
                                   "assumption: ONS finds the oldest among the more often "
                                   "lonely (bereavement, frailty)"),
        "connectedness_old_age_drop": P(0.6, 0.0, 5.0, "logit",
                                        "How much lower connectedness is from that age",
                                        "assumption: with the mean, it sets the 7% lonely"),
        "activation_centre": P(0.5, 0.0, 1.0, "activation",
                               "Activation at which the effects per unit of activation are "
                               "centred (rate ratios of one, no shift of wellbeing)",
                               "assumption: the middle of the scale, so a rate ratio 'at full "
                               "activation vs none' splits evenly either side"),
    },
    "network": {
        "kind": P("small_world", doc="Shape of the social network",
                  source="assumption: households and neighbourhood ties with a few "
                         "long-range ties (Watts & Strogatz 1998)",
                  choices=("small_world", "erdos_renyi")),
        "mean_degree": P(8.0, 1.0, 100.0, "ties", "Mean ties per resident beyond the household",
                         "assumption: the 'sympathy group' of close ties, Dunbar 1998 "
                         "(about 12-15 in all, of which some are household)"),
        "rewire": P(0.05, 0.0, 1.0, "probability",
                    "Share of neighbourhood ties rewired to anyone in the place",
                    "assumption: small-world regime of Watts & Strogatz 1998"),
        "household_size": P(2.36, 1.0, 10.0, "residents", "Mean household size",
                            "ONS Families and households in the UK, 2023"),
    },
    "health": {
        "ltc_mean_age80": P(2.1, 0.0, 10.0, "conditions",
                            "Mean count of long-term conditions at age 80",
                            "fitted so that 68% of people aged 80+ and 14.8% of "
                            "all ages have 2+ (Valabhji et al. 2020)"),
        "ltc_age_slope": P(0.044, 0.0, 0.2, "per year of age",
                           "Log-rate increase of the condition count per year of age",
                           "fitted so that 0.9% of 0-19s and 68% of 80+ have 2+ "
                           "(Valabhji et al. 2020)"),
        "ltc_deprivation_ratio": P(1.75, 1.0, 5.0, "ratio",
                                   "Condition rate, most vs least deprived quintile",
                                   "fitted to multimorbidity odds 2.3x most vs least "
                                   "deprived (Valabhji et al. 2020)"),
        "rel_onset_lonely": P(1.3, 1.0, 3.0, "rate ratio",
                              "Onset of new conditions among lonely residents",
                              "Valtorta et al., Heart 2016 (meta-analysis of prospective "
                              "cohorts): loneliness and isolation, pooled RR 1.29 (1.04-1.59) for"
                              " coronary heart disease",
                              plausible=(1.04, 1.59), grade="controlled"),
        "rel_onset_activated": P(0.85, 0.3, 1.0, "rate ratio",
                                 "Onset of new conditions at full activation vs none",
                                 "assumption: healthier behaviours of activated patients "
                                 "(Hibbard & Greene 2013), kept modest",
                                 plausible=(0.7, 1.0), grade="assumption"),
        "rel_onset_group": P(0.9, 0.3, 1.0, "rate ratio",
                             "Onset of new conditions among community-group members",
                             "assumption: physical activity and connection in groups, "
                             "kept modest (Holt-Lunstad 2010 is on mortality)",
                             plausible=(0.8, 1.0), grade="assumption"),
        "mortality_at_80": P(0.043, 0.0, 1.0, "per year",
                             "Annual probability of death at age 80",
                             "fitted to a crude death rate of about 9.2 per 1,000 "
                             "(ONS mid-2024) given the age pyramid; ONS National life "
                             "tables 2021-23, England: about 0.04-0.05 at 80 (persons)"),
        "mortality_gompertz": P(0.10, 0.0, 0.3, "per year of age",
                                "Gompertz slope of mortality by age",
                                "ONS National life tables 2021-23: death rates double "
                                "about every 7 years between 60 and 90"),
        "mortality_infant": P(0.004, 0.0, 0.1, "per year",
                              "Death probability in the first year of life",
                              "ONS Child and infant mortality 2022: 3.9 per 1,000"),
        "mortality_per_ltc": P(1.25, 1.0, 3.0, "hazard ratio",
                               "Mortality per long-term condition beyond the age-typical count",
                               "assumption: multimorbidity raises mortality "
                               "(Barnett et al. 2012); kept moderate"),
        "fertility_rate": P(0.050, 0.0, 0.3, "births per woman aged 15-44 per year",
                            "General fertility rate",
                            "fitted to births of about 9.6 per 1,000 (ONS mid-2024); "
                            "ONS Births in England and Wales 2023 gives a general "
                            "fertility rate of about 52 per 1,000 women aged 15-44"),
        "net_migration_per_1000": P(5.0, 0.0, 50.0, "per 1,000 residents per year",
                                    "Net arrivals (mostly young adults; see "
                                    "sim.health.MIGRANT_AGES)",
                                    "ONS 2022-based national population projections: "
                                    "long-term net migration 340,000 a year, about 5 per "
                                    "1,000; keeps the age structure from drifting older "
                                    "than England's"),
        "wellbeing_drift": P(0.02, 0.0, 1.0, "per week",
                             "Rate at which wellbeing moves toward its level for the "
                             "person's state", "assumption: a half-life of about 8 months"),
        "trait_reversion": P(0.01, 0.0, 1.0, "per week",
                             "Rate at which activation and dependence return to the "
                             "person's disposition without reinforcement",
                             "assumption: a half-life of about 16 months, so that PAM "
                             "gains fade within 2-3 years without reinforcement; fast "
                             "enough that the baseline settles well within 10 years"),
        "seasonality": P(0.12, 0.0, 0.5, "relative amplitude",
                         "Winter peak of minor illness and acute episodes",
                         "NHS England Appointments in General Practice: monthly volumes "
                         "vary about +/-12% around the mean"),
        "wellbeing_base": P(1.2, -10.0, 10.0, "logit",
                            "Wellbeing level (logit) with no conditions, not lonely, not in a "
                            "group, at the activation and dependence centres",
                            "assumption: set with the other wellbeing_* coefficients so that "
                            "most residents' wellbeing sits in the upper half of the scale"),
        "wellbeing_per_ltc": P(0.35, 0.0, 5.0, "logit per condition",
                               "Fall in the wellbeing level per long-term condition",
                               "assumption: multimorbidity lowers wellbeing (ONS APS "
                               "personal wellbeing by health status); size not fitted"),
        "wellbeing_lonely": P(0.8, 0.0, 5.0, "logit", "Fall in the wellbeing level when lonely",
                              "assumption: loneliness is among the strongest correlates of "
                              "low wellbeing (ONS 2018); size not fitted"),
        "wellbeing_per_activation": P(1.0, 0.0, 5.0, "logit per unit of activation",
                                      "Rise in the wellbeing level per unit of activation "
                                      "above population.activation_centre",
                                      "assumption: activated people report better wellbeing "
                                      "(Hibbard & Gilburt 2014); size not fitted"),
        "wellbeing_member": P(0.3, 0.0, 5.0, "logit", "Rise in the wellbeing level in a group",
                              "assumption: group membership supports wellbeing (Kellezi "
                              "2019); kept modest"),
        "wellbeing_per_dependence": P(0.5, 0.0, 5.0, "logit per unit of dependence",
                                      "Fall in the wellbeing level per unit of dependence "
                                      "above wellbeing_dependence_centre",
                                      "assumption: reliance on services goes with lower "
                                      "self-efficacy; kept modest"),
        "wellbeing_dependence_centre": P(0.3, 0.0, 1.0, "dependence",
                                         "Dependence at which it does not shift wellbeing",
                                         "assumption: near the baseline's mean dependence"),
        "wellbeing_noise": P(0.02, 0.0, 0.5, "per week (standard deviation)",
                             "Spread of the weekly random step of wellbeing",
                             "assumption: small against wellbeing_drift, so that wellbeing "
                             "follows the person's state"),
        "initial_ltc_max": P(20, 0, 40, "conditions",
                             "Most long-term conditions a resident starts (or arrives) with",
                             "assumption: a cap on the Poisson draw's far tail; 20 is far "
                             "beyond anyone's count in the English data", integer=True),
        "fertile_age_min": P(15.0, 0.0, 60.0, "years",
                             "Youngest age of the women fertility_rate is per",
                             "ONS: the general fertility rate is per woman aged 15-44"),
        "fertile_age_max": P(45.0, 0.0, 60.0, "years",
                             "Age below which women are counted by fertility_rate",
                             "ONS: the general fertility rate is per woman aged 15-44"),
    },
    "need": {
        "low_per_year": P(5.0, 0.0, 50.0, "per person-year",
                          "Low-level complaints (minor illness, aches, worries)",
                          "assumption: the 'symptom iceberg': most symptoms are "
                          "self-managed and only a minority are taken to a GP "
                          "(Hannay 1979; McAteer et al. 2011); level tuned with "
                          "flares and reviews to GP appointments 6.3 per person-year"),
        "flares_per_ltc_year": P(2.6, 0.0, 20.0, "per condition-year",
                                 "Flares of a long-term condition needing attention",
                                 "fitted to GP appointments 6.3 per person-year (with "
                                 "reviews, complaints and follow-ups)"),
        "reviews_per_diagnosed_year": P(3.2, 0.0, 12.0, "per diagnosed condition-year",
                                        "Planned reviews of a diagnosed condition",
                                        "assumption: QOF annual review per condition plus "
                                        "medication reviews, monitoring bloods and nurse "
                                        "checks (about 3 a year); fitted to GP appointments "
                                        "6.3 per person-year"),
        "acute_per_year_age40": P(0.14, 0.0, 5.0, "per person-year",
                                  "Acute episodes at age 40 with no conditions",
                                  "fitted to A&E attendances 0.44 per person-year (NHS "
                                  "Digital HAEA 2022/23)"),
        "acute_age_slope": P(0.02, 0.0, 0.2, "per year of age",
                             "Log-rate increase of acute episodes per year of age",
                             "assumption: tuned to admissions rising steeply with age"),
        "rel_acute_per_ltc": P(1.35, 1.0, 5.0, "rate ratio",
                               "Acute episodes per long-term condition",
                               "assumption: tuned to the A&E deprivation gradient 1.9x"),
        "rel_acute_managed": P(0.8, 0.1, 1.0, "rate ratio",
                               "Acute episodes of diagnosed (managed) vs undiagnosed conditions",
                               "assumption: earlier management lowers acute risk; "
                               "screening's benefit rests on it",
                               plausible=(0.6, 1.0), grade="assumption"),
        "rel_flare_activated": P(0.5, 0.05, 1.0, "rate ratio per unit of activation",
                                 "Flares of a condition at full activation vs none "
                                 "(centred on activation 0.5)",
                                 "fitted to Deeny et al. 2018: GP contacts 0.82x at "
                                 "PAM level 4 vs level 1, adjusted",
                                 plausible=(0.3, 0.7), grade="controlled"),
        "rel_acute_activated": P(0.6, 0.05, 1.0, "rate ratio per unit of activation",
                                 "Acute episodes at full activation vs none "
                                 "(centred on activation 0.5)",
                                 "fitted to Deeny et al. 2018: A&E 0.68x and emergency "
                                 "admissions 0.62x at PAM level 4 vs level 1, adjusted",
                                 plausible=(0.4, 0.8), grade="controlled"),
        "rel_followup_activated": P(0.85, 0.05, 1.0, "rate ratio per unit of activation",
                                    "Follow-ups booked (GP and outpatient) at full "
                                    "activation vs none (centred on activation 0.5)",
                                    "fitted to Deeny et al. 2018: outpatient attendances "
                                    "0.81x and GP contacts 0.82x at PAM level 4 vs 1: "
                                    "activated patients self-manage between visits",
                                    plausible=(0.7, 1.0), grade="controlled"),
        "acute_deprivation_ratio": P(1.6, 1.0, 5.0, "rate ratio",
                                     "Acute episodes, most vs least deprived, beyond conditions",
                                     "fitted to the A&E gradient 1.9x most vs least "
                                     "deprived (NHS Digital HAEA 2022/23)"),
        "low_wellbeing_slope": P(1.5, 0.0, 10.0, "log-rate per unit of wellbeing",
                                 "How much faster low-level complaints arise as wellbeing "
                                 "falls", "assumption: minor symptoms are reported more "
                                 "often at low wellbeing; size not fitted"),
        "low_wellbeing_centre": P(0.65, 0.0, 1.0, "wellbeing",
                                  "Wellbeing at which low-level complaints arise at "
                                  "low_per_year", "assumption: near the baseline's mean "
                                  "wellbeing, so low_per_year is about the mean rate"),
        "activation_causal_share": P(0.4, 0.0, 1.0, "share",
                                     "Share of the cross-sectional activation gradient of "
                                     "need and choice that a change in activation brings",
                                     "Lindsay et al., JGIM 2018 (2,155 patients, adjusted for "
                                     "baseline): a PAM level gained goes with 8.3% (2.5-13.2%) "
                                     "lower costs, about 0.55 of Deeny et al. 2018's "
                                     "cross-sectional gradient, itself an upper bound; "
                                     "self-management trials cut use only in some models "
                                     "(Panagioti et al. 2014, 184 RCTs; Lederle & Bitzer "
                                     "2019, mostly null): central 0.4",
                                     plausible=(0.1, 0.8), grade="controlled"),
    },
    "choice": {
        "low_gp_base": P(-0.8, -10.0, 10.0, "utility",
                         "Utility of taking a low-level complaint to a GP",
                         "assumption: about a fifth of low-level complaints reach a "
                         "GP or A&E (symptom iceberg); fitted with low_per_year to "
                         "GP appointments 6.3 per person-year"),
        "low_ae_base": P(-4.2, -15.0, 10.0, "utility",
                         "Utility of taking a low-level complaint to A&E",
                         "assumption: tuned so minor self-referred A&E is a small share"),
        "low_peer_base": P(-1.2, -10.0, 10.0, "utility",
                           "Utility of turning to peers or a group",
                           "assumption: informal help is common for minor complaints"),
        "dependence_weight": P(3.0, 0.0, 20.0, "utility per unit",
                               "How far dependence pulls low-level complaints to services",
                               "assumption: tuned to the use concentration of Kontopantelis 2021",
                               plausible=(2.0, 4.0), grade="assumption"),
        "activation_weight": P(1.2, 0.0, 20.0, "utility per unit",
                               "How far activation pulls complaints to self-care",
                               "fitted to Deeny et al. 2018: GP use 0.82x at PAM level 4 vs 1",
                               plausible=(0.6, 1.8), grade="controlled"),
        "connectedness_weight": P(1.5, 0.0, 20.0, "utility per unit",
                                  "How far connectedness makes peers an option",
                                  "assumption: a well-connected person is about as likely to ask "
                                  "a friend as to self-care",
                                  plausible=(0.5, 2.5), grade="assumption"),
        "group_weight": P(1.0, 0.0, 20.0, "utility", "Extra pull of peers for group members",
                          "assumption: peer support is at hand in a group",
                          plausible=(0.5, 1.5), grade="assumption"),
        "wait_weight": P(0.5, 0.0, 10.0, "utility per week of wait",
                         "How far a GP wait pushes complaints elsewhere",
                         "assumption: waits deter minor consultations",
                         plausible=(0.25, 1.0), grade="assumption"),
        "flare_ae_share": P(0.06, 0.0, 1.0, "share",
                            "Share of condition flares taken straight to A&E",
                            "assumption: tuned to A&E attendances"),
        "acute_ae_share": P(0.85, 0.0, 1.0, "share",
                            "Share of acute episodes that reach A&E (rest via GP)",
                            "assumption: most acute episodes (injuries, chest pain, sudden "
                            "illness) go straight to A&E or 999"),
        "ae_wait_share": P(0.3, 0.0, 1.0, "share of wait_weight",
                           "How far a GP wait pushes a low-level complaint to A&E, as a "
                           "share of how far it pushes it away from the GP",
                           "assumption: most people deterred by a wait self-care or wait; "
                           "a minority go to A&E"),
        "dependence_causal_share": P(0.4, 0.0, 1.0, "share",
                                     "Share of the cross-sectional dependence gradient of "
                                     "choice that a change in dependence brings",
                                     "assumption: no study measures a change in dependence; "
                                     "taken as activation_causal_share, its mirror (Lindsay "
                                     "et al. 2018; Panagioti et al. 2014)",
                                     plausible=(0.1, 0.8), grade="assumption"),
        "activation_per_self_care": P(0.005, 0.0, 1.0, "per complaint",
                                      "Rise in activation after managing a complaint oneself",
                                      "assumption: mastery experiences build confidence "
                                      "(Bandura 1977); one event moves activation by well "
                                      "under a PAM point, so the baseline is stationary",
                                      plausible=(0.0025, 0.01), grade="assumption"),
        "dependence_per_self_care": P(0.005, 0.0, 1.0, "per complaint",
                                      "Fall in dependence after managing without services",
                                      "assumption: the mirror of activation_per_self_care",
                                      plausible=(0.0025, 0.01), grade="assumption"),
        "connectedness_per_peer_help": P(0.005, 0.0, 1.0, "per complaint",
                                         "Rise in connectedness after turning to peers",
                                         "assumption: small per event, so that loneliness "
                                         "stays near 7% in the baseline rather than "
                                         "draining away",
                                         plausible=(0.0025, 0.01), grade="assumption"),
    },
    "primary_care": {
        "capacity_per_1000_week": P(127.0, 1.0, 1000.0, "appointments per 1,000 per week",
                                    "Weekly appointment capacity of general practice",
                                    "NHS England Appointments in General Practice 2023/24: "
                                    "6.3 per person-year = 121 per 1,000 per week; 5% "
                                    "headroom so winter peaks bind", lever=True),
        "consultation_style": P(0.5, 0.0, 1.0, "0 directive .. 1 shared",
                                "Consultation style: directive (0) to shared decision-making (1)",
                                "assumption: a mix; SDM is not yet the norm (NICE NG197)"),
        "p_followup": P(0.32, 0.0, 0.95, "probability", "A consultation books a follow-up",
                        "fitted to GP appointments 6.3 per person-year and the "
                        "top-10% share 40% (Kontopantelis 2021)"),
        "followup_weeks": P(3.0, 1.0, 52.0, "weeks", "Delay to a booked follow-up",
                            "assumption: a typical 'come back in two to four weeks'"),
        "referral_wait_weeks": P(12.0, 0.0, 104.0, "weeks",
                                 "Wait from referral to a first outpatient appointment",
                                 "NHS England RTT statistics 2024: median wait about "
                                 "13-14 weeks"),
        "p_diagnose_flare": P(0.5, 0.0, 1.0, "probability",
                              "A consultation for a flare of an undiagnosed condition "
                              "diagnoses it", "assumption: a symptomatic presentation leads to a "
                                              "diagnosis about half the time"),
        "wait_at_full": P(2.0, 0.0, 52.0, "weeks",
                          "Typical wait for a routine appointment when demand equals capacity",
                          "GP Patient Survey 2024: most routine appointments within two weeks"),
        "p_refer": P(0.17, 0.0, 1.0, "probability",
                     "A consultation refers to outpatients",
                     "fitted to outpatient attendances 1.66 per person-year "
                     "(HES 2022/23); stands for every route into a first "
                     "outpatient appointment (GP, A&E, consultant-to-consultant), so "
                     "above the GP referral rate alone"),
        "p_unserved_ae": P(0.12, 0.0, 1.0, "probability",
                           "An unserved request goes to A&E instead",
                           "tuned so about a quarter of unplanned A&E follows a failed "
                           "GP request (GP Patient Survey analyses)"),
        "p_unserved_retry": P(0.6, 0.0, 1.0, "probability",
                              "An unserved request tries again next week (else gives up)",
                              "assumption: most people who cannot get an appointment try again "
                              "(GP Patient Survey: a minority give up)"),
        "dependence_per_directive": P(0.005, 0.0, 1.0, "per consultation",
                                      "Rise in dependence from a directive consultation",
                                      "assumption: being 'done to' teaches people to come back; "
                                      "small per consultation (a quarter of a PAM-scale "
                                      "point at the baseline style) so that heavy users' "
                                      "dispositions are not set by their use",
                                      plausible=(0.0, 0.01), grade="assumption"),
        "activation_per_shared": P(0.005, 0.0, 1.0, "per consultation",
                                   "Rise in activation from shared decision-making",
                                   "assumption; Hibbard 2004 PAM rises with support "
                                   "for self-management; small per consultation, like "
                                   "dependence_per_directive, else frequent attenders "
                                   "become the most activated and the Deeny 2018 "
                                   "gradient reverses",
                                   plausible=(0.0, 0.01), grade="assumption"),
        "followup_per_ltc": P(0.15, 0.0, 5.0, "relative, per condition",
                              "Rise in the chance of a booked follow-up per long-term condition",
                              "assumption: multimorbidity brings more monitoring; fitted "
                              "with p_followup to the top-10% share of appointments"),
        "followup_directive": P(1.2, 0.0, 5.0, "relative",
                                "Follow-ups booked under a fully directive style, relative "
                                "to p_followup", "assumption: directive care books more "
                                "returns (failure demand)"),
        "followup_per_style": P(0.4, 0.0, 5.0, "relative per unit of style",
                                "Fewer follow-ups booked per unit of shared decision-making",
                                "assumption: shared decisions resolve more at the first "
                                "visit; at the mid style 1.2 - 0.4 x 0.5 = 1"),
        "refer_per_ltc": P(0.2, 0.0, 5.0, "relative, per condition",
                           "Rise in the chance of a referral per long-term condition",
                           "assumption: more conditions, more specialist input"),
        "wait_free_pressure": P(0.5, 0.0, 0.99, "demand / capacity",
                                "Pressure below which a practice has no wait",
                                "assumption: a practice at half capacity offers "
                                "appointments at once"),
        "wait_adjust": P(0.3, 0.0, 1.0, "per week",
                         "Share of the gap to its target wait a practice's wait closes a week",
                         "assumption: waits follow pressure over a few weeks"),
        "followup_cap": P(0.95, 0.0, 1.0, "probability",
                          "Largest chance of a booked follow-up (GP or outpatient)",
                          "assumption: some care always ends"),
    },
    "acute": {
        "p_admit": P(0.21, 0.0, 1.0, "probability", "Admission after an A&E attendance at age 40",
                     "NHS Digital HAEA 2022/23: about 26% of attendances admitted; "
                     "fitted to admissions 0.11 per person-year"),
        "admit_age_slope": P(0.02, 0.0, 0.2, "per year of age",
                             "Log-odds increase of admission per year of age",
                             "assumption: admission odds double about every 35 years of age"),
        "beds_per_1000": P(2.4, 0.0, 100.0, "beds per 1,000",
                           "General and acute beds available to emergencies",
                           "NHS England KH03 2023/24: about 101,000 G&A beds for "
                           "57.7 m people (1.75 per 1,000); raised to 2.4 because "
                           "the model's stays are whole weeks (no same-day or "
                           "few-day stays), which gives about 90% occupancy at "
                           "baseline admissions (KH03: about 93%)"),
        "length_of_stay_weeks": P(1.0, 0.15, 52.0, "weeks", "Mean length of stay",
                                  "NHS Digital HES 2022/23: mean about 7 days for "
                                  "emergency admissions"),
        "p_refer_after_admission": P(0.6, 0.0, 1.0, "probability",
                                     "An admission leads to outpatient follow-up",
                                     "assumption: most emergency admissions of adults "
                                     "get a clinic follow-up"),
        "p_op_followup": P(0.69, 0.0, 0.95, "probability",
                           "An outpatient attendance books another",
                           "NHS Digital HES 2022/23: about 2.2 follow-ups per first "
                           "attendance"),
        "op_followup_weeks": P(10.0, 1.0, 104.0, "weeks",
                               "Delay to an outpatient follow-up", "assumption: clinic follow-ups "
                                                                   "are typically booked two to "
                                                                   "three months ahead"),
        "p_op_finds": P(0.06, 0.0, 1.0, "probability",
                        "An outpatient assessment diagnoses a condition not yet known",
                        "assumption: 'once in the system, further assessments find more'"),
        "dependence_per_cascade": P(0.005, 0.0, 1.0, "per attendance",
                                    "Rise in dependence per outpatient attendance",
                                    "assumption: follow-up cascades teach reliance; small "
                                    "per attendance like dependence_per_directive",
                                    plausible=(0.0, 0.01), grade="assumption"),
        "admit_share_flare": P(0.8, 0.0, 1.0, "relative",
                               "Admission chance of a flare at A&E, relative to an acute "
                               "episode", "assumption: acute episodes are the main route "
                               "to admission"),
        "admit_share_other": P(0.1, 0.0, 1.0, "relative",
                               "Admission chance of a minor complaint at A&E, relative to an "
                               "acute episode", "assumption: a minor complaint is rarely "
                               "admitted"),
        "admit_per_ltc": P(0.15, 0.0, 2.0, "log-odds per condition",
                           "Rise in the log-odds of admission per long-term condition",
                           "assumption: multimorbid patients are admitted more often"),
        "discharge_followup_weeks": P(4, 0, 52, "weeks",
                                      "Delay from discharge to the outpatient follow-up",
                                      "assumption: a clinic about a month after discharge",
                                      integer=True),
        "op_followup_per_ltc": P(0.05, 0.0, 2.0, "relative, per condition",
                                 "Rise in the chance of another outpatient appointment per "
                                 "long-term condition",
                                 "assumption: more conditions, longer follow-up"),
    },
    "community": {
        "groups_per_1000": P(1.0, 0.0, 100.0, "groups per 1,000",
                             "Community groups at the start",
                             "assumption: NCVO Almanac, about 1 local voluntary group "
                             "per 1,000 people running health-relevant activities"),
        "group_capacity": P(25, 2, 1000, "members", "Members a group can hold",
                            "assumption: a room or a walk", integer=True),
        "initial_members": P(12, 1, 1000, "members", "Members of a group at the start",
                             "assumption: about half full, a typical small local group",
                             integer=True),
        "p_contact": P(0.1, 0.0, 1.0, "per week",
                       "Chance a resident talks about groups with a random tie",
                       "assumption: groups come up in conversation with someone about every ten "
                       "weeks"),
        "p_invite": P(0.15, 0.0, 1.0, "probability",
                      "A member invites a tie who is not in a group, at full vitality",
                      "assumption: a thriving group converts about one conversation in seven"),
        "p_leave": P(0.01, 0.0, 1.0, "per week", "A member leaves a group with no vitality",
                     "assumption: half of new members gone within a year in a flagging group"),
        "vitality_growth": P(0.1, 0.0, 1.0, "per week",
                             "Growth of vitality from organisers and members",
                             "assumption: a group with an organiser and half its places "
                             "filled holds a vitality of about 0.6 against "
                             "vitality_decay, so groups persist at about their starting "
                             "number over ten years"),
        "vitality_decay": P(0.015, 0.0, 1.0, "per week",
                            "Decay of vitality (burnout, costs of running)",
                            "assumption: a group with no organiser fades within a year"),
        "p_found": P(0.0003, 0.0, 1.0, "per week",
                     "An organiser not running a group starts one",
                     "assumption: fitted so that about as many groups are "
                     "founded that take root as fold (groups keep their number "
                     "over ten years); most seeds fail"),
        "split_size": P(22, 2, 1000, "members",
                        "Members at which a vital group splits in two",
                        "assumption: just below capacity", integer=True),
        "activation_per_week": P(0.001, 0.0, 0.1, "per week",
                                 "Rise in activation for a member of a vital group",
                                 "Lederle & Bitzer, BMC Health Serv Res 2019 (systematic review "
                                 "of lay-led and peer support self-management): mixed, mostly "
                                 "null effects on activation and use; a quarter of the earlier "
                                 "assumption of 0.004",
                                 plausible=(0.0, 0.002), grade="rct"),
        "dependence_per_week": P(0.001, 0.0, 0.1, "per week",
                                 "Fall in dependence for a member of a vital group",
                                 "the mirror of activation_per_week (Lederle & Bitzer 2019)",
                                 plausible=(0.0, 0.002), grade="rct"),
        "connectedness_per_week": P(0.0035, 0.0, 1.0, "per week",
                                    "Rise in connectedness for a member of a vital group",
                                    "Hickin et al., Public Health 2021: loneliness interventions,"
                                    " standardised effect -0.47 in RCTs and -0.24 in controlled "
                                    "cohorts; 0.0025-0.005 a week gives -0.2 to -0.3 SD among the"
                                    " people referred (Kellezi 2019 on groups)",
                                    plausible=(0.0025, 0.005), grade="rct"),
        "organiser_share": P(0.05, 0.0, 1.0, "share",
                             "Adults with the skills and will to organise",
                             "assumption: NCVO Time Well Spent 2023, a few percent "
                             "lead or organise; 5% so that groups can replace an "
                             "organiser who leaves"),
        "grant_half_effect": P(100.0, 0.0, 100_000.0, "GBP per week",
                               "Grant at which a group's vitality growth is 1.5x",
                               "assumption: small grants matter most (Local Trust, "
                               "Big Local evaluation 2021)",
                               plausible=(50.0, 400.0), grade="assumption"),
        "burden_decay": P(2.0, 0.0, 20.0, "x decay at full burden",
                          "How much reporting burden speeds a group's decay",
                          "assumption: monitoring crowds out volunteer energy "
                          "(Frey & Jegen 2001 on motivation crowding)",
                          plausible=(1.0, 3.0), grade="assumption"),
        "norm_rate": P(0.01, 0.0, 1.0, "per week",
                       "Drift of dependence and activation toward one's ties' "
                       "departures from their own dispositions",
                       "assumption: help-seeking norms spread along ties "
                       "(Christakis & Fowler 2013)",
                       plausible=(0.0, 0.02), grade="assumption"),
        "seed_vitality": P(0.2, 0.0, 1.0, "vitality", "Vitality of a newly founded group",
                           "assumption: fragile at first"),
        "fold_vitality": P(0.02, 0.0, 1.0, "vitality", "Vitality below which a group folds",
                           "assumption: near none"),
        "grace_weeks": P(8, 0, 520, "weeks",
                         "Weeks a new group has to find members before an empty one folds",
                         "assumption: two months", integer=True),
        "initial_vitality_min": P(0.3, 0.0, 1.0, "vitality",
                                  "Lowest vitality of the groups at the start",
                                  "assumption: starting groups range from flagging to thriving"),
        "initial_vitality_max": P(0.9, 0.0, 1.0, "vitality",
                                  "Highest vitality of the groups at the start",
                                  "assumption: as initial_vitality_min"),
        "split_vitality": P(0.6, 0.0, 1.0, "vitality",
                            "Vitality a large group needs to split in two",
                            "assumption: only thriving groups split"),
        "split_organisers": P(2, 1, 1000, "organisers",
                              "Organisers a group needs to split in two (one for each half)",
                              "assumption: each half needs someone to run it", integer=True),
        "split_kept_vitality": P(0.8, 0.0, 1.0, "share",
                                 "Share of its vitality each half keeps after a split",
                                 "assumption: a split costs some momentum"),
        "split_share": P(0.5, 0.0, 1.0, "share",
                         "Chance that a member of a splitting group moves to the new one",
                         "assumption: an even split"),
        "found_activation_base": P(0.5, 0.0, 5.0, "relative",
                                   "Founding chance of an organiser with no activation, "
                                   "relative to p_found (rising by one per unit of "
                                   "activation)", "assumption: activated organisers start "
                                   "more groups"),
        "contact_min_age": P(16.0, 0.0, 100.0, "years",
                             "Youngest age at which residents talk about groups",
                             "assumption: groups recruit from age 16"),
    },
    "movement": {
        "threshold_mean": P(0.38, 0.0, 1.0, "share of ties",
                            "Mean threshold: share of ties in the movement before one joins",
                            "fitted so that under done_with about 20% of residents aged 16+ take "
                            "part in the final year of ten (17-21% over seeds 1-4 at 15,000 "
                            "residents), within formal volunteering's 16% of adults a month and "
                            "27% a year (DCMS Community Life Survey 2021/22)",
                            plausible=(0.36, 0.4), grade="uncontrolled"),
        "threshold_sd": P(0.08, 0.0, 1.0, "share of ties", "Spread of thresholds",
                          "assumption: heterogeneous thresholds (Granovetter 1978)"),
        "min_age": P(16, 0, 120, "years", "Youngest age at which a resident may join",
                     "assumption: volunteering surveys count people aged 16 and over "
                     "(DCMS Community Life Survey); 0 makes every resident eligible",
                     integer=True),
        "activation_per_week": P(0.001, 0.0, 0.1, "per week",
                                 "Rise in activation of a participant",
                                 "assumption: no controlled study of a health movement's effect "
                                 "on its participants; as group membership "
                                 "(community.activation_per_week, Lederle & Bitzer 2019)",
                                 plausible=(0.0, 0.002), grade="assumption"),
        "dependence_per_week": P(0.001, 0.0, 0.1, "per week",
                                 "Fall in dependence of a participant",
                                 "assumption: the mirror of movement.activation_per_week",
                                 plausible=(0.0, 0.002), grade="assumption"),
    },
    "costs": {
        "gp_appointment": P(45.0, 0.0, 10_000.0, "GBP", "Unit cost of a GP-practice appointment",
                            "PSSRU/CHE Unit Costs of Health and Social Care 2024"),
        "ae_attendance": P(273.0, 0.0, 10_000.0, "GBP", "Unit cost of an A&E attendance",
                           "PSSRU/CHE Unit Costs 2024"),
        "emergency_admission": P(2600.0, 0.0, 100_000.0, "GBP",
                                 "Unit cost of a non-elective admission",
                                 "PSSRU/CHE Unit Costs 2024: weighted mean of long and "
                                 "short stays"),
        "outpatient_attendance": P(198.0, 0.0, 10_000.0, "GBP",
                                   "Unit cost of an outpatient attendance",
                                   "PSSRU/CHE Unit Costs 2024"),
        "turned_away_admission": P(2600.0, 0.0, 100_000.0, "GBP",
                                   "Cost of a patient turned away for want of a bed",
                                   "assumption: admitted elsewhere (out of area, or a "
                                   "corridor and a longer stay later) at the cost of an "
                                   "emergency admission, so that beds given up are never a "
                                   "saving (NAO 2017 on the Better Care Fund)"),
        "group_running_per_year": P(0.0, 0.0, 1_000_000.0, "GBP per group-year",
                                    "Public cost of an unfunded group",
                                    "assumption: volunteer-run groups cost the system nothing"),
    },
    "system": {
        "governance": P("hierarchical", doc="How initiatives are run",
                        source="assumption: most places manage a few central projects",
                        choices=("hierarchical", "distributed"), lever=True),
        "hierarchical_initiatives": P(3, 1, 1000, "initiatives",
                                      "Initiatives a hierarchical system can run at once",
                                      "assumption: central programme office capacity",
                                      integer=True),
        "common_random_numbers": P(True, doc="Draw each person's randomness from named "
                                   "streams keyed by the person (off: plain sequential draws)",
                                   source="Starsim's CRN design (Kerr et al. 2024)"),
        "burn_in_weeks": P(52, 0, 1040, "weeks",
                           "Weeks of the baseline run before week 0 and not reported",
                           "assumption: the follow-up and outpatient pipelines, empty when "
                           "a place is built, fill within a year (outpatients 998 per 1,000 "
                           "in year 1 against about 1,600 in years 2-10 without it); a "
                           "whole number of years keeps the seasons in phase",
                           integer=True),
        "check_invariants": P(False, doc="Check model invariants every week (slower)",
                              source="assumption: for tests and debugging"),
    },
}

# Top-level scalar fields of a scenario (besides the sections and ``policies``).
SCENARIO_FIELDS: dict[str, Param] = {
    "weeks": P(520, 1, 10_000, "weeks", "Horizon of a run",
               "assumption: ten years, long enough for slow effects (groups, norms) to show",
               integer=True),
    "seed": P(1, 0, 2**32 - 1, "", "Seed of the first replicate",
               "assumption: any fixed seed makes runs reproducible", integer=True),
    "replicates": P(1, 1, 10_000, "runs", "Replicates, each on its own seed",
                     "assumption: one for a quick look; use more to compare",
                    integer=True),
}
