"""Draws shared by the kernels: SplitMix64 uniforms exactly as :mod:`sim.streams`,
and standard normals by a line-by-line port of Cephes ``ndtri`` (as
``scipy.special.ndtri``), the model's one inverse normal.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# --- uniforms: SplitMix64, exactly as sim.streams ------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)
_TOP_BIT = np.uint64(1 << 63)


@njit(inline="always", error_model="numpy")
def _mix(x):
    """SplitMix64 finaliser of one uint64 (``sim.streams._mix``)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    return x ^ (x >> _S31)


@njit(inline="always", error_model="numpy")
def _unit(uid, key):
    return np.float64(_mix((uid * _GOLDEN) ^ key) >> _S11) * _TO_UNIT


CHUNK = 512  # draws hashed ahead in a vectorised loop, then used by the scalar loop


@njit(inline="always", error_model="numpy")
def _fill(buf, crn, key, uid, useq, start, m):
    """Uniforms of persons ``start .. start + m`` into ``buf`` (vectorised when hashed).

    Through views from 0: indexing with ``start + j`` makes Numba check for a negative
    index, which stops LLVM vectorising the loop (4.5 times slower).
    """
    if crn:
        ids = uid[start: start + m]
        for j in range(m):
            buf[j] = _unit(ids[j], key)
    else:
        seq = useq[start: start + m]
        for j in range(m):
            buf[j] = seq[j]


@njit(cache=True, error_model="numpy")
def hash_uniform(key, uids):
    """Uniforms on [0, 1) for ``uids`` under ``key`` (see :func:`sim.streams.hash_uniform`)."""
    out = np.empty(uids.size, np.float64)
    for i in range(uids.size):
        out[i] = _unit(uids[i], key)
    return out


@njit(cache=True, error_model="numpy")
def hash_uniforms(keys, uids):
    """Uniforms for ``uids`` under each of ``keys``: row ``k`` is
    ``hash_uniform(keys[k], uids)``."""
    out = np.empty((keys.size, uids.size), np.float64)
    for k in range(keys.size):
        for i in range(uids.size):
            out[k, i] = _unit(uids[i], keys[k])
    return out


@njit(cache=True, error_model="numpy")
def fold_keys(prefixes, week, draws):
    """``sim.streams._fold(prefix, week, draw)`` for each stream's prefix and draw."""
    out = np.empty(prefixes.size, np.uint64)
    for i in range(prefixes.size):
        out[i] = _mix(((_mix((prefixes[i] ^ week) * _GOLDEN)) ^ draws[i]) * _GOLDEN)
    return out


@njit(cache=True, error_model="numpy")
def mix_uids(uids, key):
    """SplitMix64 finaliser of ``uids ^ key`` with the top bit set (``sim.streams.derive_uid``)."""
    out = np.empty(uids.size, np.uint64)
    for i in range(uids.size):
        out[i] = _mix(uids[i] ^ key) | _TOP_BIT
    return out


# --- standard normals: Cephes ndtri, as scipy.special.ndtri ----------------------------


_P0 = np.array([-5.99633501014107895267E1, 9.80010754185999661536E1,
                -5.66762857469070293439E1, 1.39312609387279679503E1,
                -1.23916583867381258016E0])
_Q0 = np.array([1.95448858338141759834E0, 4.67627912898881538453E0,
                8.63602421390890590575E1, -2.25462687854119370527E2,
                2.00260212380060660359E2, -8.20372256168333339912E1,
                1.59056225126211695515E1, -1.18331621121330003142E0])
_P1 = np.array([4.05544892305962419923E0, 3.15251094599893866154E1,
                5.71628192246421288162E1, 4.40805073893200834700E1,
                1.46849561928858024014E1, 2.18663306850790267539E0,
                -1.40256079171354495875E-1, -3.50424626827848203418E-2,
                -8.57456785154685413611E-4])
_Q1 = np.array([1.57799883256466749731E1, 4.53907635128879210584E1,
                4.13172038254672030440E1, 1.50425385692907503408E1,
                2.50464946208309415979E0, -1.42182922854787788574E-1,
                -3.80806407691578277194E-2, -9.33259480895457427372E-4])
_P2 = np.array([3.23774891776946035970E0, 6.91522889068984211695E0,
                3.93881025292474443415E0, 1.33303460815807542389E0,
                2.01485389549179081538E-1, 1.23716634817820021358E-2,
                3.01581553508235416007E-4, 2.65806974686737550832E-6,
                6.23974539184983293730E-9])
