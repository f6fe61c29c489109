"""Compiled kernels (Numba) for the measured hot spots of a week, one module a phase.

Imported lazily by the phases (never by ``import sim``); each kernel compiles on
first use and is cached on disk (``cache=True``). Profiles of a million residents
showed where NumPy spent its time: hashing uniforms for everyone, full-population
probability arithmetic with many temporaries, and sparse products for norms and
the movement. These kernels do the same work in one pass each, with the same results:

- **Uniforms** are the SplitMix64 hash of :mod:`sim.streams`, bit for bit.
- **Events** ("does this person have a need / die / develop a condition this
  week?") are decided by comparing the person's uniform with a probability. The
  kernels reject most people with a cheap upper bound on the probability, compute
  an approximation for the rest, and decide wherever the uniform is clear of the
  approximation by a safety band (:data:`REL_BAND`, far wider than the few ulps by
  which the kernel's ``exp`` may differ from NumPy's SIMD ``exp``). The rare rows
  inside the band are returned as *ambiguous*, and the phase evaluates them with the
  very NumPy expression the model always used. So every event is decided by exactly
  the same arithmetic as before, and results do not change.
- **Continuous updates** (wellbeing, traits, norms) repeat NumPy's operations in the
  same order and the same dtypes (float32 where the arrays are float32, float64 where
  NumPy promotes), with ``math.exp`` (the C library's, as SciPy's ``expit`` uses) and
  a line-by-line port of Cephes ``ndtri`` (as ``scipy.special.ndtri``), so they are
  bit-identical; ``tests/test_golden.py`` holds them to it.

Two things measured while writing them, which any new kernel should keep to:

- **Helpers called once a row take numbers, not arrays.** An array passed to a helper
  called once a row, even an inlined one, made one kernel fifty times slower (as far as
  we can tell, Numba's reference counting stays in the loop and stops it vectorising).
  Events are written to their arrays in the kernel's own loop.
- **Sparse selections mark, then read eight at a time** (:mod:`~sim.kernels.rows`):
  appending each qualifying row as it is met cannot be vectorised.

Modules: :mod:`~sim.kernels.draws` (uniforms, the safety band, normals), ``health``,
``need`` (need and where to turn), ``primary_care`` (who is served), ``community``,
``movement``, ``network`` (sums over ties), ``accounting`` and ``rows`` (selections).
Every kernel is exported here, wrapped so that signals wait for it to return (below);
call them as ``sim.kernels.<name>``.
"""

from __future__ import annotations

import _signal
import contextlib
import signal
import threading

from .accounting import week_state
from .community import (best_open_groups, contacts, count_members, free_organisers, join_groups,
                        leave_groups, member_effects, participants_by_neighbourhood,
                        release_members, split_members)
from .draws import CHUNK, fold_keys, hash_uniform, hash_uniforms, mix_uids, standard_normal
from .health import health_pass, ltc_means, wellbeing_targets
from .movement import (movement_effects, movement_rules, movement_weights, tied_to_organisers,
                       with_role)
from .need import due, low_need_choice, low_need_outcomes, needs
from .network import (drop_ties, padded_tie_sum, padded_ties, random_tie, spread_norms,
                      update_tie_sum)
from .primary_care import ration

__all__ = ["CHUNK", "best_open_groups", "contacts", "count_members", "drop_ties",
           "due", "fold_keys", "free_organisers", "hash_uniform", "hash_uniforms", "health_pass",
           "join_groups", "leave_groups", "low_need_choice", "ltc_means", "low_need_outcomes",
           "member_effects", "mix_uids", "movement_effects", "movement_rules",
           "movement_weights", "needs", "padded_tie_sum", "padded_ties",
           "participants_by_neighbourhood", "random_tie", "ration", "release_members",
           "split_members", "spread_norms", "standard_normal", "tied_to_organisers",
           "update_tie_sum", "week_state", "wellbeing_targets", "with_role"]

# --- signals ---------------------------------------------------------------------------------
# A Python signal handler (Ctrl-C, or SIGTERM turned into an interrupt by sim.results) that
# runs while Numba's dispatcher is between C and Python, or while a kernel compiles, leaves
# the dispatcher "returning a result with an exception set", or crashes the process. So
# INT and TERM are held back for the length of a kernel call (microseconds to milliseconds)
# and delivered, to the same handlers, as soon as it returns. Holding and releasing them
# are two system calls, about 4 microseconds in all on a virtual machine: 5% of a week of
# 50,000 residents with fifty-odd kernel calls. So the model holds them once for a whole
# week (:func:`signals_held`), and a kernel called while they are held calls no more.

_HELD = (signal.SIGINT, signal.SIGTERM)
_MASKABLE = hasattr(_signal, "pthread_sigmask")
_thread = threading.local()  # the mask is per thread, so is whether this one holds it


@contextlib.contextmanager
def signals_held():
    """Hold INT and TERM back for the block, delivering them as it ends (see above)."""
    if not _MASKABLE or getattr(_thread, "held", False):
        yield
        return
    previous = _signal.pthread_sigmask(_signal.SIG_BLOCK, _HELD)
    _thread.held = True
    try:
        yield
    finally:
        _thread.held = False
        _signal.pthread_sigmask(_signal.SIG_SETMASK, previous)


def _shielded(kernel):
    if not _MASKABLE:
        return kernel
    # The C function itself: signal.pthread_sigmask wraps it to turn the returned set
    # into Signals enums, which costs more than a small kernel.
    sigmask, block, setmask = _signal.pthread_sigmask, _signal.SIG_BLOCK, _signal.SIG_SETMASK

    def call(*args):
        if getattr(_thread, "held", False):
            return kernel(*args)
        previous = sigmask(block, _HELD)
        try:
            return kernel(*args)
        finally:
            sigmask(setmask, previous)

    call.__name__, call.__doc__, call.__wrapped__ = kernel.__name__, kernel.__doc__, kernel
    return call


for _name in __all__:
    if callable(globals()[_name]):
        globals()[_name] = _shielded(globals()[_name])
del _name
