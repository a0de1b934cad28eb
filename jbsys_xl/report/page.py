"""The page every document shares (documents.md §0): type, A4, page numbers, the status and
文号 lines, who made the table and the signature lines — one home for layout, so each document
module only says what is on its pages.

Every printed document is a workbook laid out here and rendered by LibreOffice Calc (the one
renderer available headless everywhere we run): the same file is the .xlsx a user may open.

Type. Cells name the Windows faces a Chinese office has — 宋体 for tables, 仿宋 for the body
of a letter, 黑体 for titles and headings — with the GB2312 character set, so Excel on Windows
shows them as they are. Where those faces are missing (Linux), the conversion maps them onto the
Noto CJK SC faces and sets zh-CN as the language (:mod:`jbsys_xl.office.libreoffice`), so no
glyph falls back to a Japanese face.

Size. Nothing prints below MIN_POINTS: tables are sized to fit the paper at 100 % instead of
being shrunk to fit, and every row's height is set from its text (LibreOffice keeps the
default height of rows in an XlsxWriter file and would cut wrapped text off).
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache

import xlsxwriter

from .. import __version__, contract
from ..clock import chinese_date, run_date, utc_moment
from ..model import Settings
from . import breaks
from . import tables as t

SONG, FANGSONG, HEI = "宋体", "仿宋", "黑体"  # table, letter body, titles and headings
GB2312 = 134  # the font character set Excel writes for simplified-Chinese faces
DEFAULT_SIZE = 10.5  # 五号: the workbook's Normal style (its digit width is Excel's width unit)
MIN_POINTS = 8
A4 = 9


def page_footer(number: str | int = "&P", count: str | int = "&N") -> str:
    """The footer 第 x 页 共 y 页: by default the fields of the printed document; a letter
    that is one of many in a file (a 告知书) gives its own numbers."""
    return f'&C&"{SONG},常规"&9第 {number} 页 共 {count} 页'


FOOTER = page_footer()
NUM_FORMATS = {t.MONEY: "#,##0.00", t.SCORE: "0.000000", t.INT: "0", t.NUMBER: "General",
               t.PERCENT: "0.00%"}
SHADES = {"subtotal": "#DDEBF7", "total": "#BDD7EE", "header": "#D9D9D9"}
MAX_WIDTH = 66  # wider text wraps
HEADER_WRAP = 10  # headers wider than this wrap instead of widening their column
LINE_HEIGHT = 15  # points per line of wrapped text at the default size
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.4, "bottom": 0.55}  # inches: the letters' page
# v4 tables (附件, 条线确认表, 拨付明细, the result workbook's sheets): at least 20 mm on the binding
# side and 15 mm elsewhere (documents.md §0). A landscape table is bound on its left, or on its top
# once turned into a portrait file: both get 20 mm. The page number prints 15 mm above the bottom
# edge (FOOTER_MARGIN) and the body ends 24 mm above it, so nothing prints nearer an edge.
TABLE_MARGINS = {"left": 0.8, "right": 0.6, "top": 0.8, "bottom": 0.95}
FOOTER_MARGIN = 0.6
# What LibreOffice prints for a column of width w (measured with the 宋体 substitute): about
# 5.9 pt a unit plus 4.2 pt; Excel prints narrower (5.25 pt a unit plus 3.75 pt). Documents are
# sized so that LibreOffice's page holds them; text is wrapped as Excel's narrower cells need.
def printed_points(widths) -> float:
    return sum(5.9 * width + 4.2 for width in widths)


# Printable width and height in points: A4 less the margins (and a little for rounding), the
# height less the footer's room.
def printable_width(landscape: bool, margins: dict = MARGINS) -> float:
    return (841.9 if landscape else 595.3) - 72 * (margins["left"] + margins["right"]) - 6


def printable_height(landscape: bool, margins: dict = MARGINS) -> float:
    return (595.3 if landscape else 841.9) - 72 * (margins["top"] + margins["bottom"]) - 12


TABLE_WIDTH, TABLE_HEIGHT = printable_width(True, TABLE_MARGINS), printable_height(True, TABLE_MARGINS)


def units_for(points: float, columns: int) -> float:
    """The sum of widths ``columns`` columns may have to print within ``points``."""
    return (points - 4.2 * columns) / 5.9


SIGNATURES = "制表人：__________　　　审核人：__________　　　负责人：__________"


def font(name: str = SONG, size: float = DEFAULT_SIZE, **spec) -> dict:
    """An XlsxWriter format spec in one of the document faces."""
    return {"font_name": name, "font_size": size, "font_charset": GB2312, **spec}


def new_book(buffer: io.BytesIO, title: str) -> xlsxwriter.Workbook:
    """An in-memory workbook in 宋体 with the run's moment in its properties: same inputs,
    same moment, same bytes. Strings stay text (a center named "=1" is no formula)."""
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    normal = book.formats[0]
    normal.set_font_name(SONG)
    normal.set_font_size(DEFAULT_SIZE)
    normal.font_charset = GB2312
    book.set_properties({"title": title, "author": "JBSys-XL", "comments": f"JBSys-XL {__version__}",
                         "created": utc_moment()})
    return book


def workbook_bytes(title: str, build) -> bytes:
    """Run ``build(book, fmt)`` on a new workbook; its bytes."""
    buffer = io.BytesIO()
    book = new_book(buffer, title)
    build(book, Formats(book))
    book.close()
    return buffer.getvalue()


class Formats:
    """Cell formats, created once per (kind, row role, size) so the file stays small and stable."""

    def __init__(self, book: xlsxwriter.Workbook, font_size: float = DEFAULT_SIZE):
        self.book = book
        self.font_size = font_size  # of table cells
        self._cache: dict[tuple, object] = {}
        self.title = book.add_format(font(HEI, 14, align="center", valign="vcenter"))
        self.unit = book.add_format(font(align="right"))
        self.heading = book.add_format(font(HEI, 12))
        self.section = book.add_format(font(HEI))
        self.plain = book.add_format(font())

    def cell(self, kind: str, role: str = "body", size: float | None = None, num_format: str = "",
             centre: bool = False):
        size = size or self.font_size
        key = (kind, role, size, num_format, centre)
        if key not in self._cache:
            spec = font(HEI if role == "header" else SONG, size, border=1, valign="vcenter")
            if centre:
                spec["align"] = "center"
            if num_format or kind in NUM_FORMATS:
                spec["num_format"] = num_format or NUM_FORMATS[kind]
            if kind == t.BOOL:
                spec["align"] = "center"
            if kind == t.TEXT or role == "header":
                spec["text_wrap"] = True
            if role == "header":
                spec["align"] = "center"
            if role in SHADES:
                spec["bg_color"] = SHADES[role]
            if role in ("subtotal", "total"):
                spec["bold"] = True
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def role(table: t.Table, index: int) -> str:
    if index in table.totals:
        return "total"
    return "subtotal" if index in table.subtotals else "body"


def lines(text: str, width: float, points: float = DEFAULT_SIZE) -> int:
    """Lines a wrapped text takes in ``width`` column units at ``points`` (a unit holds one
    half-width character at 10.5 pt; kept on the safe side for both Excel and LibreOffice)."""
    room = max(1, int((10.5 * width - 1) / points))  # Excel: 7 px a unit + 5, 3 pt padding
    return sum(max(1, -(-t.display_width(line) // room)) for line in text.split("\n")) if text else 1


# --- text that breaks only where a word ends (documents.md §0, v4 tables) -------------------------

def em_width(text: str) -> float:
    """Width of ``text`` in ems as LibreOffice sets it in the Noto CJK faces: Chinese a full em,
    digits .56, capitals up to .75 (91320400MB… is wider than half-width), the rest about half."""
    return sum(1.0 if breaks.wide(ch) else .56 if ch.isdigit() else .75 if ch.isupper()
               else .33 if ch in ",.:;' " else .55 for ch in text)


@lru_cache(maxsize=262144)  # sizing a table measures the same pieces and lines again and again
def line_units(text: str, points: float) -> float:
    """Column units one line of ``text`` needs at ``points`` in both programs that print our
    files: Excel (宋体: half-width characters half an em; 5.25 pt a unit) and LibreOffice (the
    Noto faces, :func:`em_width`; 5.9 pt a unit plus 4.2 a column, 3 pt of it for the cell)."""
    excel = t.display_width(text) * points / 2 / 5.25
    office = (em_width(text) * points - 1.2) / 5.9
    return round(max(excel, office) + 0.3, 2)


def wrapped(text: str, units: float, points: float) -> list[str]:
    """``text`` on the lines it prints on in ``units`` at ``points``, broken only between its
    pieces (:mod:`.breaks`): what a cell holds, joined by line ends, so neither program breaks
    a word on its own."""
    out: list[str] = []
    for paragraph in str(text).split("\n"):
        out += breaks.wrap(paragraph, lambda line: line_units(line, points) <= units + 1e-9)
    return out


@lru_cache(maxsize=65536)
def narrowest(text: str, points: float, max_lines: int) -> float:
    """The fewest units ``text`` prints in on at most ``max_lines`` lines without breaking a
    piece (one piece a line at the most)."""
    found = breaks.pieces(text) or ("",)
    floor = max(line_units(piece.strip(), points) for piece in found)
    widths = sorted(width for width in {line_units("".join(found[a:b]).strip(), points)
                                        for a in range(len(found)) for b in range(a + 1, len(found) + 1)}
                    if width >= floor)
    low, high = 0, len(widths) - 1  # the lines a text takes only fall as its column widens
    while low < high:
        middle = (low + high) // 2
        if len(breaks.wrap(text, lambda line: line_units(line, points) <= widths[middle] + 1e-9)) <= max_lines:
            high = middle
        else:
            low = middle + 1
    return widths[low]


def write_table(sheet, fmt: Formats, table: t.Table, top: int, widths: list[int],
                left: int = 0) -> int:
    """Write the header at ``top`` and the rows under it; return the row after the table.

    Rows whose text wraps get the height it needs. The loop is hoisted (formats per row role,
    writers per cell type, wrap checks only in columns whose text can wrap): 得分明细 has a row
    per center × indicator."""
    rows = [(table.headers, (t.TEXT,) * len(table.headers), "header")]
    rows += [(row, table.kinds, role(table, index)) for index, row in enumerate(table.rows)]
    wrapping = [col for col, kind in enumerate(table.kinds)
                if kind == t.TEXT and _widest(row[col] for row in table.rows) > widths[col] - 1]
    header_wraps = [col for col, header in enumerate(table.headers) if lines(header, widths[col]) > 1]
    formats: dict[str, list] = {}  # role → a format per column, made in the order cells use them
    write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
    value_of = t.sheet_value
    for row, (values, kinds, row_role) in enumerate(rows, start=top):
        if row_role not in formats:
            formats[row_role] = [fmt.cell(kind, row_role) for kind in kinds]
        for col, value, kind, cell_format in zip(range(left, left + len(values)), values, kinds,
                                                 formats[row_role]):
            value = value_of(value, kind)  # strings always as text: "=…" must not become a formula
            if value is None:
                write_blank(row, col, None, cell_format)
            elif isinstance(value, str):
                write_string(row, col, value, cell_format)
            else:
                write_number(row, col, value, cell_format)
        height = max([1] + [lines(values[col], widths[col], fmt.font_size) for col in
                            (header_wraps if row_role == "header" else wrapping) if values[col]])
        if height > 1:
            sheet.set_row(row, LINE_HEIGHT * fmt.font_size / DEFAULT_SIZE * height)
    return top + len(rows)


def _widest(texts) -> int:
    """The widest of the distinct texts (column values repeat: a name per indicator row)."""
    return max((t.display_width(text) for text in set(texts) if text), default=0)


def wrappable(table: t.Table) -> frozenset[int]:
    """The columns a table document may wrap: text longer than SHORT. A short value (是/否,
    逾期备案, a date, a grade) keeps its line, as a word is never broken inside."""
    return frozenset(col for col, kind in enumerate(table.kinds)
                     if kind == t.TEXT and _widest(row[col] for row in table.rows) > SHORT)


def column_widths(tables: list[t.Table]) -> list[int]:
    """Widths that fit the text (CJK counts double); long headers wrap rather than widen.
    Each distinct value is measured once."""
    widths: list[int] = []
    for table in tables:
        for col, (header, kind) in enumerate(zip(table.headers, table.kinds)):
            texts = {t.cell_text(value, kind) for value in {row[col] for row in table.rows}}
            width = max([min(t.display_width(header), HEADER_WRAP)]
                        + [t.display_width(text) for text in texts]) + 2
            if col == len(widths):
                widths.append(0)
            widths[col] = min(max(widths[col], width), MAX_WIDTH)
    return widths


def set_widths(sheet, tables: list[t.Table], left: int = 0) -> list[int]:
    """Size the columns for ``tables``; return the widths for :func:`write_table`."""
    widths = column_widths(tables)
    for col, width in enumerate(widths):
        sheet.set_column(left + col, left + col, width)
    return widths


def titled_table_sheet(book, fmt: Formats, table: t.Table, title: str) -> None:
    """A sheet named after ``table`` holding it under a one-line ``title``: header frozen and
    repeated on every printed page (the record sheets of the 金保 import and of 12333 results)."""
    sheet = book.add_worksheet(table.title)
    sheet.write_string(0, 0, title, fmt.heading)
    write_table(sheet, fmt, table, 1, set_widths(sheet, [table]))
    sheet.freeze_panes(2, 0)
    print_setup(sheet, 1)


def print_setup(sheet, header_row: int | None = None, landscape: bool = True,
                fit_width: bool = True, margins: dict = TABLE_MARGINS) -> None:
    """A4, header row repeated on every page, 第 x 页 共 y 页. ``fit_width``: one page wide (the
    workbooks people browse); documents pass False and are sized to fit at 100 %. ``margins``:
    the tables' (binding side 20 mm) unless a letter's page asks for its own."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if fit_width:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(100)
    sheet.center_horizontally()
    sheet.set_margins(**margins)
    sheet.set_footer(FOOTER, margin=FOOTER_MARGIN if margins is TABLE_MARGINS else None)
    if header_row is not None:
        sheet.repeat_rows(header_row)


