"""Named random streams with common random numbers (CRN).

Every stochastic decision in the model draws from its own named stream. With CRN on,
the uniform a resident gets from stream ``s`` in week ``t`` is a pure function of
``(run seed, s, t, resident uid, draw index)`` — a counter-based generator, computed
by hashing — so it does not depend on which other residents drew, how many draws other
processes made, or what any policy did. Two scenarios run with the same seed therefore
differ only where a policy changed what happened. This is the design of Starsim's
distributions (Kerr et al. 2024), done here with a vectorised SplitMix64 finaliser.

With CRN off, every stream draws sequentially from one shared ``numpy`` generator:
a valid random model, but any change in who draws shifts everyone's numbers. The
switch exists so that the benefit of CRN can be measured.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "hash_uniform", "derive_uid"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / float(1 << 53)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (Steele et al. 2014), in place on a uint64 array."""
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def _key(*parts: int) -> np.uint64:
    """Combine integers into one well-mixed 64-bit key."""
    acc = np.zeros(1, dtype=np.uint64)
    for part in parts:
        acc ^= np.uint64(part & 0xFFFFFFFFFFFFFFFF)
        acc *= _GOLDEN
        _mix(acc)
    return acc[0]


def hash_uniform(key: np.uint64, uids: np.ndarray) -> np.ndarray:
    """Uniforms on [0, 1) for ``uids`` under ``key``: one per uid, independent across uids."""
    x = uids.astype(np.uint64, copy=True)
    x *= _GOLDEN
    x ^= key
    _mix(x)
    return (x >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def derive_uid(parent_uid: np.ndarray, week: int) -> np.ndarray:
    """Identity of a resident born in ``week`` to ``parent_uid``.

    A newborn's draws are keyed by this uid, so one extra birth elsewhere does not
    shift anyone else's numbers. The top bit marks uids of people born in the run.
    """
    x = parent_uid.astype(np.uint64, copy=True) ^ _key(0xB127, week)
    _mix(x)
    return x | np.uint64(1 << 63)


class Streams:
    """All random streams of one run.

    Args:
        seed: the run's seed.
        crn: common random numbers on (counter-based draws keyed by person) or off
            (sequential draws from one generator).
    """

    def __init__(self, seed: int, crn: bool = True):
        self.seed = int(seed)
        self.crn = bool(crn)
        self.week = -1  # -1 while the population is being built
        self._stream_keys: dict[str, int] = {}
        self._sequential = np.random.default_rng(np.random.SeedSequence([self.seed, 0x5EED]))

    def _stream_id(self, name: str) -> int:
        sid = self._stream_keys.get(name)
        if sid is None:  # crc32 of the name: stable across processes and Python versions
            sid = self._stream_keys[name] = zlib.crc32(name.encode())
        return sid

    def uniform(self, name: str, uids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform per resident from stream ``name`` this week.

        Args:
            name: the decision, e.g. ``"need.low"``.
            uids: identities (``Residents.uid``) of the residents who draw.
            draw: index when one decision needs several independent draws per week.
        """
        if not self.crn:
            return self._sequential.random(len(uids))
        return hash_uniform(_key(self.seed, self._stream_id(name), self.week, draw), uids)

    def normal(self, name: str, uids: np.ndarray, draw: int = 0) -> np.ndarray:
        """Standard normals per resident (inverse-CDF of :meth:`uniform`, so CRN holds)."""
        from scipy.special import ndtri

        u = self.uniform(name, uids, draw)
        np.clip(u, 1e-12, 1 - 1e-12, out=u)
        return ndtri(u)

    def bernoulli(self, name: str, uids: np.ndarray, p: np.ndarray | float,
                  draw: int = 0) -> np.ndarray:
        """Boolean events with probability ``p`` per resident."""
        return self.uniform(name, uids, draw) < p

    def poisson(self, name: str, uids: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """Poisson counts per resident by inversion of one uniform (exact, CRN-safe)."""
        u = self.uniform(name, uids)
        lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
        k = np.zeros(u.shape, dtype=np.int16)
        term = np.exp(-lam)
        cdf = term.copy()
        active = u > cdf
        step = 0
        while active.any() and step < 60:  # counts above 60 a week do not arise here
            step += 1
            term = np.where(active, term * lam / step, term)
            cdf = np.where(active, cdf + term, cdf)
            k += active
            active &= u > cdf
        return k

    def generator(self, name: str) -> np.random.Generator:
        """A plain generator for draws that are not about residents (groups, practices)."""
        if not self.crn:
            return self._sequential
        return np.random.default_rng(
            np.random.SeedSequence([self.seed, self._stream_id(name), self.week + 1]))
