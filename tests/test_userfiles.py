"""The one reading path (sim/userfiles.py): every bad file is one exit-2 message, and
plans are refused in closed form before anything is built (sim/preflight.py)."""

from __future__ import annotations

import os
import time

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.scenario import load_scenario

from .conftest import ROOT, SCENARIOS, run_cli, write

# text of the file -> words the one message must hold (and where, if the parser knows)
BAD_FILES = {
    "unhashable key": ("? [a, b]\n: 1\n", "line 1, column 3: malformed YAML: a key is a list"),
    "nested 1000 deep": ("a: " + "[" * 1000 + "]" * 1000 + "\n", "nested more than 32 levels"),
    "integer of 5000 digits": ("seed: " + "9" * 5000 + "\n", "a number of 5,000 characters"),
    "float of 5000 digits": ("seed: 1." + "9" * 5000 + "\n", "a number of 5,002 characters"),
    "lone surrogate in the name": ('name: "\\ud800"\n', "line 1, column 7: malformed YAML: a "
                                   "string holds a lone surrogate"),
    "control character": ('name: a\nx: "\x07"\n', "line 2, column 5: malformed YAML: "
                          "character U+0007"),
    "not UTF-8": (b"name: caf\xe9\n", "line 1, column 10: is not UTF-8"),
    "a number as a key": ("1: 2\n", "key 1 is not text"),
    "an impossible date": ("seed: 2024-13-45\n", "month must be in 1..12"),
    "NUL byte in extends": ('extends: "a\\0b.yaml"\n', "extends: the file name contains a NUL"),
    "very long extends": ("extends: " + "a" * 3000 + "\n", "extends: the file name is 3,000"),
    "long part in extends": ("extends: " + "a" * 300 + ".yaml\n", "longer than 255 bytes"),
    "extends a device": ("extends: /dev/zero\n", "is not a regular file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_one_message_naming_the_file(tmp_path, capsys, case):
    text, expected = BAD_FILES[case]
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    for argv in (["validate", str(bad)], ["run", str(bad), "--out", str(tmp_path / "o")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {bad}: ") and err.count("\n") == 1, err
        assert expected in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_size_is_checked_by_reading_not_by_stat(tmp_path, capsys):
    big = write(tmp_path / "big.yaml", "# " + "x" * 1_000_000 + "\n")
    assert main(["validate", str(big)]) == 2
    assert "larger than 1,000,000 bytes" in capsys.readouterr().err
    for special in ("/dev/zero", "/dev/urandom"):  # st_size is 0 there
        started = time.monotonic()
        assert main(["validate", special]) == 2
        assert "is not a regular file" in capsys.readouterr().err
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("command", ["scenario", "sweep", "targets"])
def test_dev_zero_as_every_kind_of_file(tmp_path, capsys, command):
    argv = {"scenario": ["run", "/dev/zero"], "sweep": ["sweep", "/dev/zero"],
            "targets": ["calibrate", str(SCENARIOS / "baseline.yaml"), "--targets", "/dev/zero"]}
    assert main([*argv[command], "--out", str(tmp_path / "o")]) == 2
    assert "/dev/zero: is not a regular file" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_fifo_is_refused_without_waiting(tmp_path):
    """In a subprocess with a timeout: a regression would hang, not fail."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for argv in (["validate", fifo], ["calibrate", SCENARIOS / "baseline.yaml", "--targets", fifo]):
        done = run_cli(*argv, timeout=60)
        assert done.returncode == 2 and "is not a regular file" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_symlink_loops_are_refused(tmp_path, capsys):
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    write(tmp_path / "child.yaml", "extends: a.yaml\n")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 2
    assert "symbolic links loop" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "child.yaml")]) == 2
    assert "child.yaml: extends: 'a.yaml': symbolic links loop" in capsys.readouterr().err


def test_a_chain_of_1500_parents_is_refused_quickly(tmp_path):
    for i in range(1500):
        write(tmp_path / f"c{i}.yaml", f"extends: c{i + 1}.yaml\n" if i < 1499 else "seed: 3\n")
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "c0.yaml")
    assert info.value.source == str(tmp_path / "c0.yaml") and info.value.key == "extends"
    assert "more than 16 parents" in info.value.problem
    assert time.monotonic() - started < 5


def test_an_error_in_a_parent_names_the_child_and_its_key(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    parent = write(tmp_path / "elsewhere" / "parent.yaml", "population: [\n")
    child = write(tmp_path / "child.yaml", f"extends: {parent}\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert info.value.source == str(child) and info.value.key == "extends"
    assert f"-> {parent}: line 2" in info.value.problem and "malformed YAML" in info.value.problem


def test_set_on_an_invalid_section_reports_the_section(tmp_path, capsys):
    bad = write(tmp_path / "bad.yaml", "network: 5\n")
    assert main(["run", str(bad), "--set", "network.mean_degree=3",
                 "--out", str(tmp_path / "o")]) == 2
    assert "the scenario's network is 5, not a section" in capsys.readouterr().err


@pytest.mark.parametrize("value", ['"\\udcff"', "[" * 500, "9" * 5000])
def test_set_values_go_through_the_same_budget(tmp_path, capsys, value):
    code = main(["run", str(SCENARIOS / "baseline.yaml"), "--set", f"name={value}",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--set: name: cannot read value" in err, err


def test_every_shipped_file_reads(capsys):
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        assert main(["validate", str(path)]) == 0 or path.parent.name == "targets", path
    capsys.readouterr()


# --- plans checked in closed form before anything is built ---------------------------------

SWEEP_HEAD = f"scenario: {SCENARIOS / 'baseline.yaml'}\n"


@pytest.mark.parametrize("body,runs", [
    ("design: grid\nparameters:\n"
     "  network.mean_degree: {bounds: [2, 20], steps: 10000}\n"
     "  need.low_per_year: {bounds: [0.5, 3], steps: 10000}\n", "100,000,000 runs"),
    ("design: sobol\nsamples: 524288\nparameters:\n"
     + "".join(f"  {p}: {{bounds: [0.1, 0.2]}}\n" for p in (
         "policies.screening.uptake", "policies.campaign.reach", "need.low_per_year"))
     + "replicates: 100\n", "262,144,000 runs"),
])
def test_huge_sweep_designs_are_refused_before_they_are_built(tmp_path, capsys, body, runs):
    sweep = write(tmp_path / "huge.yaml", SWEEP_HEAD + body)
    started = time.monotonic()
    assert main(["validate", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert f"{sweep}: parameters: {runs}; expected at most 1,000,000" in err, err
    assert time.monotonic() - started < 10


def test_sweep_memory_is_checked_before_the_run(tmp_path, capsys):
    sweep = write(tmp_path / "big.yaml", SWEEP_HEAD + "design: grid\nparameters:\n"
                  "  population.size: [1000, 20000000]\n  network.mean_degree: [4, 100]\n")
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{sweep}: population.size: 20,000,000 residents x 2 runs at once need about" in err
    assert "GB is free" in err and not out.exists()


def test_check_memory_is_the_function_the_dashboard_and_draws_call():
    from sim.preflight import check_memory, run_bytes

    small = load_scenario(SCENARIOS / "baseline.yaml")
    assert check_memory([small]) == run_bytes(small.population.size, small.weeks,
                                              small.network.mean_degree)
    huge = small.with_overrides({"population.size": 20_000_000, "network.mean_degree": 100})
    with pytest.raises(InputError) as info:
        check_memory([small, huge], at_once=4)
    assert info.value.key == "population.size" and "x 4 runs at once" in info.value.problem


def test_dashboard_pick_reads_through_the_same_path(tmp_path):
    from sim.userfiles import read_scenario_pick

    assert read_scenario_pick("baseline").name == "baseline"
    for name in ("../README", "/etc/passwd", "a/b", "", "x" * 300):
        with pytest.raises(InputError):
            read_scenario_pick(name)
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    with pytest.raises(InputError) as info:
        read_scenario_pick("zero", folder=tmp_path)
    assert "not a regular file" in info.value.problem or "outside" in info.value.problem

