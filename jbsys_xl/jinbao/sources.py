"""Which files a SOURCE argument names, and each sheet of them as a :class:`Grid` of columns.

Nothing is lost in silence (金保 contract §1, v3): every file given, or found in a folder, is read
or named — in an error, or in a note when it is the allocation workbook or a file this tool
wrote; only lock files (``~$``), hidden files and Windows' Thumbs.db/desktop.ini pass unsaid.
Formats are told by content, not by name: a zip or OLE file is a workbook (.xlsx/.xlsm/.xls/
.ods, an .xls saved as .et — opened through :func:`~jbsys_xl.io.reader.open_spreadsheet` for
its checks and messages); text holding a ``<table>`` is a web system's "xls" (HTML, parsed with
the standard library's html.parser: no dependency, tolerant of the sloppy markup such systems
write, and it lets every cell keep the position Excel shows it at); other text is CSV or
tab-separated, UTF-8, GBK or UTF-16 (Excel's “Unicode 文本”). Workbook sheets are read as the
allocation reads its 业务量 sheet (:meth:`~jbsys_xl.io.reader.Spreadsheet.read_columns`): Arrow
string columns — no Python object per cell, the only way to stay near the fastest reader at
millions of rows — with error values and formulas without a saved result kept as errors, never
mistaken for blanks.

Every value a Grid hands out is ``str``, ``None`` (blank) or a :class:`~jbsys_xl.io.values.CellError`
(row-wise workbook sheets: also the numbers and dates calamine gives).
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import numpy as np

from ..io import cell_errors
from ..io.bounds import MAX_COLUMNS, MAX_ROWS, too_many_rows, too_wide
from ..io.kinds import other_kind
from ..io.reader import (EMPTY_FILE, TOOL, RawSheet, SourceError, Spreadsheet, created_by_tool, damage,
                         decode_text, library_failure, match_sheets, open_spreadsheet, text_rows)
from .wrong_workbook import WORKBOOK_SHEETS

# What the Excel button's file dialog offers; a folder contributes every file, whatever its name.
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".txt", ".htm", ".html")
_HTML_TABLE = re.compile(r"<table[\s>]", re.IGNORECASE)
_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"  # "XML 电子表格 2003"
MAX_SHEET_NAME = 31  # Excel's limit: an HTML file opened in Excel shows its name cut to this
SILENT = frozenset({"thumbs.db", "desktop.ini"})  # what Windows leaves in any folder


class Skipped(Exception):
    """A file that is no export and needs no fixing (the allocation workbook, our own output):
    it is left out with a note saying so."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    label: str  # how outputs name it: the file name, or folder/relative path for a folder's files


def silently_skipped(path: Path) -> bool:
    """Excel's lock files (~$…), hidden files and folders, Thumbs.db and desktop.ini."""
    return path.name.startswith(("~$", ".")) or path.name.lower() in SILENT


def expand(paths: Iterable[str | Path], workbook: Path | None = None) -> tuple[list[SourceFile], list[str]]:
    """The files to read, in the order the contract fixes (arguments in order, a folder's files
    recursively in name order), and notes about files left out: paths named twice (read once)
    and the allocation workbook itself, which is never an export, even in a folder of them."""
    files, notes, seen = [], [], set()
    book = workbook.resolve() if workbook is not None and workbook.is_file() else None
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted((f for f in path.rglob("*") if f.is_file()
                            and not any(silently_skipped(Path(part)) for part in f.relative_to(path).parts)),
                           key=lambda f: f.relative_to(path).parts)
            if not found:
                raise SourceError(f"{path}：文件夹中没有可导入的文件（应有金保导出的 Excel、CSV 或网页表格文件）")
            candidates = [SourceFile(f, f"{path.name}/{f.relative_to(path).as_posix()}") for f in found]
        elif path.is_file():
            candidates = [SourceFile(path, path.name)]
        else:
            raise SourceError(f"找不到金保导出文件或文件夹：{path}")
        for source in candidates:
            key = source.path.resolve()
            if key == book:
                notes.append(f"{source.label}：这是分配工作簿本身，不是金保导出，已跳过")
            elif key in seen:
                notes.append(f"{source.label}：已经读取过（重复给出），不再重复读取")
            else:
                files.append(source)
            seen.add(key)
    return files, notes


Merge = tuple[int, int, int, int]  # top row, left column, bottom row, right column (inclusive)


