"""告知书: one A4 page per center that the center can read alone — its score and rank, its grade
and why, the indicators where its share of the city's volume is largest, its complaints and
deductions, every amount and the total, the allocation method in one paragraph, and a line for
the 就业处's stamp and date.

Nothing is computed here: the amounts and the notes beside them come from the Allocation and
its explanation (:mod:`.explain`), the method from :func:`.result_workbook.method_lines`, the
labels from the contract, so a change of the rules reaches the notices as it reaches every
other output. The pages are laid out as a workbook, a sheet per center (A4 portrait, every row
height set, so LibreOffice Calc — the part of LibreOffice the project already needs — prints
each on one page), and LibreOffice renders all of them in one conversion. A file per center
is split from that PDF (pypdf): 2.2 × faster at 1,448 centers than converting a workbook per
center in LibreOffice sessions of 200 files, for files about 1.5 × larger (each keeps the font
subset of the whole PDF); see bench/PERFORMANCE.md.
"""
from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from pypdf import PdfReader, PdfWriter

from .. import __version__, contract
from ..clock import utc_moment
from ..io.atomic import write_atomic
from ..model import Allocation, CenterResult, Settings, month_text
from ..office.libreoffice import convert
from ..pipeline import Outcome, run
from . import tables as t
from .explain import LABEL, explain, find_center, sections
from .json_result import score_number
from .result_workbook import A4, Formats, method_lines

TOP_INDICATORS = 5  # indicators listed, by the center's share of the city's volume
LISTED = 5  # complaints and deduction records listed on the page; any more are counted
SECONDS_PER_PAGE = 0.5  # LibreOffice's time budget per notice, on top of a fixed minute
NOTICE = "告知书"

# The page: seven columns (Excel width units) that every table maps onto — a table's second
# column, its text, spans what its other columns leave, its last ones fall on the wide columns
# F and G (amounts must fit: Calc prints ### for a number wider than its cell); paragraphs
# span all seven.
COLUMNS = (15, 24, 8, 9, 10, 12, 13)
TITLE, SUBTITLE, BODY, HEADING, RIGHT, NOTE = "title", "subtitle", "body", "heading", "right", "note"
STYLES = {  # style → (XlsxWriter format, points per line)
    TITLE: ({"bold": True, "font_size": 15, "align": "center", "valign": "vcenter"}, 26),
    SUBTITLE: ({"font_size": 9.5, "align": "center", "valign": "top"}, 16),
    BODY: ({"font_size": 10.5, "text_wrap": True, "valign": "top"}, 16),
    HEADING: ({"bold": True, "font_size": 11, "valign": "bottom"}, 22),
    RIGHT: ({"font_size": 10.5, "align": "right", "valign": "vcenter"}, 22),
    NOTE: ({"font_size": 9, "text_wrap": True, "valign": "top"}, 13),
}
TABLE_FONT, TABLE_LINE = 9.5, 13  # points
MARGINS = {"left": 0.55, "right": 0.55, "top": 0.5, "bottom": 0.5}  # inches


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = BODY


Block = Paragraph | t.Table
Page = list[Block]


class NoticeLayoutError(RuntimeError):
    """LibreOffice did not print a notice on exactly one page."""


def notice_title(settings: Settings) -> str:
    draft = "（草案）" if settings.status == contract.STATUS_DRAFT else ""
    return f"{settings.year}年度人社基层平台建设考核结果及补助资金{NOTICE}{draft}"


def status_line(settings: Settings) -> str:
    """What the notice rests on: the 审定文号 and 审定日期, or that it is still a draft."""
    if settings.status == contract.STATUS_FINAL:
        when = (f"{settings.approval_date.year}年{settings.approval_date.month}月"
                f"{settings.approval_date.day}日" if settings.approval_date else "未填写")
        return f"审定文号：{settings.approval_number}　审定日期：{when}"
    return "草案：分配结果尚未审定，仅供核对；以审定后的正式文件为准"


def _capped(table: t.Table, note: str) -> t.Table:
    """The table's first LISTED records and a row counting the rest (in the second column, the
    text one of both record tables); its 合计 row stays."""
    body = [row for index, row in enumerate(table.rows) if not table.is_summary(index)]
    summary = [row for index, row in enumerate(table.rows) if table.is_summary(index)]
    if len(body) <= LISTED:
        return table
    more = [None] * len(table.headers)
    more[1] = f"另有 {len(body) - LISTED} 条，{note}"
    rows = body[:LISTED] + [tuple(more)] + summary
    return t.Table(table.title, table.headers, table.kinds, rows,
                   totals=frozenset(range(LISTED + 1, len(rows))))


