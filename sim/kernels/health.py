"""Phase 1 of the week, compiled: the health rules, and the one pass that applies them
(ageing, deaths, births, new conditions, traits and wellbeing; :func:`sim.health.advance_health`).

Each rule is a formula of a person's numbers and the named tuple ``h`` of
:data:`HealthParams`; the pass decides an event as ``u < rule(...)``.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

from .blocks import BLOCK, block_rows, joined, n_blocks
from .bounds import axis, cell, rule_tuple
from .draws import CHUNK, _fill, normals_into
from .rows import marked_into

WEEK = 1.0 / 52.0  # rates are declared per year; a step is a week
MAX_LTC = 40  # the count of conditions is held in an int8; no one comes near this

# The parameters of the rules: every scenario parameter of the health and population
# sections, by its name, and the week's campaign nudge (levers).
HealthParams = rule_tuple("HealthParams", __name__, ("health", "population"),
                          ("activation_nudge",))


# --- the rules ----------------------------------------------------------------------------


@njit(inline="always", error_model="numpy")
def quintile_multiplier(quintile, ratio):
    """Relative rate in IMD ``quintile`` (1 most deprived .. 5): ``ratio`` times higher
    in the most deprived than the least, with a mean of 1 over the five."""
    mean = 0.0
    for k in range(5):
        mean += ratio ** (k / 4.0) / 5.0
    return ratio ** ((5.0 - quintile) / 4.0) / mean


@njit(inline="always", error_model="numpy")
def ltc_mean(age, quintile, h):
    """Mean count of long-term conditions at ``age`` (years) in ``quintile``."""
    return (h.ltc_mean_age80 * math.exp(h.ltc_age_slope * (age - 80.0))
            * quintile_multiplier(quintile, h.ltc_deprivation_ratio))


@njit(inline="always", error_model="numpy")
def p_death(age, ltc, quintile, h):
    """Weekly probability of death at ``age`` with ``ltc`` conditions.

    Gompertz by age (the infant rate in the first year). Conditions beyond the
    age-typical count raise the hazard by ``mortality_per_ltc`` each; the life table is
    the average over everyone of an age, so the multiplier is divided by its mean under
    the Poisson count of conditions, E[r^(X - m)] = exp(m (r - 1 - ln r)): otherwise the
    population would die faster than the life table says.
    """
    if age < 1.0:
        base = h.mortality_infant
    else:
        base = h.mortality_at_80 * math.exp(h.mortality_gompertz * (age - 80.0))
    mean = ltc_mean(age, quintile, h)
    r = h.mortality_per_ltc
    annual = base * r ** (ltc - mean) * math.exp(-mean * (r - 1.0 - math.log(r)))
    if annual >= 1.0:
        return 1.0
    return -math.expm1(WEEK * math.log1p(-annual))


@njit(inline="always", error_model="numpy")
def p_birth(age, female, h):
    """Weekly probability that a woman of fertile age gives birth."""
    fertile = (female != 0) & (age >= h.fertile_age_min) & (age < h.fertile_age_max)  # no branch
    return h.fertility_rate * WEEK * fertile


@njit(inline="always", error_model="numpy")
def p_onset(age, quintile, lonely, activation, member, h):
    """Weekly probability of a new long-term condition.

    The age-typical count rises with age at rate ``ltc_age_slope``, so the onset hazard
    is that slope times the mean count; raised by loneliness, lowered by activation
    (``rel_onset_activated`` at full activation) and by group membership.
    """
    rel = h.rel_onset_lonely if lonely else 1.0
    rel *= h.rel_onset_activated ** activation
    if member:
        rel *= h.rel_onset_group
    return h.ltc_age_slope * WEEK * ltc_mean(age, quintile, h) * rel


@njit(inline="always", error_model="numpy")
def toward(x, target, rate):
    """``x`` moved a share ``rate`` of the way to ``target``: how every trait changes
    (reverting, gaining from help, losing dependence)."""
    return x + rate * (target - x)


@njit(inline="always", error_model="numpy")
def revert(trait, own_level, h):
    """A week's reversion of a trait toward the person's own level."""
    return toward(trait, own_level, h.trait_reversion)


@njit(inline="always", error_model="numpy")
def nudged(activation, h):
    """Activation after a week of a campaign's nudge (none when the lever is 0)."""
    return toward(activation, 1.0, h.activation_nudge)


@njit(inline="always", error_model="numpy")
def wellbeing_logit(ltc, lonely, activation, member, dependence, h):
    """The logit of the wellbeing a person's state tends toward (see :func:`wellbeing_target`)."""
    return (h.wellbeing_base - h.wellbeing_per_ltc * ltc - (h.wellbeing_lonely if lonely else 0.0)
            + h.wellbeing_per_activation * (activation - h.activation_centre)
            + (h.wellbeing_member if member else 0.0)
            - h.wellbeing_per_dependence * (dependence - h.wellbeing_dependence_centre))


