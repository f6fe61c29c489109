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

__all__ = ["Streams", "hash_uniform", "derive_uid", "to_normal", "to_poisson"]

_NO_DRAWS = np.empty(0, np.float64)
_NO_KEYS = np.empty(0, np.uint64)
_STATES_AHEAD = 52  # generators made at once for a stream drawn weekly


_MASK = 0xFFFFFFFFFFFFFFFF


def _mix_int(x: int) -> int:
    """SplitMix64 finaliser (Steele et al. 2014) on one Python int: the same bits as
    the compiled ``sim.kernels.draws._mix``, for keys made once per stream."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _fold(acc: int, *parts: int) -> int:
    """Mix integers, one after another, into the running key ``acc``."""
    for part in parts:
        acc ^= part & _MASK
        acc = _mix_int((acc * 0x9E3779B97F4A7C15) & _MASK)
    return acc


def _key(*parts: int) -> np.uint64:
    """Combine integers into one well-mixed 64-bit key."""
    return np.uint64(_fold(0, *parts))


def hash_uniform(key: np.uint64, uids: np.ndarray) -> np.ndarray:
    """Uniforms on [0, 1) for ``uids`` under ``key``: one per uid, independent across uids.

    The compiled kernel (:func:`sim.kernels.hash_uniform`) computes the same bits as
    the NumPy expression in one pass without temporaries: three times quicker even for
    the handful of residents born in a week (2 against 7 microseconds).
    """
    import sim.kernels as kernels  # (quicker than "from . import": a microsecond)

    if type(uids) is not np.ndarray or uids.dtype is not _UINT64 or not uids.flags.c_contiguous:
        uids = np.ascontiguousarray(uids, dtype=np.uint64)
    return kernels.hash_uniform(key if type(key) is np.uint64 else np.uint64(key), uids)


_UINT64 = np.dtype(np.uint64)


def to_normal(u: np.ndarray) -> np.ndarray:
    """Standard normals from uniforms (any shape): SciPy's
    ``ndtri(clip(u, 1e-12, 1 - 1e-12))``, compiled (bit-identical; quicker even for the
    few draws of a week's newborns, whose SciPy call comes with a cold cache)."""
    import sim.kernels as kernels

    u = np.asarray(u, dtype=np.float64)
    return kernels.standard_normal(np.ascontiguousarray(u).ravel()).reshape(u.shape)


def to_poisson(u: np.ndarray, lam: np.ndarray | float) -> np.ndarray:
    """Poisson counts with means ``lam`` by inversion of the uniforms ``u`` (exact;
    :func:`sim.kernels.poisson.poisson_inversion`). Counts stop at 60: counts above 60 a
    week do not arise here."""
    u = np.asarray(u, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    if lam.shape != u.shape:
        lam = np.broadcast_to(lam, u.shape)
    first_term = np.exp(-lam)  # as NumPy made it before the compiled steps
    if u.ndim == 1 and u.flags.c_contiguous and lam.flags.c_contiguous:  # (arrivals: as is)
        flat = (u, first_term, lam)
    else:
        flat = [np.ascontiguousarray(a).ravel() for a in (u, first_term, lam)]
    import sim.kernels as kernels  # (signals wait for it, as for every kernel)

    return kernels.poisson_inversion(*flat, 60).reshape(u.shape)


def derive_uid(parent_uid: np.ndarray, week: int) -> np.ndarray:
    """Identity of a resident born in ``week`` to ``parent_uid``.

    A newborn's draws are keyed by this uid, so one extra birth elsewhere does not
    shift anyone else's numbers. The top bit marks uids of people born in the run.
    """
    import sim.kernels as kernels

    global _BIRTH_KEY
    last = _BIRTH_KEY  # read once: another thread's model may replace it meanwhile
    if last[0] != week:  # asked twice a week (newborns, arrivals)
        last = _BIRTH_KEY = (week, _key(0xB127, week))
    return kernels.mix_uids(np.ascontiguousarray(parent_uid, dtype=np.uint64), last[1])


_BIRTH_KEY: tuple = (None, None)  # the last week's key of derive_uid


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
        self._prefixes: dict[str, int] = {}
        self._keys: dict[tuple[str, int], np.uint64] = {}  # this week's, by (stream, draw)
        self._keys_week = self.week
        self._folded: tuple[list, np.ndarray, np.ndarray] = ([], _NO_KEYS, _NO_KEYS)
        self._generators: dict[str, tuple[int, list]] = {}  # first week, those made ahead
        self._sequential = np.random.default_rng(np.random.SeedSequence([self.seed, 0x5EED]))

    def _stream_id(self, name: str) -> int:
        sid = self._stream_keys.get(name)
        if sid is None:  # crc32 of the name: stable across processes and Python versions
            sid = self._stream_keys[name] = zlib.crc32(name.encode())
        return sid

    def _stream_prefix(self, name: str) -> int:
        """The key folded over (seed, stream) once: each week adds only week and draw."""
        prefix = self._prefixes.get(name)
        if prefix is None:
            prefix = self._prefixes[name] = _fold(0, self.seed, self._stream_id(name))
        return prefix

    def uniform(self, name: str, uids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform per resident from stream ``name`` this week.

        Args:
            name: the decision, e.g. ``"need.low"``.
            uids: identities (``Residents.uid``) of the residents who draw.
            draw: index when one decision needs several independent draws per week.
        """
        if not self.crn:
            return self._sequential.random(len(uids))
        return hash_uniform(self.key(name, draw), uids)

    def uniform_at(self, name: str, uids: np.ndarray, rows: np.ndarray,
                   draw: int = 0) -> np.ndarray:
        """``uniform(name, uids, draw)[rows]``, hashing only the rows asked for.

        With CRN off the whole draw is made (so the sequence is what it always was)
        and the rows picked from it.
        """
        if not self.crn:
            return self._sequential.random(len(uids))[rows]
        return hash_uniform(self.key(name, draw), uids[rows])

    def key(self, name: str, draw: int = 0) -> np.uint64:
        """This week's 64-bit key of stream ``name`` (CRN on)."""
        if self._keys_week != self.week:
            self._new_week_keys()
        key = self._keys.get((name, draw))
        if key is None:
            key = self._keys[(name, draw)] = np.uint64(
                _fold(self._stream_prefix(name), self.week, draw))
        return key

    def _new_week_keys(self) -> None:
        """This week's keys of the streams drawn last week, folded all at once.

        A week draws from the same fifty-odd streams as the last; folding their keys in
        one compiled pass (the bits of :func:`_fold`) is many times quicker than one at a
        time. Streams new this week are folded as asked.
        """
        pairs = list(self._keys)
        self._keys.clear()
        self._keys_week = self.week
        if not pairs:
            return
        if pairs != self._folded[0]:  # streams new last week: their prefixes and draws
            self._folded = (pairs, np.array([self._stream_prefix(n) for n, _ in pairs], np.uint64),
                            np.array([draw & _MASK for _, draw in pairs], np.uint64))
        import sim.kernels as kernels

        _, prefixes, draws = self._folded
        self._keys.update(zip(pairs, kernels.fold_keys(prefixes, np.uint64(self.week & _MASK),
                                                       draws)))

    def kernel_draws(self, name: str, count: int, draw: int = 0):
        """What a compiled kernel needs to make ``count`` draws of stream ``name``.

        Returns ``(crn, key, sequential)``: with CRN on the kernel hashes each person's
        uid under ``key``; with it off ``sequential`` holds the ``count`` draws.
        """
        if self.crn:
            return True, self.key(name, draw), _NO_DRAWS
        return False, np.uint64(0), self._sequential.random(count)

    def uniforms(self, streams: list[str | tuple[str, int]], uids: np.ndarray) -> np.ndarray:
        """Several streams' uniforms for the same residents at once, a row per stream.

        Row ``i`` is ``uniform(name, uids, draw)`` of ``streams[i]`` (a name, or a
        ``(name, draw)`` pair); with CRN off the rows are drawn in the order given, as
        those calls would draw them. For the few residents born or arriving in a week,
        one compiled hash of all the streams costs a fraction of one call per stream.
        """
        named = [(s, 0) if isinstance(s, str) else s for s in streams]
        if not self.crn:
            return np.stack([self._sequential.random(len(uids)) for _ in named]) if named \
                else np.empty((0, len(uids)))
        import sim.kernels as kernels

        keys = np.array([self.key(name, draw) for name, draw in named], np.uint64)
        return kernels.hash_uniforms(keys, np.ascontiguousarray(uids, dtype=np.uint64))

    def normal(self, name: str, uids: np.ndarray, draw: int = 0) -> np.ndarray:
        """Standard normals per resident (inverse-CDF of :meth:`uniform`, so CRN holds)."""
        return to_normal(self.uniform(name, uids, draw))

    def poisson(self, name: str, uids: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """Poisson counts per resident by inversion of one uniform (exact, CRN-safe)."""
        return to_poisson(self.uniform(name, uids), lam)

    def generator(self, name: str) -> np.random.Generator:
        """A plain generator for draws that are not about residents (groups, practices).

        It is ``np.random.default_rng(SeedSequence([seed, stream, week + 1]))``, a new one
        at each call (two calls in a week give the same draws). A stream drawn week after
        week has its generators made a year at a time: seeding one costs 30 microseconds
        in the middle of a week, handing out one made ahead less than one.
        """
        if not self.crn:
            return self._sequential
        week = self.week
        made = self._generators.get(name)
        if made is None or not made[0] <= week < made[0] + len(made[1]):
            ahead = 1 if made is None else _STATES_AHEAD  # one use only (set-up), or weekly
            made = self._generators[name] = (
                week, [self._seeded(name, w) for w in range(week, week + ahead)])
        ahead, at = made[1], week - made[0]
        rng = ahead[at]
        if rng is None:  # handed out already this week: the same draws again
            return self._seeded(name, week)
        ahead[at] = None
        return rng

    def _seeded(self, name: str, week: int) -> np.random.Generator:
        """The generator of stream ``name`` in ``week``, seeded afresh."""
        return np.random.Generator(np.random.PCG64(
            np.random.SeedSequence([self.seed, self._stream_id(name), week + 1])))
