"""The letter page (documents.md §0, v4 公文 form), one style for the 告知书, the
硬件建设补助告知书 and the 公示: GB/T 9704-2012's page — A4, 天头 37 mm, 订口 28 mm, a 版心 of
156 × 225 mm — the title in 2号 (22 pt) bold 小标宋, running text in 3号 (16 pt) 仿宋 and never
below 4号 (14 pt), 一、 headings in 黑体 and （一） in 楷体, tables in 5号 (10.5 pt) 宋体, and
the page number ``— 1 —`` in 4号 宋体 7 mm under the 版心, odd pages right and even pages left,
each one character in (7.2–7.3, 7.5).

A letter is a workbook sheet printed by LibreOffice, as every document (:mod:`.page`): a sheet
per letter, numbered from 1 on its own, so the notices of every center in one file each start at
``— 1 —``; a letter takes as many pages as it needs rather than shrink. The height of every row
is set here, so the pages LibreOffice makes are known before it prints (:attr:`LetterSheet.pages`),
which lets a file per center be cut from one PDF. Headings stay with what follows them, a short
table (with its caption) is not split, a long one runs on under its header again, and the
signature stays with the last paragraph. Lines are counted as LibreOffice breaks them, with the
CJK rules it does not keep by itself glued in (no line starts with 。).

The faces are the run's (:func:`jbsys_xl.office.fonts.faces`) when printing, named in the cells
and recorded in the PDF's properties; a workbook handed out as .xlsx names the faces of a
Chinese office (:func:`jbsys_xl.office.fonts.standard_faces`), so its bytes do not depend on the
computer that made it.
"""
from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..model import Check
from ..office import fonts
from . import breaks
from . import page as p
from . import tables as t

POINTS_PER_MM = 72 / 25.4
COLUMNS = 16  # fine enough for any table's columns (each at least a unit wide: see pixel_grid)


def pixel_grid(points: float, columns: int) -> tuple[float, ...]:
    """``columns`` widths that print as close to ``points`` wide as whole pixels allow, never
    wider (a column past the 版心 would print on a page of its own). A workbook stores a width
    as whole pixels, (px − 5) / 7 units (XlsxWriter rounds to them), and LibreOffice prints a
    unit as 5.9 pt plus 4.2 pt a column (:func:`.page.printed_points`)."""
    def printed(px: int) -> float:
        return 5.9 * (px - 5) / 7 + 4.2

    base = int((points / columns - 4.2) / 5.9 * 7) + 5
    assert base >= 12, "a column under a unit is stored otherwise (12 px a unit): use fewer columns"
    wider = int((points - columns * printed(base)) / (printed(base + 1) - printed(base)))
    return tuple((base + (1 if n < min(wider, columns) else 0) - 5) / 7 for n in range(columns))


@dataclass(frozen=True)
class Geometry:
    """A letter's page: the margins (mm) around its 版心 and the grid of columns over it."""

    landscape: bool
    top: float
    bottom: float
    left: float
    right: float
    columns: int

    @property
    def width(self) -> float:
        """The 版心's width in points."""
        paper = 297 if self.landscape else 210
        return (paper - self.left - self.right) * POINTS_PER_MM

    @property
    def height(self) -> float:
        """The points of rows a page holds: the 版心 less the room LibreOffice keeps above the
        footer (measured: a 225 mm 版心 holds 630–634 pt of rows)."""
        paper = 210 if self.landscape else 297
        return (paper - self.top - self.bottom) * POINTS_PER_MM - 7.8

    @property
    def footer(self) -> float:
        """Paper edge to the page number's line (mm): its 一字线 7 mm under the 版心 (measured:
        a footer margin of 11 mm less than the bottom margin puts it there)."""
        return self.bottom - 11

    @property
    def grid(self) -> tuple[float, ...]:
        return pixel_grid(self.width - 2, self.columns)  # as wide as the 版心, two points spare