_Q2 = np.array([6.02427039364742014255E0, 3.67983563856160859403E0,
                1.37702099489081330271E0, 2.16236993594496635890E-1,
                1.34204006088543189037E-2, 3.28014464682127739104E-4,
                2.89247864745380683936E-6, 6.79019408009981274425E-9])
_EXP_M2 = 0.13533528323661269189  # exp(-2)
_S2PI = 2.50662827463100050242E0


@njit(inline="always", error_model="numpy")
def _polevl(x, c):
    ans = c[0]
    for i in range(1, c.size):
        ans = ans * x + c[i]
    return ans


@njit(inline="always", error_model="numpy")
def _p1evl(x, c):
    ans = x + c[0]
    for i in range(1, c.size):
        ans = ans * x + c[i]
    return ans


@njit(inline="always", error_model="numpy")
def _ndtri(y0):
    """Inverse of the standard normal CDF on (0, 1): Cephes, bit-identical to SciPy."""
    negate = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        negate = False
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polevl(z, _P1) / _p1evl(z, _Q1)
    else:
        x1 = z * _polevl(z, _P2) / _p1evl(z, _Q2)
    x = x0 - x1
    if negate:
        x = -x
    return x


@njit(inline="always", error_model="numpy")
def _standard_normal(u):
    """``Streams.normal``: clip the uniform to [1e-12, 1 - 1e-12], then ``ndtri``."""
    if u < 1e-12:
        u = 1e-12
    elif u > 1.0 - 1e-12:
        u = 1.0 - 1e-12
    return _ndtri(u)


@njit(inline="always", error_model="numpy")
def normals_into(u, m, out, tail, tx, tlog):
    """Standard normals of the uniforms ``u[:m]`` into ``out``, as
    :func:`_standard_normal` gives them, in passes that vectorise.

    The central region is a rational function for everyone; only the tails (a uniform
    below exp(-2) or above 1 - exp(-2), about 27% of them) need the C library's log,
    one at a time. The tails are gathered into ``tail`` (their positions), ``tx`` and
    ``tlog``, so that their rational function also runs in a pass that vectorises over
    contiguous arrays, and each log is a pass of its own, whose calls overlap; then
    each tail is put in place. ``_ndtri``'s operations, in its order, for every value:
    the same to the bit as SciPy's ``ndtri`` (``tests/test_golden.py``; a quarter less time than doing each
    tail whole in turn). ``tail`` (int64), ``tx`` and ``tlog`` are scratch of ``m`` or
    more.
    """
    for j in range(m):
        y = u[j] - 0.5
        y2 = y * y
        out[j] = (y + y * (y2 * _polevl(y2, _P0) / _p1evl(y2, _Q0))) * _S2PI
    nt = 0
    for j in range(m):
        tail[nt] = j
        nt += (u[j] <= _EXP_M2) | (u[j] > 1.0 - _EXP_M2)
    for t in range(nt):
        v = min(max(u[tail[t]], 1e-12), 1.0 - 1e-12)
        y = 1.0 - v if v > 1.0 - _EXP_M2 else v
        tx[t] = math.sqrt(-2.0 * math.log(y))
    for t in range(nt):
        tlog[t] = math.log(tx[t])
    for t in range(nt):  # the rational function of the tails (its value: into tlog)
        x = tx[t]
        z = 1.0 / x
        tlog[t] = (x - tlog[t] / x) - z * _polevl(z, _P1) / _p1evl(z, _Q1)
    for t in range(nt):
        j = tail[t]
        if tx[t] >= 8.0:  # beyond 1e-14 from 0 or 1: the other rational function
            out[j] = _standard_normal(u[j])
        else:
            out[j] = tlog[t] if u[j] > 1.0 - _EXP_M2 else -tlog[t]


@njit(cache=True, error_model="numpy")
def standard_normal(u):
    """Standard normals from uniforms, as ``ndtri(clip(u, 1e-12, 1 - 1e-12))``."""
    out = np.empty(u.size, np.float64)
    tail = np.empty(u.size, np.int64)
    tx, tlog = np.empty(u.size, np.float64), np.empty(u.size, np.float64)
    normals_into(u, u.size, out, tail, tx, tlog)
    return out