@njit(inline="always", error_model="numpy")
def wellbeing_target(ltc, lonely, activation, member, dependence, h):
    """The wellbeing (0..1) a person's state tends toward: a logistic of the state."""
    return 1.0 / (1.0 + math.exp(-wellbeing_logit(ltc, lonely, activation, member, dependence, h)))


@njit(inline="always", error_model="numpy")
def disposition(quintile, z_act, z_dep, h):
    """A person's own long-run activation and dependence (each 0..1), logit-normal.

    Activation is lower toward the most deprived quintile (``quintile`` 1 .. 5);
    dependence is lower where activation is higher (``dependence_activation_coupling``
    logits per logit of activation above the mean, scaled to the two spreads), plus its
    own noise. ``z_act``, ``z_dep``: the person's standard normal draws.
    """
    act_dev = h.activation_logit_sd * z_act - h.activation_deprivation_step * (3.0 - quintile)
    dep_logit = (h.dependence_logit_mean
                 - h.dependence_activation_coupling * act_dev
                 * (h.dependence_logit_sd / max(h.activation_logit_sd, 1e-9)) * 0.5
                 + h.dependence_logit_sd * z_dep)
    return (1.0 / (1.0 + math.exp(-(h.activation_logit_mean + act_dev))),
            1.0 / (1.0 + math.exp(-dep_logit)))


@njit(inline="always", error_model="numpy")
def wellbeing_step(wellbeing, target, z, h):
    """A week's drift of wellbeing toward its target, with noise (``z`` standard normal)."""
    w = wellbeing + h.wellbeing_drift * (target - wellbeing) + h.wellbeing_noise * z
    return min(max(w, 0.0), 1.0)


# --- the pass -----------------------------------------------------------------------------

People = namedtuple("People", ("uid", "alive", "age", "female", "ltc", "deprivation",
                               "connectedness", "activation", "dependence", "activation0",
                               "dependence0", "connectedness0", "wellbeing", "group"))
# The draws: whether CRN is on, the four streams' keys (death, birth, onset, wellbeing)
# and, with it off, their sequential draws by row. Flat, since a pass in threads cannot
# take a tuple within a tuple (Numba 0.68).
Draws = namedtuple("Draws", "crn keys death birth onset wellbeing")
# Tables by (age, ltc), (age, quintile), and their age axis (a lookup array: bounds.axis).
Bounds = namedtuple("Bounds", "death onset age")


def draws_of(crn, death, birth, onset, wellbeing):
    """:data:`Draws` from each stream's ``(key, sequential draws)``."""
    keys = np.array([death[0], birth[0], onset[0], wellbeing[0]], np.uint64)
    return Draws(crn, keys, death[1], birth[1], onset[1], wellbeing[1])


@njit(cache=True, error_model="numpy")
def health_pass(lo, hi, steps, people, draws, h, bounds):
    """Phase 1 for rows ``lo .. hi`` in one pass, chunk by chunk while it is in cache,
    block by block (:func:`health_pass_threads`: the blocks in threads).

    ``steps`` = (deaths, onsets, traits) says which steps to do:

    - deaths: age a week (the living); decide death (:func:`p_death`) and birth
      (:func:`p_birth`; a mother who dies is not one).
    - onsets: a new condition for the living (:func:`p_onset`), added to ``ltc`` at once,
      since the wellbeing target counts it.
    - traits: every row, dead or alive: traits revert, wellbeing drifts. The wellbeing
      target of a row that dies this week counts it out of its group, as
      ``remove_residents`` (called after the pass) will leave it.

    ``people`` holds the columns (``sim.health.COLUMNS``), ``draws`` the uniforms' keys,
    ``bounds`` the rules' bound tables and their age axis. Returns (deaths, mothers),
    each ascending.
    """
    dead, mothers, found = _collected(lo, hi)
    for b in range(n_blocks(lo, hi)):
        _health_block(b, lo, hi, steps, people, draws, h, bounds, dead, mothers, found)
    return joined(dead, found[0]), joined(mothers, found[1])


@njit(cache=True, error_model="numpy", parallel=True)
def health_pass_threads(lo, hi, steps, people, draws, h, bounds):
    """:func:`health_pass` with its blocks in threads (:mod:`sim.kernels.blocks`)."""
    dead, mothers, found = _collected(lo, hi)
    for b in prange(n_blocks(lo, hi)):
        _health_block(b, lo, hi, steps, people, draws, h, bounds, dead, mothers, found)
    return joined(dead, found[0]), joined(mothers, found[1])