def notice_page(allocation: Allocation, center: CenterResult) -> Page:
    """One center's notice as paragraphs and tables."""
    s = allocation.settings
    e = explain(allocation, center.code)
    overview, scores, workload, *records, total = sections(e)
    r = e.result
    leading = sorted(e.lines, key=lambda line: (-line.share, line.indicator.seq))[:TOP_INDICATORS]
    score_rows = {row[1]: row for row in scores.rows}  # by 事项名称
    top = t.Table(scores.title, scores.headers, scores.kinds,
                  [score_rows[line.indicator.name] for line in leading])
    # the basic award, the workload steps down to the net amount, then what is added to it
    net = LABEL["net_workload"]
    rows = total.rows[:1] + workload.rows + [row for row in total.rows[1:] if row[0] != net]
    money = t.Table("补助资金", total.headers, total.kinds, rows,
                    totals=frozenset({len(workload.rows), len(rows) - 1}))
    more = "完整记录可向就业处索取"
    page: Page = [
        Paragraph(notice_title(s), TITLE),
        Paragraph(status_line(s), SUBTITLE),
        Paragraph(f"{r.name}（{LABEL['code']} {r.code}，{r.district}）："),
        Paragraph(f"　　根据{contract.REGULATION}，现将你中心 {s.year} 年度"
                  f"（考核期 {month_text(s.period_start)} 至 {month_text(s.period_end)}）"
                  f"考核结果和以奖代补资金分配情况告知如下。"),
        Paragraph("一、考核结果", HEADING),
        overview,
        Paragraph(f"二、业务量占全市比重居前的 {len(leading)} 项指标（共 {len(e.lines)} 项，"
                  f"合计得分 {t.cell_text(score_number(r.score), t.SCORE)}）", HEADING),
        top,
        Paragraph("三、投诉和扣减", HEADING),
        *([_capped(record, more) for record in records] if records
          else [Paragraph("本年度没有有理投诉，也没有差错扣减。")]),
        Paragraph(f"四、补助资金（{t.UNIT_LINE}）", HEADING),
        money,
        Paragraph("五、资金分配办法", HEADING),
        Paragraph("；".join(f"{label}：{text}" for label, text in method_lines(allocation)) + "。",
                  NOTE),
        Paragraph("　　如对考核结果有异议，请及时与就业处联系。"),
        Paragraph(f"{allocation.settings.issuer}（盖章）", RIGHT),
        Paragraph("年　　月　　日　　　", RIGHT),
    ]
    return page


# --- layout ------------------------------------------------------------------------------------

def _spans(columns: int) -> list[tuple[int, int]]:
    """Grid columns (first, last) of each of a table's columns: the second takes the slack."""
    slack = len(COLUMNS) - columns
    spans, col = [], 0
    for index in range(columns):
        width = 1 + (slack if index == 1 else 0)
        spans.append((col, col + width - 1))
        col += width
    return spans


