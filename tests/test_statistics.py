"""The one t-interval (sim.statistics) that comparisons, calibration and reports share."""

import math

import numpy as np
import pytest

from sim.statistics import LEVEL, t_half_width, t_interval

T_95_4DF = 2.7764451051977987  # Student's t, 97.5th percentile, 4 degrees of freedom


def test_interval_of_five_values_is_the_textbook_one():
    mean, sd, low, high, n = t_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    half = T_95_4DF * math.sqrt(2.5) / math.sqrt(5)
    assert (mean, n) == (3.0, 5) and sd == pytest.approx(math.sqrt(2.5))
    assert (low, high) == pytest.approx((3.0 - half, 3.0 + half), rel=1e-12)


def test_undefined_values_are_left_out_and_too_few_give_no_interval():
    assert t_interval([1.0, np.nan, 2.0, 3.0, np.inf, 4.0, 5.0])[4] == 5
    mean, sd, low, high, n = t_interval([7.0, np.nan])
    assert mean == 7.0 and n == 1 and all(math.isnan(v) for v in (sd, low, high))
    assert math.isnan(t_interval([])[0]) and t_interval([])[4] == 0


def test_half_width_takes_arrays_and_narrows_with_the_level():
    sds = np.array([1.0, 2.0])
    widths = t_half_width(sds, 5)
    assert widths == pytest.approx(T_95_4DF * sds / math.sqrt(5))
    assert t_half_width(1.0, 5, level=0.5) < t_half_width(1.0, 5, level=LEVEL)


def test_the_quantile_is_scipys_t_ppf_to_the_bit_without_importing_scipy_stats():
    import subprocess
    import sys

    from scipy import stats

    from .conftest import ROOT

    for df in (1, 2, 4, 9, 29, 99, 255):
        for level in (0.5, 0.8, 0.9, LEVEL, 0.99):
            expected = float(stats.t.ppf(0.5 + level / 2.0, df)) * 2.0 / math.sqrt(df + 1)
            assert t_half_width(2.0, df + 1, level) == expected
    code = ("import sys; from sim.statistics import t_interval; t_interval([1.0, 2.0, 4.0]); "
            "print('scipy.stats' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False"]
