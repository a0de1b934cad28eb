"""Where a sheet's cells are, without reading the sheet: the scans :mod:`jbsys_xl.io.bounds`
runs before calamine builds a sheet's rectangle, and the judgement of what they find (numpy,
which LibreOffice's own Python — it imports :mod:`jbsys_xl.io.reader` — does not have: so this
module is imported only when a check runs).

- a worksheet's XML: a vectorised byte scan for the references of its ``<c>`` elements
  (:class:`_Scanner`), or an exact parse where a writer wrote it unusually (:func:`_exact_points`);
- an .ods content.xml: its tables' cells with their repeat counts, not expanded;
- an .xls: its BIFF cell records (:func:`check_biff`).

A cell beyond Excel's 1,048,576 rows or column XFD is a damaged file; a rectangle far larger
than the cells that hold data (a stray value far outside the table) is refused, naming the far
cells (:func:`check_points`).
"""
from __future__ import annotations

import io
import re
import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

import numpy as np

from .bounds import (CHUNK, MAX_COLUMNS, MAX_ROWS, SPARSE_CELLS, SPARSE_FACTOR, SourceError, SAVE_AGAIN, ChunkReader,
                     cell_name, column_index, column_letter)


def check_biff(data: bytes, label: str) -> None:
    """Refuse an .xls whose sheets cannot be read within bounds: calamine builds every sheet's
    rectangle while it opens the file, from the cell records, which a 5 KB file can place at
    row 65,536, column 65,536 (4 billion cells). Files it cannot open are left to it."""
    try:
        from xlrd.compdoc import CompDoc

        document = CompDoc(data, logfile=io.StringIO())
        stream = document.get_named_stream("Workbook") or document.get_named_stream("Book")
    except Exception:  # not an OLE file xlrd understands: calamine says what is wrong
        return
    if stream:
        for name, points in _biff_points(memoryview(stream)).items():
            check_points(points, f"{label}!{name}")



# --- where a sheet's cells are ----------------------------------------------------------------------

@dataclass
class Extent:
    """The cells of a sheet in brief: how many, and their rectangle (0-based, inclusive)."""

    cells: int = 0
    top: int = MAX_ROWS
    left: int = MAX_COLUMNS
    bottom: int = -1
    right: int = -1

    @property
    def box(self) -> int:
        return 0 if self.cells == 0 else (self.bottom - self.top + 1) * (self.right - self.left + 1)


@dataclass
class Points:
    """The cells that hold data (or might), 0-based; ``beyond``: a cell past Excel's limits."""

    rows: np.ndarray
    cols: np.ndarray
    beyond: tuple[int, int] | None = None


def allowance(cells: int) -> int:
    return SPARSE_FACTOR * cells + SPARSE_CELLS


_OVERLAP = 64  # bytes carried from one chunk to the next: a cell's start tag and reference
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s/>]")


def _letters(codes: np.ndarray) -> np.ndarray:
    return (codes - np.uint8(65)) < 26  # uint8 arithmetic wraps: bytes below A become large


def _digits(codes: np.ndarray) -> np.ndarray:
    return (codes - np.uint8(48)) < 10


def _tag_ends(codes: np.ndarray) -> np.ndarray:
    """Bytes that may follow an element's name in a start tag: white space, / or >."""
    return (codes == 0x20) | (codes == 0x3E) | (codes == 0x2F) | ((codes - np.uint8(9)) < 5)


def _windows(a: np.ndarray, width: int) -> np.ndarray:
    """``a`` seen as overlapping rows of ``width`` bytes, row i starting at byte i (no copy):
    indexing it with positions gathers the bytes after each in one step."""
    return np.lib.stride_tricks.as_strided(a, (len(a) - width, width), (1, 1))