@njit(inline="always", error_model="numpy")
def _collected(lo, hi):
    """Room for the rows that die and the mothers, block ``b``'s from ``b * BLOCK`` on,
    and how many of each a block found."""
    blocks = n_blocks(lo, hi)
    return (np.empty(blocks * BLOCK, np.int64), np.empty(blocks * BLOCK, np.int64),
            np.empty((2, blocks), np.int64))


@njit(error_model="numpy")
def _health_block(b, first, last, steps, people, draws, h, bounds, dead_all, mothers_all, found):
    """Block ``b`` of :func:`health_pass` over rows ``first .. last``: its rows that die and
    its mothers into its stretch of ``dead_all`` and ``mothers_all``, how many in
    ``found[:, b]``."""
    lo, hi = block_rows(first, last, b)
    dead, mothers = dead_all[b * BLOCK: (b + 1) * BLOCK], mothers_all[b * BLOCK: (b + 1) * BLOCK]
    deaths, onsets, traits = steps
    age_axis = axis(bounds.age)
    key_death, key_birth, key_onset, key_wb = draws.keys[0], draws.keys[1], draws.keys[2], \
        draws.keys[3]
    nd = 0
    nm = 0
    no_draw = np.ones(CHUNK, np.float64)  # the uniform of a step not done: no event
    u_death, u_birth, u_onset = no_draw.copy(), no_draw.copy(), no_draw.copy()
    u_wb = np.empty(CHUNK, np.float64)
    maybe = np.empty(CHUNK, np.int64)  # positions in the chunk that may have an event
    marks = np.empty(CHUNK, np.uint8)  # and their marks (CHUNK is a multiple of eight)
    dying = np.empty(CHUNK, np.int64)
    z, x = np.empty(CHUNK, np.float64), np.empty(CHUNK, np.float64)  # of the traits
    tail = np.empty(CHUNK, np.int64)  # scratch of the normals
    tx, tlog = np.empty(CHUNK, np.float64), np.empty(CHUNK, np.float64)
    for start in range(lo, hi, CHUNK):
        m = min(CHUNK, hi - start)
        end = start + m
        uid = people.uid[start:end]
        if deaths:
            _fill(u_death, draws.crn, key_death, uid, draws.death[start:end], 0, m)
            _fill(u_birth, draws.crn, key_birth, uid, draws.birth[start:end], 0, m)
            _age_a_week(people.age[start:end], people.alive[start:end], m)
        if onsets:
            _fill(u_onset, draws.crn, key_onset, uid, draws.onset[start:end], 0, m)
        if traits:
            _fill(u_wb, draws.crn, key_wb, uid, draws.wellbeing[start:end], 0, m)
        n_maybe = _may_have_event(people, start, m, u_death, u_birth, u_onset, h, bounds,
                                  age_axis, maybe, marks)
        n_dying = 0
        for t in range(n_maybe):
            i = start + maybe[t]
            j = maybe[t]
            a = np.float64(people.age[i])
            live = True
            if deaths:
                if u_death[j] < bounds.death[cell(a, age_axis), min(people.ltc[i], MAX_LTC + 1)]:
                    if u_death[j] < p_death(a, people.ltc[i], people.deprivation[i], h):
                        dead[nd] = i
                        nd += 1
                        live = False
                        dying[n_dying] = i
                        n_dying += 1
                mothers[nm] = i
                nm += live and u_birth[j] < p_birth(a, people.female[i], h)
            if onsets and live and u_onset[j] < bounds.onset[cell(a, age_axis),
                                                             people.deprivation[i]]:
                p = p_onset(a, people.deprivation[i], people.connectedness[i] < h.lonely_below,
                            people.activation[i], people.group[i] >= 0, h)
                if u_onset[j] < p:
                    people.ltc[i] = min(people.ltc[i] + 1, MAX_LTC)
        if traits:
            groups = dying_out_of_groups(people.group, dying, n_dying)
            normals_into(u_wb, m, z, tail, tx, tlog)
            _traits(people, start, m, z, x, h)
            for t in range(n_dying):  # back in: remove_residents takes them out
                people.group[dying[t]] = groups[t]
    found[0, b], found[1, b] = nd, nm


@njit(inline="always", error_model="numpy")
def _age_a_week(age, alive, m):
    for j in range(m):
        if alive[j]:
            age[j] = np.float32(np.float64(age[j]) + WEEK)


