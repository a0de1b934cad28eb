"""A workbook file as a package of parts (ECMA-376 Open Packaging), rewritten part by part.

``--into`` must hand back the clerk's workbook with only its input rows changed: the VBA
project, the ribbon (customUI), the xlwings.conf sheet, styles, validations, defined names and
whatever else the file holds stay as they are. A library that reads and writes whole workbooks
drops what it does not model (openpyxl loses the ribbon's relationship), so this module edits
the package itself: the rows of one sheet part are rewritten as a stream, the Table over them
follows, whole sheets are added or replaced, and every other member is copied with its content
byte for byte.

Rows are rewritten in place where the plan allows: a replaced row that the import brings again
gets its new figure where it stood (a re-import of one month changes that month's rows and moves
nothing), other new rows go below the last filled row, replaced rows left over close up. Kept
rows keep their XML — styles, shared strings — and only their numbers change when rows above
them went. Text of new rows is written as inline strings, so sharedStrings stays untouched.
A Table's 汇总 (totals) row stays its last row. Ranges that name rows of the rewritten sheet
elsewhere (a data validation or conditional format over exact rows, a formula in another sheet)
are not moved with the rows: the template's cover whole columns, and the doors refuse rows that
hold formulas.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from xml.sax.saxutils import escape, unescape

from .bounds import column_index, column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOCUMENT = f"{DOC_RELS}/officeDocument"
WORKSHEET = f"{DOC_RELS}/worksheet"
TABLE = f"{DOC_RELS}/table"
COMMENTS = f"{DOC_RELS}/comments"
CALC_CHAIN = f"{DOC_RELS}/calcChain"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CHUNK = 4 << 20  # bytes of sheet XML decompressed at a time
FAST = 1  # deflate level of the parts written as a stream: a sheet of a million rows compresses
# three times faster than at zlib's default 6, and some 15 % larger
STAMP = (1980, 1, 1, 0, 0, 0)  # of parts written new: as XlsxWriter dates them, same bytes every run
_ROW = re.compile(rb'<row r="(\d+)"')
_CELL_REF = re.compile(rb'(<c r="[A-Z]{1,3})(\d+)"')
_ROW_REF = re.compile(rb'^<row r="\d+"')
_CELL_STYLE = re.compile(rb'<c r="([A-Z]{1,3})\d+"[^>]*?\ss="(\d+)"')
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}\d+)"[^>]*>(?:(?!</c>).)*?<f[\s>/]', re.S)
_ATTR = r'\s{name}="([^"]*)"'
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
# Excel's built-in number formats that show a date (ECMA-376 §18.8.30, and the CJK ones)
_DATE_FORMATS = frozenset(range(14, 23)) | frozenset(range(27, 37)) | frozenset(range(45, 48)) | \
    frozenset(range(50, 59))
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)


class PackageError(Exception):
    """The package cannot be rewritten as asked; the message is for a person."""


def letters(column: int) -> str:
    """1-based column → Excel letters."""
    return column_letter(column - 1)


def column_number(name: str) -> int:
    """Excel letters → 1-based column."""
    return column_index(name) + 1


@dataclass(frozen=True)
class Ref:
    """An A1 range, 1-based and inclusive."""

    top: int
    left: int
    bottom: int
    right: int

    @classmethod
    def parse(cls, text: str) -> Ref:
        found = _REF.fullmatch(text.strip())
        if found is None:
            raise PackageError(f"无法识别的区域“{text}”")
        a, r1, b, r2 = found.groups()
        left, top = column_number(a), int(r1)
        right, bottom = (column_number(b), int(r2)) if b else (left, top)
        return cls(top, left, bottom, right)

    def __str__(self) -> str:
        first = f"{letters(self.left)}{self.top}"
        return first if (self.top, self.left) == (self.bottom, self.right) else \
            f"{first}:{letters(self.right)}{self.bottom}"


@dataclass
class TablePart:
    """An Excel Table (ListObject) of a sheet."""

    part: str
    name: str
    ref: Ref
    totals: int  # rows of its 汇总 row (0 or 1)
    filtered: bool  # a filter is set on one of its columns


@dataclass
class SheetPart:
    name: str
    part: str
    tables: list[TablePart]
    protected: bool
    filtered: bool  # the sheet's own AutoFilter hides rows
    merges: list[Ref]
    has_comments: bool


class Package:
    """An .xlsx/.xlsm file opened for rewriting: its sheets by name, their parts and tables."""

    def __init__(self, path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            self.names = self.zip.namelist()
            self.workbook = self._office_document()
            self._sheets = self._sheet_list()
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise PackageError("不是 Excel 2007 及以后格式的工作簿（.xlsx/.xlsm），或文件已损坏") from exc
        workbook_xml = self.text(self.workbook)
        self.date1904 = re.search(r'<workbookPr\b[^>]*\sdate1904="(1|true)"', workbook_xml) is not None
        self._date_styles: frozenset[int] | None = None

    def close(self) -> None:
        self.zip.close()

    def read(self, part: str) -> bytes:
        return self.zip.read(part)

    def text(self, part: str) -> str:
        return self.read(part).decode("utf-8")

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part) of a part's relationships."""
        path = PurePosixPath(part)
        rels = str(path.parent / "_rels" / f"{path.name}.rels")
        if rels not in self.names:
            return []
        found = []
        for attrs in re.findall(r"<Relationship\b([^>]*)/?>", self.text(rels)):
            rid, kind, target = (_attr(attrs, name) for name in ("Id", "Type", "Target"))
            if _attr(attrs, "TargetMode") == "External":
                continue
            found.append((rid, kind, _resolve(path.parent, target)))
        return found

    def _office_document(self) -> str:
        for _, kind, target in self.rels(""):
            if kind == OFFICE_DOCUMENT:
                return target
        raise KeyError("officeDocument")

    def _sheet_list(self) -> list[tuple[str, str]]:
        targets = {rid: target for rid, kind, target in self.rels(self.workbook) if kind == WORKSHEET}
        sheets = []
        for attrs in re.findall(r"<sheet\b([^>]*)/>", self.text(self.workbook)):
            rid = _attr(attrs, "r:id")
            if rid in targets:
                sheets.append((_unescape(_attr(attrs, "name")), targets[rid]))
        return sheets

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._sheets]

    def sheet_part(self, name: str) -> str | None:
        return dict(self._sheets).get(name)

    def sheet(self, name: str) -> SheetPart | None:
        part = dict(self._sheets).get(name)
        if part is None:
            return None
        head = self.head(part)
        tables = []
        comments = False
        for _, kind, target in self.rels(part):
            if kind == TABLE:
                xml = self.text(target)
                tag = re.search(r"<table\b([^>]*)>", xml).group(1)
                filters = re.search(r"<autoFilter\b.*?(/>|</autoFilter>)", xml, re.S)
                tables.append(TablePart(target, _unescape(_attr(tag, "displayName") or _attr(tag, "name")),
                                        Ref.parse(_attr(tag, "ref")), int(_attr(tag, "totalsRowCount") or 0),
                                        bool(filters and "<filterColumn" in filters.group(0))))
            comments = comments or kind == COMMENTS
        tail = self.tail(part)
        protected = re.search(r'<sheetProtection\b[^>]*\ssheet="(1|true)"', tail) is not None
        filtered = (re.search(r'<sheetPr\b[^>]*\sfilterMode="(1|true)"', head) is not None
                    or re.search(r"<autoFilter\b[^>]*>(?:(?!</autoFilter>).)*<filterColumn", tail, re.S) is not None)
        merges = [Ref.parse(ref) for ref in re.findall(r'<mergeCell\s+ref="([^"]+)"', tail)]
        return SheetPart(name, part, tables, protected, filtered, merges, comments)

    def head(self, part: str) -> str:
        """The sheet part up to its rows (sheetPr, dimension, views, columns)."""
        with self.zip.open(part) as stream:
            data = stream.read(1 << 16)
        end = data.find(b"<sheetData")
        return data[:end if end >= 0 else len(data)].decode("utf-8", "replace")

    def tail(self, part: str) -> str:
        """The sheet part after its rows (protection, filters, merges, validations…)."""
        info = self.zip.getinfo(part)
        with self.zip.open(part) as stream:
            if info.file_size > (4 << 20):
                stream.seek(info.file_size - (1 << 20))
            data = stream.read()
        start = data.rfind(b"</sheetData>")
        if start < 0 and (start := data.rfind(b"<sheetData/>")) < 0:
            return data.decode("utf-8", "replace") if info.file_size <= (4 << 20) else ""
        return data[start:].decode("utf-8", "replace")

    def column_styles(self, part: str) -> dict[int, int]:
        """Column → the style its ``<col>`` gives to new cells."""
        styles = {}
        for attrs in re.findall(r"<col\b([^>]*)/>", self.head(part)):
            style = _attr(attrs, "style")
            if style:
                for column in range(int(_attr(attrs, "min")), min(int(_attr(attrs, "max")), 16384) + 1):
                    styles[column] = int(style)
        return styles

    def date_styles(self) -> frozenset[int]:
        """Indexes of the cell formats (cellXfs) that show a number as a date."""
        if self._date_styles is None:
            styles = [target for _, kind, target in self.rels(self.workbook) if kind.endswith("/styles")]
            xml = self.text(styles[0]) if styles else ""
            codes = {int(i): code for i, code in re.findall(r'<numFmt\s+numFmtId="(\d+)"\s+formatCode="([^"]*)"', xml)}
            xfs = re.search(r"<cellXfs\b.*?</cellXfs>", xml, re.S)
            found = set()
            for index, attrs in enumerate(re.findall(r"<xf\b([^>]*?)/?>", xfs.group(0) if xfs else "")):
                number = int(_attr(attrs, "numFmtId") or 0)
                code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", _unescape(codes.get(number, "")))
                if number in _DATE_FORMATS or (number in codes and _DATE_CODE.search(code)):
                    found.add(index)
            self._date_styles = frozenset(found)
        return self._date_styles


