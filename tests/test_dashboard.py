"""The workshop dashboard without a browser: its levers, its pair of models, the scenario
files it offers, the settings in its address, its export and the scenario colours.

The app in a browser is tested in ``test_dashboard_browser.py``; that it keeps
everything on the machine in ``test_dashboard_privacy.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim import colours
from sim.dashboard_data import SERIES, most_different, series
from sim.dashboard_levers import AS_SCENARIO, levers
from sim.dashboard_export import export_yaml
from sim.dashboard_pair import PairModel, live_pairs
from sim.dashboard_scenarios import offered_scenarios, read_offered
from sim.dashboard_state import from_query, to_query
from sim.errors import InputError
from sim.scenario import SCENARIO_DIR, load_scenario, parameter_paths

from .conftest import run_cli

SMALL = {"population__size": 2000}


# --- levers ---------------------------------------------------------------------------------


def test_levers_are_generated_from_the_declarations_and_read_in_plain_words():
    declared = {path for path, p in parameter_paths().items() if p.lever}
    assert {lever.path for lever in levers()} == declared | {"policies.targets.enabled"}
    for lever in levers():
        assert lever.definition and lever.label
        if lever.kind == "slider":  # a slider stays inside the declared bounds
            lo, hi, step = lever.span()
            p = lever.param
            assert p.lo <= lo < hi <= p.hi and step > 0
    activists = next(lv for lv in levers() if lv.path.endswith("activist_share"))
    assert activists.show(0.055) == "5.5%" and activists.theme == "done_with"
    assert next(lv for lv in levers() if lv.path == "population.size").show(20000) \
        == "20,000 residents"


# --- the pair and its levers ----------------------------------------------------------------


def test_pair_runs_the_same_people_on_common_random_numbers():
    pair = PairModel(**SMALL, journeys=3, pool=2)
    assert pair.problems == []
    left, right = pair.sides
    assert (left.name, right.name) == ("done_to", "done_with")
    assert (left.model.people.age[:100] == right.model.people.age[:100]).all()
    for _ in range(3):
        pair.step()
    assert pair.week == 3 and len(left.history["week"]) == len(right.history["week"]) == 3
    assert len(pair.followed) == 5
    assert all(side.tracker.rows.tolist() == pair.followed for side in pair.sides)


def test_a_policy_lever_acts_only_where_the_scenario_runs_the_policy():
    pair = PairModel(**SMALL, journeys=0, pool=0, policies__screening__uptake=0.9,
                     policies__social_movement__activist_share=0.1,
                     system__governance=AS_SCENARIO)
    left, right = pair.sides
    assert left.spec.policies.screening.uptake == 0.9
    assert right.spec.policies.screening is None  # not switched on by the lever
    assert right.spec.policies.social_movement.activist_share == 0.1
    assert left.spec.policies.social_movement is None
    assert (left.spec.system.governance, right.spec.system.governance) == (
        "hierarchical", "distributed")
    assert left.spec.population.size == right.spec.population.size == 2000


def test_a_lever_moved_mid_run_changes_the_weeks_after_and_marks_them():
    def run(move: bool):
        pair = PairModel(**SMALL, journeys=0, pool=0)
        for _ in range(6):
            pair.step()
        if move:
            said = pair.set_lever("primary_care__capacity_per_1000_week", 60.0)
            assert "both sides from week 7" in said
        for _ in range(8):
            pair.step()
        return pair

    moved, plain = run(True), run(False)
    for i in (0, 1):
        a, b = series(moved.sides[i]), series(plain.sides[i])
        assert np.array_equal(a["gp"][:6], b["gp"][:6])  # the past is untouched
        assert a["gp"][7:].mean() < 0.9 * b["gp"][7:].mean()  # the weeks after are not
    assert [(m.week, m.sides) for m in moved.markers] == [(6, (0, 1))]


def test_population_waits_for_reset_and_a_policy_starts_now_with_the_rooms_levers():
    pair = PairModel(**SMALL, journeys=0, pool=0,
                     policies__social_movement__activist_share=0.08)
    for _ in range(3):
        pair.step()
    assert "next Reset" in pair.set_lever("population__size", 3000)
    assert pair.sides[0].spec.population.size == 2000 and pair.settings()["population__size"] == 3000
    assert pair.policy_state(0, "social_movement") == "absent"
    pair.set_policy(0, "social_movement", True)
    assert pair.policy_state(0, "social_movement") == "running"
    assert pair.left.spec.policies.social_movement.activist_share == 0.08
    assert pair.left.spec.policies.social_movement.start_week == 3
    pair.set_policy(1, "pooled_budget", False)
    assert pair.policy_state(1, "pooled_budget") == "stopped"
    assert [m.text for m in pair.markers] == ["social movement started", "pooled budget stopped"]


def test_seeds_make_a_band_and_closing_frees_the_models():
    pair = PairModel(**SMALL, journeys=0, pool=0, seeds=3)
    assert [run[0].model.run_seed for run in pair.runs] == [1, 2, 3]
    for _ in range(4):
        pair.step()
    gp = [series(run[1])["gp"] for run in pair.runs]
    assert not np.array_equal(gp[0], gp[1])  # the seeds differ
    before = live_pairs()
    pair.close()
    assert pair.runs == [] and live_pairs() == before - 1
    pair.step()  # a closed pair steps nothing
    assert pair.week == 4


def test_bad_input_is_a_message_not_a_traceback():
    pair = PairModel(left="../../etc/passwd", right="done_with", seed="x", journeys=0, pool=0,
                     seeds=9, population__size=2500.5, policies__pooled_budget__share="lots",
                     no_such_lever=1)
    text = " | ".join(pair.problems)
    assert "not one of the scenario files" in text and pair.names[0] == "done_to"
    assert "seed" in text and "seeds" in text and pair.n_seeds == 1
    assert "population.size" in text and "pooled_budget.share" in text and "no_such_lever" in text
    assert "expected" in pair.set_lever("primary_care__capacity_per_1000_week", -5)
    with pytest.raises(InputError, match="not a living resident"):
        pair.follow([10**9])


def test_a_population_the_server_cannot_hold_is_refused(monkeypatch):
    import sim.dashboard_pair as dp

    monkeypatch.setattr(dp, "_available_memory", lambda: 200 * 2**20)  # 200 MB free
    pair = PairModel(journeys=0, pool=0, population__size=100_000)
    assert any("need about" in p and "free" in p for p in pair.problems)
    assert pair.sides[0].spec.population.size == dp.WORKSHOP_POPULATION


# --- scenario files, the address, journeys -------------------------------------------------------


def test_only_regular_files_inside_the_folder_are_offered_and_a_broken_one_is_a_message(tmp_path):
    (tmp_path / "good.yaml").write_text((SCENARIO_DIR / "baseline.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("name: broken\nnetwork: {mean_degree: -3}\n")
    outside = tmp_path.parent / "outside.yaml"
    outside.write_text("name: outside\n")
    (tmp_path / "linked.yaml").symlink_to(outside)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.yaml").write_text("name: deep\n")
    assert offered_scenarios(tmp_path) == ["broken", "good"]
    assert read_offered("good", tmp_path).population.size > 0
    with pytest.raises(InputError, match="mean_degree"):
        read_offered("broken", tmp_path)
    for name in ("linked", "sub/deep", "../outside"):
        with pytest.raises(InputError, match="not one of the scenario files"):
            read_offered(name, tmp_path)
    assert "done_with" in offered_scenarios()


def test_the_address_restores_the_settings():
    pair = PairModel(**SMALL, right="social_movement", seed=7, journeys=0, pool=0,
                     policies__social_movement__activist_share=0.055,
                     policies__targets__enabled=False, system__governance="distributed")
    query = to_query(pair.settings())
    again = PairModel(**from_query(query), journeys=0, pool=0)
    assert again.problems == [] and again.settings() == pair.settings()
    assert again.sides[1].spec.policies.social_movement.activist_share == 0.055
    assert from_query("?seed=abc&no_such=1") == {"seed": "abc", "no_such": "1"}


def test_the_default_journey_is_the_life_that_differs_most_and_says_why():
    pair = PairModel(population__size=3000)
    for _ in range(40):
        pair.step()
    left, right = pair.left.model, pair.right.model
    ranked = most_different(left, right, pair.followed, len(pair.followed))
    assert len(ranked) == len(pair.followed)
    top, why = ranked[0]
    assert why.startswith("on done with:") and "alike" not in why
    assert left.people.cum_gp[top] != right.people.cum_gp[top] or \
        abs(right.people.dependence[top] - left.people.dependence[top]) >= 0.02
    # the first of the residents picked for their different lives is not necessarily it
    assert ranked[0][1] != ranked[-1][1]


# --- export, colours -----------------------------------------------------------------------------


@pytest.mark.slow  # runs the command line in a subprocess: CI runs it
def test_exported_pair_runs_with_the_cli_compare(tmp_path):
    pair = PairModel(**SMALL, journeys=0, pool=0,
                     policies__social_prescribing__link_workers_per_practice=2.5)
    for _ in range(2):
        pair.step()
    pair.set_policy(0, "social_movement", True)
    paths = []
    for i in (0, 1):
        path = tmp_path / f"{pair.names[i]}_workshop.yaml"
        path.write_text(export_yaml(pair, i), encoding="utf-8")
        paths.append(path)
    data = yaml.safe_load(paths[1].read_text())
    assert data["population"]["size"] == 2000
    assert data["policies"]["social_prescribing"]["link_workers_per_practice"] == 2.5
    assert yaml.safe_load(paths[0].read_text())["policies"]["social_movement"]["start_week"] == 2
    assert "from week 3: social movement started" in yaml.safe_load(paths[0].read_text())[
        "description"]
    assert load_scenario(paths[1]).name == "done_with_workshop"
    done = run_cli("compare", *paths, "--weeks", "3", "--replicates", "1", "--quiet",
                   "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr


def test_a_policy_block_tells_what_the_improvement_teams_have_done():
    from sim.dashboard_sides import policy_activity

    pair = PairModel("done_to", "shared_power", **SMALL, journeys=0, pool=0)
    assert policy_activity(pair, 1, "quality_improvement") == ""  # starts this week
    pair.step()
    assert policy_activity(pair, 1, "quality_improvement").endswith("first changes")
    for _ in range(30):
        pair.step()
    words = policy_activity(pair, 1, "quality_improvement")
    assert "changes tested adopted" in words and "follow-ups" in words
    assert policy_activity(pair, 0, "quality_improvement") == ""  # not run on that side
    assert policy_activity(pair, 0, "targets") == ""  # a policy with nothing to tell


def test_each_scenario_has_one_colour_the_same_everywhere():
    shipped = offered_scenarios()
    listed = [colours.colour(name) for name in shipped]
    assert len(set(listed)) == len(listed)  # shipped scenarios never share a colour
    assert colours.colour("done_to") != colours.colour("done_with")
    assert colours.colour("my_own_plan") == colours.colour("my_own_plan")
    a, b = colours.pair_colours("done_with", "done_with")
    assert a != b
    assert all(len(SERIES[k]) == 3 and SERIES[k][2] for k in SERIES)


def test_a_place_of_england_is_picked_by_the_address_at_the_rooms_size():
    from sim.places import resolve

    lancaster = resolve("Lancaster")
    pair = PairModel(journeys=0, pool=0, place="lancaster", population__size=3000)
    assert pair.problems == []
    for side in pair.sides:
        spec = side.model.spec
        assert spec.place == lancaster.code
        assert abs(spec.population.size - 3000) <= 50  # the lever's size, the place's shape
        assert spec.population.deprivation_mix == pytest.approx(lancaster.quintile_mix, abs=1e-5)
    query = to_query(pair.settings())
    assert f"place={lancaster.code}" in query
    again = PairModel(**from_query(query), journeys=0, pool=0)
    assert again.settings() == pair.settings() and again.sides[0].model.spec.place == lancaster.code
    missed = PairModel(journeys=0, pool=0, place="Lancastr", population__size=3000)
    assert missed.place is None and any("Lancaster" in p for p in missed.problems)
    assert missed.sides[0].model.spec.place is None
