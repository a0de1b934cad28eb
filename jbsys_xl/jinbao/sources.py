"""Which files a SOURCE argument names, and each sheet of them as a :class:`Grid` of columns.

Formats are told by content, not by name (金保 contract §1): a zip or OLE file is a workbook
(.xlsx/.xlsm/.xls, opened through :func:`~jbsys_xl.io.reader.open_spreadsheet` for its checks
and messages); text holding a ``<table>`` is a web system's "xls" (HTML, parsed with the
standard library's html.parser: no dependency, tolerant of the sloppy markup such systems
write, and it lets every cell keep the position Excel shows it at); other text is CSV, UTF-8 or
GBK. Workbook sheets are read as the allocation reads its 业务量 sheet
(:meth:`~jbsys_xl.io.reader.Spreadsheet.read_columns`): Arrow string columns — no Python object
per cell, the only way to stay near the fastest reader at millions of rows — with error values
and formulas without a saved result kept as errors, never mistaken for blanks.

Every value a Grid hands out is ``str``, ``None`` (blank) or a :class:`~jbsys_xl.io.values.CellError`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from ..io import cell_errors
from ..io.reader import RawSheet, SourceError, csv_rows, decode_text, open_spreadsheet

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv", ".htm", ".html")  # what a folder contributes
_HTML_TABLE = re.compile(rb"<table[\s>]", re.IGNORECASE)
_SPREADSHEET_ML = b"urn:schemas-microsoft-com:office:spreadsheet"  # "XML 电子表格 2003"
MAX_SHEET_NAME = 31  # Excel's limit: an HTML file opened in Excel shows its name cut to this


@dataclass(frozen=True)
class SourceFile:
    path: Path
    label: str  # how outputs name it: the file name, or folder/relative path for a folder's files


def expand(paths: Iterable[str | Path], workbook: Path | None = None) -> tuple[list[SourceFile], list[str]]:
    """The files to read, in the order the contract fixes (arguments in order, a folder's files
    recursively in name order), and notes about paths named twice (read once). The allocation
    workbook itself is never an export, even in a folder of them."""
    files, notes, seen = [], [], set()
    if workbook is not None and workbook.is_file():
        seen.add(workbook.resolve())
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted((f for f in path.rglob("*") if f.is_file()
                            and f.suffix.lower() in EXTENSIONS and not f.name.startswith(("~$", "."))),
                           key=lambda f: f.relative_to(path).parts)
            if not found:
                raise SourceError(f"{path}：文件夹中没有金保导出文件（{'、'.join(EXTENSIONS)}）")
            candidates = [SourceFile(f, f"{path.name}/{f.relative_to(path).as_posix()}") for f in found]
        elif path.is_file():
            candidates = [SourceFile(path, path.name)]
        else:
            raise SourceError(f"找不到金保导出文件或文件夹：{path}")
        for source in candidates:
            key = source.path.resolve()
            if key in seen:
                if workbook is None or key != workbook.resolve():
                    notes.append(f"{source.label}：已经读取过（重复给出），不再重复读取")
                continue
            seen.add(key)
            files.append(source)
    return files, notes


class Grid:
    """One sheet: rows from sheet row 0, columns from sheet column ``first_col``."""

    file: str
    sheet: str
    height: int
    width: int
    first_col: int = 0

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

    @property
    def where(self) -> str:
        return f"{self.file}!{self.sheet}"


class RowGrid(Grid):
    """A sheet held as rows of values (CSV, HTML); rows may be ragged."""

    def __init__(self, file: str, sheet: str, rows: list[list], first_col: int = 0):
        self.file, self.sheet, self.rows, self.first_col = file, sheet, rows, first_col
        self.height = len(rows)
        self.width = max((len(row) for row in rows), default=0)

    def top(self, count: int) -> list[list]:
        return [list(row) for row in self.rows[:count]]

    def column(self, col: int) -> np.ndarray:
        values = ((row[col] if col < len(row) else None) for row in self.rows)
        column = np.fromiter(values, dtype=object, count=self.height)
        column[column == ""] = None
        return column


class ArrowGrid(Grid):
    """A workbook sheet read column-wise (:meth:`~jbsys_xl.io.reader.Spreadsheet.read_columns`):
    Arrow string columns from the sheet's first row, with its error cells."""

    def __init__(self, file: str, sheet: str, raw: RawSheet):
        self.file, self.sheet, self.columns = file, sheet, raw.columns
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


_TIMESTAMP = r"^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}$"  # how fastexcel writes a date cell as text


def read_file(source: SourceFile) -> Iterator[Grid]:
    """Every sheet of one export, in workbook order."""
    try:
        head = source.path.open("rb").read(8)
    except OSError as exc:
        raise SourceError(f"{source.label}：无法读取文件（{exc.strerror or exc}）") from None
    if head[:4] == b"PK\x03\x04" or head == cell_errors.CFB_MAGIC:
        yield from _workbook_grids(source)
        return
    data = source.path.read_bytes()
    if _SPREADSHEET_ML in data[:4096]:
        raise SourceError(f"{source.label}：这是“XML 电子表格 2003”格式，请在 Excel 中打开后另存为 .xlsx 再导入")
    if _HTML_TABLE.search(data):
        yield from _html_grids(source, decode_text(data, source.label))
        return
    if b"\0" in data[:4096]:
        raise SourceError(f"{source.label}：无法识别的文件格式（应为 Excel 工作簿、CSV 或网页表格导出的 xls）")
    yield RowGrid(source.label, source.path.stem, csv_rows(data, source.label))


def _workbook_grids(source: SourceFile) -> Iterator[Grid]:
    book = open_spreadsheet(source.path)  # refuses lock files and protected books, in Chinese
    for name in book.sheet_names:
        try:
            raw = book.read_columns(name)
            if raw is None:  # cells fastexcel cannot make text of: the exact, row-wise read
                raw = book.read(name)
        except Exception as exc:  # fastexcel and calamine raise their own types
            raise SourceError(f"{source.label}!{name}：无法读取此工作表（{type(exc).__name__}）") from exc
        if raw.columns is not None:
            yield ArrowGrid(source.label, name, raw)
        else:
            padded = [[] for _ in range(raw.first_row)] + [list(row) for row in raw.rows]
            yield RowGrid(source.label, name, padded, raw.first_col)


# --- web-system "xls": an HTML table -----------------------------------------------------------

_BLOCKS = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "li"})
_SKIPPED = frozenset({"script", "style", "title", "head"})


class _TableParser(HTMLParser):
    """Top-level tables as rows of cell texts, each with the text lines above it (titles).

    Merged cells keep their value in the top-left cell and leave the others blank, as Excel
    shows them; text outside tables becomes one-cell rows, as Excel opens such a file."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list]] = []
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

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        text = " ".join("".join(self.cell).split())
        cols, rows = self.cell_spans
        start = len(self.row)
        self.row.append(text or None)
        self.row.extend([None] * (cols - 1))
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
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    if parser.depth:
        parser._end_row()
    tables = parser.tables
    for index, rows in enumerate(tables, start=1):
        name = source.path.stem[:MAX_SHEET_NAME] if len(tables) == 1 else f"表{index}"
        yield RowGrid(source.label, name, rows)
