"""The fuzz sample run by tests/test_fuzz.py in a subprocess under a memory cap.

``python -m tests.fuzz_driver SEED EXAMPLES`` (from a scratch folder, with the
repository on PYTHONPATH) draws that many mutated scenario, sweep and targets files
and command lines with Hypothesis, runs each through ``sim.cli.main`` and checks the
promise: exit 0 (or calibrate's 1) with complete results, or exit 2 with one message
and nothing written; never an exception, a hang (an alarm per case) or a leftover.
Exit status 0 when every case kept it; otherwise the failing case is printed.
"""

from __future__ import annotations

import contextlib
import io
import os
import itertools
import shutil
import signal
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
CASE_SECONDS = 60  # one case: a tiny run takes about a second
SMALL = ["--set", "population.size=300", "--set", "population.neighbourhoods=2",
         "--set", "population.practice_list_size=500", "--weeks", "2", "--replicates", "1",
         "--quiet"]
COMPLETE = {
    "run": {"report.html", "scenario.yaml", "summary.csv", "timeseries.parquet"},
    "compare": {"comparison.csv", "report.html", "scenarios", "summary.csv", "timeseries.parquet"},
    "calibrate": {"calibration.csv", "scenario.yaml", "summary.csv"},
}
NASTY_LINES = [
    "? [a, b]\n: 1", "? {a: 1}\n: 2", "deep: " + "[" * 300 + "]" * 300, "n: " + "7" * 4400,
    "f: 1." + "5" * 3000, 'name: "\\ud800x"', "name: \x07", "x: \x00", "extends: \"a\\0b\"",
    "extends: " + "e" * 2000, "extends: /dev/zero", "extends: fifo.yaml", "extends: loop.yaml",
    "extends: chain0.yaml", "extends: ../../../../etc/passwd", "name: /tmp/abs/escape",
    "name: ../../escape", "name: '..'", "a: &x [1]\nb: *x", "s: !!python/object:os.system ls",
    "t: !!binary AAAA", "d: 2024-13-99", "1: one", "null: x", "~: y", "<<: {a: 1}",
    "seed: .nan", "weeks: 1e400", "population:\n  size: 1e30", "population: 5",
    "network: [1, 2]", "policies:\n  screening: 7", "design: grid", "samples: 99999999",
    "parameters:\n  network.mean_degree: {bounds: [1, 50], steps: 100000000}",
    "targets: {a: {metric: gp_appointments_per_1000, value: 1, lo: 2, hi: 0, source: s}}",
    "replicates: 100000000", "\ufeffname: bom", "\t- tab", "'unterminated", "{a: 1",
]
NASTY_VALUES = ["null", "true", "-1", "0", "1e309", ".inf", "-.nan", "[]", "{}", "'x'",
                "9" * 50, "[" * 40, '"\\udcff"', "/etc/passwd", "../x", "1.5", "200000000"]
SET_PATHS = ["population.size", "network.mean_degree", "weeks", "seed", "name",
             "policies.screening.uptake", "policies.campaign.enabled", "network", "nope.x",
             "population.deprivation_mix", "system.governance"]


_FRESH = itertools.count()


ARG_TOKENS = ["--seed", "--weeks", "--replicates", "--workers", "--set", "--out", "--resume",
              "--targets", "--markdown", "--prefix", "--quiet", "-x", "--", "0", "-1", "4294967296",
              "1e3", "abc", "", " ", "\udcff", "x=1", "=", "network.mean_degree=", "../..",
              "/dev/zero", "baseline", "baseline.yaml", "nope.yaml"]


class Hang(BaseException):
    """A case ran past its alarm (BaseException: no ``except Exception`` swallows it)."""


def _alarm(signum, frame):
    raise Hang()


def _specials(work: Path) -> dict[str, str]:
    """Files a path argument may point at instead of the mutated file."""
    fifo = work / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
        os.symlink(work / "loop.yaml", work / "loop2.yaml")
        os.symlink(work / "loop2.yaml", work / "loop.yaml")
        for i in range(1500):
            (work / f"chain{i}.yaml").write_text(f"extends: chain{i + 1}.yaml\n" if i < 1499
                                                 else "seed: 1\n")
        (work / "a_dir.yaml").mkdir()
    return {"fifo": str(fifo), "zero": "/dev/zero", "urandom": "/dev/urandom",
            "loop": str(work / "loop.yaml"), "chain": str(work / "chain0.yaml"),
            "dir": str(work / "a_dir.yaml"), "missing": str(work / "missing.yaml"),
            "long": str(work / ("l" * 300 + ".yaml"))}


def _mutate(data: st.DataObject, text: str) -> str:
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        op = data.draw(st.sampled_from(["insert", "value", "delete", "duplicate", "byte",
                                        "truncate"]), label="op")
        at = data.draw(st.integers(0, max(0, len(lines) - 1)), label="line")
        if op == "insert":
            lines.insert(at, data.draw(st.sampled_from(NASTY_LINES), label="nasty"))
        elif op == "value" and lines and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {data.draw(st.sampled_from(NASTY_VALUES), label='value')}"
        elif op == "delete" and lines:
            del lines[at:at + data.draw(st.integers(1, 5), label="span")]
        elif op == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif op == "byte" and lines:
            line = lines[at]
            pos = data.draw(st.integers(0, len(line)), label="pos")
            char = chr(data.draw(st.integers(0, 0x10FFFF).filter(lambda c: not 0xD800 <= c < 0xE000),
                                 label="char"))
            lines[at] = line[:pos] + char + line[pos + 1:]
        elif op == "truncate":
            lines = lines[:at]
    return "\n".join(lines) + "\n"


