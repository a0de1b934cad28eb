"""Read the input sheets of an open Excel book (xlwings) into the same RawBook the file reader
gives, so the macro, the UDFs and the CLI share one validation and one set of rules."""
from __future__ import annotations

import hashlib
import json

from .. import contract
from ..io.cell_errors import ERROR_CODES
from ..io.dataset import latest_year
from ..io.bounds import cell_name
from ..io.reader import RawBook, RawSheet, match_sheets
from ..io.values import CellError
from ..model import Check

YEAR_NAME = "JBSYS_YEAR"  # optional cell naming the year the button computes
READ_ROWS = 10_000
READ_CELLS = 200_000
"""Rows, and cells, per COM call: xlwings reads up to 4,000,000 cells in one call, and one
array of a million 业务量 rows can exhaust a 32-bit Excel's address space. A chunk is
READ_ROWS rows of a narrow sheet, fewer rows of a wide one."""
READ_COLUMNS = 256
"""Columns read from a sheet's first used column (Excel 2003's width; no input table has
more than a few dozen). Anything further right is refused with its cell (:class:`FarContent`):
one stray value in column XFD would otherwise make every row 16,384 cells long."""
# Excel's constants for Range.Find: search formulas (finds hidden cells too, unlike values),
# any part of the cell, row by row or column by column, forwards or backwards. Backwards from
# the first cell wraps round to the last filled row (or column).
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_BY_COLUMNS, XL_NEXT, XL_PREVIOUS = -4123, 2, 1, 2, 1, 2

# Excel hands an error cell to Python as the HRESULT 0x800A0000 + its XlCVError number.
# xlwings (_xlwindows.cell_errors) names the seven classic ones when asked (err_to_str=True),
# and passes the newer ones (#SPILL!, #CALC! …) through as that number.
_XL_ERROR_BASE = -2146828288
_XL_ERRORS = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?",
              2036: "#NUM!", 2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!",
              2046: "#CONNECT!", 2047: "#BLOCKED!", 2048: "#UNKNOWN!", 2049: "#FIELD!",
              2050: "#CALC!"}
COM_ERRORS = {_XL_ERROR_BASE + number: code for number, code in _XL_ERRORS.items()}


class FarContent(Exception):
    """A value or formula too far right of a sheet's table to read (beyond READ_COLUMNS)."""

    def __init__(self, sheet: str, row: int, column: int, value) -> None:
        shown = f"“{value}”" if value not in (None, "") else "内容"
        self.check = Check("error", sheet, cell_name(row - 1, column - 1), (
            f"这里有{shown}，离表格太远（第 {column:,} 列；只读取前 {READ_COLUMNS} 列），多半是误输入的。"
            "请选中这个单元格按 Delete 删除（要保留的内容请移到表格旁边或其他工作表）后重试。"))
        super().__init__(str(self.check))


def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def read_book(book) -> RawBook:
    """Each input sheet as a 2-D list, with where it starts: its used range down to the last
    row and across to the last column holding anything (cells that only carry a format do not
    count), read in chunks of at most READ_ROWS rows and READ_CELLS cells. Sheets are matched
    by name as the file reader matches them; error cells arrive as CellError. FarContent
    when a sheet holds something beyond READ_COLUMNS."""
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
        right = None if bottom is None else last_filled_column(sheet, used)
        rows = [] if bottom is None else [
            [_cell(value) for value in row]
            for row in sheet.range((used.row, used.column), (bottom, right))
            .options(ndim=2, err_to_str=True, chunksize=chunk_rows(right - used.column + 1)).value]
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
    found = _find_last(sheet, XL_BY_ROWS)
    if found is _NO_COM:
        return bottom
    return None if found is None else min(found.Row, bottom)


_NO_COM = object()


def _find_last(sheet, order: int):
    """The last cell holding anything, searched row by row or column by column (one
    Range.Find, hidden cells included); None for an empty sheet, _NO_COM without Excel's COM
    object."""
    try:
        return sheet.api.Cells.Find(What="*", LookIn=XL_FORMULAS, LookAt=XL_PART, SearchOrder=order,
                                    SearchDirection=XL_PREVIOUS, MatchCase=False)
    except AttributeError:
        return _NO_COM


def last_filled_column(sheet, used) -> int:
    """The last column of ``used`` holding a value or formula (one Range.Find, as for the
    rows; the used range's right edge where there is no COM object). FarContent when it lies
    beyond READ_COLUMNS, naming the first such cell (row by row)."""
    right = used.column + used.shape[1] - 1
    found = _find_last(sheet, XL_BY_COLUMNS)
    if found is not None and found is not _NO_COM:
        right = min(found.Column, right)
    limit = used.column + READ_COLUMNS - 1
    if right > limit:
        far = sheet.range((used.row, limit + 1), (used.row + used.shape[0] - 1, right))
        # forwards from the block's last cell: wraps round to its first filled cell
        first = far.api.Find(What="*", After=far.last_cell.api, LookIn=XL_FORMULAS,
                             LookAt=XL_PART, SearchOrder=XL_BY_ROWS, SearchDirection=XL_NEXT,
                             MatchCase=False)
        raise FarContent(sheet.name, first.Row, first.Column, first.Value)
    return right


def chunk_rows(width: int) -> int:
    """Rows per COM call for a read ``width`` columns wide."""
    return max(1, min(READ_ROWS, READ_CELLS // max(width, 1)))


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