# --- what every document says about itself ------------------------------------------------------

def title_with_status(title: str, settings: Settings) -> str:
    """A document's title: 草案 in it while the year is not 审定 (documents.md §0)."""
    return f"{title}（{contract.STATUS_DRAFT}）" if settings.status == contract.STATUS_DRAFT else title


def basis_line(settings: Settings) -> str | None:
    """The 审定文号 a table document rests on, cited (v4: never printed as its own 文号 under
    the title, GB/T 9704-2012 7.2.4): 依据：常人社〔2024〕95号（2024年12月20日审定）; None in a draft."""
    if settings.status != contract.STATUS_FINAL:
        return None
    day = f"（{chinese_date(settings.approval_date)}审定）" if settings.approval_date else ""
    return f"依据：{settings.approval_number}{day}"


def document_date(settings: Settings) -> str:
    """The date a document is signed: 审定日期 once 审定, else the run's date (制表日期)."""
    if settings.status == contract.STATUS_FINAL and settings.approval_date:
        return chinese_date(settings.approval_date)
    return chinese_date(run_date())


def made_by(settings: Settings) -> str:
    """制表单位 and 制表日期, as every table ends."""
    return f"制表单位：{settings.tabulator}　　　制表日期：{chinese_date(run_date())}"


def contact(settings: Settings) -> str:
    """联系人 and 电话 of objections; an empty one is a line to fill in by hand."""
    person = settings.objection_contact or "____________"
    phone = settings.objection_phone or "________________"
    return f"联系人：{person}　电话：{phone}"


