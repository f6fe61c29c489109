"""Results a planner can open: CSV beside every Parquet file, and one Excel workbook.

Parquet keeps the weekly series small and typed for researchers, but a planner opens a
results directory in Excel. So every table a command writes is also a CSV (the same
rows and columns; numbers at full precision, so reading the CSV back gives the Parquet's
values), and ``tables.xlsx`` holds each table as a sheet.

The workbook is written with XlsxWriter: pure Python with no dependencies of its own
(about 2 MB installed, write-only), lighter than openpyxl, which also reads and edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

__all__ = ["write_tables", "WORKBOOK", "EXCEL_MAX_ROWS"]

WORKBOOK = "tables.xlsx"
EXCEL_MAX_ROWS = 1_048_575  # a sheet's rows, less the header (Excel's own limit)


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame],
                 parquet: tuple[str, ...] = ()) -> list[str]:
    """Write each table as ``<name>.csv`` (and ``<name>.parquet`` for names in ``parquet``)
    and all of them as sheets of :data:`WORKBOOK`.

    Args:
        folder: the results directory (being written).
        tables: sheet name -> table, in the order of the workbook's sheets.
        parquet: names also written as Parquet.

    Returns:
        The names of the files written.
    """
    folder = Path(folder)
    written = []
    for name, frame in tables.items():
        if name in parquet:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
            written.append(f"{name}.parquet")
        frame.to_csv(folder / f"{name}.csv", index=False)
        written.append(f"{name}.csv")
    with pd.ExcelWriter(folder / WORKBOOK, engine="xlsxwriter") as book:
        for name, frame in tables.items():
            # A series too long for one sheet is cut, and says so, rather than failing.
            part = frame.head(EXCEL_MAX_ROWS - 1) if len(frame) > EXCEL_MAX_ROWS else frame
            part.to_excel(book, sheet_name=name[:31], index=False)
            if len(part) < len(frame):
                book.sheets[name[:31]].write(len(part) + 1, 0,
                                             f"cut at Excel's row limit; all rows in {name}.csv")
    written.append(WORKBOOK)
    return written