# GB/T 9704-2012 5.2: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so 26 mm right, 35 mm below).
PORTRAIT = Geometry(False, top=37, bottom=35, left=28, right=26, columns=COLUMNS)
# A table too wide for the 版心 turns the page (GB/T 9704-2012 7.5 allows 横排表格): the same 版心
# on its side, 225 × 156 mm.
LANDSCAPE = Geometry(True, top=28, bottom=26, left=37, right=35, columns=44)
BLOCK_WIDTH, BLOCK_HEIGHT, GRID = PORTRAIT.width, PORTRAIT.height, PORTRAIT.grid
TITLE_POINTS, TEXT_POINTS, SMALL_TEXT_POINTS, TABLE_POINTS, NUMBER_POINTS = 22, 16, 14, 10.5, 14
INDENT = "　　"  # a paragraph's first line starts two characters in
# A line's height in ems. A cell cannot set its line spacing, so the text lies at the face's own
# (Noto Serif CJK 1.44 em, FandolFang 1.25 em) and a row gives each line a little more: text is
# never cut, and paragraphs follow each other at about the spacing of their lines.
LINE = 1.5
SUBHEADING = "subheading"  # （一）: 楷体
PAGE_NUMBER = "— &P —"
# Odd pages: right, one character in; even pages: left, one character in (GB/T 9704-2012 7.5).
ODD_FOOTER = f'&R&"{p.SONG},常规"&{NUMBER_POINTS}{PAGE_NUMBER}　'
EVEN_FOOTER = f'&L&"{p.SONG},常规"&{NUMBER_POINTS}　{PAGE_NUMBER}'
TABLE_LINE = TABLE_POINTS * 1.45  # a table line's height: the CJK faces' own line is ≈ 1.44 em
NO_LINE_START = "，。、；：？！）》」』”’…—％%,.;:?!)"  # punctuation a line never starts with
NO_LINE_END = "（《「『“‘("  # nor ends with
GLUE = "\ufeff"  # ZERO WIDTH NO-BREAK SPACE: LibreOffice breaks no line at it (U+2060 it ignores)
UNGLUED = "”’…—"  # after the glue LibreOffice sets these in a Latin fallback face (DejaVu): left free


def specs(faces: fonts.Faces) -> dict:
    """The letter's paragraph styles (format spec, points per line) in ``faces``."""
    def text(face: str, size: float, **spec):
        return p.font(face, size, text_wrap=True, valign="top", **spec)

    return {
        p.TITLE: (text(faces["title"], TITLE_POINTS, bold=True, align="center"), LINE * TITLE_POINTS),
        p.BANNER: (p.font(faces["heading"], TEXT_POINTS, align="center", valign="vcenter",
                          font_color="#C00000", border=2, border_color="#C00000"), 30),
        p.BODY: (text(faces["body"], TEXT_POINTS), LINE * TEXT_POINTS),
        p.HEADING: (text(faces["heading"], TEXT_POINTS), LINE * TEXT_POINTS),
        SUBHEADING: (text(faces["kai"], TEXT_POINTS), LINE * TEXT_POINTS),
        p.NOTE: (text(faces["body"], SMALL_TEXT_POINTS), LINE * SMALL_TEXT_POINTS),
        p.RIGHT: (p.font(faces["body"], TEXT_POINTS, align="right", valign="vcenter"), LINE * TEXT_POINTS),
    }



