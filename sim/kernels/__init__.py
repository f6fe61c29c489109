"""Compiled kernels (Numba) for the weekly step, one module a phase, and the model's rules.

Imported lazily by the phases (never by ``import sim``); each kernel compiles on
first use and is cached on disk (``cache=True``).

**One rule per mechanism, written once.** Each probability or update of a person is a
small scalar function in the kernel module of its phase (``health``: ``p_death``,
``p_birth``, ``p_onset``, ``revert``, ``nudged``, ``wellbeing_target``,
``wellbeing_step``, ``disposition``, ``starting_threshold``; ``need``: ``p_low``,
``p_flare``, ``p_review``, ``p_acute``, ``causal``, ``low_need_choice_of``; ``acute``:
``p_admit``, ``p_op_followup``; ``community``: ``vitality_step``, ``folds``, ``splits``,
``p_leave``, ``p_invite``, ``p_found``, ``member_step``; ``network``: ``norm_step``;
``movement``: ``threshold_of``, ``joins``, ``p_burnout``, ``p_lone_wolf_leaves``,
``p_become_organiser``, ``participant_activation``, ``participant_dependence``). The
convention, for any new rule:

- ``@njit(inline="always", error_model="numpy")``, named for what it gives (``p_<event>``
  for a weekly probability), taking numbers (never arrays: see below) and, last, one
  named tuple of parameters (``HealthParams`` ``h``, ``NeedParams`` ``nd``,
  ``ChoiceParams`` ``c``, ``CommunityParams`` ``cp``, ``MovementRules``) whose fields are the scenario parameters of the same name
  (filled by :func:`~sim.kernels.bounds.rule_params`); a docstring with units.
- The phase kernel decides an event as ``u < rule(...)``, with the person's uniform
  ``u``; nothing else restates the formula. Code outside the kernels that needs a rule
  over arrays (the starting population) calls a compiled loop over the rule
  (``ltc_means``, ``settle``).
- Where a kernel skips most people with a cheap test ``u >= bound[cell]``, the bound
  table is made from the rule by :func:`sim.kernels.bounds.upper_bounds` (the rule
  evaluated over each cell of the table's axes), never written by hand, and
  ``tests/test_rules.py`` checks ``rule <= bound`` on random states for every rule.
  A rule over arrays is always the one compiled loop
  :func:`sim.kernels.bounds.over_arrays` makes from it (cached on disk under the rule):
  the bound tables, the starting population and the tests (``bounds.evaluate``). The
  few rows the community and the movement decide each week (folding, splitting,
  invitations, foundings, new organisers) are passes of their own that call the rule.

Uniforms are the SplitMix64 hash of :mod:`sim.streams`, bit for bit; normals come from
one port of Cephes ``ndtri`` (:func:`~sim.kernels.draws.normals_into`).

Two things measured while writing them, which any new kernel should keep to:

- **Helpers called once a row take numbers, not arrays.** An array passed to a helper
  called once a row, even an inlined one, made one kernel fifty times slower (as far as
  we can tell, Numba's reference counting stays in the loop and stops it vectorising).
  Events are written to their arrays in the kernel's own loop. Columns and parameters
  reach a kernel as named tuples, unpacked by attribute.
- **Sparse selections mark, then read eight at a time** (:mod:`~sim.kernels.rows`):
  appending each qualifying row as it is met cannot be vectorised.

Modules: :mod:`~sim.kernels.draws` (uniforms, normals), ``bounds`` (bound tables),
``health``, ``need`` (need and where to turn), ``primary_care`` (who is served),
``acute`` (admissions and outpatients),
``community``, ``movement``, ``network`` (sums over ties), ``accounting``, ``rows``
(selections), ``logistic`` and ``poisson`` (the loops behind :mod:`sim.logistic` and
:func:`sim.streams.to_poisson`). Every kernel is exported here, wrapped so that signals wait for it to
return (below); call them as ``sim.kernels.<name>``.
"""

from __future__ import annotations

import numba.core.event

from ..interrupts import deliver_noted, holding
from ..interrupts import held as signals_held
from .accounting import week_state, week_state_threads
from .acute import admissions_wanted, admit, outpatient_visits, outpatient_visits_threads
from .community import (best_open_groups, contacts, contacts_threads, count_members, folding,
                        founders, founders_threads, free_organisers, free_organisers_threads,
                        heard_of_groups, invited, join_groups, leave_groups, member_effects,
                        participants_by_neighbourhood, participants_by_neighbourhood_threads,
                        referral_places, release_members, split_members, splitting,
                        update_vitality, with_joiners)