class _Scanner:
    """A byte scan of a worksheet's XML, chunk by chunk, for the references of its ``<c>``
    elements. It handles what every common writer writes — Excel, WPS, LibreOffice, Apache POI,
    openpyxl, XlsxWriter, and Open XML SDK's prefixed ``<x:c>`` — ``<c r="B12"``: the tag
    followed by its reference, in double quotes, without leading zeros. Anything else makes it
    give up (``irregular``), and the exact parse runs instead: a file can only be slow that way,
    never unsafe. Each chunk costs one pass to find the tags, then a few numpy operations on the
    bytes after them (no Python per cell); only the rectangle is kept, unless ``collect`` asks
    for every cell that holds data."""

    def __init__(self, collect: bool):
        self.collect = collect
        self.formulas = False  # whether the part holds a formula (<f>, <x:f>): Package.holds_formulas
        self.needle: bytes | None = None  # b"<c" or b"<x:c", once <sheetData> is seen
        self.irregular = False
        self.extent = Extent()
        self.beyond: tuple[int, int] | None = None
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []

    def run(self, chunks: Iterator[bytes]) -> "_Scanner":
        buffer = np.zeros(0, np.uint8)
        tail = b""
        for chunk in chunks:
            size = len(tail) + len(chunk)
            if len(buffer) < size + _OVERLAP:
                buffer = np.zeros(max(size, CHUNK) + 2 * _OVERLAP, np.uint8)
            buffer[:len(tail)] = np.frombuffer(tail, np.uint8)
            buffer[len(tail):size] = np.frombuffer(chunk, np.uint8)
            buffer[size:size + _OVERLAP] = 0
            done = self._window(buffer, size, size - _OVERLAP)
            if self.irregular:
                return self
            tail = buffer[done:size].tobytes()
        if len(buffer) < len(tail) + _OVERLAP:
            buffer = np.zeros(len(tail) + 2 * _OVERLAP, np.uint8)
        buffer[:len(tail)] = np.frombuffer(tail, np.uint8)
        buffer[len(tail):len(tail) + _OVERLAP] = 0
        self._window(buffer, len(tail), len(tail))
        return self

    def _window(self, a: np.ndarray, size: int, limit: int) -> int:
        """Scan the tags that start before ``limit`` in ``a[:size]`` (zeros follow); where the
        next window must start."""
        if not self.formulas:
            at = np.flatnonzero(a[1:size] == 0x66) + 1  # f: rare in sheet XML but in formulas
            self.formulas = bool(((a[at - 1] == 0x3C) | (a[at - 1] == 0x3A)).any())
        start = 0
        if self.needle is None:
            found = _SHEET_DATA.search(memoryview(a)[:size])
            if found is None:
                return max(limit, 0)
            self.needle = b"<" + (found.group(1) or b"") + b"c"
            start = found.start()
        if limit <= start:
            return start
        after = _find(a, start, limit, self.needle) + len(self.needle)
        after = after[_tag_ends(a[after])]  # just after the name of each <c> start tag
        if not len(after):
            return limit
        head = _windows(a, 4)[after].view("<u4").ravel()
        if (head != _R_QUOTE).any():
            self.irregular = True  # <c> without r, r='…', other attributes first
            return limit
        found = _references(a, after + 4)
        if found is None:
            self.irregular = True
            return limit
        rows, cols = found
        if self.beyond is None:
            past = (rows >= MAX_ROWS) | (cols >= MAX_COLUMNS)
            if past.any():
                first = int(np.flatnonzero(past)[0])
                self.beyond = (int(rows[first]), int(cols[first]))
        if self.collect:
            held = _holds_data(a[:size], after)
            self.rows.append(rows[held].astype(np.int32))
            self.cols.append(cols[held].astype(np.int32))
        else:
            e = self.extent
            e.cells += len(after)
            e.top, e.bottom = min(e.top, int(rows.min())), max(e.bottom, int(rows.max()))
            e.left, e.right = min(e.left, int(cols.min())), max(e.right, int(cols.max()))
        return limit


_R_QUOTE = int.from_bytes(b' r="', "little")


