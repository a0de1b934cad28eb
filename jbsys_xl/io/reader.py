"""Read raw cell values, keeping every value's position so errors can name the cell.

Sources: an .xlsx/.xlsm workbook (python-calamine: Rust, values only, far faster than openpyxl),
a folder of ``<sheet>.csv`` files, or — from the Excel layer — a grid of values from xlwings.
Nothing here interprets values; that is :mod:`jbsys_xl.io.dataset`'s job.
"""
from __future__ import annotations

import csv
import gc
import hashlib
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import contract


class SourceError(Exception):
    """The input cannot be opened at all (missing file, not a workbook)."""


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based sheet coordinates → A1 name."""
    return f"{column_letter(col)}{row + 1}"


@dataclass
class RawSheet:
    """A rectangle of values; ``rows[0][0]`` sits at 0-based sheet position (first_row, first_col)."""

    name: str
    rows: list[list]
    first_row: int = 0
    first_col: int = 0
    # Work derived from ``rows`` alone (e.g. a column factorised by io.volumes), kept so a second
    # run over the same book (the year before, for the 同比 sheet) does not redo it.
    derived: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass
class RawBook:
    sheets: dict[str, RawSheet]
    label: str = ""  # what to call the source in reports (file name)
    sha256: str = ""  # of the input bytes, recorded in the result's 说明 sheet
    extra: dict = field(default_factory=dict)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a million row lists are built or walked.

    Creating them trips full collections that re-traverse every list made so far, which cost
    about as much as building them; nothing made here forms reference cycles, so plain
    reference counting frees it all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_source(path: str | Path) -> RawBook:
    """Read the contract's sheets from a workbook file or a folder of CSV files."""
    path = Path(path)
    if path.is_dir():
        return _read_csv_folder(path)
    if not path.exists():
        raise SourceError(f"找不到输入文件：{path}")
    if path.suffix.lower() == ".csv":
        raise SourceError(f"{path}：请给出存放各工作表 CSV 文件的文件夹，而不是单个 CSV 文件")
    return _read_workbook(path)


def _read_workbook(path: Path) -> RawBook:
    import python_calamine

    data = path.read_bytes()
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several unrelated types for a non-workbook
        raise SourceError(f"{path.name}：无法作为 Excel 工作簿打开（{exc}）") from exc
    wanted = {spec.name for spec in contract.INPUT_SHEETS}
    sheets = {}
    for name in book.sheet_names:
        key = name.strip()
        if key not in wanted or key in sheets:
            continue
        sheet = book.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        with gc_paused():
            rows = sheet.to_python(skip_empty_area=True)
        sheets[key] = RawSheet(key, rows, start[0], start[1])
    return RawBook(sheets, path.name, hashlib.sha256(data).hexdigest())


def _read_csv_folder(folder: Path) -> RawBook:
    sheets = {}
    digest = hashlib.sha256()
    for spec in contract.INPUT_SHEETS:
        file = folder / f"{spec.name}.csv"
        if not file.exists():
            continue
        data = file.read_bytes()
        digest.update(spec.name.encode() + b"\0" + data + b"\0")
        text = data.decode("utf-8-sig")
        sheets[spec.name] = RawSheet(spec.name, [list(row) for row in csv.reader(io.StringIO(text, newline=''))])
    if not sheets:
        raise SourceError(f"{folder}：文件夹中没有任何工作表 CSV 文件（如 {contract.PARAMS}.csv）")
    return RawBook(sheets, folder.name, digest.hexdigest())