@njit(inline="always", error_model="numpy")
def _may_have_event(people, start, m, u_death, u_birth, u_onset, h, bounds, age_axis, maybe,
                    marks):
    """Positions (into ``maybe``) of the living rows of the chunk whose uniforms are under
    the bounds of death, birth or onset; returns how many. Marks them (into ``marks``, of
    :data:`CHUNK`) in a branch-free pass that vectorises (through views of the chunk: see
    :func:`sim.kernels.draws._fill`), then reads the marks eight at a time
    (:func:`sim.kernels.rows.marked_into`): about one row in a thousand is marked, and
    appending each as it is met would keep the first pass from vectorising."""
    end = start + m
    ages, lives, ltcs = people.age[start:end], people.alive[start:end], people.ltc[start:end]
    women, quintiles = people.female[start:end], people.deprivation[start:end]
    for j in range(m):
        ia = cell(ages[j], age_axis)
        event = ((u_death[j] < bounds.death[ia, min(ltcs[j], MAX_LTC + 1)])
                 | (u_birth[j] < p_birth(np.float64(ages[j]), women[j], h))
                 | (u_onset[j] < bounds.onset[ia, quintiles[j]]))
        marks[j] = lives[j] & event
    marks[m:] = 0  # a short last chunk
    return marked_into(marks, maybe)


@njit(inline="always", error_model="numpy")
def dying_out_of_groups(group, dying, n_dying):
    """Take the rows dying this week out of their groups; return the groups they were in."""
    groups = np.empty(n_dying, np.int32)
    for t in range(n_dying):
        groups[t] = group[dying[t]]
        group[dying[t]] = -1
    return groups


@njit(inline="always", error_model="numpy")
def _traits(people, start, m, z, x, h):
    """Traits revert toward the person's own level (activation nudged by any campaign);
    wellbeing drifts toward its target, with the standard normals ``z`` (``x``: scratch)."""
    end = start + m
    act, act0 = people.activation[start:end], people.activation0[start:end]
    dep, dep0 = people.dependence[start:end], people.dependence0[start:end]
    con, con0 = people.connectedness[start:end], people.connectedness0[start:end]
    wb, ltc, group = people.wellbeing[start:end], people.ltc[start:end], people.group[start:end]
    # Three passes, so that the first and last vectorise: only exp runs a row at a time
    # (wellbeing_target, split at its logistic).
    for j in range(m):
        a = nudged(revert(np.float64(act[j]), act0[j], h), h)
        d = revert(np.float64(dep[j]), dep0[j], h)
        c = revert(np.float64(con[j]), con0[j], h)
        act[j], dep[j], con[j] = a, d, c
        x[j] = wellbeing_logit(ltc[j], c < h.lonely_below, a, group[j] >= 0, d, h)
    for j in range(m):
        x[j] = math.exp(-x[j])
    for j in range(m):
        wb[j] = wellbeing_step(np.float64(wb[j]), 1.0 / (1.0 + x[j]), z[j], h)


# The columns :func:`settle` reads and writes, and the movement's parameters of a
# newcomer's threshold (filled by name from the movement section).
Newcomers = namedtuple("Newcomers", ("deprivation", "ltc", "connectedness", "group", "activation",
                                     "activation0", "dependence", "dependence0", "wellbeing",
                                     "threshold"))
ThresholdParams = namedtuple("ThresholdParams", ("threshold_mean", "threshold_sd"),
                             module=__name__)


@njit(inline="always", error_model="numpy")
def starting_threshold(z, tp):
    """A newcomer's Watts threshold (share of ties, 0..1): normal, mean ``threshold_mean``
    and spread ``threshold_sd`` (``tp``: :data:`ThresholdParams`), cut to 0..1."""
    return min(max(tp.threshold_mean + tp.threshold_sd * z, 0.0), 1.0)


@njit(cache=True, error_model="numpy")
def settle(lo, hi, people, z_act, z_dep, z_threshold, h, tp):
    """New residents' rows ``lo .. hi`` (the starting population, a week's newborns or
    arrivals) take their own activation and dependence (:func:`disposition`), the wellbeing
    their state tends toward (:func:`wellbeing_target`, of the values as held) and their
    threshold (:func:`starting_threshold`), from their standard normals (``z_act``,
    ``z_dep``, ``z_threshold``: one a new row from ``lo``). ``people``: :data:`Newcomers`
    (conditions, connectedness and group already set)."""
    for i in range(lo, hi):
        j = i - lo
        act, dep = disposition(np.float64(people.deprivation[i]), z_act[j], z_dep[j], h)
        people.activation0[i] = act
        people.activation[i] = act
        people.dependence0[i] = dep
        people.dependence[i] = dep
        people.wellbeing[i] = wellbeing_target(
            people.ltc[i], people.connectedness[i] < h.lonely_below, people.activation[i],
            people.group[i] >= 0, people.dependence[i], h)
        people.threshold[i] = starting_threshold(z_threshold[j], tp)


@njit(cache=True, error_model="numpy")
def ltc_means(age, quintile, h):
    """:func:`ltc_mean` for arrays of residents (the starting population and arrivals)."""
    out = np.empty(age.size, np.float64)
    for i in range(age.size):
        out[i] = ltc_mean(np.float64(age[i]), quintile[i], h)
    return out