def _find(a: np.ndarray, start: int, limit: int, needle: bytes) -> np.ndarray:
    """Where ``needle`` starts in ``a``, for starts in [start, limit): a pass for its last byte,
    then the bytes before it compared at those places only."""
    last = len(needle) - 1
    at = np.flatnonzero(a[start + last:limit + last] == needle[-1]) + start
    for back, byte in enumerate(needle[:-1]):
        at = at[a[at + back] == byte]
    return at


def _references(a: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """0-based rows and columns of the references at ``ref`` (``B12"``): one to three capital
    letters, one to seven digits without a leading zero, then the closing quote — else None, and
    the exact parse reads them (a reference past 7 digits or 3 letters is beyond Excel anyway;
    that parse says where)."""
    seen = _windows(a, 12)[ref]
    letter = _letters(seen[:, :4])
    two = letter[:, 1]
    three = two & letter[:, 2]
    if not letter[:, 0].all() or (three & letter[:, 3]).any():
        return None
    cols = seen[:, 0].astype(np.int64) - 65
    if two.any():
        cols = np.where(two, (cols + 1) * 26 + seen[:, 1] - 65, cols)
        cols = np.where(three, (cols + 1) * 26 + seen[:, 2] - 65, cols)
        block = _windows(a, 8)[ref + 1 + two + three]  # the digits and the closing quote
    else:  # the usual: columns A to Z
        block = seen[:, 1:9]
    width = (block == 0x22).argmax(axis=1)  # 0 where no quote follows within 8 bytes
    if not ((width >= 1) & (block[:, 0] != 0x30)).all():
        return None
    rows = np.zeros(len(ref), np.int64)
    for k in range(7):
        inside = k < width
        column = block[:, k]
        if not (_digits(column) | ~inside).all():
            return None
        rows = np.where(inside, rows * 10 + column - 48, rows)
    return rows - 1, cols


def _holds_data(a: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Whether each cell's start tag is not self-closing (``<c r="A1" s="3"/>``: formatting,
    no value — the readers skip it). A tag whose end is not in view counts as holding data."""
    closing = np.flatnonzero(a == 0x3E)
    found = np.searchsorted(closing, after)
    held = np.ones(len(after), dtype=bool)
    inside = found < len(closing)
    ends = closing[found[inside]]
    held[inside] = a[ends - 1] != 0x2F
    return held


def contains(window, needle: bytes) -> bool:
    """``needle in window`` (bytes or a uint8 array), vectorised: the needle's last byte is rare
    in sheet XML, so the few places it occurs are found with numpy (which leaves the GIL to the
    reader thread) and only those are compared backwards."""
    data = window if isinstance(window, np.ndarray) else np.frombuffer(window, np.uint8)
    at = np.flatnonzero(data == needle[-1])
    for back, byte in enumerate(reversed(needle[:-1]), start=1):
        at = at[at >= back]
        at = at[data[at - back] == byte]
        if not len(at):
            return False
    return bool(len(at))


def fast_extent(chunks: Iterator[bytes], where: str) -> tuple[Extent | None, bool]:
    """The sheet's rectangle (None: written unusually), and whether it holds a formula."""
    scan = _Scanner(collect=False).run(chunks)
    if scan.irregular:
        return None, True
    if scan.beyond is not None:
        raise _beyond(where, *scan.beyond)
    return scan.extent, scan.formulas


def fast_points(chunks: Iterator[bytes]) -> Points:
    scan = _Scanner(collect=True).run(chunks)  # the same bytes the first pass found regular
    rows = np.concatenate(scan.rows) if scan.rows else np.zeros(0, np.int32)
    cols = np.concatenate(scan.cols) if scan.cols else np.zeros(0, np.int32)
    return Points(rows, cols, scan.beyond)


_REFERENCE = re.compile(r"([A-Za-z]+)(\d+)")


def exact_points(stream, where: str) -> Points:
    """The cells of a worksheet as calamine places them — a cell's own reference, else the one
    after the cell before (in its row's, else the next, row) — by a full XML parse."""
    rows, cols = array("i"), array("i")
    beyond = None
    row_index, col_index = 0, 0
    try:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    number = element.get("r")
                    if number is not None:
                        row_index, col_index = int(number) - 1, 0
                continue
            if tag == "c":
                ref = element.get("r")
                if ref is not None:
                    match = _REFERENCE.fullmatch(ref.strip())
                    if match is None:
                        raise SourceError(f"单元格引用“{ref[:20]}”无效，文件已损坏；{SAVE_AGAIN}", where)
                    row, col = int(match.group(2)) - 1, column_index(match.group(1))
                else:
                    row, col = row_index, col_index
                col_index = col + 1
                if (row >= MAX_ROWS or col >= MAX_COLUMNS or row < 0) and beyond is None:
                    beyond = (row, col)
                if len(element) or (element.text or "").strip():
                    rows.append(min(row, MAX_ROWS))
                    cols.append(min(col, MAX_COLUMNS))
                element.clear()
            elif tag == "row":
                row_index, col_index = row_index + 1, 0
                element.clear()
    except (ElementTree.ParseError, ValueError):
        raise SourceError(f"无法读取此工作表，文件可能已损坏；{SAVE_AGAIN}", where) from None
    return Points(np.frombuffer(rows, np.int32), np.frombuffer(cols, np.int32), beyond)


# --- OpenDocument ------------------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def ods_points(chunks: Iterator[bytes], label: str) -> dict[str, Points]:
    """Per table of an .ods content.xml: each cell holding a value, a repeated one as its first
    and its last cell (rows and columns repeated are counted, not expanded — as calamine would
    expand them). A value repeated over more cells than a sheet may hold blank is refused here."""
    found: dict[str, tuple[array, array]] = {}
    points = None
    row, col, repeat_rows = -1, 0, 1
    beyond: dict[str, tuple[int, int]] = {}
    name = ""
    try:
        for event, element in ElementTree.iterparse(ChunkReader(chunks), events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    name = element.get(f"{_TABLE}name", "")
                    points, row = found.setdefault(name, (array("i"), array("i"))), -1
                elif tag == f"{_TABLE}table-row":
                    row, col = row + 1, 0
                    repeat_rows = _repeat(element.get(f"{_TABLE}number-rows-repeated"))
                continue
            if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                repeat = _repeat(element.get(f"{_TABLE}number-columns-repeated"))
                valued = (element.get(f"{_OFFICE}value-type") or element.get(f"{_CALCEXT}value-type")
                          or len(element))
                if valued and points is not None:
                    last_row, last_col = row + repeat_rows - 1, col + repeat - 1
                    if repeat_rows * repeat > SPARSE_CELLS:
                        raise SourceError(
                            f"从这个单元格起的 {repeat_rows:,} 行 × {repeat:,} 列都是同一个值（文件中记为“重复”），"
                            f"读取时要展开成{_many(repeat_rows * repeat)}个单元格，无法读取；请在 LibreOffice 或 WPS "
                            f"中删除表格以外的内容后保存再试", f"{label}!{name}", cell_name(row, col))
                    if (last_row >= MAX_ROWS or last_col >= MAX_COLUMNS) and name not in beyond:
                        beyond[name] = (last_row, last_col)
                    points[0].append(row)
                    points[1].append(col)
                    if (last_row, last_col) != (row, col):  # a repeated value: its last cell too
                        points[0].append(min(last_row, MAX_ROWS))
                        points[1].append(min(last_col, MAX_COLUMNS))
                col += repeat
                element.clear()
            elif tag == f"{_TABLE}table-row":
                row += repeat_rows - 1
                element.clear()
    except (ElementTree.ParseError, ValueError):
        return {}  # calamine will say the file is damaged, as before
    return {name: Points(np.frombuffer(rows, np.int32), np.frombuffer(cols, np.int32), beyond.get(name))
            for name, (rows, cols) in found.items()}


def _repeat(value: str | None) -> int:
    return max(1, int(value)) if value and value.isdigit() else 1


# --- Excel 97–2003 (.xls) ----------------------------------------------------------------------------

# BIFF records that put a value in a cell (row and column first): NUMBER, RK, LABELSST, LABEL,
# RSTRING, BOOLERR, FORMULA (BIFF5/8 and BIFF4's); MULRK spans columns. BLANK/MULBLANK are formatting.
_BIFF_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006, 0x0406})
_MULRK, _BOF, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0809, 0x0085, 0x002F


