"""The one way the ribbon macros write into the open workbook (xlwings).

Why: xlwings writes ``Range.Value``, and Excel parses every string as if typed — "=…" becomes a
formula (formula injection from imported data), "0101" the number 101, an 18-digit code loses
digits, "1-2" a date. Every write also raises Excel's change event and, in automatic mode, a
recalculation of every JB* formula. And a macro that fails halfway must not leave a half table
that looks finished. So, for every macro:

- everything is computed before the first cell is written (:class:`SheetContent` holds final
  values and is checked when made);
- text columns get the number format "@" before the bulk write, so text arrives verbatim;
- while writing, events are off, calculation is manual and screen updating off; each is
  switched inside ``try`` and given back on its own in ``finally``, and restoring automatic
  calculation recalculates once (:func:`quiet`). A Python that dies gives nothing back: the
  template's VBA (JbRunPython) saves and restores the same three around every call;
- only contents are cleared: the template's styles, widths and print settings stay;
- a sheet being rewritten says so in A1 until its last cell is in (:data:`INCOMPLETE`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

TEXT = "@"  # Excel's number format "text": what is written stays as written
INCOMPLETE = "（本表正在写入。如果一直显示这句话，说明写入没有完成，表中内容不完整：请重新运行刚才的命令。）"
HEADER_COLOR = (221, 235, 247)  # header of a sheet the macro had to create itself
MAX_WIDTH = 60
_NUMBERS = (int, float)
_DATES = (dt.date, dt.datetime)


class WriteFailed(Exception):
    """Writing ``sheet`` failed (Excel busy, sheet protected…); ``cause`` says why."""

    def __init__(self, sheet: str, cause: BaseException):
        super().__init__(f"{sheet}: {describe(cause)}")
        self.sheet = sheet
        self.cause = cause


def describe(exc: BaseException) -> str:
    """What went wrong, for a person: Excel's own description of a COM error (pywintypes
    puts it third in ``excepinfo``), else the exception's text — never a class name."""
    info = getattr(exc, "excepinfo", None)
    if isinstance(info, tuple) and len(info) > 2 and info[2]:
        return str(info[2]).strip()
    return str(exc).strip() or "未知错误"