from .draws import CHUNK, fold_keys, hash_uniform, hash_uniforms, mix_uids, standard_normal
from .health import health_pass, health_pass_threads, ltc_means, settle
from .logistic import expit_into
from .movement import (grow_organisers, grow_organisers_threads, may_move, movement_effects,
                       movement_effects_threads, movement_rules, movement_rules_threads,
                       movement_weights, tied_to_organisers, with_role)
from .need import (due, low_need_choice, low_need_choice_threads, low_need_choices,
                   low_need_choices_threads, needs, needs_threads, requests_of_week)
from .network import (drop_ties, padded_tie_sum, padded_ties, random_tie, random_tie_threads,
                      spread_norms, spread_norms_threads, update_tie_sum)
from .poisson import poisson_inversion
from .primary_care import (consult_bookings, consult_bookings_threads, consult_style,
                           consult_style_threads, first_occurrences, ration, ration_requests,
                           ration_requests_threads, unserved_requests)
from .rows import rows_at_ranks
from .threads import PASS_LOCK, small_pass_threaded, threaded, use_threads
from .cache import keep_in_step

# Before any kernel loads (importing them loads none): no kernel compiled from sources
# other than today's is taken from the disk cache (see sim.kernels.cache).
keep_in_step()

__all__ = ["CHUNK", "expit_into", "poisson_inversion", "admissions_wanted", "admit", "outpatient_visits", "best_open_groups", "contacts", "count_members", "drop_ties",
           "due", "fold_keys", "free_organisers", "hash_uniform", "hash_uniforms", "health_pass",
           "health_pass_threads", "needs_threads", "spread_norms_threads",
           "week_state_threads", "outpatient_visits_threads", "ration_requests_threads",
           "low_need_choice_threads",
           "join_groups", "leave_groups", "low_need_choice", "ltc_means", "low_need_choices",
           "low_need_choices_threads", "may_move", "folding", "splitting", "heard_of_groups",
           "invited", "with_joiners", "founders", "grow_organisers", "referral_places",
           "member_effects", "mix_uids", "movement_effects", "movement_rules",
           "movement_rules_threads",
           "movement_weights", "needs", "padded_tie_sum", "padded_ties",
           "participants_by_neighbourhood", "random_tie", "ration", "ration_requests",
           "requests_of_week", "unserved_requests", "first_occurrences",
           "consult_style", "consult_style_threads", "consult_bookings_threads",
           "consult_bookings", "release_members", "rows_at_ranks",
           "split_members", "spread_norms", "standard_normal", "tied_to_organisers",
           "update_tie_sum", "update_vitality", "week_state", "settle", "with_role",
           # community, movement and the network's small passes, their blocks in threads
           "contacts_threads", "founders_threads",
           "free_organisers_threads", "participants_by_neighbourhood_threads",
           "grow_organisers_threads", "movement_effects_threads", "random_tie_threads"]

# --- signals ---------------------------------------------------------------------------------
# Ctrl-C and SIGTERM wait for a kernel to return (sim.interrupts says why: Numba runs Python
# inside a call). Holding and releasing them cost about 6 microseconds on a virtual
# machine: 7% of a week of 50,000 residents with fifty-odd kernel calls. So the model holds
# them once for a whole week (``signals_held``), and a kernel called while they are held
# holds no more. A kernel about to compile is a safe place to stop: a signal held until
# then is delivered there (``_StopBeforeCompiling``), not at the end of a week that may
# have half a minute of compiling left.


class _StopBeforeCompiling(numba.core.event.Listener):
    """Delivers held signals as Numba starts to compile (``sim.interrupts.deliver_noted``)."""

    def on_start(self, event) -> None:
        deliver_noted()

    def on_end(self, event) -> None:
        pass


numba.core.event.register("numba:compile", _StopBeforeCompiling())


def _one_at_a_time(kernel):
    """A pass in threads, called under ``PASS_LOCK`` (see :mod:`sim.kernels.threads`)."""
    if not getattr(kernel, "targetoptions", {}).get("parallel"):
        return kernel

    def call(*args):
        with PASS_LOCK:
            return kernel(*args)

    call.__name__, call.__doc__, call.__wrapped__ = kernel.__name__, kernel.__doc__, kernel
    return call


def _shielded(kernel):
    kernel = _one_at_a_time(kernel)

    def call(*args):
        if holding():
            return kernel(*args)
        with signals_held():
            return kernel(*args)

    call.__name__, call.__doc__, call.__wrapped__ = kernel.__name__, kernel.__doc__, kernel
    return call


for _name in __all__:
    if callable(globals()[_name]):
        globals()[_name] = _shielded(globals()[_name])
del _name