def _biff_points(stream: memoryview) -> dict[str, Points]:
    """Per worksheet: each cell record's position (a MULRK's first and last cell)."""
    names: dict[int, str] = {}  # stream offset of a sheet's BOF → its name
    found: dict[str, tuple[array, array]] = {}
    beyond: dict[str, tuple[int, int]] = {}
    cells = None
    name = ""
    biff8 = True
    at, end = 0, len(stream)
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind == _BOF:
            if at == 0:
                biff8 = length >= 2 and struct.unpack_from("<H", stream, body)[0] == 0x0600
            name = names.get(at, "")
            cells = found.setdefault(name, (array("i"), array("i"))) if name else None
        elif kind == _BOUNDSHEET and length >= 7:
            position, size = struct.unpack_from("<I", stream, body)[0], stream[body + 6]
            if biff8:  # a count, a flags byte (1: UTF-16), the characters
                wide = length > 7 and stream[body + 7] & 1
                text = bytes(stream[body + 8:body + 8 + size * (2 if wide else 1)])
                names[position] = text.decode("utf-16-le" if wide else "latin-1", "replace")
            else:  # BIFF5: a count and bytes in the workbook's code page (Chinese: GBK)
                names[position] = bytes(stream[body + 7:body + 7 + size]).decode("gbk", "replace")
        elif kind == _FILEPASS:
            return {}  # encrypted: calamine refuses or decrypts; nothing here to read
        elif cells is not None and length >= 4 and (kind in _BIFF_CELLS or kind == _MULRK):
            row, col = struct.unpack_from("<HH", stream, body)
            last = col
            if kind == _MULRK and length >= 6:
                last = struct.unpack_from("<H", stream, body + length - 2)[0]
            for c in (col, last) if last != col else (col,):
                cells[0].append(row)
                cells[1].append(c)
            if (row >= MAX_ROWS or last >= MAX_COLUMNS) and name not in beyond:
                beyond[name] = (row, last)
        at = body + length
    return {name: Points(np.frombuffer(rows, np.int32), np.frombuffer(cols, np.int32), beyond.get(name))
            for name, (rows, cols) in found.items()}


