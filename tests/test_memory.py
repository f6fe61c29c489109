"""The row reserve follows the rows a run adds (births and arrivals; the dead keep their
rows), so the residents' arrays are allocated once and never regrown mid-run."""

from __future__ import annotations

from sim import HealthSystemModel
from sim.population import RESERVE_SLACK, row_reserve, rows_added_per_year


def test_a_ten_year_run_fits_its_reserve_without_regrowing():
    model = HealthSystemModel("baseline", seed=4, population__size=6_000,
                              population__neighbourhoods=3)
    reserve = model.people.capacity
    weeks = model.spec.weeks + model.spec.system.burn_in_weeks
    assert reserve == row_reserve(model.spec, weeks)
    model.run()
    assert model.people.capacity == reserve  # not regrown
    added = model.people.n - 6_000
    # and not much more than needed: within the margin of the expected rows
    assert reserve - model.people.n < 0.2 * added + RESERVE_SLACK
    assert added > 0.8 * 6_000 * rows_added_per_year(model.spec) * weeks / 52


def test_the_reserve_follows_births_and_arrivals():
    model = HealthSystemModel("baseline", population__size=2000, system__burn_in_weeks=0)
    spec = model.spec
    base = rows_added_per_year(spec)
    assert 0.013 < base < 0.017  # about 1.5% a year with the defaults
    more = spec.with_overrides({"health.net_migration_per_1000": 15.0}, "test")
    assert abs(rows_added_per_year(more) - base - 0.010) < 1e-12
    assert row_reserve(more, 520) > row_reserve(spec, 520)