def fund_source(settings: Settings) -> str:
    return f"资金来源：{settings.fund_source}"


def rounding_note(settings: Settings) -> str:
    unit = "分" if settings.unit < 1 else "元"
    return f"工作量补助按最大余额法精确到{unit}"


def money_text(amount) -> str:
    return t.cell_text(amount, t.MONEY)


# --- documents: paragraphs and tables on a grid of columns ---------------------------------------

TITLE, SUBTITLE, BODY, HEADING, RIGHT, NOTE, BANNER, SIGN, LABEL = (
    "title", "subtitle", "body", "heading", "right", "note", "banner", "sign", "label")
STYLES = {  # style → (XlsxWriter format, points per line)
    TITLE: (font(HEI, 13.5, align="center", valign="vcenter", text_wrap=True), 22),
    SUBTITLE: (font(SONG, 10.5, align="center", valign="vcenter", text_wrap=True), 17),
    BODY: (font(FANGSONG, 10.5, text_wrap=True, valign="top"), 15),
    HEADING: (font(HEI, 10.5, valign="bottom"), 17),
    RIGHT: (font(FANGSONG, 10.5, align="right", valign="vcenter"), 17),
    NOTE: (font(SONG, 9, text_wrap=True, valign="top"), 12.5),
    BANNER: (font(HEI, 12, align="center", valign="vcenter", font_color="#C00000", border=2,
                  border_color="#C00000"), 22),
    SIGN: (font(SONG, 10.5, valign="vcenter", text_wrap=True), 22),
    LABEL: (font(HEI, 10.5, valign="vcenter"), 18),  # 附件 above the title
}
SHORT = 10  # text columns no wider than this (是/否, grades, dates) are centred
HEADER_CHARS = 4  # characters a line of a letter's table header (告知书, 资金平衡) may hold


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = BODY