# --- judging the cells ---------------------------------------------------------------------------------

def check_points(points: Points, where: str) -> None:
    if points.beyond is not None:
        raise _beyond(where, *points.beyond)
    rows, cols = points.rows.astype(np.int64), points.cols.astype(np.int64)
    if not len(rows) or _box(rows, cols) <= allowance(len(rows)):
        return
    whole = f"整个 {_span(rows, cols)}（{_many(_box(rows, cols))}个单元格）"
    strays, core = _strays(rows, cols)
    if strays is None:
        raise SourceError(
            f"有内容的单元格分散在{whole}的范围内，读取时要占用过多内存，无法读取；请删除表格以外的"
            f"内容（在 Excel 中按 Ctrl+End 可跳到最后一个有内容的单元格）后保存再试", where)
    named = [cell_name(r, c) for r, c in strays[:6]]
    if len(strays) == 1:
        what, these = "这个单元格", f"这个单元格（在名称框中输入 {named[0]} 后回车即可选中）"
    else:
        listed = "、".join(named[1:]) + ("……" if len(strays) > 6 else "")
        what, these = f"这个单元格和另外 {len(strays) - 1:,} 个单元格（{listed}）", "这些单元格"
    raise SourceError(
        f"{what}有内容，却远在表格之外（其余内容都在 {core} 内），读取时要把{whole}读进内存，"
        f"无法读取。多半是误输入（例如按 Ctrl+End 后误敲了键）；请在 Excel 中删除{these}的内容，保存后再试",
        where, named[0])


