"""Tables a planner opens (sim.export): CSV beside Parquet, and one workbook whose sheets
are cut, saying so, where Excel's row limit would refuse them."""

import re
import zipfile

import numpy as np
import pandas as pd

from sim import export


def _sheet_rows(path, index: int) -> list[int]:
    with zipfile.ZipFile(path) as book:
        xml = book.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")
    return [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]


def _strings(path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/sharedStrings.xml").decode("utf-8")


def test_every_table_is_a_csv_the_named_ones_also_parquet(tmp_path):
    series = pd.DataFrame({"week": np.arange(5), "rate": [0.1, 1 / 3, 2e-9, 7.0, -0.5]})
    written = export.write_tables(tmp_path, {"timeseries": series, "summary": series.head(2)},
                                  parquet=("timeseries",))
    assert written == ["timeseries.parquet", "timeseries.csv", "summary.csv", export.WORKBOOK]
    assert not (tmp_path / "summary.parquet").exists()
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "timeseries.csv"), series)
    assert _sheet_rows(tmp_path / export.WORKBOOK, 1) == list(range(1, 7))  # header + 5
    assert "cut at" not in _strings(tmp_path / export.WORKBOOK)


def test_a_table_longer_than_a_sheet_is_cut_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 4)
    export.write_tables(tmp_path, {"timeseries": pd.DataFrame({"week": np.arange(10)})})
    # Header, 3 rows, then the note: the sheet stays within the (patched) limit.
    assert _sheet_rows(tmp_path / export.WORKBOOK, 1) == [1, 2, 3, 4, 5]
    assert "cut at Excel's row limit; all rows in timeseries.csv" in _strings(
        tmp_path / export.WORKBOOK).replace("&apos;", "'")
    assert len(pd.read_csv(tmp_path / "timeseries.csv")) == 10
