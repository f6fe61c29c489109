"""Results only where the user said or under results/; --out problems found before the
run (exit 2); write failures mid-way leave nothing (exit 1, no traceback); rival runs
into one --out; leftovers identified exactly (sim/preflight.py, sim/results.py,
sim/leftovers.py)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim import leftovers
from sim.cli import main

from .conftest import ROOT, SCENARIOS, write

BASELINE = str(SCENARIOS / "baseline.yaml")
SMALL = ["--set", "population.size=300", "--set", "population.neighbourhoods=2",
         "--set", "population.practice_list_size=500", "--weeks", "2", "--quiet"]
FILES = ["report.html", "scenario.yaml", "summary.csv", "tables.xlsx", "timeseries.csv",
         "timeseries.parquet"]


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if the model is run: the problem had to be found before."""
    import sim.compare

    def refuse(*args, **kwargs):
        raise AssertionError("the run started; the problem should have been found first")

    monkeypatch.setattr(sim.compare, "run_recorded", refuse)


# --- names become one safe folder under results/ ---------------------------------------------


@pytest.mark.parametrize("name,folder", [("/some/abs/path", "some_abs_path"), ("../../x", "x"),
                                         ("..", "scenario"), ("a\\b/c", "a_b_c")])
def test_a_name_with_separators_stays_under_results(tmp_path, monkeypatch, capsys, name, folder):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    scenario = write(tmp_path / "s.yaml", f"extends: {BASELINE}\nname: {json.dumps(name)}\n")
    assert main(["run", str(scenario), *SMALL]) == 0
    written = capsys.readouterr().out.strip().splitlines()[-1].removeprefix("wrote ")
    assert Path(written).parent == Path("results") / folder
    assert sorted(p.name for p in (work / written).iterdir()) == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "work"]
    assert not Path("/some/abs/path").exists()


def test_sweep_names_become_safe_folders_too(tmp_path, monkeypatch):
    from sim.results import default_out

    monkeypatch.chdir(tmp_path)
    for name in ("../../x", "/abs/path", "compare-a/b-vs-c"):
        out = default_out(name)
        assert out.parent.parent == Path("results") and "/" not in out.parent.name


# --- --out problems are found before the run -------------------------------------------------


def _out_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "target").mkdir()
    os.symlink(tmp_path / "target", tmp_path / "link")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    return {
        "a file": (tmp_path / "a_file", "is a file"),
        "under a file": (tmp_path / "a_file" / "out", "a_file is a file"),
        "too long a name": (tmp_path / ("n" * 250), "longer than 200 bytes"),
        "too long a path": (tmp_path.joinpath(*["d" * 100] * 45), "longer than 4,000 bytes"),
        "a symlink": (tmp_path / "link", "is a symbolic link"),
        "a dangling symlink": (tmp_path / "dangling", "is a symbolic link"),
        "under /proc": (Path("/proc/placesim-out"), "on a proc file system"),
        "under /sys": (Path("/sys/placesim-out"), "on a sysfs file system"),
        "under /sys/fs/cgroup": (Path("/sys/fs/cgroup/placesim-out"), "/sys"),
        "a mount point": (Path("/proc"), "is a mount point"),
    }