def _many(count: int) -> str:
    """A large count the way it is said: 172 亿, 3,500 万."""
    if count >= 10 ** 8:
        return f"约 {count / 10 ** 8:,.0f} 亿"
    if count >= 10 ** 5:
        return f"约 {count / 10 ** 4:,.0f} 万"
    return f"{count:,} "


def _box(rows: np.ndarray, cols: np.ndarray) -> int:
    return int(rows.max() - rows.min() + 1) * int(cols.max() - cols.min() + 1)


def _span(rows: np.ndarray, cols: np.ndarray) -> str:
    return f"{cell_name(int(rows.min()), int(cols.min()))}:{cell_name(int(rows.max()), int(cols.max()))}"


MAX_PEELS = 20  # rows or columns of far cells taken off before a sheet counts as spread out
MAX_STRAYS = 1_000  # far cells at most (and 1 % of the cells, or 20), else it is no slip but a sheet spread out


def _strays(rows: np.ndarray, cols: np.ndarray) -> tuple[list[tuple[int, int]] | None, str]:
    """The far cells, and the rectangle of the rest: cells taken off the rectangle's edges — a
    whole last (or first) row or column at a time, apart from the rest, whichever shrinks it
    most — until the rest fits its allowance, then lone cells as long as each shrinks it tenfold
    (so that a second slip is named with the first); None when it takes more than a few slips'
    worth."""
    keep = np.ones(len(rows), dtype=bool)
    taken: list[tuple[int, int]] = []
    most = min(MAX_STRAYS, max(20, len(rows) // 100))
    for _ in range(MAX_PEELS):
        r, c = rows[keep], cols[keep]
        box = _box(r, c)
        fits = box <= allowance(len(r))
        options = []
        for line, edge in ((rows, rows == r.max()), (cols, cols == c.max()), (rows, rows == r.min()),
                           (cols, cols == c.min())):
            edge &= keep
            rest = keep & ~edge
            # only a line apart from the rest (a gap between): never the table's own last row
            if rest.any() and (not fits or edge.sum() <= 5) and _apart(line, edge, rest):
                options.append((_box(rows[rest], cols[rest]), int(edge.sum()), edge))
        best = min(options, key=lambda option: option[:2], default=None)
        if fits and (best is None or best[0] * 10 > box):
            return sorted(taken, key=lambda rc: (-rc[0], -rc[1])), _span(r, c)
        if best is None or len(taken) + best[1] > most:
            return None, ""
        taken.extend(zip(rows[best[2]].tolist(), cols[best[2]].tolist()))
        keep &= ~best[2]
    r, c = rows[keep], cols[keep]
    if _box(r, c) <= allowance(len(r)):
        return sorted(taken, key=lambda rc: (-rc[0], -rc[1])), _span(r, c)
    return None, ""


def _apart(line: np.ndarray, edge: np.ndarray, rest: np.ndarray) -> bool:
    """Whether the edge's row (or column) lies two or more from the nearest of the rest."""
    at = int(line[edge][0])
    others = line[rest]
    return int(np.abs(others - at).min()) >= 2


def _beyond(where: str, row: int, col: int) -> SourceError:
    if row >= MAX_ROWS or row < 0:
        what = f"第 {row + 1:,} 行，超出 Excel 工作表的上限（{MAX_ROWS:,} 行）"
    else:
        what = f"第 {column_letter(col) if col < 10 ** 6 else f'{col + 1:,}'} 列，超出 Excel 工作表的上限（{MAX_COLUMNS:,} 列，到 XFD 列为止）"
    cell = cell_name(row, col) if 0 <= row < 10 ** 9 and col < 10 ** 6 else ""
    return SourceError(f"单元格在{what}，文件已损坏或不是 Excel/WPS 保存的；{SAVE_AGAIN}", where, cell)