@dataclass(frozen=True)
class SheetContent:
    """Everything one sheet will show: a title line (row 1, ``unit`` at its right end), a header
    row (row 2) and data rows below, with a number format per column — ``TEXT`` for columns of
    text, which may hold only text or blanks. ``bold`` are indexes into ``rows``."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: list[list]
    formats: tuple[str, ...]
    unit: str = ""
    bold: frozenset[int] = frozenset()
    widths: tuple[float, ...] = field(default=())

    def __post_init__(self):
        width = len(self.header)
        if len(self.formats) != width or (self.widths and len(self.widths) != width):
            raise ValueError(f"{self.name}: one format (and width) per header column")
        for index, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"{self.name}: row {index} has {len(row)} values for {width} columns")
            for value, number_format, header in zip(row, self.formats, self.header):
                check_value(value, number_format, f"{self.name}.{header}")


def check_value(value, number_format: str, where: str) -> None:
    """What may be written: blanks, text into "@" columns only (elsewhere Excel would parse it),
    numbers, booleans and dates. Decimals and fractions must be made floats first: COM would
    turn a Decimal into a currency value with four decimals."""
    if value is None or isinstance(value, bool) or isinstance(value, _DATES):
        return
    if isinstance(value, str):
        if number_format != TEXT:
            raise ValueError(f"{where}: text {value!r} in a column formatted {number_format!r}; "
                             "Excel would parse it — declare the column as text")
        return
    if not isinstance(value, _NUMBERS):
        raise ValueError(f"{where}: {type(value).__name__} {value!r} cannot be written as is")


@contextmanager
def quiet(book) -> Iterator[None]:
    """Excel without events, recalculation or redrawing while the body writes. Each setting is
    changed inside ``try`` (Excel may refuse one, e.g. while a cell is being edited) and each
    comes back on its own in ``finally`` — events before calculation, so the recalculation that
    restoring automatic calculation starts counts as a normal one for the worksheet functions'
    cache. A failure to restore is raised once everything was tried, unless the body failed.
    Input sheets written here are unseen by the template's VBA (events are off): a button that
    writes them is marked ``writes_inputs`` (macros.button), and the VBA counts the edit once
    Python has returned — not by a macro call back into Excel from here, which Excel may refuse
    while its own RunPython is still waiting, turning a finished import into "运行失败"."""
    app = book.app
    events, calculation, updating = app.enable_events, app.calculation, app.screen_updating

    def restore_calculation() -> None:
        if app.calculation != calculation:
            app.calculation = calculation

    try:
        app.enable_events = False
        app.screen_updating = False
        app.calculation = "manual"
        yield
    finally:
        failure = each([
            lambda: setattr(app, "enable_events", events),
            lambda: setattr(app, "screen_updating", updating),
            restore_calculation,
        ])
    if failure is not None:
        raise failure


def each(steps) -> Exception | None:
    """Run every step (None: skipped) even when one fails; the first failure, or None."""
    failure = None
    for step in steps:
        try:
            if step is not None:
                step()
        except Exception as exc:
            failure = failure or exc
    return failure


def put(sheet, row: int, column: int, rows: Sequence[Sequence], formats: Sequence[str | None], *,
        checked: bool = False) -> None:
    """Write ``rows`` with their top-left cell at (row, column), 1-based, in one bulk write:
    the columns' number formats first ("@" keeps text verbatim); a column whose format is None
    keeps its format and gets blanks only. Use inside :func:`quiet`. The values are checked
    first (:func:`check_value`) unless ``checked``."""
    if not rows:
        return
    for offset, number_format in enumerate(formats):
        if not checked:
            for index, values in enumerate(rows):
                where = f"{sheet.name}!R{row + index}C{column + offset}"
                if number_format is None and values[offset] is not None:
                    raise ValueError(f"{where}: a value in a column whose format is kept")
                if number_format is not None:
                    check_value(values[offset], number_format, where)
        if number_format is not None:
            sheet.range((row, column + offset),
                        (row + len(rows) - 1, column + offset)).number_format = number_format
    sheet.range((row, column)).value = [list(values) for values in rows]


def write_sheets(book, contents: Sequence[SheetContent]) -> None:
    """Replace the contents of each sheet in order (created after the last sheet if missing),
    inside :func:`quiet`. WriteFailed names the sheet that could not be written; the sheets
    before it are complete, and that one still shows :data:`INCOMPLETE` in A1."""
    with quiet(book):
        for content in contents:
            try:
                _replace(book, content)
            except Exception as exc:
                raise WriteFailed(content.name, exc) from exc


def _replace(book, content: SheetContent) -> None:
    created = content.name not in [sheet.name for sheet in book.sheets]
    if created:
        sheet = book.sheets.add(content.name, after=book.sheets[len(book.sheets) - 1])
    else:
        sheet = book.sheets[content.name]
    old = sheet.used_range
    bottom = max(old.row + old.shape[0] - 1, 2 + len(content.rows))
    right = max(old.column + old.shape[1] - 1, len(content.header))
    put(sheet, 1, 1, [[INCOMPLETE]], [TEXT])
    if right > 1:
        sheet.range((1, 2), (1, right)).clear_contents()
    sheet.range((2, 1), (bottom, right)).clear_contents()
    if bottom > 2:  # bold summary rows of the previous run
        sheet.range((3, 1), (bottom, right)).font.bold = False
    width = len(content.header)
    put(sheet, 2, 1, [list(content.header)], [TEXT] * width)
    if content.rows:
        put(sheet, 3, 1, content.rows, content.formats, checked=True)
    for index in sorted(content.bold):
        sheet.range((3 + index, 1), (3 + index, width)).font.bold = True
    if created:
        header = sheet.range((2, 1), (2, width))
        header.font.bold = True
        header.color = HEADER_COLOR
    for column, column_width in enumerate(content.widths, start=1):
        sheet.range((2, column)).column_width = min(MAX_WIDTH, column_width)
    if content.unit and width > 1:
        put(sheet, 1, width, [[content.unit]], [TEXT])
    put(sheet, 1, 1, [[content.title]], [TEXT])  # last: the sheet is complete
    sheet.range((1, 1)).font.bold = True