class Grid:
    """One sheet: rows from sheet row 0, columns from sheet column ``first_col``."""

    file: str
    sheet: str
    height: int
    width: int
    first_col: int = 0
    hidden: bool = False  # a hidden sheet of a workbook: read, and said so

    def top(self, count: int) -> list[list]:
        """The first ``count`` rows, for finding the header and reading title lines."""
        raise NotImplementedError

    def column(self, col: int) -> np.ndarray:
        """Column ``col`` (0-based within the grid) as an object array of ``height`` values."""
        raise NotImplementedError

    def days(self, col: int) -> np.ndarray | None:
        """Column ``col`` with ``yyyy-mm-dd hh:mm:ss`` cut to its date, where that is cheap
        (None elsewhere): timestamps are nearly all distinct, their dates are not."""
        return None

    def merges(self) -> list[Merge]:
        """The merged areas of the sheet, in grid positions (asked for only when a column
        has blanks that a merge may cover: finding them may mean reading the sheet again)."""
        return []

    def is_number(self, row: int, col: int) -> bool:
        """Whether the cell is stored as a number (a text of digits reads the same here)."""
        return False

    @property
    def where(self) -> str:
        return f"{self.file}!{self.sheet}"


def _in_grid(merges: list[Merge], first_col: int) -> list[Merge]:
    return [(top, left - first_col, bottom, right - first_col) for top, left, bottom, right in merges]


class RowGrid(Grid):
    """A sheet held as rows of values (CSV, HTML, a workbook sheet read row-wise); rows may be
    ragged. ``merged``: the merged areas where known (HTML), else asked of ``book``."""

    def __init__(self, file: str, sheet: str, rows: list[list], first_col: int = 0,
                 book: Spreadsheet | None = None, merged: list[Merge] | None = None):
        self.file, self.sheet, self.rows, self.first_col = file, sheet, rows, first_col
        self.height = len(rows)
        self.width = max((len(row) for row in rows), default=0)
        self.book, self.merged = book, merged

    def top(self, count: int) -> list[list]:
        return [list(row) for row in self.rows[:count]]

    def column(self, col: int) -> np.ndarray:
        values = ((row[col] if col < len(row) else None) for row in self.rows)
        column = np.fromiter(values, dtype=object, count=self.height)
        column[column == ""] = None
        return column

    def merges(self) -> list[Merge]:
        if self.merged is None:
            self.merged = _in_grid(self.book.merged(self.sheet), self.first_col) if self.book else []
        return self.merged

    def is_number(self, row: int, col: int) -> bool:
        value = self.rows[row][col] if row < self.height and col < len(self.rows[row]) else None
        return isinstance(value, (int, float)) and not isinstance(value, bool)


class ArrowGrid(Grid):
    """A workbook sheet read column-wise (:meth:`~jbsys_xl.io.reader.Spreadsheet.read_columns`):
    Arrow string columns from the sheet's first row, with its error cells. Numbers arrive as
    their digits, so whether a cell is a number is asked of the file itself."""

    def __init__(self, file: str, sheet: str, raw: RawSheet, book: Spreadsheet):
        self.file, self.sheet, self.columns, self.book = file, sheet, raw.columns, book
        self.first_col, self.errors = raw.first_col, raw.errors  # errors: grid positions
        self.height, self.width = raw.height, len(raw.columns)

    def top(self, count: int) -> list[list]:
        rows = [list(values) for values in zip(*(column.slice(0, count).to_pylist()
                                                 for column in self.columns))]
        for (r, c), error in self.errors.items():
            if r < len(rows):
                rows[r][c] = error
        return rows

    def column(self, col: int, values=None) -> np.ndarray:
        values = self.columns[col] if values is None else values
        column = values.to_numpy(zero_copy_only=False).astype(object, copy=False)
        for (r, c), error in self.errors.items():
            if c == col:
                if not column.flags.writeable:
                    column = column.copy()
                column[r] = error
        return column

    def days(self, col: int) -> np.ndarray:
        import pyarrow.compute as pc

        return self.column(col, pc.replace_substring_regex(
            self.columns[col], pattern=_TIMESTAMP, replacement=r"\1"))

    def merges(self) -> list[Merge]:
        return _in_grid(self.book.merged(self.sheet), self.first_col)

    def is_number(self, row: int, col: int) -> bool:
        return self.book.is_number(self.sheet, row, self.first_col + col)


