"""Read the input sheets of an open Excel book (xlwings) into the same RawBook the file reader
gives, so the macro, the UDFs and the CLI share one validation and one set of rules."""
from __future__ import annotations

import hashlib
import json

from .. import contract
from ..io.cell_errors import ERROR_CODES
from ..io.dataset import latest_year
from ..io.reader import RawBook, RawSheet, match_sheets
from ..io.values import CellError

YEAR_NAME = "JBSYS_YEAR"  # optional cell naming the year the button computes
READ_ROWS = 10_000
"""Rows per COM call. xlwings reads up to 4,000,000 cells in one call, and one array of a
million 业务量 rows can exhaust a 32-bit Excel's address space."""
# Excel's constants for Range.Find: search formulas (finds hidden cells too, unlike values),
# any part of the cell, row by row, backwards from the first cell — the last filled row.
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_PREVIOUS = -4123, 2, 1, 2

# Excel hands an error cell to Python as the HRESULT 0x800A0000 + its XlCVError number.
# xlwings (_xlwindows.cell_errors) names the seven classic ones when asked (err_to_str=True),
# and passes the newer ones (#SPILL!, #CALC! …) through as that number.
_XL_ERROR_BASE = -2146828288
_XL_ERRORS = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?",
              2036: "#NUM!", 2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!",
              2046: "#CONNECT!", 2047: "#BLOCKED!", 2048: "#UNKNOWN!", 2049: "#FIELD!",
              2050: "#CALC!"}
COM_ERRORS = {_XL_ERROR_BASE + number: code for number, code in _XL_ERRORS.items()}


def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def read_book(book) -> RawBook:
    """Each input sheet as a 2-D list, with where it starts: its used range down to the last
    row holding anything, read in chunks of READ_ROWS rows. Sheets are matched by name as the
    file reader matches them; error cells arrive as CellError."""
    names = sheet_names(book)
    chosen, clashes = match_sheets(names)
    sheets = {}
    digest = hashlib.sha256()
    for spec in contract.INPUT_SHEETS:
        if spec.name not in chosen:
            continue
        sheet = book.sheets[chosen[spec.name]]
        used = sheet.used_range
        bottom = last_filled_row(sheet, used)
        rows = [] if bottom is None else [
            [_cell(value) for value in row]
            for row in sheet.range((used.row, used.column), (bottom, used.column + used.shape[1] - 1))
            .options(ndim=2, err_to_str=True, chunksize=READ_ROWS).value]
        _blank_totals(sheet, used, rows)
        sheets[spec.name] = RawSheet(spec.name, rows, used.row - 1, used.column - 1)
        digest.update(json.dumps([spec.name, used.row, used.column, rows], default=str,
                                 ensure_ascii=False).encode())
    return RawBook(sheets, book.name, digest.hexdigest(), sheet_names=names, clashes=clashes)


def last_filled_row(sheet, used) -> int | None:
    """The last row of ``used`` holding a value or formula, or None for an empty sheet.
    Excel's used range also covers cells that only carry a format, which can reach far below
    the data. Asked with Range.Find (one COM call); Range.End would skip rows a filter hides.
    Where there is no Excel COM object (xlwings on a Mac), the used range's last row."""
    bottom = used.row + used.shape[0] - 1
    try:
        found = sheet.api.Cells.Find(What="*", LookIn=XL_FORMULAS, LookAt=XL_PART,
                                     SearchOrder=XL_BY_ROWS, SearchDirection=XL_PREVIOUS,
                                     MatchCase=False)
    except AttributeError:
        return bottom
    return None if found is None else min(found.Row, bottom)


def _blank_totals(sheet, used, rows: list[list]) -> None:
    """An Excel Table's 汇总 row is not data (allocation-rules §1): its cells read as blank,
    as the file reader reads them."""
    for table in sheet.tables:
        if not table.show_totals:
            continue
        totals = table.totals_row_range
        r = totals.row - used.row
        if 0 <= r < len(rows):
            left = totals.column - used.column
            for c in range(max(left, 0), min(left + totals.shape[1], len(rows[r]))):
                rows[r][c] = None


def _cell(value):
    """An error cell, read with err_to_str, as the CellError every parser refuses (never a
    blank); other values as they are."""
    if type(value) is str and value in ERROR_CODES:
        return CellError(value)
    if type(value) is int and value in COM_ERRORS:
        return CellError(COM_ERRORS[value])
    return value


def requested_year(book, raw: RawBook) -> int | None:
    """The year to compute: the JBSYS_YEAR cell if filled, else the latest 年度 in 参数."""
    try:
        value = book.names[YEAR_NAME].refers_to_range.value
    except Exception:
        value = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
        return int(value)
    return latest_year(raw)
