"""sim.interrupts: Ctrl-C and SIGTERM wait for the end of a held block and then reach the
handler there was, whichever thread of the process the system gave them to.

Each case runs in a fresh interpreter, since it sends itself a signal."""

import os
import signal
import subprocess
import sys

import pytest

from .conftest import ROOT

_SCRIPT = """
import os, signal, sys, threading
from sim.interrupts import held, holding

how = sys.argv[1]
if how.startswith("term"):
    def to_interrupt(signum, frame):  # what results_dir does with SIGTERM
        raise KeyboardInterrupt
    if how != "term-default":
        signal.signal(signal.SIGTERM, to_interrupt)
sig = signal.SIGINT if how in ("int", "int-elsewhere") else signal.SIGTERM
owners = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]
other = threading.Event()
elsewhere = threading.Thread(target=other.wait)  # started unblocked, like numpy's BLAS thread
elsewhere.start()


def work():  # Python, where a handler would run if nothing held it back
    return sum(i * i for i in range(200_000))


try:
    with held():
        assert holding()
        if how.endswith("elsewhere"):
            signal.pthread_kill(elsewhere.ident, sig)  # the system's pick of thread
        else:
            os.kill(os.getpid(), sig)
        work()
        with held():  # nested: holds nothing more, delivers nothing on its own
            work()
        print("held", flush=True)
    print("not interrupted", flush=True)
except KeyboardInterrupt:
    print("interrupted after", flush=True)
finally:
    other.set()
assert not holding()
assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == owners
"""


def test_outside_a_block_the_handlers_are_their_owners():
    from sim.interrupts import held

    def mine(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, mine)
    # Python's own Ctrl-C handler, set here: a process started in the background by a
    # shell inherits SIGINT ignored, and Python then installs none.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with held():
            assert signal.getsignal(signal.SIGTERM) is not mine  # gated for the block
            with held():
                pass
        assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _run(how: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _SCRIPT, how], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
@pytest.mark.parametrize("how", ["int", "term", "int-elsewhere", "term-elsewhere"])
def test_a_signal_in_a_held_block_is_delivered_as_the_block_ends(how):
    # "elsewhere": the signal goes to another thread, which does not block it, and its
    # handler runs in this one all the same: blocking here alone let it raise in the block.
    done = _run(how)
    assert done.stdout.split() == ["held", "interrupted", "after"], done
    assert "Traceback" not in done.stderr, done


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_signal_without_a_python_handler_is_left_to_the_system():
    # SIGTERM's own action: the process ends with it (at once here, since the script's
    # other thread does not block it), and no Python code sees it.
    done = _run("term-default")
    assert done.returncode == -signal.SIGTERM, done
    assert "not interrupted" not in done.stdout and "interrupted after" not in done.stdout


_COMPILING = """
import os, signal, sys, threading, time
import numba
import sim.kernels  # registers the stop before compiling
from sim.interrupts import held

fresh = numba.njit(lambda x: x + 1)  # never compiled, never cached
other_thread = sys.argv[1] == "another thread"
if other_thread:  # one that does not block the signal, as numpy's BLAS threads do
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
try:
    with held():
        os.kill(os.getpid(), signal.SIGINT)
        if other_thread:  # it takes the signal, and its gate runs here a moment later
            give_up = time.monotonic() + 10  # (on a loaded machine, maybe after the
            while not signal.getsignal(signal.SIGINT).noted and time.monotonic() < give_up:
                time.sleep(0.001)             # compiling had begun: so wait for it)
            print("noted" if signal.getsignal(signal.SIGINT).noted else "not noted")
        else:  # every thread blocks it: it waits, pending
            print("pending" if signal.SIGINT in signal.sigpending() else "not pending")
        sys.stdout.flush()
        fresh(1)
        print("compiled", flush=True)
except KeyboardInterrupt:
    print("interrupted before compiling" if not fresh.overloads else "after", flush=True)
"""


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
@pytest.mark.parametrize("threads, first", [("another thread", "noted"),
                                            ("no other thread", "pending")])
def test_a_held_signal_stops_the_block_as_numba_starts_to_compile(threads, first):
    # Whether BLAS starts threads of its own depends on the environment (none with
    # OPENBLAS_NUM_THREADS=1, which a Dask cluster sets): so no BLAS threads here.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", _COMPILING, threads], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.stdout.split() == [first, "interrupted", "before", "compiling"], done
    assert "Traceback" not in done.stderr, done