def _lines(text: str, first: int, last: int, points: float) -> int:
    """Lines a wrapped text takes across grid columns first..last (a width unit holds one
    half-width character at 11 pt; kept on the safe side)."""
    room = (sum(COLUMNS[first:last + 1]) - 1.5) * 10.5 / points
    return max(1, -(-t.display_width(text) // int(room)))


class _Sheet:
    """One notice on one worksheet: blocks written top-down, every row height set."""

    def __init__(self, book, fmt: Formats, styles: dict, name: str):
        self.sheet = book.add_worksheet(name)
        self.fmt, self.styles, self.row = fmt, styles, 0
        for col, width in enumerate(COLUMNS):
            self.sheet.set_column(col, col, width)
        self.sheet.set_paper(A4)
        self.sheet.set_portrait()
        self.sheet.fit_to_pages(1, 1)  # a notice longer than usual prints smaller, still one page
        self.sheet.set_margins(**MARGINS)
        self.sheet.hide_gridlines(2)

    def _height(self, height: float) -> None:
        self.sheet.set_row(self.row, height)
        self.row += 1

    def paragraph(self, block: Paragraph) -> None:
        cell_format, line = self.styles[block.style]
        last = len(COLUMNS) - 1
        self.sheet.merge_range(self.row, 0, self.row, last, block.text, cell_format)
        wraps = STYLES[block.style][0].get("text_wrap")
        size = STYLES[block.style][0]["font_size"]
        self._height(line * (_lines(block.text, 0, last, size) if wraps else 1))

    def table(self, table: t.Table) -> None:
        spans = _spans(len(table.headers))
        lines = [(table.headers, (t.TEXT,) * len(table.headers), "header")]
        lines += [(row, table.kinds, "total" if table.is_summary(index) else "body")
                  for index, row in enumerate(table.rows)]
        for values, kinds, role in lines:
            height = 1
            for (first, last), value, kind in zip(spans, values, kinds):
                cell_format = self.fmt.cell(kind, role)
                value = t.sheet_value(value, kind)
                if first == last:
                    self.sheet.write(self.row, first, value, cell_format)
                else:
                    self.sheet.merge_range(self.row, first, self.row, last, value, cell_format)
                if isinstance(value, str) and (kind == t.TEXT or role == "header"):
                    height = max(height, _lines(value, first, last, TABLE_FONT))
            self._height(TABLE_LINE * height + 2)


def notices_workbook(allocation: Allocation, centers: list[CenterResult]) -> bytes:
    """The notices of ``centers`` as a workbook, a sheet (a printed page) per center."""
    year = allocation.settings.year
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"title": notice_title(allocation.settings), "author": "JBSys-XL",
                         "comments": f"JBSys-XL {__version__}", "created": utc_moment()})
    fmt = Formats(book, font_size=TABLE_FONT)
    styles = {name: (book.add_format(spec), line) for name, (spec, line) in STYLES.items()}
    for number, center in enumerate(centers, start=1):
        sheet = _Sheet(book, fmt, styles, f"{number:04d}")
        for block in notice_page(allocation, center):
            (sheet.paragraph if isinstance(block, Paragraph) else sheet.table)(block)
    book.close()
    return buffer.getvalue()


# --- files -------------------------------------------------------------------------------------

def chosen_centers(allocation: Allocation, centers: list[str] | None) -> list[CenterResult]:
    """The centers asked for (by 中心编码 or 中心名称, in that order, once each), or all of them;
    raises UnknownCenter for a center that is not active in the year."""
    if not centers:
        return list(allocation.centers)
    found = [find_center(allocation, center) for center in centers]
    return list({result.code: result for result in found}.values())


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def file_name(center: CenterResult, year: int) -> str:
    """A per-center file name, safe on Windows too."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{center.code}-{center.name}-{NOTICE}-{year}") + ".pdf"


def write_notices(outcome: Outcome, target: str | Path, centers: list[str] | None = None
                  ) -> list[Path]:
    """Write the notices of a valid outcome: into one PDF when ``target`` ends in .pdf, else a
    PDF per center into the folder ``target``. Nothing is written unless LibreOffice printed
    every notice on exactly one page. Returns the files written.

    Raises UnknownCenter, LibreOfficeMissing, LibreOfficeError or NoticeLayoutError."""
    allocation = outcome.allocation
    chosen = chosen_centers(allocation, centers)
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="jbsys-notices-") as folder:
        source = Path(folder) / f"{NOTICE}.xlsx"
        source.write_bytes(notices_workbook(allocation, chosen))
        pdf = convert(source, "pdf", Path(folder), timeout=60 + SECONDS_PER_PAGE * len(chosen))
        data = pdf.read_bytes()
    pages = PdfReader(io.BytesIO(data)).pages
    if len(pages) != len(chosen):
        raise NoticeLayoutError(f"{NOTICE}排版有误：{len(chosen)} 个中心排成了 {len(pages)} 页"
                                "（应每个中心一页）")
    if target.suffix.lower() == ".pdf":
        return [write_atomic(target, data)]
    written = []
    for center, page in zip(chosen, pages):
        one = PdfWriter()
        one.add_page(page)
        buffer = io.BytesIO()
        one.write(buffer)
        written.append(write_atomic(target / file_name(center, allocation.settings.year),
                                    buffer.getvalue()))
    return written


def notices_beside(workbook: str | Path, year: int, source=None) -> Path:
    """For the Excel layer: every center's notice in one PDF next to ``workbook``
    (``<name>-告知书-<year>.pdf``); returns its path. ``source`` is the input as read from the
    open book (a RawBook), when it may differ from the file on disk.

    Raises ValueError with the errors when the input does not validate, and what
    :func:`write_notices` raises."""
    workbook = Path(workbook)
    outcome = run(source if source is not None else workbook, year)
    if not outcome.ok:
        raise ValueError("\n".join(str(check) for check in outcome.errors))
    target = workbook.with_name(f"{workbook.stem}-{NOTICE}-{year}.pdf")
    write_notices(outcome, target)
    return target
