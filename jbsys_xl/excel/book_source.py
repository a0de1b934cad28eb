"""Read the input sheets of an open Excel book (xlwings) into the same RawBook the file reader
gives, so the macro, the UDFs and the CLI share one validation and one set of rules."""
from __future__ import annotations

import hashlib
import json

from .. import contract
from ..io.dataset import latest_year
from ..io.reader import RawBook, RawSheet

REVISION_NAME = "JBSYS_REVISION"  # workbook name the VBA bumps on every Workbook_SheetChange
YEAR_NAME = "JBSYS_YEAR"  # optional cell naming the year the button computes


def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def read_book(book) -> RawBook:
    """One read per input sheet: its used range, as a 2-D list, with where it starts."""
    present = {name.strip(): name for name in sheet_names(book)}
    sheets = {}
    digest = hashlib.sha256()
    for spec in contract.INPUT_SHEETS:
        if spec.name not in present:
            continue
        used = book.sheets[present[spec.name]].used_range
        rows = used.options(ndim=2).value or []
        sheets[spec.name] = RawSheet(spec.name, rows, used.row - 1, used.column - 1)
        digest.update(json.dumps([spec.name, used.row, used.column, rows], default=str,
                                 ensure_ascii=False).encode())
    return RawBook(sheets, book.name, digest.hexdigest())


def revision(book) -> str | None:
    """The edit counter the workbook's VBA keeps, or None in a book without it."""
    try:
        return book.names[REVISION_NAME].refers_to
    except Exception:  # xlwings raises a COM or Key error for a missing name
        return None


def requested_year(book, raw: RawBook) -> int | None:
    """The year to compute: the JBSYS_YEAR cell if filled, else the latest 年度 in 参数."""
    try:
        value = book.names[YEAR_NAME].refers_to_range.value
    except Exception:
        value = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
        return int(value)
    return latest_year(raw)
