"""What the 金保 commands need from the allocation workbook beyond 参数/指标/中心."""
from __future__ import annotations

from .. import contract
from ..io import values as v
from ..io.reader import RawBook
from ..io.tables import Checks, locate


def latest_year(book: RawBook) -> int | None:
    """The latest 年度 of the 参数 sheet: the year staff add in December, the default of
    ``--year``. (A stand-in until the shared helper of the command line lands.)"""
    table = locate(book, contract.SHEET_SPECS[contract.PARAMS], Checks())
    if table is None:
        return None
    years = []
    for row in table.rows():
        try:
            found = v.year(row.raw("年度"))
        except v.BadValue:
            continue
        if found is not None:
            years.append(found)
    return max(years, default=None)
