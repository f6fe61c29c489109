"""Phase 4, compiled: which GP requests a practice serves this week (:mod:`sim.practice`)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def ration(practice, priority, key, capacity, n_priorities):
    """Which requests are served: those ranked below their practice's ``capacity`` when
    each practice's requests are ranked by priority, then ``key``, then position.

    That is the order ``np.lexsort((key, priority, practice))`` puts them in, found
    without sorting them all: requests are counted by (practice, priority); the
    priorities a practice serves in full or not at all are settled by the counts, and
    only the one it serves in part is sorted by its keys (stably, so that equal keys
    stay in their order, as in lexsort).

    Returns the mask of served requests and, per practice, requests and served.
    """
    n = practice.size
    n_practices = capacity.size
    buckets = n_practices * n_priorities
    count = np.zeros(buckets, np.int64)
    for i in range(n):
        count[practice[i] * n_priorities + priority[i]] += 1
    # What each bucket gets: 1 all served, 0 none, -1 the first ``places`` by key.
    verdict = np.zeros(buckets, np.int8)
    places = np.zeros(buckets, np.int64)
    demand = np.zeros(n_practices, np.int64)
    served_n = np.zeros(n_practices, np.int64)
    for p in range(n_practices):
        left = capacity[p]  # whole number of appointments (a float, as NumPy compares)
        for r in range(n_priorities):
            b = p * n_priorities + r
            c = count[b]
            demand[p] += c
            if c <= left:
                verdict[b] = 1
                served_n[p] += c
                left -= c
            elif left > 0:
                verdict[b] = -1
                places[b] = np.int64(np.ceil(left))
                served_n[p] += places[b]
                left = 0.0
            else:
                left = 0.0
    served = np.empty(n, np.bool_)
    # The requests of part-served buckets, grouped by bucket in their original order.
    start = np.zeros(buckets + 1, np.int64)
    for b in range(buckets):
        start[b + 1] = start[b] + (count[b] if verdict[b] == -1 else 0)
    fill = start[:-1].copy()
    partial = np.empty(start[buckets], np.int64)
    for i in range(n):
        b = practice[i] * n_priorities + priority[i]
        v = verdict[b]
        served[i] = v == 1
        if v == -1:
            partial[fill[b]] = i
            fill[b] += 1
    for b in range(buckets):
        if verdict[b] == -1:
            rows = partial[start[b]: start[b + 1]]
            first = np.argsort(key[rows], kind="mergesort")[: places[b]]
            for t in range(first.size):
                served[rows[first[t]]] = True
    return served, demand, served_n