_TIMESTAMP = r"^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}$"  # how fastexcel writes a date cell as text


def read_file(source: SourceFile) -> Iterator[Grid]:
    """Every sheet of one export, in workbook order. :class:`SourceError` when the file cannot
    be an export (saying what it is instead), :class:`Skipped` for our own files."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{source.label}：无法读取文件（{exc.strerror or exc}）") from None
    if not data:
        raise SourceError(f"{source.label}：{EMPTY_FILE}")
    if data[:4] == b"PK\x03\x04":
        _check_package(source, data)
        yield from _workbook_grids(source)
        return
    if data[:8] == cell_errors.CFB_MAGIC:  # .xls, also saved as .et by WPS
        yield from _workbook_grids(source)
        return
    if (other := other_kind(data)) is not None:
        raise SourceError(f"{source.label}：这是{other}，不是金保导出表；{_FIX}")
    try:
        text = decode_text(data, source.label)
    except SourceError:
        if b"\0" in data[:4096]:  # binary, and not UTF-16 text
            raise SourceError(f"{source.label}：无法识别的文件格式，不是金保导出表；{_FIX}") from None
        raise
    if _SPREADSHEET_ML in text[:4096]:
        raise SourceError(f"{source.label}：这是“XML 电子表格 2003”格式，请在 Excel 中打开后另存为 .xlsx 再导入")
    if _HTML_TABLE.search(text):
        yield from _html_grids(source, text)
        return
    if "\0" in text[:4096]:
        raise SourceError(f"{source.label}：无法识别的文件格式，不是金保导出表；{_FIX}")
    yield RowGrid(source.label, source.path.stem, text_rows(text, source.label))


_FIX = "请从金保系统导出 Excel、CSV 或网页表格格式；若不是导出文件，请把它移出导出文件夹"
def _check_package(source: SourceFile, data: bytes) -> None:
    """A zip file: a spreadsheet (xlsx/xlsm/ods) goes on; a Word or PowerPoint file, a zip
    archive or a file cut short is an error saying which."""
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        raise SourceError(f"{source.label}：{damage(data)}") from None
    if "xl/workbook.xml" in names or "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
        return
    if "xl/workbook.bin" in names:
        raise SourceError(f"{source.label}：这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 再导入")
    if not any(name.startswith(("word/", "ppt/")) or name == "content.xml" for name in names):
        raise SourceError(f"{source.label}：这是压缩包（zip），不是金保导出表；请先解压，再导入其中的导出文件")
    kind = ("Word 文档" if "word/document.xml" in names else "PowerPoint 演示文稿" if "ppt/presentation.xml" in names
            else "OpenDocument 文字文档")
    raise SourceError(f"{source.label}：这是{kind}，不是金保导出表；{_FIX}")


def _workbook_grids(source: SourceFile) -> Iterator[Grid]:
    def ahead(names: list[str]) -> list[str]:  # each sheet checked ahead of its read (not a workbook's)
        return [] if WORKBOOK_SHEETS <= set(match_sheets(names)[0]) else names

    book = open_spreadsheet(source.path, ahead)  # refuses lock files and protected books, in Chinese
    if created_by_tool(book.data):
        raise Skipped(f"{source.label}：这是本程序（{TOOL}）生成的文件，不是金保导出，已跳过")
    chosen, _ = match_sheets(book.sheet_names)
    if WORKBOOK_SHEETS <= set(chosen):
        raise Skipped(f"{source.label}：这是考核分配工作簿（有“参数”“指标”“中心”等工作表），不是金保导出，已跳过")
    for name in book.sheet_names:
        try:
            raw = book.read_columns(name)
            if raw is None:  # cells fastexcel cannot make text of: the exact, row-wise read
                raw = book.read(name)
        except SourceError:
            raise
        except BaseException as exc:  # fastexcel and calamine raise their own types, even panics
            if not library_failure(exc):
                raise
            raise SourceError(f"{source.label}!{name}：无法读取此工作表，文件可能已损坏；"
                              f"请在 Excel 中打开后另存为 .xlsx 再试") from exc
        if raw.columns is not None:
            grid = ArrowGrid(source.label, name, raw, book)
        else:
            padded = [[] for _ in range(raw.first_row)] + [list(row) for row in raw.rows]
            grid = RowGrid(source.label, name, padded, raw.first_col, book)
        grid.hidden = name in book.hidden
        yield grid


# --- web-system "xls": an HTML table -----------------------------------------------------------

_BLOCKS = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "li"})
_SKIPPED = frozenset({"script", "style", "title", "head"})


class _TableParser(HTMLParser):
    """Top-level tables as rows of cell texts, each with the text lines above it (titles).

    Merged cells keep their value in the top-left cell and leave the others blank, as Excel
    shows them, and their areas are kept (a merged institution cell applies to every row it
    covers); text outside tables becomes one-cell rows, as Excel opens such a file."""

    def __init__(self, label: str, size: int):
        super().__init__(convert_charrefs=True)
        self.label = label
        # Cells a table may hold (blanks a colspan or rowspan leaves included): a cell costs a few
        # bytes of HTML, unless ``colspan="1000"`` makes a thousand of one — the bound of memory.
        self.budget = 2 * size + 100_000
        self.tables: list[list[list]] = []
        self.merges: list[list[Merge]] = []  # per table: the areas of rowspan/colspan cells
        self.lines: list[str] = []  # text outside any table since the last one
        self.depth = 0
        self.skipping = 0
        self.cell: list[str] | None = None
        self.cell_spans = (1, 1)  # colspan, rowspan of the open cell
        self.row: list | None = None
        self.spans: dict[int, int] = {}  # column → rows still covered by a rowspan above
        self.text: list[str] = []

    def _flush_text(self) -> None:
        line = " ".join("".join(self.text).split())
        if line:
            self.lines.append(line)
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._flush_text()
                self.tables.append([[line] for line in self.lines])
                self.merges.append([])
                self.lines, self.spans = [], {}
            return
        if self.depth != 1:
            if tag in _BLOCKS and self.depth == 0:
                self._flush_text()
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")
            return
        if tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            if self.row is None:
                self.row = []
            self._end_cell()
            attributes = dict(attrs)
            self._skip_spanned()
            self.cell = []
            self.cell_spans = (_span(attributes.get("colspan")), _span(attributes.get("rowspan")))
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def _skip_spanned(self) -> None:
        while self.spans.get(len(self.row), 0) > 0:
            self.row.append(None)
            self._spend(1)

    def _spend(self, cells: int) -> None:
        self.budget -= cells
        if self.budget < 0:
            raise SourceError(f"{self.label}：网页表格中合并单元格（colspan/rowspan）展开后的格子远多于文件的内容，"
                              f"文件可能已损坏或是特意构造的；请从金保系统重新导出")

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        text = " ".join("".join(self.cell).split())
        cols, rows = self.cell_spans
        start = len(self.row)
        self.row.append(text or None)
        self.row.extend([None] * (cols - 1))
        self._spend(cols)
        if rows > 1 or cols > 1:
            top = len(self.tables[-1])
            self.merges[-1].append((top, start, top + rows - 1, start + cols - 1))
        if rows > 1:
            for col in range(start, start + cols):
                self.spans[col] = rows  # counted down as rows end, including this one
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        self._skip_spanned()
        self.tables[-1].append(self.row)
        if len(self.row) > MAX_COLUMNS:
            raise too_wide(self.label, len(self.tables[-1]), len(self.row))
        if len(self.tables[-1]) > MAX_ROWS:
            raise too_many_rows(self.label)
        self.spans = {col: left - 1 for col, left in self.spans.items() if left > 1}
        self.row = None

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "table":
            if self.depth == 1:
                self._end_row()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()
        elif self.depth == 0 and tag in _BLOCKS:
            self._flush_text()

    def handle_data(self, data):
        if self.skipping:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.depth == 0:
            self.text.append(data)
        elif self.depth == 1 and data.strip():  # a caption or stray text inside the table
            self.tables[-1].append([" ".join(data.split())])


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _html_grids(source: SourceFile, text: str) -> Iterator[Grid]:
    parser = _TableParser(source.label, len(text))
    parser.feed(text)
    parser.close()
    if parser.depth:
        parser._end_row()
    tables = parser.tables
    for index, (rows, merges) in enumerate(zip(tables, parser.merges), start=1):
        name = source.path.stem[:MAX_SHEET_NAME] if len(tables) == 1 else f"表{index}"
        yield RowGrid(source.label, name, rows, merged=merges)
