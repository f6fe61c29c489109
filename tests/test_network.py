"""The network's CSR (sim.network.ties_csr) is SciPy's canonical CSR, to the element."""

import numpy as np
import pytest
import scipy.sparse as sp

from sim.network import ties_csr


@pytest.mark.parametrize("size, ties", [(1, 0), (50, 400), (5000, 30_000)])
def test_ties_csr_is_scipys_canonical_csr(size, ties):
    rng = np.random.default_rng(size)
    src = rng.integers(0, size, ties).astype(np.int32)
    dst = (src + rng.integers(1, 40, ties)).astype(np.int32) % max(size, 1)
    keep = src != dst
    rows = np.concatenate([src[keep], dst[keep]])
    cols = np.concatenate([dst[keep], src[keep]])
    expected = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(size, size))
    expected.sum_duplicates()
    indptr, indices = ties_csr(size, rows, cols)
    assert indptr.dtype == expected.indptr.dtype and indices.dtype == expected.indices.dtype
    assert np.array_equal(indptr, expected.indptr)
    assert np.array_equal(indices, expected.indices)
    if ties:
        assert rows.size > indices.size  # duplicates were given, and kept once