@dataclass(frozen=True)
class Break:
    """A page break: what follows starts a new page."""


@dataclass(frozen=True)
class Repeat:
    """The table that follows repeats its header at the top of every page it runs onto."""


@dataclass(frozen=True)
class Keep:
    """What follows (the closing lines: 合计 in words, signatures) prints on the page of the
    table's last rows: when it would not fit, those rows move to the next page with it, so no
    page holds signatures alone."""

    rows: int = 3  # table rows that go along


Block = Paragraph | t.Table | Break | Repeat | Keep
Page = list[Block]


def text_units(text: str, points: float) -> float:
    """Column units a text needs on one line at ``points``, sized for Excel (a unit is 7 px,
    5.25 pt; a digit is half an em), which prints narrower than LibreOffice."""
    return t.display_width(text) * points / 2 / 5.25 + 1.4


def header_units(header: str, points: float, per_line: int) -> float:
    """Units a header needs to wrap onto lines of at most ``per_line`` characters, evenly
    (本中心业务量 as 本中心/业务量, never 本中心业务/量; 指标权重 on one line)."""
    chars = -(-t.display_width(header) // 2)
    rows = -(-chars // per_line)
    return text_units("字" * -(-chars // rows), points)


def table_widths(table: t.Table, points: float, text_cap: float = 18,
                 header_min: float = 4.6, header_chars: int = 0) -> list[float]:
    """Column widths for ``table`` at ``points``: numbers on one line, text up to ``text_cap``
    (then it wraps), headers wrapped onto as many lines as they need — with ``header_chars``,
    lines of at most that many characters, split evenly."""
    widths = []
    for col, kind in enumerate(table.kinds):
        texts = {t.cell_text(value, kind) for value in {row[col] for row in table.rows}}
        header = [header_units(table.headers[col], points, header_chars)] if header_chars else []
        need = max([text_units(text, points) for text in texts] + [header_min] + header)
        widths.append(round(min(need, text_cap) if kind == t.TEXT else need, 1))
    return widths


HEADER_LINES = 3  # lines a table document's header may take


def document_widths(table: t.Table, points: float, wrap: frozenset[int] = frozenset(),
                    max_lines: int = 1, floor: float = 3.0) -> list[float]:
    """Column widths of a table document at ``points``: numbers, codes and accounts on one
    line, the columns ``wrap`` (names) on at most ``max_lines`` lines broken between words,
    each header on at most HEADER_LINES — never a word cut (:mod:`.breaks`)."""
    widths = []
    for col, kind in enumerate(table.kinds):
        texts = {t.cell_text(value, kind) for value in {row[col] for row in table.rows}} - {""}
        if col in wrap:
            body = max([narrowest(text, points, max_lines) for text in texts], default=0.0)
        else:
            body = max([line_units(text, points) for text in texts], default=0.0)
        widths.append(round(max(body, narrowest(table.headers[col], points, HEADER_LINES), floor), 2))
    return widths


MOST_LINES = 3  # lines a name may take in a table document, at the smallest type


def fit_document(table: t.Table, room: float, wrap: frozenset[int] = frozenset(),
                 sizes: tuple[float, ...] = (9, 8.5, MIN_POINTS)) -> tuple[float, list[float]]:
    """The type size and widths at which ``table`` prints within ``room`` points: at the
    largest size of ``sizes`` where no row takes more than two lines, else the smallest; the
    ``wrap`` columns (names) narrowed to up to MOST_LINES lines and widened again, from the room
    that leaves, where that saves the most lines of the whole table (one long 收款单位 need not
    make every row three lines high); what room is left spans the page."""
    chosen = None
    for size in sizes:
        widths = document_widths(table, size, wrap, MOST_LINES if wrap else 1)
        if printed_points(widths) > room:
            continue
        widths = widen(table, widths, size, wrap, room)
        chosen = size, widths
        if max(_row_lines(table, widths, size, wrap), default=1) <= 2:
            break
    if chosen is None:  # too wide even so: a further page across (columns 序号–中心名称 repeat)
        size = sizes[-1]
        chosen = size, document_widths(table, size, wrap, MOST_LINES)
    return chosen[0], stretch(chosen[1], room)


@lru_cache(maxsize=65536)
def _lines_at(text: str, units: float, points: float) -> int:
    return len(wrapped(text, units, points))


def _row_lines(table: t.Table, widths: list[float], points: float, wrap: frozenset[int]) -> list[int]:
    """Lines each row of ``table`` takes at ``widths`` (its tallest ``wrap`` cell)."""
    return [max([_lines_at(t.cell_text(row[col], table.kinds[col]), widths[col], points)
                 for col in wrap if row[col]] + [1]) for row in table.rows]


STEPS = 12  # widths tried per column: a large table's thousand names need not be tried one by one


def _few(widths: list[float]) -> list[float]:
    """At most STEPS of the sorted ``widths``, evenly through them, the widest always kept."""
    if len(widths) <= STEPS:
        return widths
    return [widths[round(i * (len(widths) - 1) / (STEPS - 1))] for i in range(STEPS)]


def widen(table: t.Table, widths: list[float], points: float, wrap: frozenset[int],
          room: float) -> list[float]:
    """``widths`` with the room left given, step by step, to the ``wrap`` column whose next
    width (where one of its texts takes a line fewer) saves the most lines per point."""
    widths = list(widths)
    steps = {col: _few(sorted({narrowest(t.cell_text(text, table.kinds[col]), points, lines)
                               for text in {row[col] for row in table.rows} if text
                               for lines in range(1, MOST_LINES + 1)}))
             for col in wrap}
    total = sum(_row_lines(table, widths, points, wrap))
    while True:
        spare = room - printed_points(widths)
        best = None
        for col in wrap:
            for step in (step for step in steps[col] if step > widths[col] + 1e-9):
                cost = (step - widths[col]) * 5.9
                if cost > spare + 1e-9:
                    break
                trial = widths[:col] + [step] + widths[col + 1:]
                saved = total - sum(_row_lines(table, trial, points, wrap))
                if saved > 0 and (best is None or saved / cost > best[0]):
                    best = (saved / cost, col, step, saved)
        if best is None:
            return widths
        _, col, step, saved = best
        widths[col] = step
        total -= saved


GRID_GAP = 12.0  # points: column boundaries of two tables closer than this become one


def grid_for(tables: list[t.Table], points: float, room: float) -> tuple[float, ...]:
    """Grid columns for a sheet holding ``tables`` one under another: each table fitted to
    ``room`` on its own (its text wrapping where it must), the grid cut wherever any of them has
    a column boundary (two cuts nearer than GRID_GAP made one), so that every table's columns
    fall on grid columns (:func:`fitted_spans`)."""
    if not tables:
        return tuple(stretch([10.0] * 8, room))
    cuts: list[float] = []
    for table in tables:
        text = wrappable(table)
        at = 0.0
        for width in fit_document(table, room, text, (points,))[1][:-1]:
            at += 5.9 * width + 4.2
            cuts.append(at)
    merged: list[list[float]] = []
    for cut in sorted(cuts):
        if merged and cut - merged[-1][-1] < GRID_GAP:
            merged[-1].append(cut)
        else:
            merged.append([cut])
    middles = [sum(group) / len(group) for group in merged]
    edges = [0.0] + [cut for cut in middles if GRID_GAP <= cut <= room - GRID_GAP] + [room]
    return tuple(round((b - a - 4.2) / 5.9, 2) for a, b in zip(edges, edges[1:]))


def subtotal_groups(table: t.Table) -> list[tuple[int, int]]:
    """The rows of each 小计 group (its rows and the 小计 closing them), the 合计 and anything
    after the last 小计 going with the last group: what a page keeps together."""
    groups, first = [], 0
    for index in sorted(table.subtotals):
        groups.append((first, index))
        first = index + 1
    if first < len(table.rows):
        if groups:
            groups[-1] = (groups[-1][0], len(table.rows) - 1)
        else:
            groups.append((0, len(table.rows) - 1))
    return groups


def stretch(widths: list[float], room: float) -> list[float]:
    """Widths scaled up to print ``room`` points wide (a short table spans the page)."""
    limit, total = units_for(room, len(widths)), sum(widths)
    return [max(w, math.floor(w * limit / total * 100) / 100) for w in widths] if total < limit else widths


def spans(widths: list[float], grid: tuple[float, ...]) -> list[tuple[int, int]]:
    """Grid columns (first, last) for a table whose columns need ``widths``: each takes grid
    columns until it has its width, leaving one for each column after it; grid columns left
    over go to the first text-wide column (the widest need)."""
    count, placed, col = len(widths), [], 0
    for index, need in enumerate(widths):
        last = col
        while sum(grid[col:last + 1]) < need and len(grid) - (last + 1) > count - index - 1:
            last += 1
        placed.append((col, last))
        col = last + 1
    spare = len(grid) - col
    if spare > 0:
        widest = max(range(count), key=lambda i: widths[i])
        placed = [(first + (spare if i > widest else 0), last + (spare if i >= widest else 0))
                  for i, (first, last) in enumerate(placed)]
    return placed


SPAN_UNITS = 0.71  # what merging a further column adds beyond its width (its cell padding)


def span_units(grid: tuple[float, ...], first: int, last: int) -> float:
    """Units a cell merged over grid columns ``first``–``last`` holds: their widths and the
    padding between them (Excel: 7 px a unit + 5; LibreOffice prints in proportion)."""
    return sum(grid[first:last + 1]) + SPAN_UNITS * (last - first)


def fitted_spans(needs: list[float], soft: frozenset[int], grid: tuple[float, ...]
                 ) -> list[tuple[int, int]]:
    """Grid columns (first, last) for a table whose columns need ``needs`` units: the split of
    the grid into one run per column that falls short the least — a ``soft`` column (text that
    may wrap) may fall short at a tenth of the cost of a number's — then wastes the least."""
    count, size = len(needs), len(grid)
    if count > size:
        return spans(needs, grid)
    best: dict[tuple[int, int], tuple[float, list]] = {(0, 0): (0.0, [])}
    for index, need in enumerate(needs):
        following: dict[tuple[int, int], tuple[float, list]] = {}
        for (_, start), (cost, runs) in best.items():
            for end in range(start, size - (count - index - 1)):
                room = span_units(grid, start, end)
                short = max(0.0, need - room) * (10 if index in soft else 100)
                total = cost + short + max(0.0, room - need) * 0.01
                key = (index + 1, end + 1)
                if key not in following or total < following[key][0]:
                    following[key] = (total, runs + [(start, end)])
        best = following
    return best[(count, size)][1]


class Sheet:
    """A document's blocks written top-down on one worksheet of grid columns, A4 at 100 % (no
    shrinking below the type sizes chosen), every row's height set from its text. ``height``
    tracks the points used since the last page break, so a one-page document can check it.

    With ``paginate`` (the table documents) the sheet sets every page break itself, as the
    rows' heights say LibreOffice would print them, so that a table's 所属区 group and its 小计
    stay on one page where they fit, no page holds a lone data row of a table that could have
    kept it, a heading goes with its table, and a table that is not the repeated one still
    gets its header on top of each page it runs onto (a copy of the header row)."""

    def __init__(self, book, fmt: Formats, styles: dict, name: str, grid: tuple[float, ...],
                 table_font: float, landscape: bool = False, specs: dict | None = None,
                 worksheet_class=None, margins: dict = MARGINS, paginate: bool = False,
                 hard_breaks: bool = True):
        self.sheet = book.add_worksheet(name, worksheet_class=worksheet_class)
        self.fmt, self.styles, self.grid = fmt, styles, tuple(grid)
        self.specs = specs or STYLES  # the style specs ``styles`` were made from (a letter's own)
        self.row, self.height, self.breaks = 0, 0.0, []
        self.table_font, self.table_line = table_font, table_font * 1.25
        self.page_height = printable_height(landscape, margins)
        self.paginate = paginate
        # A sheet people work in (the result workbook) keeps its values as they are — a name
        # with a line end in it no longer matches a lookup — and breaks only its headers.
        self.hard_breaks = hard_breaks
        self._repeat = False
        self._heights: list[float] = []  # of every row written, as the file holds them
        self._header: tuple[int, int] | None = None  # the rows repeated on every page
        self._lead: int | None = None  # the first of the headings right above the next block
        self._data: set[int] = set()  # rows that are a table's data rows (not header, 小计, 合计)
        self._last_group: int | None = None  # the row the last table's last group starts on
        self._table_end: int | None = None  # the row after the last table
        for col, width in enumerate(self.grid):
            self.sheet.set_column(col, col, width)
        self.sheet.hide_gridlines(2)
        print_setup(self.sheet, landscape=landscape, fit_width=False, margins=margins)

    def write(self, blocks: Page) -> None:
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Break):
                self.page_break()
            elif isinstance(block, Repeat):
                self._repeat = True
            elif isinstance(block, Keep):
                self.keep(block, blocks[index + 1:])
            else:
                self.table(block)
        if self.breaks:
            self.sheet.set_h_pagebreaks(sorted(set(self.breaks)))

    def _set_height(self, height: float) -> None:
        self.sheet.set_row(self.row, height)
        self.height += written_height(height)
        self._heights.append(written_height(height))
        self.row += 1

    def _paragraph_height(self, block: Paragraph) -> float:
        line = self.styles[block.style][1]
        spec = self.specs[block.style][0]
        count = lines(block.text, sum(self.grid), spec["font_size"]) if spec.get("text_wrap") else 1
        return line * count + (3 if count > 1 else 0)

    def paragraph(self, block: Paragraph) -> None:
        cell_format, _ = self.styles[block.style]
        height = self._paragraph_height(block)
        if self.paginate and self.row and self._used_on_page() + written_height(height) > self.page_height:
            self.breaks.append(self.row)  # the page it flows onto starts with it, as printed
        lead = self.row if self._lead is None else self._lead
        self.sheet.merge_range(self.row, 0, self.row, len(self.grid) - 1, block.text, cell_format)
        self._set_height(height)
        heading = block.style in (HEADING, SUBTITLE, LABEL, TITLE)
        self._lead = lead if heading or (block.style == NOTE and self._lead is not None) else None

    def _repeated(self) -> float:
        """Points the repeated rows take on top of a page (none before they are written)."""
        header = self._header
        return sum(self._heights[header[0]:header[1] + 1]) if header else 0.0

    def _used_on_page(self) -> float:
        """Points used on the page the next row would print on: rows flow onto a new page
        when they do not fit, which starts with the repeated header rows."""
        return self._page()[0]

    def _page(self) -> tuple[float, int]:
        """(points used, first row) of the page the next row would print on."""
        header = self._header
        repeated = self._repeated()
        used, start, breaks = 0.0, 0, set(self.breaks)
        for row, height in enumerate(self._heights):
            top = repeated if header and row > header[1] else 0.0
            if row in breaks or used + height > self.page_height:
                used, start = top, row
            used += height
        return used, start

    def keep(self, block: Keep, closing: Page) -> None:
        """Move the last ``block.rows`` rows to a new page when ``closing`` would not fit
        under them (:class:`Keep`)."""
        need = sum(written_height(self._paragraph_height(b)) for b in closing if isinstance(b, Paragraph))
        if self._used_on_page() + need <= self.page_height or self.row <= block.rows:
            return
        start = self.row - block.rows
        if self.paginate and self._table_end == self.row:  # right under a table: its last group
            group = self._last_group                          # goes along, else no lone row
            top = self._repeated()
            if group is not None and top + sum(self._heights[group:]) + need <= self.page_height \
                    and group not in self.breaks:
                start = group
            else:
                while start > 0 and len(self._data & set(range(start, self.row))) < MIN_ROWS:
                    start -= 1
        self.breaks.append(start)

    def page_break(self) -> None:
        if self.row:
            self.breaks.append(self.row)
        self.height = 0.0
        self._lead = None

    def cell_lines(self, text: str, columns: tuple[float, ...]) -> int:
        """Lines a table cell's text wraps onto over grid ``columns`` (a letter counts its own)."""
        return lines(text, sum(columns), self.table_font)

    def _cells(self, values, kinds, row_role: str, placed, short) -> tuple[list, float]:
        """A row's cells as (first, last, value, format) and the row's height. With
        ``paginate`` a text is broken between words to fit its columns (so that no program
        breaks it elsewhere); else the program wraps it and :meth:`cell_lines` counts."""
        cells, height = [], 1
        for (first, last), value, kind, centre in zip(placed, values, kinds, short):
            cell_format = self.fmt.cell(kind, row_role, self.table_font, centre=centre,
                                        num_format=count_format(value, kind))
            value = t.sheet_value(value, kind)
            if isinstance(value, str) and (kind == t.TEXT or row_role == "header"):
                if self.paginate:
                    broken = wrapped(value, span_units(self.grid, first, last), self.table_font)
                    if self.hard_breaks or row_role == "header":
                        value = "\n".join(broken)
                    height = max(height, len(broken))
                else:
                    height = max(height, self.cell_lines(value, self.grid[first:last + 1]))
            cells.append((first, last, value, cell_format))
        return cells, self.table_line * height + 2

    def _write_cells(self, cells, height: float) -> None:
        for first, last, value, cell_format in cells:
            if first == last:
                self.sheet.write(self.row, first, value, cell_format)
            else:
                self.sheet.merge_range(self.row, first, self.row, last, value, cell_format)
        self._set_height(height)

    def table(self, table: t.Table, widths: list[float] | None = None,
              groups: list[tuple[int, int]] | None = None) -> None:
        """``table`` at the next row. With ``paginate``, ``groups`` (first, last row index)
        are kept on one page where they fit; by default the whole table is one group."""
        if widths is None and self.paginate:  # as many columns as the grid: one each
            room = printed_points(self.grid)
            text = wrappable(table)
            widths = (list(self.grid) if len(table.headers) == len(self.grid)
                      else fit_document(table, room, text, (self.table_font,))[1])
        elif widths is None:
            widths = table_widths(table, self.table_font, header_chars=HEADER_CHARS)
        if self.paginate and len(widths) != len(self.grid):
            placed = fitted_spans(widths, wrappable(table), self.grid)
        else:
            placed = spans(widths, self.grid)
        short = [col > 0 and kind == t.TEXT and _widest(row[col] for row in table.rows) <= SHORT
                 for col, kind in enumerate(table.kinds)]
        header, header_height = self._cells(table.headers, (t.TEXT,) * len(table.headers), "header",
                                            placed, short)
        body = [self._cells(values, table.kinds, role(table, index), placed, short)
                for index, values in enumerate(table.rows)]
        repeat, self._repeat = self._repeat, False
        starts: set[int] = set()
        if self.paginate:
            base = self._repeated()
            top = (0.0 if repeat else base) + written_height(header_height)
            used, start = self._page()
            before, starts = plan_breaks(
                used, self.page_height, base, top, written_height(header_height),
                [written_height(h) for _, h in body],
                [not table.is_summary(index) for index in range(len(body))],
                groups if groups is not None else [(0, len(body) - 1)],
                # only its own headings (a title) above it: a new page would leave nothing behind
                movable=self._lead is None or self._lead > start)
            if before and self.row:
                self.breaks.append(self.row if self._lead is None else self._lead)
        self._lead = None
        if repeat:
            self.sheet.repeat_rows(self.row)
            self._header = (self.row, self.row)
        self._write_cells(header, header_height)
        last_group = (groups[-1][0] if groups else 0) if groups is not None else 0
        for index, (cells, height) in enumerate(body):
            if index in starts:
                self.breaks.append(self.row)
                if not repeat:  # this table's header is not the repeated one: repeat it here
                    self._write_cells(header, header_height)
            if index == last_group:
                self._last_group = self.row
            if not table.is_summary(index):
                self._data.add(self.row)
            self._write_cells(cells, height)
        self._table_end = self.row


MIN_ROWS = 2  # data rows a part of a table keeps on a page (never a lone row)


def plan_breaks(used: float, page: float, base: float, top: float, header: float,
                heights: list[float], data: list[bool], groups: list[tuple[int, int]],
                movable: bool = True) -> tuple[bool, set[int]]:
    """Where a table's pages start: (whether it starts on a new page, the body rows that start
    one). ``used``: points of the page taken before the table; ``base``: what a new page starts
    with before any table (repeated rows); ``top``: what it starts with before this table's body
    rows (``base`` and this table's header); ``heights``/``data``: each body row's height and
    whether it is a data row (not 小计/合计); ``groups``: (first, last) body rows kept together.

    A group that does not fit under the rows already on the page starts a new page when it fits
    on one; a longer group flows, but never leaves fewer than MIN_ROWS data rows at either end
    of a page; a table starts on a new page when fewer than that (or its first group) would fit
    under its header (unless not ``movable``: nothing else would be left on the page)."""
    def rows_data(a: int, b: int) -> int:
        return sum(data[a:b])

    def need(first: int, last: int) -> float:  # what must follow the header on its page
        rows, count = 0.0, 0
        for index in range(first, last + 1):
            rows += heights[index]
            count += data[index]
            if count >= MIN_ROWS:
                break
        return rows

    starts: set[int] = set()
    before = False
    if groups and heights:
        first, last = groups[0]
        whole = sum(heights[first:last + 1])
        follow = whole if top + whole <= page else need(first, last)
        if movable and used > base and used + header + follow > page:
            before, used = True, base
    used += header
    on_page = 0  # body rows of this table on the current page
    for first, last in groups:
        size = sum(heights[first:last + 1])
        if used + size <= page:
            used += size
            on_page += last - first + 1
            continue
        if on_page and top + size <= page:
            starts.add(first)
            used, on_page = top + size, last - first + 1
            continue
        row = first
        while row <= last:
            if used + heights[row] <= page or not on_page:
                used += heights[row]
                on_page += 1
                row += 1
                continue
            cut = row  # the first row that no longer fits: where the next page would start
            while cut > first and rows_data(cut, last + 1) < MIN_ROWS:
                cut -= 1  # a lone row at the group's end takes one more along
            if 0 < rows_data(first, cut) < MIN_ROWS and on_page > cut - first:
                cut = first  # a lone row at the group's start goes over with the rest
            if cut <= first and on_page <= row - first:
                cut = row  # the group began this page: nothing better to do
            starts.add(cut)
            used, on_page = top + sum(heights[cut:row]), row - cut
    return before, starts


def count_format(value, kind: str) -> str:
    """Whole numbers of a NUMBER column (业务量) with thousands separators, as their text
    reads; weights such as 5.5 keep the General format."""
    whole = kind == t.NUMBER and value is not None and not isinstance(value, str) and value == int(value)
    return "#,##0" if whole else ""


def written_height(points: float) -> float:
    """The row height a file gets for ``points``: XlsxWriter stores whole pixels (0.75 pt), so
    13.25 becomes 13.5 — over the 50-odd rows of a 告知书, enough to push its last line over
    the page if the sum of the asked heights were trusted."""
    return 0.75 * int(points * 4 / 3 + 0.5)


def letter_styles(book, specs: dict | None = None) -> dict:
    return {name: (book.add_format(spec), line) for name, (spec, line) in (specs or STYLES).items()}


def page_text(pages: list[Page]) -> str:
    """The pages as plain text (paragraphs as lines, tables through ``table_text``), for a
    reader without LibreOffice and for golden-text tests."""
    out = []
    for number, page in enumerate(pages, start=1):
        out.append(f"===== {number} =====")
        for block in page:
            if isinstance(block, Paragraph):
                out.append(block.text)
            elif isinstance(block, t.Table):
                out.append(t.table_text(block))
    return "\n".join(out) + "\n"


def short_names(names: list[str]) -> list[str]:
    """Names without their common ending (e.g. 人社服务中心), so narrow columns stay legible."""
    suffix = os.path.commonprefix([name[::-1] for name in names])[::-1]
    if not suffix or any(name == suffix for name in names):
        return names
    return [name[:-len(suffix)] for name in names]