def _out(data: st.DataObject, work: Path) -> tuple[str, bool]:
    """An --out argument, and whether a successful command may write there."""
    choice = data.draw(st.sampled_from(["fresh", "fresh", "fresh", "proc", "sys", "file",
                                        "long", "nested"]), label="out")
    fresh = work / f"out-{next(_FRESH)}"
    return {"fresh": (str(fresh), True), "nested": (str(fresh / "a" / "b"), True),
            "proc": ("/proc/placesim-fuzz", False), "sys": ("/sys/placesim-fuzz", False),
            "file": (str(work / "fifo.yaml"), False),
            "long": (str(work / ("o" * 260)), False)}[choice]


def _case(data: st.DataObject, work: Path) -> tuple[list[str], str | None]:
    """Draw a command line (with its files written); return it and its --out."""
    specials = _specials(work)
    kind = data.draw(st.sampled_from(["scenario", "scenario", "sweep", "targets", "argv"]),
                     label="kind")
    if kind == "argv":
        return _arguments(data, work)
    folder = {"scenario": SCENARIOS, "sweep": SCENARIOS / "sweeps",
              "targets": SCENARIOS / "targets"}[kind]
    source = data.draw(st.sampled_from(sorted(folder.glob("*.yaml"))), label="source")
    mutated = work / ("sweeps" if kind == "sweep" else "") / f"mutated-{kind}.yaml"
    mutated.parent.mkdir(exist_ok=True)  # a sweep names its scenario as ../x.yaml
    mutated.write_bytes(_mutate(data, source.read_text(encoding="utf-8"))
                        .encode("utf-8", "surrogatepass"))
    path = str(mutated)
    if data.draw(st.integers(0, 9), label="special?") == 0:
        path = specials[data.draw(st.sampled_from(sorted(specials)), label="special")]
    out, _ = _out(data, work)
    extra = []
    for _ in range(data.draw(st.integers(0, 2), label="sets")):
        extra += ["--set", f"{data.draw(st.sampled_from(SET_PATHS), label='set')}="
                  f"{data.draw(st.sampled_from(NASTY_VALUES), label='set value')}"]
    if kind == "scenario":
        command = data.draw(st.sampled_from(["run", "validate", "compare"]), label="command")
        if command == "validate":
            return ["validate", path], None
        files = [path] if command == "run" else [path, str(work / "baseline.yaml")]
        return [command, *files, "--out", out, *extra, *SMALL], out
    if kind == "sweep":
        if data.draw(st.booleans(), label="schedule?"):
            address = data.draw(st.sampled_from(["tls://1.2.3.4:1", "ucx://h:1", "tcp://[::1",
                                                 "tcp://127.0.0.1:1", "tcp://h:0", "x" * 300]),
                                label="address")
            return ["sweep", path, "--scheduler", address, "--out", out, "--quiet"], None
        return ["validate", path], None
    return ["calibrate", str(work / "baseline.yaml"), "--targets", path, "--out", out,
            *extra, *SMALL], out


def _arguments(data: st.DataObject, work: Path) -> tuple[list[str], str | None]:
    """A command line of random tokens (never a real sweep, demo or dashboard)."""
    command = data.draw(st.sampled_from(["run", "compare", "calibrate", "validate", "list",
                                         "parameters", "sweep"]), label="command")
    tokens = data.draw(st.lists(st.sampled_from(ARG_TOKENS), max_size=6), label="tokens")
    argv = [command, *tokens]
    if command in ("run", "compare", "calibrate"):
        argv += [str(work / "baseline.yaml"), *SMALL]
    if command == "sweep":
        argv += [str(SCENARIOS / "sweeps" / "activist_share.yaml"),
                 "--scheduler", "tcp://127.0.0.1:1"]
    return argv, None


def _check(argv: list[str], out: str | None, code: int, err: str, work: Path) -> None:
    assert "Traceback" not in err, err
    assert not list(work.glob(".*partial*")) and not list(work.glob("**/.*.partial-*")), argv
    written = (out is not None and os.path.isdir(out) and not os.path.islink(out)
               and str(out).startswith(str(work)))
    if code == 0 or (code == 1 and argv[0] == "calibrate" and "error:" not in err):
        if out is not None:
            assert written and COMPLETE[argv[0]] <= {p.name for p in Path(out).iterdir()}, argv
        return
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    # one error message, last; a sweep may have said what it was about to run before it
    ours = (lines and lines[-1].startswith("error: ")
            and not any("error" in line.lower() for line in lines[:-1]))
    argparse_usage = (len(lines) >= 2 and lines[0].startswith("usage: ")
                      and ": error: " in lines[-1] and "error" not in " ".join(lines[:-1]))
    assert ours or argparse_usage, err
    if out is not None and str(out).startswith(str(work)):
        assert not written or not any(Path(out).iterdir()), (argv, err)


def main(seed_value: int, examples: int) -> int:
    from sim.cli import main as cli

    work = Path.cwd()
    for shipped in SCENARIOS.glob("*.yaml"):  # mutated files extend their siblings
        shutil.copy(shipped, work / shipped.name)
    signal.signal(signal.SIGALRM, _alarm)
    counts = {0: 0, 1: 0, 2: 0}

    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              phases=[Phase.generate, Phase.shrink], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def case(data):
        argv, out = _case(data, work)
        err = io.StringIO()
        signal.alarm(CASE_SECONDS)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = cli(argv)
                except SystemExit as exc:  # argparse: usage and one error line
                    code = exc.code
        finally:
            signal.alarm(0)
        _check(argv, out, code, err.getvalue(), work)
        counts[code] = counts.get(code, 0) + 1

    case()
    print(f"{examples} cases kept the promise: exit codes {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
