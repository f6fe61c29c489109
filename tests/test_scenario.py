"""Scenario loading and validation: every problem names the file, key and expectation."""

from __future__ import annotations

import pytest

import sim
from sim.errors import InputError
from sim.parameters import SECTIONS
from sim.scenario import apply_overrides, load_scenario, parameter_paths, parse_assignment

from .conftest import SCENARIOS, write


def test_baseline_loads_with_declared_defaults():
    spec = load_scenario(SCENARIOS / "baseline.yaml")
    assert spec.population.size == 50_000
    assert spec.weeks == 520
    # Every section default comes from the one declaration.
    for section, params in SECTIONS.items():
        for key, param in params.items():
            if key == "size":
                continue
            assert getattr(getattr(spec, section), key) == param.default, (section, key)
    assert spec.active_policies() == {}


def test_shipped_name_resolves():
    assert load_scenario("baseline").name == "baseline"


def _error(tmp_path, text, name="s.yaml") -> InputError:
    path = write(tmp_path / name, text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


def test_unknown_key_suggests_closest(tmp_path):
    err = _error(tmp_path, """
        network:
          mean_degre: 6
    """)
    assert err.key == "network.mean_degre"
    assert "did you mean 'mean_degree'" in err.problem
    assert str(tmp_path / "s.yaml") in str(err)


def test_unknown_section_and_policy_kind(tmp_path):
    assert "did you mean 'network'" in _error(tmp_path, "netwrk: {}\n").problem
    err = _error(tmp_path, "policies:\n  screenin: {}\n")
    assert err.key == "policies.screenin"
    assert "policy kind" in err.problem


def test_wrong_type(tmp_path):
    err = _error(tmp_path, "population:\n  size: lots\n")
    assert err.key == "population.size"
    assert "integer" in err.problem and "'lots'" in err.problem


def test_float_for_integer_and_bool_strictness(tmp_path):
    assert _error(tmp_path, "population:\n  size: 1000.5\n").key == "population.size"
    assert _error(tmp_path, "system:\n  common_random_numbers: 'yes'\n").key == \
        "system.common_random_numbers"


def test_out_of_range(tmp_path):
    err = _error(tmp_path, "network:\n  rewire: 1.5\n")
    assert err.key == "network.rewire"
    assert "less than or equal to 1" in err.problem


def test_non_finite(tmp_path):
    err = _error(tmp_path, "health:\n  seasonality: .nan\n")
    assert err.key == "health.seasonality"
    assert "finite" in err.problem


def test_shares_must_sum_to_one(tmp_path):
    err = _error(tmp_path, "population:\n  deprivation_mix: [0.5, 0.5, 0.5, 0.0, 0.0]\n")
    assert err.key == "population.deprivation_mix"
    assert "sum to 1.5" in err.problem


def test_choices(tmp_path):
    err = _error(tmp_path, "network:\n  kind: lattice\n")
    assert err.key == "network.kind"
    assert "small_world" in err.problem


def test_malformed_yaml(tmp_path):
    err = _error(tmp_path, "population: {size: 10\n")
    assert "malformed YAML" in err.problem
    assert err.key.startswith("line ")


def test_empty_file_and_non_mapping(tmp_path):
    assert "empty" in _error(tmp_path, "").problem
    assert "mapping" in _error(tmp_path, "- 1\n- 2\n").problem


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_python_tags_refused(tmp_path):
    err = _error(tmp_path, "name: !!python/object/apply:os.system ['echo hi']\n")
    assert "tags" in err.problem


def test_duplicate_keys_refused(tmp_path):
    err = _error(tmp_path, "policies:\n  campaign: {}\n  campaign: {}\n")
    assert "duplicate key 'campaign'" in err.problem


def test_aliases_refused(tmp_path):
    err = _error(tmp_path, "a: &x {size: 1}\npopulation: *x\n")
    assert "aliases" in err.problem


def test_extends_merges_parent(tmp_path):
    write(tmp_path / "parent.yaml", """
        name: parent
        description: the parent
        population: {size: 4000, neighbourhoods: 4}
        network: {mean_degree: 6}
    """)
    child = write(tmp_path / "child.yaml", """
        extends: parent.yaml
        population: {size: 5000}
    """)
    spec = load_scenario(child)
    assert spec.population.size == 5000  # child overrides
    assert spec.population.neighbourhoods == 4  # inherited
    assert spec.network.mean_degree == 6
    assert spec.name == "child"


def test_extends_cycle_refused(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "a.yaml")
    assert info.value.key == "extends"
    assert "cycle" in info.value.problem


def test_extends_missing_parent(tmp_path):
    err = _error(tmp_path, "extends: nowhere.yaml\n")
    assert err.key == "extends" and "not found" in err.problem


def test_extends_cannot_escape_root(tmp_path):
    (tmp_path / "inner").mkdir()
    write(tmp_path / "outside.yaml", "name: x\n")
    inner = write(tmp_path / "inner" / "s.yaml", "extends: ../outside.yaml\n")
    with pytest.raises(InputError, match="outside"):
        load_scenario(inner, root=tmp_path / "inner")


def test_overrides_paths_and_errors():
    data = apply_overrides({}, {"network__mean_degree": 5, "health.seasonality": 0.0})
    assert data == {"network": {"mean_degree": 5}, "health": {"seasonality": 0.0}}
    with pytest.raises(InputError, match="did you mean 'network.rewire'"):
        apply_overrides({}, {"network.rewir": 0.1})


def test_parse_assignment_reads_yaml_scalars():
    assert parse_assignment("network.mean_degree=6") == ("network.mean_degree", 6)
    assert parse_assignment("system.common_random_numbers=false")[1] is False
    with pytest.raises(InputError, match="key.path=value"):
        parse_assignment("network.mean_degree")


def test_every_parameter_has_doc_source_and_sane_default():
    for path, p in parameter_paths().items():
        assert p.doc, path
        assert p.source, path
        if p.kind in (int, float) and p.default is not None:
            assert p.lo <= p.default <= p.hi, path


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_public_api_is_lazy_and_complete():
    import subprocess
    import sys

    code = "import sys, sim; print('sim.model' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"  # no import-time work
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_setting_a_policy_parameter_does_not_start_the_policy():
    spec = load_scenario("baseline", overrides={"policies.screening.uptake": 0.8})
    assert spec.policies.screening.uptake == 0.8
    assert spec.active_policies() == {}
    on = load_scenario("baseline", overrides={"policies.screening.enabled": True})
    assert set(on.active_policies()) == {"screening"}
    listed = load_scenario("screening", overrides={"policies.screening.uptake": 0.8})
    assert set(listed.active_policies()) == {"screening"}
