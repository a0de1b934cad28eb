"""Open a workbook file in the fake Excel: cell values as Excel would hold them after opening
the file (text stays text, dates become datetimes, numbers floats)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import python_calamine

from jbsys_xl.excel.book_source import REVISION_NAME
from tests.support import fake_xlwings as fake


def excel_value(value):
    if value == "" or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def open_book(path: Path, revision: bool = True) -> fake.Book:
    source = python_calamine.CalamineWorkbook.from_path(str(path))
    book = fake.Book(str(path), sheet_names=tuple(source.sheet_names))
    for name in source.sheet_names:
        sheet = source.get_sheet_by_name(name)
        top, left = sheet.start or (0, 0)
        cells = book.sheets[name]._cells
        for r, row in enumerate(sheet.to_python(skip_empty_area=True)):
            for c, value in enumerate(row):
                value = excel_value(value)
                if value is not None:
                    cells[(top + r + 1, left + c + 1)] = value
    if revision:
        book.names.add(REVISION_NAME, "=0")
    return book


def bump_revision(book: fake.Book) -> None:
    """What the template's Workbook_SheetChange does after every edit."""
    name = book.names[REVISION_NAME]
    name.refers_to = f"={int(name.refers_to.lstrip('=')) + 1}"


def snapshot(book: fake.Book, sheet_names) -> dict:
    return {name: (dict(book.sheets[name]._cells), dict(book.sheets[name]._formats))
            for name in sheet_names if name in book.sheet_names}
