"""Ctrl-C and SIGTERM held back for a block of work, and delivered as it ends.

A Python signal handler (Ctrl-C's KeyboardInterrupt, or the SIGTERM ``results_dir``
turns into one) runs in the main thread at its next line of Python, wherever that is.
Three kinds of block must not be stopped half-way:

- **a kernel call.** Numba runs Python inside some: it boxes the arrays a kernel returns
  by calling its ``_numba_unpickle``, and it compiles a kernel in Python, with callbacks
  from LLVM. An interrupt raised in the first comes out as a ``SystemError`` ("returned a
  result with an exception set"): 4 of 8 SIGTERMs to a 100,000-resident run in threads
  ended so, with exit 1. One raised in a callback is swallowed: the command ran on to the
  end and exited 0 after its Ctrl-C.
- **a week of the model**, so that an interrupt lands between weeks (the model holds it
  once a week rather than once a kernel: see :mod:`sim.kernels`).
- **a submit to a pool that may start a worker.** Interrupted half-way, it leaves the
  worker reading a pipe that never gets its instructions, and the pool's shutdown
  waiting for it; a worker started in the block inherits the signals blocked, so an
  interrupt during its start-up prints no traceback.

Blocking the signals in this thread is not enough on its own: a signal sent to the
process goes to any thread that does not block it (numpy's BLAS starts one at import),
and its handler then runs here all the same. So :func:`held` does both:

1. it blocks INT and TERM in this thread (a signal that finds no other thread stays
   pending until the block ends), and
2. in the main thread, it puts a :class:`_Gate` in front of each Python handler for the
   length of the block: the gate only notes the signal.

As the block ends, the handlers are put back as they were, and each signal noted (or
pending) goes once to its handler, Ctrl-C's first: a KeyboardInterrupt raised there comes
out of ``with held()``. A point inside a block that is known to be safe to stop at may
deliver them at once (:func:`deliver_noted`): ``sim.kernels`` does as Numba starts to
compile a kernel, so that Ctrl-C during a first run's compiling (half a minute or more
for a week's kernels) stops it at the next kernel rather than at the end of the week. A
signal with no Python handler (SIGTERM's own action, an ignored SIGINT) is left to the
system: blocked, it acts when the block ends.

Outside a block the handlers are the ones their owners set (``asyncio``, for one, looks
for Python's own SIGINT handler by identity). A block costs about 6 microseconds on this
machine: the masks' two system calls about 3, putting the gates in and taking them out
2 to 3 more (docs/performance.md).
"""

from __future__ import annotations

import _signal
import contextlib
import signal
import threading
from typing import Callable, Iterator

__all__ = ["held", "holding", "deliver_noted"]

HELD = (signal.SIGINT, signal.SIGTERM)
_MASKABLE = hasattr(_signal, "pthread_sigmask")
_this_thread = threading.local()  # the mask is per thread, so is whether this one holds
_MAIN = threading.main_thread()


class _Gate:
    """A signal's Python handler, held back while a block is held (see the module)."""

    __slots__ = ("behind", "noted")

    def __init__(self, behind: Callable) -> None:
        self.behind = behind
        self.noted = False  # a signal came while the block was held

    def __call__(self, signum, frame) -> None:
        if holding():
            self.noted = True
        else:  # left in place by an interrupt as a block ended: the handler's own action
            self.behind(signum, frame)


def holding() -> bool:
    """Whether this thread is inside :func:`held` (a kernel called there holds no more)."""
    return getattr(_this_thread, "held", False)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back for the block; deliver them as it ends (see the
    module). Nested blocks hold nothing more."""
    if holding():
        yield
        return
    previous = _signal.pthread_sigmask(_signal.SIG_BLOCK, HELD) if _MASKABLE else None
    _this_thread.held = True
    gates: list[tuple[int, _Gate]] = []
    try:
        if threading.current_thread() is _MAIN:
            _gate_into(gates)
        yield
    finally:
        try:
            # Unblocking delivers what is pending: its gate notes it, as still held.
            if previous is not None:
                _signal.pthread_sigmask(_signal.SIG_SETMASK, previous)
            for sig, gate in gates:
                _signal.signal(sig, gate.behind)
        finally:
            _this_thread.held = False
        _deliver(gates)


def deliver_noted() -> None:
    """Deliver, inside the main thread's held block, the signals its gates have noted so
    far (for a point that is safe to stop at: see the module); elsewhere, nothing.

    A signal that no thread has taken yet (it is pending: every thread blocks it, as when
    BLAS starts no thread of its own, or none has run since) is let in first, so that
    its gate notes it: unblocking it here delivers it to this thread, and
    ``signal.pthread_sigmask`` runs the Python handlers before it returns.
    """
    if holding() and threading.current_thread() is _MAIN:
        if _MASKABLE and not _signal.sigpending().isdisjoint(HELD):
            _signal.pthread_sigmask(_signal.SIG_UNBLOCK, HELD)
            _signal.pthread_sigmask(_signal.SIG_BLOCK, HELD)
        _deliver([(sig, handler) for sig in HELD
                  if isinstance(handler := _signal.getsignal(sig), _Gate)])


def _deliver(gates: list[tuple[int, _Gate]]) -> None:
    """Each noted signal of ``gates`` to the handler behind its gate, once."""
    noted = [(sig, gate) for sig, gate in gates if gate.noted]
    for _, gate in noted:
        gate.noted = False
    for sig, gate in noted:  # Ctrl-C first; its KeyboardInterrupt leaves SIGTERM moot
        gate.behind(sig, None)


def _gate_into(gates: list[tuple[int, _Gate]]) -> None:
    """Put a gate in front of each of :data:`HELD`'s Python handlers (the main thread's:
    only it may set handlers, and only it runs them), each signal and its gate into
    ``gates`` as it is put there."""
    for sig in HELD:
        handler = _signal.getsignal(sig)  # (signal.getsignal wraps it in enums: slower)
        if isinstance(handler, _Gate):  # one left by an interrupt as a block ended
            gate = handler
        elif callable(handler):
            gate = _Gate(handler)
            _signal.signal(sig, gate)
        else:  # the system's own action, or none of Python's
            continue
        gate.noted = False
        gates.append((sig, gate))
