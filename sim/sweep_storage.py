"""Where runs are kept: a results directory whose Parquet part files survive a kill.

Sweeps and probabilistic comparisons keep their finished runs in ``runs.parquet/``
(:data:`RUNS_DIR`), one part file per flush, each written atomically
(:class:`_Writer`), and read them back whole (:func:`read_runs`); :func:`_lock` keeps
two processes from running into one directory. A sweep's directory also holds
``sweep.yaml`` (its fingerprint in the header, checked by ``--resume``) and
``design.csv`` (:func:`_start`, :func:`_check_resume`).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    from .sweep_file import Sweep

__all__ = ["RUNS_DIR", "read_runs"]

RUNS_DIR = "runs.parquet"


def _schema(sweep: Sweep):
    import pyarrow as pa

    kinds = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
    fields = [pa.field(n, pa.int64()) for n in ("run_index", "point", "replicate", "seed")]
    fields += [pa.field(p.path, kinds[p.param.kind]) for p in sweep.parameters]
    fields += [pa.field(o, pa.float64()) for o in sweep.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


class _Writer:
    """Appends finished runs to the dataset in part files, each written atomically.

    A part is written to a hidden name and renamed into place, so a reader (or a
    resume after SIGKILL) sees whole parts only; Parquet readers skip hidden files.
    Parts are flushed every ``every`` rows or ``seconds`` seconds, so a kill loses
    at most that much work.
    """

    def __init__(self, folder: Path, schema, every: int, seconds: float = 30.0):
        self.folder, self.schema, self.every, self.seconds = folder, schema, every, seconds
        self.rows: list[dict] = []
        self.last = time.monotonic()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.every or time.monotonic() - self.last > self.seconds:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"
            tmp = self.folder / f".{name}.tmp"
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, self.folder / name)
            except BaseException:  # a full disk: no hidden half-part is left behind
                tmp.unlink(missing_ok=True)
                raise
            self.rows = []
        self.last = time.monotonic()


def read_runs(out: str | Path):
    """The runs of a sweep's results directory, one row per run, ordered by ``run_index``.

    Args:
        out: the sweep's results directory (or its ``runs.parquet`` dataset).

    Returns:
        A pandas DataFrame (empty, with no columns, if no run has finished yet).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    folder = Path(out)
    if folder.name != RUNS_DIR:
        folder = folder / RUNS_DIR
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    # A part is only ever written for runs that were missing, so this is a no-op
    # unless two processes ran the same directory at once (the lock prevents that).
    frame = frame.drop_duplicates("run_index", keep="first")
    return frame.sort_values("run_index", ignore_index=True)



@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Refuse to run two sweeps into one directory at once (they would duplicate rows)."""
    handle = open(out / ".lock", "w")  # noqa: SIM115 - held for the block
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InputError(str(out), "--out", "another sweep is running into this directory; "
                         "expected it to finish first") from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _header_fingerprint(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in itertools.islice(handle, 5):
                if line.startswith("# fingerprint:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _start(sweep: Sweep, out: Path) -> None:
    """Create the results directory whole: sweep.yaml, design.csv and an empty dataset."""
    import pandas as pd
    import yaml

    from . import __version__
    from .results import results_dir

    with results_dir(out) as tmp:
        header = (f"# Sweep resolved by Placesim {__version__}; resume with "
                  f"python run.py sweep SWEEP.yaml --out {out} --resume\n"
                  f"# fingerprint: {sweep.fingerprint()}\n")
        body = yaml.safe_dump(sweep.to_dict(), sort_keys=False, allow_unicode=True)
        (tmp / "sweep.yaml").write_text(header + body, encoding="utf-8")
        design = pd.DataFrame(list(sweep.points))
        design.insert(0, "point", range(len(design)))
        design.to_csv(tmp / "design.csv", index=False)
        (tmp / RUNS_DIR).mkdir()


def _check_resume(sweep: Sweep, out: Path) -> None:
    stored = out / "sweep.yaml"
    if not out.is_dir() or not stored.exists() or not (out / RUNS_DIR).is_dir():
        raise InputError(str(out), "--resume", "is not a sweep's results directory; "
                         "expected the --out of a sweep that was started before")
    if _header_fingerprint(stored) != sweep.fingerprint():
        raise InputError(sweep.source, "", f"differs from the sweep started in {out} "
                         f"(see {stored}); expected the same sweep to resume it")