class LetterWorksheet(Worksheet):
    """A worksheet whose even pages carry a footer of their own (XlsxWriter writes only the
    odd pages' footer): the page number changes sides."""

    even_footer = ""

    def _write_header_footer(self) -> None:
        if not self.even_footer:
            super()._write_header_footer()
            return
        attributes = [("differentOddEven", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        self._xml_data_element("oddFooter", self.footer)
        self._xml_data_element("evenFooter", self.even_footer)
        self._xml_end_tag("headerFooter")


def _width(char: str) -> float:
    """A character's width in ems: CJK and full-width 1; the Latin glyphs of the CJK faces are
    proportional — digits half an em, . , : and spaces a quarter, letters a little more."""
    if char == GLUE:
        return 0.0
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    if char.isdigit():
        return 0.56
    return 0.3 if char in ".,:;'!| " else 0.36 if char in "-()[]" else 0.62


class TrialWorksheet(LetterWorksheet):
    """A worksheet that keeps no cells: a trial layout needs only the rows' heights, which the
    letter counts itself."""

    def write(self, *args, **kwargs):
        return 0

    write_string = write_number = write_blank = merge_range = set_row = write


def _tokens(text: str) -> list[tuple[str, float]]:
    """Pieces a line may break between, each with its width in ems: a CJK character alone, a
    run of Latin letters and digits (an amount never breaks; a line may break after a hyphen),
    punctuation with the piece before it (a line never starts with 。 or ）) or after it (nor
    ends with （ or “), a space alone."""
    pieces: list[list] = []
    for char in text:
        wide = unicodedata.east_asian_width(char) in "WF"
        latin = not wide and not char.isspace()
        if pieces and (char in NO_LINE_START or char == GLUE or pieces[-1][0][-1] in NO_LINE_END + GLUE
                       or (latin and pieces[-1][2] and not _hyphen(pieces[-1][0]))
                       or (char.isdigit() and pieces[-1][0][-1] == "-" and not _hyphen(pieces[-1][0]))):
            pieces[-1][0] += char
            pieces[-1][1] += _width(char)
            if char != GLUE:
                pieces[-1][2] = latin  # what ends the piece decides what may join it
        else:
            pieces.append([char, _width(char), latin])
    return [(piece, width) for piece, width, _ in pieces]


def _hyphen(piece: str) -> bool:
    """A piece ending in a hyphen a line may break after (2024-|06), not in a sign (-32.46%)."""
    return len(piece) > 1 and piece[-1] == "-" and piece[-2].isalnum()


@lru_cache(maxsize=65536)  # 200 letters repeat most of their words, labels and names
def text_lines(text: str, points: float, width: float) -> int:
    """Lines ``text`` wraps onto in ``width`` points at ``points``, breaking as the office
    programs do (a space at the end of a line hangs past it); ``\n`` starts a line."""
    count = 0
    for part in text.split("\n"):
        count += 1
        used = 0.0
        for piece, ems in _tokens(part):
            if used + ems * points > width:
                if piece.isspace():
                    continue
                if used:
                    count += 1
                    used = 0.0
            used += ems * points
    return count


@lru_cache(maxsize=65536)
def glued(text: str) -> str:
    """``text`` with each punctuation mark a line never starts with glued to the character
    before it, each one a line never ends with to the character after it, and a minus sign to
    its number: LibreOffice's cells do not keep these rules by themselves and would start a
    line with a lone 。 or end one with （- (as :func:`text_lines` counts, they now never do)."""
    out = []
    for index, char in enumerate(text):
        if out and char in NO_LINE_START and char not in UNGLUED and not text[index - 1].isspace():
            out.append(GLUE)
        elif out and text[index - 1] in NO_LINE_END and not char.isspace():
            out.append(GLUE)
        elif char.isdigit() and text[index - 1] == "-" and (index < 2 or not text[index - 2].isalnum()):
            out.append(GLUE)  # a minus sign stays with its number
        out.append(char)
    return "".join(out)


def text_width(grid, office: bool) -> float:
    """The width a paragraph merged over ``grid`` wraps in, less the cell's padding: as
    LibreOffice prints it (:func:`.page.printed_points`), or with ``office`` as Excel shows it
    (narrower: 5.25 pt a unit plus 3.75 pt a column)."""
    return sum(5.25 * width + 3.75 for width in grid) - 4 if office else p.printed_points(grid) - 3


class LetterSheet(p.Sheet):
    """A letter on its own worksheet: the page, the faces and the page numbers above, headings
    kept with what follows them, and the pages it takes known as it is written."""

    def __init__(self, book, fmt: p.Formats, styles: dict, name: str, letter_specs: dict,
                 geometry: Geometry = PORTRAIT, office: bool = False, trial: bool = False):
        super().__init__(book, fmt, styles, name, geometry.grid, TABLE_POINTS, geometry.landscape,
                         specs=letter_specs, worksheet_class=TrialWorksheet if trial else LetterWorksheet)
        self.page_height = geometry.height
        self.table_line = TABLE_LINE
        sheet = self.sheet
        sheet.set_margins(left=geometry.left / 25.4, right=geometry.right / 25.4, top=geometry.top / 25.4,
                          bottom=geometry.bottom / 25.4)
        sheet.hcenter = False  # the 版心 starts at the 订口, not in the middle of the paper
        sheet.set_footer(ODD_FOOTER, {"margin": geometry.footer / 25.4})
        sheet.even_footer = EVEN_FOOTER
        sheet.set_start_page(1)  # each letter numbered on its own
        self.tables: list[tuple[int, list[tuple[int, int]]]] = []  # each table's header row and spans
        self.office = office  # rows sized for Excel and WPS, not for LibreOffice's print

    def table(self, table: t.Table, widths: list[float] | None = None) -> None:
        widths = widths or fitting_widths(table, self.grid, self.office)
        placed = p.spans(widths, self.grid)
        self.tables.append((self.row, placed))
        spans = [self.grid[first:last + 1] for first, last in placed]
        headers = tuple(self._header_lines(header, columns) for header, columns in zip(table.headers, spans))
        rows = table.rows if self.office else [
            tuple(self._broken(value, columns) if isinstance(value, str) and kind == t.TEXT
                  else glued(value) if isinstance(value, str) else value
                  for value, kind, columns in zip(row, table.kinds, spans)) for row in table.rows]
        super().table(t.Table(table.title, headers, table.kinds, rows, table.subtotals, table.totals), widths)

    def _broken(self, text: str, columns: tuple[float, ...]) -> str:
        """A cell's text too long for its column broken between words (:mod:`.breaks`: 雕庄街道
        人社服务中心|（示例数据）, never （示例数|据）), so LibreOffice does not break it elsewhere."""
        if self.cell_lines(text, columns) <= 1:
            return glued(text)
        lines = breaks.wrap(text, lambda line: self.cell_lines(line, columns) <= 1)
        return "\n".join(glued(line) for line in lines)

    def _header_lines(self, header: str, columns: tuple[float, ...]) -> str:
        """A header too wide for its column broken where the words allow: before its （…）
        (金额/（元）), else into lines of even length (本中心/业务量, never 本中心业/务量)."""
        lines = self.cell_lines(header, columns)
        if lines == 1 or "\n" in header:
            return header
        cut = header.find("（")
        if cut > 0 and all(self.cell_lines(part, columns) == 1 for part in (header[:cut], header[cut:])):
            return f"{header[:cut]}\n{header[cut:]}"
        per_line = -(-len(header) // lines)
        return "\n".join(header[start:start + per_line] for start in range(0, len(header), per_line))

    def paragraph(self, block: p.Paragraph) -> None:
        """A paragraph merged over the grid. Its other cells are left out of the file unless
        the style has a border (Excel draws a border cell by cell): a letter is mostly
        paragraphs, and LibreOffice's time grows with every cell it reads."""
        block = block if self.office else p.Paragraph(glued(block.text), block.style)
        if self.specs[block.style][0].get("border"):
            super().paragraph(block)
            return
        cell_format, _ = self.styles[block.style]
        self.sheet.write_string(self.row, 0, block.text, cell_format)
        self.sheet.merge.append([self.row, 0, self.row, len(self.grid) - 1])  # as merge_range records it
        self._set_height(self._paragraph_height(block))

    def cell_lines(self, text: str, columns: tuple[float, ...]) -> int:
        return text_lines(text, self.table_font, text_width(columns, self.office))

    def _paragraph_height(self, block: p.Paragraph) -> float:
        spec, line = self.specs[block.style]
        count = (text_lines(block.text, spec["font_size"], text_width(self.grid, self.office))
                 if spec.get("text_wrap") else 1)
        return line * count + (3 if count > 1 else 0)

    def write(self, blocks: p.Page) -> None:
        """Write ``blocks`` top-down, then break pages where a heading would end a page or a
        table that fits on one would be split (:meth:`_keep`)."""
        placed = []  # (block, first row, row after)
        closing = []  # first rows of what each Keep holds together
        for block in blocks:
            first = self.row
            if isinstance(block, p.Keep):
                closing.append(max(0, self.row - block.rows))
                continue
            if isinstance(block, p.Paragraph):
                self.paragraph(block)
            elif isinstance(block, p.Break):
                self.page_break()
            elif isinstance(block, p.Repeat):
                self._repeat = True
            else:
                self.table(block)
            placed.append((block, first, self.row))
        self.placed = placed
        groups, explicit = _groups(placed, closing, self.row), set(self.breaks)
        for _ in range(len(groups) + 1):  # a break for one group may split an earlier one
            before = list(self.breaks)
            for first, end, head in groups:
                self._keep(first, end, head, explicit)
            if self.breaks == before:
                break
        # Every page ends at a break of ours: LibreOffice's own would come a few points later
        # (its page holds 630–634 pt), and the pages it makes would not be those counted here.
        pages = self.row_pages()
        self.breaks = sorted({row for row in range(1, len(pages)) if pages[row] != pages[row - 1]})
        if self.breaks:
            self.sheet.set_h_pagebreaks(self.breaks)

    def row_pages(self) -> list[int]:
        """The page (from 0) each row prints on as LibreOffice lays them out: rows never split,
        a row that does not fit starts the next page (under the repeated header rows), and so
        does a row with a page break."""
        header = self._header
        repeated = sum(self._heights[header[0]:header[1] + 1]) if header else 0.0
        breaks, page, used, pages = set(self.breaks), 0, 0.0, []
        for row, height in enumerate(self._heights):
            if row and (row in breaks or used + height > self.page_height):
                page += 1
                used = repeated if header and row > header[1] else 0.0
            used += height
            pages.append(page)
        return pages

    @property
    def pages(self) -> int:
        """The pages this letter prints on."""
        found = self.row_pages()
        return found[-1] + 1 if found else 1

    def split_tables(self, blocks: p.Page) -> p.Page | None:
        """``blocks`` with the first long table that runs onto another page split where the
        page turns, the rest under its header again on the next page; None when none does (a
        short table is moved whole instead, :func:`_groups`; one whose header repeats by
        itself, the 公示's, is left as it is)."""
        pages = self.row_pages()
        for index, (block, first, after) in enumerate(self.placed):
            if not isinstance(block, t.Table) or len(block.rows) <= LONG_TABLE or self._header == (first, first):
                continue
            turn = next((row for row in range(first + 1, after) if pages[row] != pages[first]), None)
            if turn is not None:  # the rows on the first page, leaving the next a few (never 合计 alone)
                cut = min(turn - first - 1, len(block.rows) - HEAD_ROWS)
                at = blocks.index(block)
                return [*blocks[:at], *_split(block, cut), *blocks[at + 1:]]
        return None

    def _keep(self, first: int, end: int, head: int, explicit: set[int]) -> None:
        """Rows ``first`` … ``end - 1`` on one page when they fit on one; else at least rows
        ``first`` … ``head - 1`` (a heading and the top of what follows it). A break this makes
        replaces those made inside the rows for smaller groups (not ``explicit`` ones)."""
        for last in (end, head):
            pages = self.row_pages()
            if last <= first or first == 0 or pages[first] == pages[last - 1]:
                return
            if pages[first - 1] != pages[first]:
                return  # already at the top of a page
            if sum(self._heights[first:last]) <= self.page_height:
                self.breaks = [row for row in self.breaks if not first < row < last or row in explicit]
                self.breaks.append(first)
                return


CELL_PADDING = 6  # points a cell keeps around its text
TEXT_CAP = 18  # units: a wider text column wraps instead


def needs(table: t.Table, office: bool = False, cap: float | None = TEXT_CAP) -> list[float]:
    """The width (column units) each column of ``table`` needs in 5号: its widest value on one
    line (a text column up to ``cap``, then it wraps), its header on lines of at most
    :data:`.page.HEADER_CHARS` characters. Measured as the letter's lines are (:func:`ems`) and
    turned into units as LibreOffice prints them — or, ``office``, as Excel shows them (narrower:
    more units for the same text)."""
    def units(points: float) -> float:
        return (points - 3.75) / 5.25 if office else (points - 4.2) / 5.9

    widths = []
    for col, kind in enumerate(table.kinds):
        texts = {t.cell_text(value, kind) for value in {row[col] for row in table.rows}}
        header = table.headers[col]
        rows = -(-len(header) // p.HEADER_CHARS)
        widest = max([ems(text) for text in texts] + [ems(header[:-(-len(header) // rows)]), 2.0])
        need = units(widest * TABLE_POINTS + CELL_PADDING)
        widths.append(round(min(need, cap) if kind == t.TEXT and cap else need, 1))
    return widths


def _grid_columns(table: t.Table, grid: tuple[float, ...], office: bool = False
                  ) -> tuple[list[float], list[int], float, float]:
    """The widths ``table``'s columns need in the letter's type, the grid columns each takes
    for them, a grid column's width and the padding a merged cell also prints over."""
    widths = needs(table, office)
    gap = 4.2 / 5.9
    unit = sum(grid) / len(grid) + gap
    return widths, [max(1, math.ceil((need + gap) / unit - 0.05)) for need in widths], unit, gap


MIN_TEXT = 8  # units: a text column narrower than four characters of 5号 would wrap every word
SHORT_VALUE = 12  # display width of the longest value of a column that is never narrowed


def _squeezed(table: t.Table, grid: tuple[float, ...], office: bool = False):
    """:func:`_grid_columns` with the text columns narrowed, the widest first and none below
    MIN_TEXT, while the table is wider than the grid; and which columns are text."""
    widths, counts, unit, gap = _grid_columns(table, grid, office)
    text = [col for col, kind in enumerate(table.kinds) if kind == t.TEXT] or list(range(len(widths)))
    least = max(1, math.ceil((MIN_TEXT + gap) / unit - 0.05))
    # a column of short values (dates, codes, 是/否) is never narrowed: 2024-04-18 stays whole
    squeezable = [col for col in text
                  if max(t.display_width(str(row[col] or "")) for row in table.rows) > SHORT_VALUE]
    while sum(counts) > len(grid):
        wider = [col for col in squeezable if counts[col] > least]
        if not wider:
            break  # the grid is too coarse for the table: a finer one is chosen (:func:`fine_enough`)
        counts[max(wider, key=lambda col: counts[col])] -= 1
    return widths, counts, unit, gap, text


def holds(table: t.Table, grid: tuple[float, ...], office: bool = False) -> bool:
    """Whether ``table`` fits ``grid`` with its text columns narrowed as far as they may be."""
    return sum(_squeezed(table, grid, office)[1]) <= len(grid)


FINER = (24, 32)  # grids tried, in turn, for a letter whose tables the page's own cannot hold


def fine_enough(blocks: p.Page, geometry: Geometry, office: bool = False) -> Geometry:
    """``geometry``, or the same page on a finer grid where its tables need one: the grid that
    holds every table and leaves its text columns the most room (four amounts and a date beside
    a project's name, the 硬件建设补助告知书, wrap the name less on 32 columns than on 16). A
    coarse grid wins a tie: it is cheaper to print."""
    tables = [block for block in blocks if isinstance(block, t.Table)]
    best = None
    for columns in (geometry.columns, *(n for n in FINER if n > geometry.columns)):
        finer = replace(geometry, columns=columns)
        if not all(holds(table, finer.grid, office) for table in tables):
            continue
        room = sum(_text_room(table, finer.grid, office) for table in tables)
        if best is None or room > best[0] + 1:
            best = (room, finer)
    return best[1] if best else finer


def _text_room(table: t.Table, grid: tuple[float, ...], office: bool) -> float:
    """Units of its text the text columns of ``table`` get on ``grid`` (up to what they need)."""
    counts, unit, gap, text, natural = _allotted(table, grid, office)
    return sum(min(natural[col], counts[col] * unit - gap) for col in text)


def fits(table: t.Table, geometry: Geometry) -> bool:
    """Whether ``table`` fits the 版心 of ``geometry`` with no column narrower than it needs."""
    return sum(_grid_columns(table, geometry.grid)[1]) <= geometry.columns


def _allotted(table: t.Table, grid: tuple[float, ...], office: bool):
    """The grid columns each column of ``table`` gets: what it needs, the text narrowed while
    the table is too wide (:func:`_squeezed`), and grid columns left over given to the text that
    wraps most, then evenly; with a grid column's width, the padding, the text columns and
    their widths unwrapped."""
    widths, counts, unit, gap, text = _squeezed(table, grid, office)
    natural = needs(table, office, cap=None)
    for _ in range(max(0, len(grid) - sum(counts))):
        short = [col for col in text if natural[col] > counts[col] * unit - gap]
        pick = (max(short, key=lambda col: (natural[col] - counts[col] * unit, -col)) if short
                else min(text, key=lambda col: (counts[col] / max(widths[col], 1), col)))
        counts[pick] += 1
    return counts, unit, gap, text, natural


def fitting_widths(table: t.Table, grid: tuple[float, ...], office: bool = False) -> list[float]:
    """Column widths for ``table`` in the letter's type, each the sum of the whole grid columns
    it spans (:func:`.page.spans` then places them exactly) as :func:`_allotted` shares them out,
    so the table spans the 版心."""
    counts = _allotted(table, grid, office)[0]
    placed, first = [], 0
    for count in counts:
        placed.append(sum(grid[first:first + count]) - 0.001)
        first += count
    return placed


LONG_TABLE = 8  # body rows: a longer table may run across pages (its header repeated); a shorter moves whole
HEAD_ROWS = 3  # body rows that stay with a table's header


def _split(table: t.Table, cut: int) -> p.Page:
    """``table`` as two tables of the same headers — its first ``cut`` rows, and the rest from
    the next page — each keeping its 小计 and 合计 rows."""
    def part(rows: range) -> t.Table:
        return t.Table(table.title, table.headers, table.kinds, [table.rows[i] for i in rows],
                       frozenset(i - rows.start for i in table.subtotals if i in rows),
                       frozenset(i - rows.start for i in table.totals if i in rows))

    return [part(range(cut)), p.Break(), part(range(cut, len(table.rows)))]


def _groups(placed: list, closing: list[int], end: int) -> list[tuple[int, int, int]]:
    """What to keep on one page, top-down: each table (a long one: its header and first rows)
    with the headings and caption (a line ending in ：) above it, each heading with the
    paragraph after it, and the closing lines with the rows before them — as (first row, row
    after, row after the part that must stay together at least)."""
    groups = []
    for index, (block, first, after) in enumerate(placed):
        if isinstance(block, t.Table):
            start = index
            while start and _leads(placed[start - 1][0]):
                start -= 1
            head = min(after, first + 1 + HEAD_ROWS)  # the header row and the first rows
            whole = after if len(block.rows) <= LONG_TABLE else head
            groups.append((placed[start][1], whole, head))
        elif _heading(block) and index + 1 < len(placed) and isinstance(placed[index + 1][0], p.Paragraph):
            groups.append((first, placed[index + 1][2], placed[index + 1][2]))
    groups += [(first, end, end) for first in closing]
    return sorted(groups)


def _heading(block) -> bool:
    return isinstance(block, p.Paragraph) and block.style in (p.HEADING, SUBHEADING)


def _leads(block) -> bool:
    """A block that introduces the table after it."""
    return _heading(block) or (isinstance(block, p.Paragraph) and block.text.endswith("："))


def letters_workbook(title: str, letters: list[p.Page], faces: fonts.Faces, write=None,
                     geometry: Geometry = PORTRAIT, names: list[str] | None = None
                     ) -> tuple[bytes, list[int]]:
    """The letters as a workbook, a sheet each, and the pages each prints on. The faces are
    recorded in the workbook's subject, which LibreOffice carries into the PDF. ``write(sheet,
    blocks)`` writes a letter where writing its blocks in order is not all (the 公示 marks
    cells after its table); ``geometry``: the page (:data:`PORTRAIT`, or :data:`LANDSCAPE` for a
    table too wide for it); ``names``: the sheets' (numbered by default)."""
    counts = []

    def build(book, fmt):
        book.set_properties({**book.doc_properties, "subject": f"字体：{faces.record()}"})
        letter_specs = specs(faces)
        styles = p.letter_styles(book, letter_specs)
        for number, blocks in enumerate(letters, start=1):
            page = fine_enough(blocks, geometry, faces.office)
            blocks = _laid_out(blocks, letter_specs, page, faces.office)
            name = names[number - 1] if names else f"{number:04d}"
            sheet = LetterSheet(book, fmt, styles, name, letter_specs, page, faces.office)
            (write or LetterSheet.write)(sheet, blocks)
            counts.append(sheet.pages)

    return p.workbook_bytes(title, build), counts


MAX_SPLITS = 5  # long tables split in one letter, at most


def _laid_out(blocks: p.Page, letter_specs: dict, geometry: Geometry, office: bool) -> p.Page:
    """``blocks`` with each long table split where a trial layout turns the page, until none
    runs onto another page unsplit (each split may move what follows)."""
    if not any(isinstance(block, t.Table) and len(block.rows) > LONG_TABLE for block in blocks):
        return blocks
    scratch = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})  # trial layouts, never saved
    trial = (p.Formats(scratch), p.letter_styles(scratch, letter_specs))
    for attempt in range(MAX_SPLITS):
        sheet = LetterSheet(scratch, *trial, f"t{attempt}", letter_specs, geometry, office, trial=True)
        sheet.write(blocks)
        split = sheet.split_tables(blocks)
        if split is None:
            break
        blocks = split
    return blocks


def title_lines(*lines: str) -> str:
    """A title broken where the sense allows (GB/T 9704-2012 7.2.5: 回行时词意完整)."""
    return "\n".join(lines)


def face_checks(faces: fonts.Faces) -> list[Check]:
    """The warning a run that used a stand-in for 小标宋 or 仿宋 shows once."""
    note = faces.stand_in_note()
    return [Check("warning", "", "", note)] if note else []


SEAL = "（盖章）"


@lru_cache(maxsize=65536)  # table layout asks for the same cells' widths many times a letter
def ems(text: str) -> float:
    """A text's width in characters of the 正文 (digits half one)."""
    return sum(ems for _, ems in _tokens(text)) if text else 0.0


def signature(issuer: str, day: str, seal: bool) -> p.Page:
    """发文机关署名 and 成文日期 (GB/T 9704-2012 7.3.5.1), a line under the text: the issuer two
    characters from the right, the date under it starting two characters further right — or, longer than the
    issuer, two from the right with the issuer moved left to match. ``seal``: the place of the
    seal is marked （盖章） after the issuer (an 审定 letter, the 公示)."""
    name = issuer + (SEAL if seal else "")
    width, date_width = ems(issuer), ems(day)
    seal_width = ems(SEAL) if seal else 0.0
    pad = max(0.0, max(2.0, date_width + 4 - width) - seal_width)  # （盖章） takes the issuer's room
    date_pad = pad + seal_width + width - 2 - date_width  # the date starts two right of the issuer
    return [p.Keep(rows=1),  # never on a page of their own: with the text's last paragraph
            p.Paragraph("", p.RIGHT),  # 正文下空一行
            p.Paragraph(name + _spaces(pad), p.RIGHT), p.Paragraph(day + _spaces(date_pad), p.RIGHT)]


def _spaces(count: float) -> str:
    """Full-width spaces for ``count`` characters, a half-width one for the half left over."""
    whole = int(count)
    return "　" * whole + (" " if count - whole >= 0.5 else "")
