"""The social network: built once per run, held in compressed sparse row form.

There is no Python object per tie. The ties are a symmetric adjacency over the
starting population in compressed sparse row form (``indptr``, ``indices``: each row's
ties sorted, each once), read by the compiled kernels; ``Network.adjacency`` gives them
as a ``scipy.sparse`` matrix for analysis. People born during the run join a household but
form no new ties within the horizon (a stated simplification: a child's
help-seeking is its parents').
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .population import Residents
    from .scenario import Scenario
    from .streams import Streams

__all__ = ["Network", "build_network"]


class Network:
    """Undirected ties among the first ``size`` rows of the population.

    Args:
        indptr, indices: the symmetric adjacency in CSR form, no self-ties, each row's
            ties sorted and each once (see :func:`ties_csr`); never changed afterwards.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray):
        self.size = indptr.size - 1
        self.indptr = indptr
        self.indices = indices
        self.degree = np.diff(self.indptr).astype(np.int32)
        self.live_degree = self.degree.astype(np.float32)  # ties to living people
        self._padded: np.ndarray | None = None
        self._whole_sums: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # name: (values, sums)
        # Whole numbers up to this size sum exactly in float32 over any row's ties.
        self._whole_limit = float(2**24 // max(int(self.degree.max(initial=0)), 1))
        self._norms_work: np.ndarray | None = None

    @property
    def adjacency(self):
        """The ties as a ``scipy.sparse`` CSR matrix of float32 ones (made when asked)."""
        import scipy.sparse as sp

        ones = np.ones(self.indices.size, np.float32)
        return sp.csr_matrix((ones, self.indices, self.indptr), shape=(self.size, self.size))

    def padded(self) -> np.ndarray:
        """The first ties of every row as a dense (width, rows) int32 array (ELL layout),
        width the 99.9th percentile of degree; built on first use, for the norms kernel."""
        if self._padded is None:
            from . import kernels

            width = int(np.percentile(self.degree, 99.9)) if self.size else 0
            self._padded = kernels.padded_ties(self.indptr, self.indices, width)
        return self._padded

    def norms_work(self) -> np.ndarray:
        """Scratch space of :func:`sim.kernels.spread_norms`, kept from week to week."""
        if self._norms_work is None:
            from .kernels.network import norms_scratch

            self._norms_work = norms_scratch(self.size)
        return self._norms_work

    def whole_tie_sum(self, name: str, values: np.ndarray) -> np.ndarray:
        """For every row of the network, the sum of ``values`` (float32, whole numbers:
        counts and whole-number weights) over its ties, kept up to date by changes.

        The first call under ``name`` sums over every tie; later calls walk only the ties
        of rows whose value changed since the last call, since from week to week few
        residents change (join or leave the movement, die). Sums of whole numbers below
        2**24 are exact in float32 in any order, so the result is, bit for bit, the sum
        over ties in CSR order (:func:`sim.kernels.padded_tie_sum`). Values that are not
        whole numbers are summed afresh, every call. Do not modify the returned array.
        """
        import sim.kernels as kernels  # (quicker than a from-import of a package)

        values = values[: self.size]
        state = self._whole_sums.get(name)
        limit = self._whole_limit
        if state is not None and kernels.update_tie_sum(self.indptr, self.indices, values,
                                                        state[0], state[1], limit):
            return state[1]
        sums = kernels.padded_tie_sum(self.indptr, self.indices, self.padded(), values)
        whole = bool(np.all((np.floor(values) == values) & (np.abs(values) <= limit)))
        if whole:
            self._whole_sums[name] = (values.astype(np.float32, copy=True), sums)
        else:
            self._whole_sums.pop(name, None)
        return sums

    def random_tie(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One tie of each row chosen by the uniform ``u`` (-1 where a row has none)."""
        import sim.kernels as kernels

        pick = kernels.random_tie_threads if kernels.threaded(rows.size) else kernels.random_tie
        return pick(self.indptr, self.indices, rows, u)

    def note_deaths(self, rows: np.ndarray) -> None:
        """Remove the dead from their ties' living-tie counts."""
        import sim.kernels as kernels

        kernels.drop_ties(self.indptr, self.indices, np.asarray(rows, np.int64),
                          self.live_degree)


def _household_ties(household: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs within households laid out consecutively
    (:func:`sim.kernels.ties.household_pairs`)."""
    from .kernels import signals_held
    from .kernels.ties import household_pairs

    with signals_held():
        return household_pairs(household)


def _ring_ties(neighbourhood: np.ndarray, half_degree: int, rewire: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A ring lattice inside each neighbourhood, each tie rewired with prob. ``rewire``
    (:func:`sim.kernels.ties.ring_pairs`; for each step in turn, a uniform a row for
    whether it is rewired, then a row anywhere for where to)."""
    from .kernels import signals_held
    from .kernels.ties import ring_pairs

    size = neighbourhood.size
    if size and np.all(neighbourhood[1:] >= neighbourhood[:-1]):  # runs: each its bounds
        counts = np.bincount(neighbourhood)
        ends = np.cumsum(counts)[neighbourhood]
        starts = ends - counts[neighbourhood]
    else:
        starts = np.searchsorted(neighbourhood, neighbourhood, side="left")
        ends = np.searchsorted(neighbourhood, neighbourhood, side="right")
    u = np.empty((half_degree, size))
    anywhere = np.empty((half_degree, size), np.int64)
    for k in range(half_degree):
        rng.random(out=u[k])
        anywhere[k] = rng.integers(0, size, size)
    with signals_held():
        return ring_pairs(starts, ends, u, anywhere, rewire)


def _erdos_renyi_ties(size: int, mean_degree: float,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``size * mean_degree / 2`` ties between uniformly chosen pairs."""
    m = int(round(size * mean_degree / 2.0))
    return rng.integers(0, size, m), rng.integers(0, size, m)


def build_network(people: "Residents", scenario: "Scenario", streams: "Streams") -> Network:
    """The social network of the starting population (see ``scenario.network``)."""
    net = scenario.network
    size = people.n
    rng = streams.generator("init.network")
    if net.kind == "erdos_renyi":
        src, dst = _erdos_renyi_ties(size, net.mean_degree, rng)
    else:  # small_world
        hs, hd = _household_ties(people.household[:size])
        half = max(1, int(round(net.mean_degree / 2.0)))
        rs, rd = _ring_ties(people.neighbourhood[:size], half, net.rewire, rng)
        src, dst = np.concatenate([hs, rs]), np.concatenate([hd, rd])
    # Each pair both ways, a pair of a person with themself dropped.
    return Network(*_csr(size, src, dst, undirected=True))


def ties_csr(size: int, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` of the ties ``rows[i] -> cols[i]``: each row's ties sorted, a
    tie given twice kept once; int32 indices while they fit (as ``scipy.sparse`` makes
    them, whose canonical CSR this is, to the element)."""
    return _csr(size, rows, cols, undirected=False)


def _csr(size: int, src: np.ndarray, dst: np.ndarray,
         undirected: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ties_csr` of the ties ``src -> dst`` or, if ``undirected``, of the pairs
    ``src -- dst`` both ways without self-pairs (:func:`sim.kernels.ties.tie_csr`)."""
    from .kernels import signals_held
    from .kernels.ties import tie_csr

    given = src.size * (2 if undirected else 1)
    # int32 while the ties (at most those given) and rows fit, as scipy.sparse decides
    index = np.int32 if max(size, given) < 2**31 else np.int64
    indptr = np.empty(size + 1, index)
    indices = np.empty(given, index)
    with signals_held():
        count = tie_csr(size, src, dst, undirected, indptr, indices)
    indices.resize(count, refcheck=False)  # the room left by repeats, given back
    if index is np.int64 and max(size, count) < 2**31:  # fewer once repeats are dropped
        indptr, indices = indptr.astype(np.int32), indices.astype(np.int32)
    return indptr, indices
