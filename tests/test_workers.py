"""Worker processes (sim.workers): chunks, threads per worker, and draws run in chunks that
reuse a place giving the rows of runs made one by one from scratch."""

import pandas as pd
import pytest

import sim
from sim import workers
from sim.compare import align_scenarios, unique_labels
from sim.compare_draws import prepare_draws
from sim.draws import run_draws
from sim.supervision import run_point

from .conftest import SCENARIOS

TINY = {"population.size": 1200, "population.neighbourhoods": 1,
        "population.practice_list_size": 600}


def task(i, batch=None):
    return {"run_index": i, "batch": batch}


def test_chunks_keep_a_batch_together_and_stay_small():
    tasks = [task(i, batch=i // 3) for i in range(30)]  # ten draws of three runs
    chunks = workers.chunks(tasks, workers=2)
    assert [t["run_index"] for c in chunks for t in c] == list(range(30))  # order kept
    for chunk in chunks:
        assert len({t["batch"] for t in chunk}) * 3 == len(chunk)  # whole batches only
        assert len(chunk) <= max(workers.CHUNK_MOST, 3)
    assert len(chunks) >= 2 * 2  # enough chunks for two workers to share
    sizes = [len(c) for c in workers.chunks([task(i, i // 2) for i in range(512)], 2)]
    assert sizes[0] == workers.CHUNK_MOST and sizes[-1] == 2  # shrinking to the end
    assert sizes == sorted(sizes, reverse=True)
    # Runs without a batch are packed by size alone, and one run makes one chunk.
    assert [len(c) for c in workers.chunks([task(i) for i in range(5)], 1)] == [2, 1, 1, 1]
    assert workers.chunks([task(0)], 4) == [[task(0)]]


def _replicates(size, weeks, replicates):
    """The baseline at ``size`` residents for ``weeks``, ``replicates`` of it."""
    return sim.load_scenario("baseline", overrides={
        "population.size": size, "population.neighbourhoods": max(1, size // 5000),
        "weeks": weeks, "replicates": replicates})


def test_replicates_go_to_a_pool_only_when_it_repays_its_start(monkeypatch):
    from sim.validate import week_seconds

    monkeypatch.setattr(workers, "cores", lambda: 2)
    tiny = _replicates(1000, 52, 5)  # about 1.5 s of runs in all: a pool would cost more
    assert workers.replicate_workers([tiny]) == 1
    demo = [sim.load_scenario(name, overrides={"population.size": 15000, "replicates": 4})
            for name in ("done_to", "done_with")]
    assert workers.replicate_workers(demo) == 2
    assert workers.replicate_workers([_replicates(1_000_000, 520, 1)]) == 1  # one run
    monkeypatch.setattr(workers, "cores", lambda: 8)
    assert workers.replicate_workers([_replicates(50_000, 520, 3)]) == 3  # one a run at most
    # The line: a second core saves half the runs' time on one core, against the start.
    monkeypatch.setattr(workers, "cores", lambda: 2)
    burn_in = tiny.system.burn_in_weeks
    per_week = 5 * week_seconds(1000)  # the five replicates' weeks
    crossing = 2 * workers.POOL_START / per_week - burn_in  # weeks where the two meet
    assert workers.replicate_workers([_replicates(1000, int(crossing) - 1, 5)]) == 1
    assert workers.replicate_workers([_replicates(1000, int(crossing) + 2, 5)]) == 2


def test_replicates_on_a_pool_run_no_more_at_once_than_memory_holds(monkeypatch):
    import sim.preflight as preflight

    monkeypatch.setattr(workers, "cores", lambda: 4)
    spec = _replicates(50_000, 520, 4)
    one = preflight.run_bytes(50_000, 520, spec.network.mean_degree)
    for runs_fit in (1, 2, 3):
        free = (runs_fit + 0.5) * one / preflight.MEMORY_SHARE
        monkeypatch.setattr(preflight, "available_memory", lambda: free)
        assert workers.replicate_workers([spec]) == runs_fit


def test_where_the_runs_go_is_said():
    assert workers.workers_said(1) == "in this process"
    said = workers.workers_said(2)
    assert said.startswith("on 2 worker processes, ")
    assert said.endswith(f"{workers.threads_per_worker(2)} thread"
                         f"{'s' if workers.threads_per_worker(2) > 1 else ''} each")


def test_workers_share_the_cores_and_a_scenarios_own_threads_win(monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 8)
    assert [workers.threads_per_worker(w) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    data = {"system": {"threads": 0}, "weeks": 4}
    assert workers.with_threads(data, 4)["system"]["threads"] == 4
    assert workers.with_threads(data, 0) is data  # not a worker: left to the run
    own = {"system": {"threads": 3}}
    assert workers.with_threads(own, 4) is own
    assert data["system"]["threads"] == 0  # the caller's data is not changed


def test_draws_in_chunks_give_the_rows_of_runs_made_one_by_one(tmp_path):
    ranges = {"uncertainty.network.mean_degree.plausible": [5, 11]}
    specs = [sim.load_scenario(p, overrides={**TINY, **{f"{k}": v for k, v in ranges.items()}})
             for p in (SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml")]
    specs, _ = align_scenarios(specs, seed=9, replicates=1, weeks=10)
    plan = prepare_draws(specs, unique_labels([s.name for s in specs]), 3, 2)
    rows = run_draws(plan, tmp_path / "draws", workers=2)
    # Each run alone, in this process, outside any chunk: always built from scratch.
    alone = pd.DataFrame([run_point(plan.task(i)) for i in range(plan.runs)])
    for name in plan.outputs:  # to the bit (NaN where a measure has no value, in both)
        pd.testing.assert_series_equal(rows[name], alone[name], check_exact=True, obj=name)
    assert rows["error"].isna().all()


@pytest.mark.parametrize("chunk", [1, 3])
def test_a_chunk_in_this_process_matches_runs_alone(chunk):
    specs = [sim.load_scenario(p, overrides=TINY)
             for p in (SCENARIOS / "done_to.yaml", SCENARIOS / "done_with.yaml")]
    specs, _ = align_scenarios(specs, seed=2, replicates=1, weeks=6)
    plan = prepare_draws(specs, unique_labels([s.name for s in specs]), chunk)
    tasks = plan.tasks(range(plan.runs))
    together = workers.run_chunk(tasks, 1)
    for row, t in zip(together, tasks):
        assert pd.Series(row).equals(pd.Series(run_point(t))), t["run_index"]


def _environment_variable(name):
    import os

    return os.environ.get(name)


def test_a_worker_sees_the_environment_of_the_process_that_made_its_pool(monkeypatch):
    with workers.local_pool(1) as pool:  # the fork server is running from here on
        assert pool.submit(_environment_variable, "PLACESIM_TEST_LATE").result() is None
    monkeypatch.setenv("PLACESIM_TEST_LATE", "set after the server started")
    with workers.local_pool(1) as pool:
        assert (pool.submit(_environment_variable, "PLACESIM_TEST_LATE").result()
                == "set after the server started")


def test_the_server_and_its_workers_ignore_ctrl_c_from_the_start():
    import os
    import signal
    from multiprocessing import forkserver

    workers.start_server()
    server = forkserver._forkserver._forkserver_pid

    def ignored(pid):
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            mask = next(int(line.split()[1], 16) for line in handle if line.startswith("SigIgn"))
        return bool(mask & (1 << (signal.SIGINT - 1)))

    assert ignored(server)
    with workers.local_pool(1) as pool:
        assert ignored(pool.submit(os.getpid).result())
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN  # ours is put back


def _frozen_after_a_chunk():
    import gc

    before = gc.get_freeze_count()
    workers.run_chunk([])
    return before, gc.get_freeze_count()


def test_a_pool_worker_freezes_what_survives_between_runs_and_this_process_does_not():
    import gc

    with workers.local_pool(1) as pool:
        before, after = pool.submit(_frozen_after_a_chunk).result()
    assert after > before + 10_000  # the imports' objects, out of the collector's view
    frozen = gc.get_freeze_count()
    workers.run_chunk([])  # in this process (a library user's): nothing frozen
    assert gc.get_freeze_count() == frozen


_THRESHOLDS = """
import gc, json, sys, weakref
import sim
from sim.process import START_COLLECTION_AFTER, YOUNG_COLLECTION_AFTER, keep_freed_heap
def a_model():
    return sim.HealthSystemModel("baseline", seed=1, population__size=300,
                                 population__neighbourhoods=1, weeks=1)
seen = {"python": gc.get_threshold()}
a_model().run()
seen["after a model"] = gc.get_threshold()
{entry}
seen["after the entry point"] = gc.get_threshold()
seen["young collections"] = gc.get_stats()[0]["collections"]
model = a_model()
seen["young collections in the build"] = gc.get_stats()[0]["collections"] - seen["young collections"]
seen["after a model built"] = gc.get_threshold()
seen["frozen"] = gc.get_freeze_count()
seen["enabled"] = gc.isenabled()
dropped = weakref.ref(model)
del model
gc.collect()
seen["dropped model freed"] = dropped() is None
print(json.dumps({"start": START_COLLECTION_AFTER, "declared": YOUNG_COLLECTION_AFTER, **seen}))
"""


def _output_of(code: str, entry: str) -> list[str]:
    """The lines a fresh process prints running ``code`` with ``entry`` in its place."""
    import subprocess
    import sys

    from .conftest import ROOT

    done = subprocess.run([sys.executable, "-c", code.replace("{entry}", entry)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return done.stdout.splitlines()


def _thresholds(entry: str) -> dict:
    import json

    return json.loads(_output_of(_THRESHOLDS, entry)[-1])


def test_the_entry_points_collect_young_objects_less_often_and_a_model_never_does():
    seen = _thresholds("from sim.cli import main; main(['list'])")
    assert seen["after a model"] == seen["python"]  # a library user's process is theirs
    # While the process starts (no model built yet) the young are not collected ...
    assert seen["after the entry point"] == [seen["start"], *seen["python"][1:]]
    assert seen["young collections in the build"] == 0
    # ... then, once a model is built, less often than Python's default, never off.
    assert seen["after a model built"] == [seen["declared"], *seen["python"][1:]]
    assert seen["start"] > seen["declared"] > seen["python"][0] and seen["enabled"]
    # What the start made is left in the collector's view: a dropped model is freed.
    assert seen["frozen"] == 0 and seen["dropped model freed"]


def test_a_threshold_the_process_chose_stands():
    seen = _thresholds("gc.set_threshold(1234, 5, 5); keep_freed_heap()")
    assert seen["after the entry point"] == seen["after a model built"] == [1234, 5, 5]
    # and one it chose while the process started
    seen = _thresholds("keep_freed_heap(); gc.set_threshold(4321, 5, 5)")
    assert seen["after a model built"] == [4321, 5, 5]


def test_a_fresh_process_starts_with_no_young_collection():
    """The start proper: the entry point's settings, then the first model's build, which
    loads its kernels from the cache (some 200,000 objects: with a threshold of 20,000,
    about ten collections)."""
    code = """
import gc, json
from sim.process import keep_freed_heap
keep_freed_heap()
before = gc.get_stats()[0]["collections"]
import sim
sim.HealthSystemModel("baseline", seed=1, population__size=300, population__neighbourhoods=1,
                      weeks=1)
print(json.dumps([gc.get_stats()[0]["collections"] - before, gc.get_threshold()[0]]))
"""
    import json

    from sim.process import YOUNG_COLLECTION_AFTER

    collections, threshold = json.loads(_output_of(code, "")[-1])
    assert collections == 0 and threshold == YOUNG_COLLECTION_AFTER


def test_the_end_of_the_start_leaves_a_workers_frozen_survivors_frozen():
    code = """
import gc, json
import sim
from sim.process import freeze_survivors, keep_freed_heap
keep_freed_heap()
freeze_survivors()  # as a pool worker does before its first run
frozen = gc.get_freeze_count()
sim.HealthSystemModel("baseline", seed=1, population__size=300, population__neighbourhoods=1,
                      weeks=1)
print(json.dumps([frozen, gc.get_freeze_count(), gc.get_threshold()[0]]))
"""
    import json

    from sim.process import YOUNG_COLLECTION_AFTER

    frozen, after, threshold = json.loads(_output_of(code, "")[-1])
    # Still frozen (a frozen object is still freed once nothing refers to it: a few are).
    assert frozen > 10_000 and after > 0.99 * frozen and threshold == YOUNG_COLLECTION_AFTER


# A cycle that only the collector can free, left for the interpreter's last collections;
# its __del__ says whether they walked it.
_AT_EXIT = """
import gc, os
{entry}
class Noisy:
    def __del__(self, write=os.write):
        write(1, b"collected at exit\\n")
gc.disable()  # nothing collects it before the exit
cycle = Noisy(); cycle.me = cycle; del cycle
print("done", flush=True)
"""


def _lines_at_exit(entry: str) -> list[str]:
    return _output_of(_AT_EXIT, entry)[-2:]


def test_the_entry_points_skip_the_collections_at_exit_and_a_library_user_does_not():
    assert _lines_at_exit("import sim; sim.HealthSystemModel('baseline', seed=1, "
                          "population__size=300, population__neighbourhoods=1, weeks=1)"
                          ".run()") == ["done", "collected at exit"]
    assert _lines_at_exit("from sim.cli import main; main(['list'])")[-1] == "done"


def test_freezing_collects_a_dropped_model_first():
    """A model is a cycle (its agents refer to it): dropped, it must be collected, not
    frozen for the rest of the worker's life."""
    import gc
    import weakref

    from sim.process import freeze_survivors

    model = sim.HealthSystemModel("baseline", seed=1, population__size=500,
                                  population__neighbourhoods=1, weeks=2)
    model.run()
    dropped = weakref.ref(model)
    del model
    try:
        freeze_survivors()
        assert dropped() is None
    finally:
        gc.unfreeze()


def _living_in_session(session: int) -> list[str]:
    """The living processes of ``session`` (a zombie, ended and waiting for the system to
    reap it, is not one), each as its /proc/PID/stat line (pid, name, state, parent, ...)."""
    import os

    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getsid(int(entry)) == session:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    stat = handle.read().strip()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(stat)
        except OSError:  # ended meanwhile
            continue
    return found


@pytest.mark.slow  # a subprocess, browser, Dask cluster or signal: CI runs it
def test_a_command_that_ran_on_a_pool_leaves_no_process_behind_at_its_exit(tmp_path):
    """The fork server and the resource tracker end with the command
    (``sim.workers.end_helpers_at_exit``), not a moment after it: left to itself the
    server outlived a ``run --workers 2`` by up to 2 s, the tracker by a moment."""
    import subprocess
    import sys

    from .conftest import ROOT

    errors = tmp_path / "stderr"
    with errors.open("wb") as stderr:  # a file: a pipe would be read until the server ends
        command = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "run", str(SCENARIOS / "baseline.yaml"),
             "--weeks", "4", "--replicates", "2", "--workers", "2", "--quiet",
             "--out", str(tmp_path / "out"), *(f"--set={k}={v}" for k, v in TINY.items())],
            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr)
        assert command.wait(timeout=300) == 0, errors.read_text()[-2000:]
    assert _living_in_session(command.pid) == []  # its session: the command and all it started