def _attr(attrs: str, name: str) -> str:
    found = re.search(_ATTR.format(name=re.escape(name)), " " + attrs)
    return found.group(1) if found else ""


def _unescape(text: str) -> str:
    return unescape(text, {"&quot;": '"', "&apos;": "'"})


def _resolve(base: PurePosixPath, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = []
    for piece in (base / target).parts:
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


# --- cells of new rows -------------------------------------------------------------------------

TEXT, NUMBER, MONTH, DAY = "text", "number", "month", "day"
"""Kinds of a new row's column: text, a number, a month (yyyy, m) or a day (a date) — the two
last as dates where the column's format shows one, as text (2024-03, 2024-03-05) otherwise."""
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Cells:
    """New cells as XML, fast: a cell is ``<c r="`` + its reference + a tail made once per
    (style, kind, value) — a million rows of a few thousand distinct texts escape each once
    (the memo is emptied now and then: values seen once, such as cell addresses, pass)."""

    MEMO = 200_000

    def __init__(self, dates: frozenset[int], date1904: bool):
        self.dates = dates
        self.epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
        self._tails: dict = {}

    def row(self, number: int, columns: Sequence[tuple[str, int | None, str | None]], values: Sequence,
            head: str) -> str:
        """``<row …>`` with a cell per column (letter, style, kind) holding its value."""
        tails, tail_of, n = self._tails, self._tail, str(number)
        cells = []
        for (letter, style, kind), value in zip(columns, values):
            if value is None or value == "":
                if style:
                    cells.append(f'<c r="{letter}{n}" s="{style}"/>')
                continue
            key = (style, kind, value)
            tail = tails.get(key)
            if tail is None:
                if len(tails) > self.MEMO:
                    tails.clear()
                tail = tails[key] = tail_of(style, kind, value)
            cells.append(f'<c r="{letter}{n}{tail}')
        return f'<row r="{n}"{head}>{"".join(cells)}</row>'

    def _tail(self, style: int | None, kind: str | None, value) -> str:
        s = f' s="{style}"' if style else ""
        if kind in (MONTH, DAY):
            day_ = date(value[0], value[1], 1) if kind == MONTH else value
            if style in self.dates:
                return f'"{s}><v>{(day_ - self.epoch).days}</v></c>'
            kind, value = TEXT, f"{day_:%Y-%m}" if kind == MONTH else day_.isoformat()
        if kind == NUMBER or (kind is None and isinstance(value, (int, float)) and not isinstance(value, bool)):
            return f'"{s}><v>{value}</v></c>'
        content = escape(_ILLEGAL.sub("", str(value)))
        space = ' xml:space="preserve"' if content != content.strip() else ""
        return f'"{s} t="inlineStr"><is><t{space}>{content}</t></is></c>'


# --- rewriting the rows of a sheet -----------------------------------------------------------

@dataclass
class RowsEdit:
    """What happens to the data rows below ``header_row`` within the table's columns ``span``:
    the ``deleted`` sheet rows (ascending) go; where ``fill`` names a new row (an index, else
    -1) it is written where that deleted row stood; the other new rows follow the last filled
    row, in order. New row ``i`` holds ``values(i)``: one value per column of the span, of the
    column's kind in ``kinds`` (None: a column the rows leave blank)."""

    header_row: int
    span: tuple[int, int]
    deleted: Sequence[int]
    fill: Sequence[int]
    count: int  # new rows
    values: Callable[[int], Sequence]
    kinds: Sequence[str | None]
    totals_row: int | None = None  # the Table's 汇总 row, which stays last
    where: str = ""  # the sheet as messages name it: “业务量”表


@dataclass
class RowsWritten:
    last_data_row: int  # the last data row after the edit (header_row when none)
    last_row: int  # the last row of the sheet's rows (the 汇总 row where there is one)
    totals_row: int | None  # where the 汇总 row went


class FormulaInRows(PackageError):
    """A data row holds a formula: moving or deleting rows would break its references."""


def rewrite_rows(package: Package, part: str, edit: RowsEdit, body) -> tuple[bytes, bytes, RowsWritten]:
    """Stream the sheet part's rows through ``edit`` into ``body`` (a binary file); return the
    part's head (up to and with ``<sheetData>``) and tail (from ``</sheetData>``), unchanged,
    and where the rows ended."""
    deleted, fill = list(edit.deleted), list(edit.fill)
    cells = Cells(package.date_styles(), package.date1904)
    defaults = package.column_styles(part)
    first_col, last_col = edit.span
    span = f' spans="{first_col}:{last_col}"'
    columns = [(letters(c), defaults.get(c), kind) for c, kind in zip(range(first_col, last_col + 1), edit.kinds)]
    styled: dict[tuple, list] = {}  # the cells' styles of a row → the columns in those styles

    def new_row(number: int, index: int, styles: tuple) -> bytes:
        found = styled.get(styles)
        if found is None:
            own = dict(styles)
            found = styled[styles] = [(letter, own.get(letter, default), kind) for letter, default, kind in columns]
        return cells.row(number, found, edit.values(index), span).encode()

    state = _Stream(edit, body)
    at = 0  # the next deleted row
    head = tail = b""
    for head, rows, tail in _rows_of(package, part, edit.where):
        starts = [(m.start(), int(m.group(1))) for m in _ROW.finditer(rows)]
        if len(starts) != rows.count(b"<row") or (starts and rows[:starts[0][0]].strip()):
            raise PackageError(f"{edit.where}的行没有行号（r 属性），无法按行改写；请在 Excel 中打开并保存后再试")
        bounds = [start for start, _ in starts] + [len(rows)]
        for (start, number), stop in zip(starts, bounds[1:]):
            row = rows[start:stop]
            while at < len(deleted) and deleted[at] < number:
                at += 1
            if number <= edit.header_row:
                state.write(row)
                state.mark_filled(number)
            elif number == edit.totals_row:
                state.totals = row
                state.shift += 1
            elif at < len(deleted) and deleted[at] == number:
                state.template = row
                if fill[at] >= 0:
                    state.write(new_row(number - state.shift, fill[at], _styles(row)))
                    state.mark_filled(number - state.shift)
                else:
                    state.shift += 1
                at += 1
            else:
                state.keep(row, number)
    state.close_data()
    number = state.last_filled
    styles = _styles(state.template) if state.template else ()
    placed = bytearray(edit.count)
    for index in fill:
        if index >= 0:
            placed[index] = 1
    for index in range(edit.count):
        if not placed[index]:
            number += 1
            body.write(new_row(number, index, styles))
    last_data = number
    totals = None
    if state.totals is not None:
        number += 1
        totals = number
        body.write(_renumbered(state.totals, edit.totals_row, number))
    return head, tail, RowsWritten(last_data, number, totals)


def _rows_of(package: Package, part: str, where: str):
    """(head, rows, tail) pieces of a sheet part read as a stream: each piece's rows are whole
    ``<row>`` elements; head is set from the first piece on, tail on the last."""
    with package.zip.open(part) as stream:
        buffer, head = b"", None
        while True:
            chunk = stream.read(CHUNK)
            buffer += chunk
            if head is None:
                start = buffer.find(b"<sheetData")
                close = buffer.find(b">", start) if start >= 0 else -1
                if close < 0:
                    if not chunk:
                        raise PackageError(f"{where}的工作表内容无法识别")
                    continue
                if buffer[close - 1:close] == b"/":  # <sheetData/>: no rows at all
                    yield buffer[:start] + b"<sheetData>", b"", b"</sheetData>" + buffer[close + 1:] + stream.read()
                    return
                head, buffer = buffer[:close + 1], buffer[close + 1:]
            end = buffer.find(b"</sheetData>")
            if end >= 0:
                yield head, buffer[:end], buffer[end:] + stream.read()
                return
            if not chunk:
                raise PackageError(f"{where}的工作表内容不完整")
            cut = buffer.rfind(b"<row")
            if cut > 0:
                yield head, buffer[:cut], b""
                buffer = buffer[cut:]


class _Stream:
    """The rows written so far: how far rows below moved up, the last filled row, and the
    empty rows written after it (dropped at the end: new rows follow the last filled one)."""

    def __init__(self, edit: RowsEdit, body):
        self.edit, self.body = edit, body
        self.shift = 0
        self.last_filled = edit.header_row
        self.filled_end = None  # body offset after the last filled row
        self.totals: bytes | None = None
        self.template: bytes | None = None  # the last data row: styles of rows appended

    def write(self, row: bytes) -> None:
        self.body.write(row)

    def mark_filled(self, number: int) -> None:
        self.last_filled = max(self.last_filled, number)
        self.filled_end = self.body.tell()

    def keep(self, row: bytes, number: int) -> None:
        if b"<f" in row and (found := _FORMULA_CELL.search(row)):
            raise FormulaInRows(
                f"{self.edit.where}的 {found.group(1).decode()} 等单元格是公式：导入会删除和移动行，公式中的单元格"
                "引用会错位。请先把这些单元格复制后“粘贴为数值”，再导入")
        self.template = row
        new = number - self.shift
        self.body.write(_renumbered(row, number, new) if self.shift else row)
        if b"<v" in row or b"<is" in row:
            self.mark_filled(new)

    def close_data(self) -> None:
        """Drop the empty rows written after the last filled row (formatting only: the
        template's insert row, rows emptied by hand)."""
        if self.filled_end is not None:
            self.body.truncate(self.filled_end)
            self.body.seek(self.filled_end)


def _styles(row: bytes) -> tuple:
    """The row's cells' styles: ((letter, style), …)."""
    return tuple((letter.decode(), int(style)) for letter, style in _CELL_STYLE.findall(row))


def _renumbered(row: bytes, old: int, new: int) -> bytes:
    if old == new:
        return row
    row = _ROW_REF.sub(f'<row r="{new}"'.encode(), row, count=1)
    return _CELL_REF.sub(lambda m: m.group(1) + f'{new}"'.encode(), row)


def sheet_with_rows(head: bytes, tail: bytes, written: RowsWritten, edit: RowsEdit,
                    tables: Iterable[TablePart]) -> tuple[bytes, bytes]:
    """The part's head and tail with the dimension, and a sheet-level AutoFilter over the
    table, following the rows."""
    head = re.sub(rb'<dimension ref="([^"]*)"/>', lambda m: _dimension(m.group(1), written), head, count=1)

    def autofilter(found):
        ref = Ref.parse(found.group(1).decode())
        if ref.top == edit.header_row:
            ref = Ref(ref.top, ref.left, max(written.last_data_row, ref.top + 1), ref.right)
        return b'<autoFilter ref="' + str(ref).encode() + b'"'
    if not list(tables):
        tail = re.sub(rb'<autoFilter ref="([^"]*)"', autofilter, tail, count=1)
    return head, tail


def _dimension(old: bytes, written: RowsWritten) -> bytes:
    ref = Ref.parse(old.decode())
    return f'<dimension ref="{Ref(ref.top, ref.left, max(written.last_row, ref.top), ref.right)}"/>'.encode()


def table_with_rows(xml: bytes, table: TablePart, written: RowsWritten) -> bytes:
    """A Table part whose range ends with the rows (its 汇总 row last); at least one data row."""
    bottom = max(written.last_data_row, table.ref.top + 1)
    ref = Ref(table.ref.top, table.ref.left, bottom + table.totals, table.ref.right)
    data = Ref(table.ref.top, table.ref.left, bottom, table.ref.right)
    xml = re.sub(rb'(<table\b[^>]*?\sref=")[^"]*"', lambda m: m.group(1) + str(ref).encode() + b'"', xml, count=1)
    return re.sub(rb'(<autoFilter\s+ref=")[^"]*"', lambda m: m.group(1) + str(data).encode() + b'"', xml, count=1)


# --- whole sheets ----------------------------------------------------------------------------

def table_sheet(title: str, headers: Sequence[str], rows: Iterable[Sequence],
                widths: Sequence[int] = (), sheet_pr: bytes = b"") -> Callable:
    """A plain sheet — a title line, a header row, then the rows (text and numbers), with column
    widths, in the workbook's default style so styles.xml stays as it is — as a function that
    streams the part to a sink (a million replaced rows never sit in memory as one text)."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))

    def write(sink) -> None:
        cells = Cells(frozenset(), False)
        sink.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
                   f'xmlns:r="{DOC_RELS}">{sheet_pr.decode()}<sheetViews><sheetView workbookViewId="0"/>'
                   f'</sheetViews><sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
                   f"<sheetData>".encode())
        columns = [(letters(c), None, None) for c in range(1, max(len(headers), 1) + 1)]
        batch = []
        for number, values in enumerate(_chained(title, headers, iter(rows)), start=1):
            batch.append(cells.row(number, columns, values, ""))
            if len(batch) >= 10_000:
                sink.write("".join(batch).encode())
                batch.clear()
        sink.write(("".join(batch) + '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" '
                    'bottom="0.75" header="0.3" footer="0.3"/></worksheet>').encode())
    return write


def _chained(title: str, headers: Sequence[str], rows: Iterator) -> Iterator:
    yield [title]
    yield list(headers)
    yield from rows


@dataclass
class Changes:
    """What a rewrite changes: parts with new content (bytes, or a function writing the
    content to a stream), whole sheets added at the end of the workbook, parts dropped."""

    parts: dict[str, bytes | Callable] = field(default_factory=dict)
    added: list[tuple[str, bytes | Callable]] = field(default_factory=list)  # (sheet name, part)
    dropped: set[str] = field(default_factory=set)


def sheet_pr(package: Package, part: str) -> bytes:
    """A sheet's ``<sheetPr>`` (its VBA codename), kept when the sheet is written anew."""
    found = re.search(rb"<sheetPr\b(?:[^>]*/>|.*?</sheetPr>)", package.head(part).encode(), re.S)
    return found.group(0) if found else b""


def write_package(package: Package, changes: Changes, target) -> None:
    """Write the package to ``target`` (a binary file) with ``changes``; every other member
    keeps its content byte for byte (compressed anew, as any zip writer does)."""
    parts = dict(changes.parts)
    dropped = set(changes.dropped)
    if changes.added:
        _add_sheets(package, changes.added, parts)
    if dropped:
        _drop_relationships(package, dropped, parts)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for info in package.zip.infolist():
            if info.filename in dropped:
                continue
            change = parts.pop(info.filename, None)
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            if change is None:
                with package.zip.open(info) as source, out.open(copy, "w", force_zip64=info.file_size > (1 << 30)) as sink:
                    shutil.copyfileobj(source, sink, CHUNK)
            else:
                _write_part(out, copy, change)
        for name, data in parts.items():  # new parts
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            _write_part(out, info, data)


def _write_part(out: zipfile.ZipFile, info: zipfile.ZipInfo, data) -> None:
    """A part given as bytes, or as a function streaming it (a big sheet: deflated fast)."""
    if callable(data):
        _fast(info)
        with out.open(info, "w", force_zip64=True) as sink:
            data(sink)
    else:
        out.writestr(info, data)


def _fast(info: zipfile.ZipInfo) -> None:
    """Deflate this member at level FAST (ZipInfo.compress_level from Python 3.13 on,
    _compresslevel before)."""
    try:
        info.compress_level = FAST
    except AttributeError:
        info._compresslevel = FAST


def _add_sheets(package: Package, added: list[tuple[str, bytes]], parts: dict) -> None:
    """New worksheets after the last one (defined names that point at a sheet by its position,
    localSheetId, stay right), with their relationships and content types."""
    workbook = parts.get(package.workbook) or package.read(package.workbook)
    rels_name = str(PurePosixPath(package.workbook).parent / "_rels" / f"{PurePosixPath(package.workbook).name}.rels")
    rels = parts.get(rels_name) or package.read(rels_name)
    types = parts.get("[Content_Types].xml") or package.read("[Content_Types].xml")
    taken = {int(n) for n in re.findall(rb"worksheets/sheet(\d+)\.xml", b" ".join(n.encode() for n in package.names))}
    ids = {int(n) for n in re.findall(rb'Id="rId(\d+)"', rels)}
    sheet_ids = [int(n) for n in re.findall(rb'<sheet\b[^>]*\ssheetId="(\d+)"', workbook)]
    number, rid, sheet_id = max(taken, default=0), max(ids, default=0), max(sheet_ids, default=0)
    folder = PurePosixPath(package.workbook).parent
    for name, xml in added:
        number, rid, sheet_id = number + 1, rid + 1, sheet_id + 1
        part = f"{folder}/worksheets/sheet{number}.xml"
        parts[part] = xml
        rels = rels.replace(b"</Relationships>", f'<Relationship Id="rId{rid}" Type="{WORKSHEET}" '
                                                  f'Target="worksheets/sheet{number}.xml"/></Relationships>'.encode())
        entry = f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{sheet_id}" r:id="rId{rid}"/>'
        workbook = workbook.replace(b"</sheets>", entry.encode() + b"</sheets>", 1)
        types = types.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{SHEET_TYPE}"/></Types>'.encode())
    parts[package.workbook], parts[rels_name], parts["[Content_Types].xml"] = workbook, rels, types


def _drop_relationships(package: Package, dropped: set[str], parts: dict) -> None:
    """Dropped parts (calcChain) leave the workbook's relationships and the content types."""
    rels_name = str(PurePosixPath(package.workbook).parent / "_rels" / f"{PurePosixPath(package.workbook).name}.rels")
    rels = parts.get(rels_name) or package.read(rels_name)
    types = parts.get("[Content_Types].xml") or package.read("[Content_Types].xml")
    folder = PurePosixPath(package.workbook).parent
    for part in dropped:
        relative = str(PurePosixPath(part).relative_to(folder))
        rels = re.sub(rb'<Relationship\b[^>]*Target="/?' + re.escape(relative.encode()) + rb'"[^>]*/>', b"", rels)
        types = re.sub(rb'<Override\b[^>]*PartName="/' + re.escape(part.encode()) + rb'"[^>]*/>', b"", types)
    parts[rels_name], parts["[Content_Types].xml"] = rels, types


def spooled() -> tempfile.SpooledTemporaryFile:
    """Where a sheet's rewritten rows wait while the rest is worked out: memory up to 64 MB,
    then a private temporary file."""
    return tempfile.SpooledTemporaryFile(max_size=64 << 20)