def test_out_problems_exit_2_before_the_run(tmp_path, capsys, no_run):
    cases = _out_cases(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    for case, (out, expected) in cases.items():
        for argv in (["run", BASELINE], ["compare", BASELINE, BASELINE],
                     ["calibrate", BASELINE]):
            assert main([*argv, "--out", str(out), *SMALL]) == 2, case
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and expected in err and "--out" in err, (case, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/sys/fs/cgroup/placesim-out").exists()


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


CAN_MOUNT = _can_mount()


def _on_tmpfs(disk: Path, options: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI in a private mount namespace with a small tmpfs at ``disk``; print what
    is left on it afterwards."""
    disk.mkdir()
    command = " ".join(shlex.quote(a) for a in [sys.executable, str(ROOT / "run.py"), *argv])
    script = (f"mount -t tmpfs -o {options} tmpfs {shlex.quote(str(disk))} || exit 99; "
              f"{command}; code=$?; echo LEFT: $(ls -A {shlex.quote(str(disk))}); exit $code")
    return subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.skipif(not CAN_MOUNT, reason="needs mount namespaces (root); the simulated "
                    "ENOSPC test below covers the rest")
def test_read_only_out_exits_2_before_the_run(tmp_path):
    disk = tmp_path / "ro"
    done = _on_tmpfs(disk, "ro,size=1m", ["run", BASELINE, "--out", str(disk / "o"),
                                          "--set", "population.size=200000"], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "--out: cannot be written (Read-only file system)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout.splitlines()[-1] == "LEFT:"


@pytest.mark.slow
@pytest.mark.skipif(not CAN_MOUNT, reason="needs mount namespaces (root); the simulated "
                    "ENOSPC test below covers the rest")
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_full_disk_leaves_nothing_and_exits_1(tmp_path, command):
    disk = tmp_path / "small"
    argv = {"run": ["run", BASELINE], "compare": ["compare", BASELINE, BASELINE]}[command]
    done = _on_tmpfs(disk, "size=1m", [*argv, "--out", str(disk / "o"), *SMALL], tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"error: {disk / 'o'}: writing the "
                                                          "results failed (No space left")
    assert "Traceback" not in done.stderr and done.stdout.splitlines()[-1] == "LEFT:"


def test_simulated_enospc_leaves_nothing_and_exits_1(tmp_path, monkeypatch, capsys):
    import sim.report

    def full(path, *args, **kwargs):
        Path(path).write_text("half a report")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(sim.report, "write_run_report", full)
    assert main(["run", BASELINE, "--out", str(tmp_path / "o"), *SMALL]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: {tmp_path / 'o'}: writing the results failed (No space left on "
                   "device, ENOSPC); nothing was kept\n")
    assert list(tmp_path.iterdir()) == []


def test_a_sweep_part_that_fails_leaves_no_hidden_file(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.sweep_storage import _Writer

    def full(table, where, *args, **kwargs):
        Path(where).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", full)
    writer = _Writer(tmp_path, pa.schema([pa.field("run_index", pa.int64())]), every=10)
    writer.add({"run_index": 0})
    with pytest.raises(OSError):
        writer.flush()
    assert list(tmp_path.iterdir()) == []


# --- rival runs into one --out -----------------------------------------------------------------


def _interruptible() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_a_second_run_into_the_same_out_is_refused_at_once(tmp_path, capsys):
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "run", BASELINE, "--out",
                              str(out), "--set", "population.size=100000", "--replicates", "3",
                              "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=_interruptible)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.partial-*")):
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
            time.sleep(0.05)
        started = time.monotonic()
        assert main(["run", BASELINE, "--out", str(out), *SMALL]) == 2
        err = capsys.readouterr().err
        assert f"another run (process {first.pid}, started" in err and err.count("\n") == 1
        assert time.monotonic() - started < 10
        assert first.poll() is None  # the first is untouched
    finally:
        first.kill()
        first.wait(timeout=30)
    # killed outright: its leftover is removed by the next command that writes there
    assert main(["run", BASELINE, "--out", str(out), *SMALL]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# --- leftovers: exactly Placesim's, of dead processes --------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _fake_partial(folder: Path, out_name: str, pid: int, **changes) -> Path:
    partial = folder / leftovers.partial_name(out_name, pid)
    partial.mkdir(parents=True)
    (partial / "summary.csv").write_text("half\n")
    manifest = {"kind": "placesim partial results", "pid": pid,
                "start": leftovers._process_start(pid), "host": os.uname().nodename,
                "out": out_name, "created": "2026-01-01T00:00:00", **changes}
    (partial / leftovers.MARKER).write_text(json.dumps(manifest))
    return partial


def test_any_command_removes_dead_runs_leftovers_under_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    dead = _fake_partial(tmp_path / "results" / "baseline", "20260101-000000", _dead_pid())
    top = _fake_partial(tmp_path / "results", "demo", _dead_pid())
    assert main(["parameters", "--prefix", "network"]) == 0
    assert not dead.exists() and not top.exists()
    assert f"removed results/baseline/{dead.name}" in capsys.readouterr().err


def test_cleanup_never_touches_what_is_not_a_dead_placesim_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    results = tmp_path / "results" / "x"
    foreign = results / f".mine.partial-{_dead_pid()}"  # someone's own folder, no marker
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("keep me")
    kept = [
        foreign,
        _fake_partial(results, "live", os.getppid()),  # a live process
        _fake_partial(results, "renamed", _dead_pid(), out="other"),  # name does not match
        _fake_partial(results, "elsewhere", _dead_pid(), host="another-machine"),
        _fake_partial(results, "not-ours", _dead_pid(), kind="something else"),
    ]
    target = _fake_partial(tmp_path / "t", "linked", _dead_pid())
    os.symlink(target, results / target.name)
    kept.append(results / target.name)
    reused = _fake_partial(results, "reused", os.getppid(), start="1")  # pid reused since
    assert main(["list"]) == 0
    assert all(p.exists() for p in kept) and target.exists()
    assert (foreign / "precious.txt").read_text() == "keep me"
    assert not reused.exists()
    capsys.readouterr()


def test_cleanup_looks_in_the_folder_it_was_told(tmp_path, capsys):
    dead = _fake_partial(tmp_path, "old", _dead_pid())
    assert main(["run", BASELINE, "--out", str(tmp_path / "new"), *SMALL]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]
    assert f"removed {dead}" in capsys.readouterr().err


# --- --scheduler addresses ------------------------------------------------------------------


@pytest.mark.parametrize("address,expected", [
    ("tls://10.0.0.5:8786", "tls:// needs certificates"),
    ("ucx://10.0.0.5:8786", "ucx:// is not supported"),
    ("inproc://x", "inproc:// is not supported"),
    ("tcp://[::1", "expected tcp://HOST:PORT"),
    ("tcp://[fe80::zz]:8786", "expected tcp://HOST:PORT"),
    ("tcp://[fe80::1%zz]:1", "nothing answers there"),
    ("tcp://host:99999", "expected tcp://HOST:PORT"),
    ("tcp://host", "expected tcp://HOST:PORT"),
    ("tcp://bad_host!:8786", "is not a host name"),
    ("tcp://user@host:8786", "expected tcp://HOST:PORT"),
    ("tcp://1.2.3.4.5:8786", "is not an IP address"),
])
def test_scheduler_addresses_of_other_kinds_exit_2(tmp_path, capsys, address, expected):
    sweep = str(SCENARIOS / "sweeps" / "activist_share.yaml")
    started = time.monotonic()
    assert main(["sweep", sweep, "--scheduler", address, "--out", str(tmp_path / "o"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --scheduler: {address}: ") and expected in err, err
    assert err.count("\n") == 1 and time.monotonic() - started < 10
    assert not (tmp_path / "o").exists()


# --- Ctrl-C while a sweep's workers start ---------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(c) for c in handle.read().split()]
    except OSError:
        return []


def _is_pool_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            line = handle.read()  # a spawned worker, or the server workers are forked from
            return b"spawn_main" in line or b"forkserver" in line
    except OSError:
        return False


START_DELAY = 0.3  # seconds after the worker appears: it is importing (fails without the hold)


@pytest.mark.slow
def test_ctrl_c_while_sweep_workers_start_prints_no_traceback(tmp_path):
    sweep = write(tmp_path / "s.yaml", f"scenario: {BASELINE}\nset:\n  population.size: 300\n"
                  "  population.neighbourhoods: 2\n  population.practice_list_size: 500\n"
                  "  weeks: 2\ndesign: grid\nparameters:\n  network.mean_degree: [4, 6, 8, 10]\n"
                  "replicates: 2\noutputs: [population]\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(sweep), "--out",
                             str(tmp_path / "out"), "--workers", "2", "--quiet"],
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    try:
        deadline = time.monotonic() + 120
        while not any(_is_pool_worker(c) for c in _children(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.005)
        time.sleep(START_DELAY)  # inside its start-up: importing, not yet in its initializer
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted: finished runs are kept" in err
