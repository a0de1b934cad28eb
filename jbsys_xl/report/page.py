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
import os
from dataclasses import dataclass

import xlsxwriter

from .. import __version__, contract
from ..clock import chinese_date, run_date, utc_moment
from ..model import Settings
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
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.4, "bottom": 0.55}  # inches
# What LibreOffice prints for a column of width w (measured with the 宋体 substitute): about
# 5.9 pt a unit plus 4.2 pt; Excel prints narrower (5.25 pt a unit plus 3.75 pt). Documents are
# sized so that LibreOffice's page holds them; text is wrapped as Excel's narrower cells need.
def printed_points(widths) -> float:
    return sum(5.9 * width + 4.2 for width in widths)


# Printable width and height in points: A4 less the margins (and a little for rounding), the
# height less the footer's room.
LANDSCAPE_WIDTH = 841.9 - 72 * (MARGINS["left"] + MARGINS["right"]) - 6
PORTRAIT_WIDTH = 595.3 - 72 * (MARGINS["left"] + MARGINS["right"]) - 6
LANDSCAPE_HEIGHT = 595.3 - 72 * (MARGINS["top"] + MARGINS["bottom"]) - 12
PORTRAIT_HEIGHT = 841.9 - 72 * (MARGINS["top"] + MARGINS["bottom"]) - 12


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
    return max(1, -(-t.display_width(text) // room)) if text else 1


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
                fit_width: bool = True) -> None:
    """A4, header row repeated on every page, 第 x 页 共 y 页. ``fit_width``: one page wide (the
    workbooks people browse); documents pass False and are sized to fit at 100 %."""
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
    sheet.set_margins(**MARGINS)
    sheet.set_footer(FOOTER)
    if header_row is not None:
        sheet.repeat_rows(header_row)


# --- what every document says about itself ------------------------------------------------------

def title_with_status(title: str, settings: Settings) -> str:
    """A document's title: 草案 in it while the year is not 审定 (documents.md §0)."""
    return f"{title}（{contract.STATUS_DRAFT}）" if settings.status == contract.STATUS_DRAFT else title


def approval_line(settings: Settings) -> str | None:
    """The 文号 on its own line under the title of an 审定 document; None in a draft."""
    if settings.status != contract.STATUS_FINAL:
        return None
    day = f"　审定日期：{chinese_date(settings.approval_date)}" if settings.approval_date else ""
    return f"{settings.approval_number}{day}"


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
SMALLEST = min(spec["font_size"] for spec, _ in STYLES.values())


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


def fit_widths(table: t.Table, points: float, room: float) -> list[float]:
    """Natural widths (text on one line) when they print within ``room`` points, else the text
    columns narrowed — the widest first, not below 8 units — until they do (their text wraps)."""
    widths = table_widths(table, points, text_cap=MAX_WIDTH)
    limit = units_for(room, len(widths))
    while sum(widths) > limit + 0.01:
        text = [col for col, kind in enumerate(table.kinds) if kind == t.TEXT and widths[col] > 8]
        if not text:
            break
        widest = max(text, key=lambda col: widths[col])
        widths[widest] = round(max(8.0, widths[widest] - (sum(widths) - limit)), 1)
    return widths


def wrapped_lines(table: t.Table, widths: list[float], points: float) -> int:
    """The most lines a body cell of ``table`` wraps onto at these widths."""
    return max([lines(t.cell_text(value, kind), width, points)
                for row in table.rows for value, kind, width in zip(row, table.kinds, widths)
                if kind == t.TEXT] + [1])


def stretch(widths: list[float], room: float) -> list[float]:
    """Widths scaled up to print ``room`` points wide (a short table spans the page)."""
    limit, total = units_for(room, len(widths)), sum(widths)
    return [round(w * limit / total, 1) - 0.05 for w in widths] if total < limit else widths


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


class Sheet:
    """A document's blocks written top-down on one worksheet of grid columns, A4 at 100 % (no
    shrinking below the type sizes chosen), every row's height set from its text. ``height``
    tracks the points used since the last page break, so a one-page document can check it."""

    def __init__(self, book, fmt: Formats, styles: dict, name: str, grid: tuple[float, ...],
                 table_font: float, landscape: bool = False, specs: dict | None = None,
                 worksheet_class=None):
        self.sheet = book.add_worksheet(name, worksheet_class=worksheet_class)
        self.fmt, self.styles, self.grid = fmt, styles, tuple(grid)
        self.specs = specs or STYLES  # the style specs ``styles`` were made from (a letter's own)
        self.row, self.height, self.breaks = 0, 0.0, []
        self.table_font, self.table_line = table_font, table_font * 1.25
        self.page_height = LANDSCAPE_HEIGHT if landscape else PORTRAIT_HEIGHT
        self._repeat = False
        self._heights: list[float] = []  # of every row written, as the file holds them
        self._header: tuple[int, int] | None = None  # the rows repeated on every page
        for col, width in enumerate(self.grid):
            self.sheet.set_column(col, col, width)
        self.sheet.hide_gridlines(2)
        print_setup(self.sheet, landscape=landscape, fit_width=False)

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
            self.sheet.set_h_pagebreaks(self.breaks)

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
        self.sheet.merge_range(self.row, 0, self.row, len(self.grid) - 1, block.text, cell_format)
        self._set_height(self._paragraph_height(block))

    def _used_on_page(self) -> float:
        """Points used on the page the next row would print on: rows flow onto a new page
        when they do not fit, which starts with the repeated header rows."""
        header = self._header
        repeated = sum(self._heights[header[0]:header[1] + 1]) if header else 0.0
        used, breaks = 0.0, set(self.breaks)
        for row, height in enumerate(self._heights):
            top = repeated if header and row > header[1] else 0.0
            if row in breaks or used + height > self.page_height:
                used = top
            used += height
        return used

    def keep(self, block: Keep, closing: Page) -> None:
        """Move the last ``block.rows`` rows to a new page when ``closing`` would not fit
        under them (:class:`Keep`)."""
        need = sum(written_height(self._paragraph_height(b)) for b in closing if isinstance(b, Paragraph))
        if self._used_on_page() + need > self.page_height and self.row > block.rows:
            self.breaks.append(self.row - block.rows)

    def page_break(self) -> None:
        if self.row:
            self.breaks.append(self.row)
        self.height = 0.0

    def cell_lines(self, text: str, columns: tuple[float, ...]) -> int:
        """Lines a table cell's text wraps onto over grid ``columns`` (a letter counts its own)."""
        return lines(text, sum(columns), self.table_font)

    def table(self, table: t.Table, widths: list[float] | None = None) -> None:
        placed = spans(widths or table_widths(table, self.table_font, header_chars=HEADER_CHARS), self.grid)
        rows = [(table.headers, (t.TEXT,) * len(table.headers), "header")]
        rows += [(values, table.kinds, role(table, index)) for index, values in enumerate(table.rows)]
        if self._repeat:
            self.sheet.repeat_rows(self.row)
            self._header = (self.row, self.row)
            self._repeat = False
        short = [col > 0 and kind == t.TEXT and _widest(row[col] for row in table.rows) <= SHORT
                 for col, kind in enumerate(table.kinds)]
        for values, kinds, row_role in rows:
            height = 1
            for (first, last), value, kind, centre in zip(placed, values, kinds, short):
                cell_format = self.fmt.cell(kind, row_role, self.table_font, centre=centre,
                                            num_format=count_format(value, kind))
                value = t.sheet_value(value, kind)
                if first == last:
                    self.sheet.write(self.row, first, value, cell_format)
                else:
                    self.sheet.merge_range(self.row, first, self.row, last, value, cell_format)
                if isinstance(value, str) and (kind == t.TEXT or row_role == "header"):
                    height = max(height, self.cell_lines(value, self.grid[first:last + 1]))
            self._set_height(self.table_line * height + 2)


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
