"""Bounded reading: no input file may crash the process or exhaust its memory (documents.md §8, v4).

The spreadsheet readers trust their input. calamine (the Rust reader under python-calamine and
fastexcel) makes a sheet the rectangle from its first to its last cell that holds something, so
one value in XFD1048576 asks for 17 billion cells (512 GiB) and the process aborts; a package's
parts may inflate a thousand-fold (a zip bomb), and the zip directory's sizes may lie; an XML
document type may define entities that expand exponentially. So everything is looked at first,
cheaply, and refused in Chinese, naming the file, the sheet and the cell:

- :class:`Package` (.xlsx/.xlsm/.ods): every part is inflated once, counting, before a parser
  sees it — with zlib, never trusting the directory — in all at most :func:`inflate_limit`
  (1 GiB, or 100 × the file); no part may declare a document type (Excel never writes one);
- each sheet, before it is read (:meth:`Package.check_sheet`): where its cells are, found by a
  vectorised byte scan of its XML (numpy; an exact parse where a writer wrote it unusually). A
  cell beyond Excel's 1,048,576 rows or column XFD is a damaged file; a rectangle far larger than
  the cells that hold data — a stray value far outside the table — is refused, naming the far
  cells (a stray keystroke after Ctrl+End is the usual cause, and it is quickly deleted);
- :func:`check_biff` (.xls): calamine builds every sheet while opening the file, so every
  sheet's cell records are looked at first, the same way;
- text (CSV, a web system's HTML table): :func:`bounded_rows` keeps it within Excel's limits.

The checks cost one pass over each sheet read: at a million rows about as long as inflating it
(bench/PERFORMANCE.md), and the reader runs the big sheet's on another thread meanwhile.
"""
from __future__ import annotations

import io
import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree


class SourceError(Exception):
    """The input cannot be opened at all (missing file, not a workbook), or may not be read.
    ``where`` (file, or file!sheet) and ``cell``, when given, say where — the message then reads
    ``where!cell：reason``, and :meth:`parts` hands them to a Check."""

    def __init__(self, reason: str, where: str = "", cell: str = ""):
        place = f"{where}!{cell}" if where and cell else where
        super().__init__(f"{place}：{reason}" if place else reason)
        self.reason, self.where, self.cell = reason, where, cell

    def __reduce__(self):  # intact across a process boundary (a worker that parses uploads)
        return type(self), (self.reason, self.where, self.cell)

    def parts(self, label: str) -> tuple[str, str, str]:
        """(sheet, cell, message) of a Check about the file ``label``."""
        if self.where:
            return self.where, self.cell, self.reason
        return label, "", str(self).removeprefix(f"{label}：")


MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # an Excel sheet: no file Excel saves goes beyond
MAX_INFLATED = 1 << 30  # a package's parts inflate to at most 1 GiB in all …
MAX_RATIO = 100  # … and to at most 100 × the file (ordinary workbooks: 5–15 ×) …
RATIO_FLOOR = 16 << 20  # … where that is above 16 MiB: a tiny file of blank formatted cells may exceed 100 ×
# A sheet is read as the rectangle of its cells that hold data; it may hold this many cells more
# than it has filled (title lines, sparse optional columns, a note beside the table), beyond which
# the far cells are named: 8 × the filled cells + 4 million (calamine: 32 bytes a cell, 130 MB).
SPARSE_CELLS, SPARSE_FACTOR = 4_000_000, 8
CHUNK = 1 << 22  # inflated bytes handled at a time
# Saving again repairs most damage; the allocation workbook must stay .xlsm (its macros).
SAVE_AGAIN = "请在 Excel 或 WPS 中打开后另存一份（分配工作簿存为 .xlsm，其他存为 .xlsx）再试"


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based sheet coordinates → A1 name."""
    return f"{column_letter(col)}{row + 1}"


def column_index(letters: str) -> int:
    """Excel letters → 0-based column index (A → 0)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def inflate_limit(size: int) -> int:
    """How far a package of ``size`` bytes may inflate in all."""
    return min(MAX_INFLATED, max(MAX_RATIO * size, RATIO_FLOOR))


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


# --- the package ----------------------------------------------------------------------------------

class Package:
    """A zip package checked part by part before any reader parses it. Opening checks the sizes
    the directory declares and inflates every part but the worksheets of an .xlsx (each of those
    when it is first read: a reader of three sheets should not pay for a million-row fourth);
    an .ods keeps all its tables in one part, which calamine reads whole, so they are all
    checked at once. ``zipfile.BadZipFile`` passes to the caller, which knows how to say why a
    file does not open."""

    def __init__(self, data: bytes, label: str):
        self.data, self.label = data, label
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {info.filename: info for info in self.archive.infolist()}
        if len(self.infos) != len(self.archive.infolist()):  # which of two would a reader take?
            raise SourceError(f"文件已损坏（压缩包中有重名的部分）；{SAVE_AGAIN}", label)
        self.limit = inflate_limit(len(data))
        self.used = 0
        self._lock = threading.Lock()
        if sum(info.file_size for info in self.infos.values()) > self.limit:
            raise self._bomb()
        self.sheets: dict[str, str] = {}  # .xlsx: sheet name → its part
        self.workbook_xml = b""
        self._checked: set[str] = set()
        self.formula_free: set[str] = set()  # checked sheet parts without a formula
        if "xl/workbook.xml" in self.infos:
            self.kind = "xlsx"
            missing = [part for part in _FIRST if part not in self.infos]
            if missing:  # the caller says the file is damaged
                raise zipfile.BadZipFile(f"no {missing[0]}")
            first = {part: b"".join(self._chunks(part)) for part in _FIRST}  # each inflated (and counted) once
            self.workbook_xml = first["xl/workbook.xml"]
            try:
                self.sheets = _sheet_map(first["xl/_rels/workbook.xml.rels"], self.workbook_xml)
            except ElementTree.ParseError as exc:
                raise zipfile.BadZipFile(str(exc)) from exc
            lazy = set(self.sheets.values())
            for part in self.infos:
                if part not in lazy and part not in first:
                    self._count(part)
        elif "content.xml" in self.infos:
            self.kind = "ods"
            for part in self.infos:
                if part != "content.xml":
                    self._count(part)
            from .extents import check_points, ods_points  # numpy: only when a check runs

            for name, points in ods_points(self._chunks("content.xml"), label).items():
                check_points(points, f"{label}!{name}")
        elif "xl/workbook.bin" in self.infos:  # its cells are binary records: not looked at here
            raise SourceError("这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 再试", label)
        else:
            self.kind = ""
            for part in self.infos:
                self._count(part)

    @property
    def manual_calculation(self) -> bool:
        """Whether the workbook was saved with calculation set to manual (Excel: 公式 → 计算选项
        → 手动): formula cells then hold what was last calculated, which may be stale."""
        return _MANUAL.search(self.workbook_xml) is not None

    def check_sheet(self, name: str) -> None:
        """Refuse a sheet that cannot be read within bounds (see the module's docstring)."""
        part = self.sheets.get(name)
        if self.kind != "xlsx" or not part or part not in self.infos or part in self._checked:
            return
        from .extents import allowance, check_points, exact_points, fast_extent, fast_points

        where = f"{self.label}!{name}"
        extent, formulas = fast_extent(_prefetched(self._chunks(part)), where)
        if extent is None:  # written unusually: the exact, slower parse decides
            check_points(exact_points(self._stream(part), where), where)
        elif extent.box > allowance(extent.cells):  # maybe blank formatted cells: look closer
            check_points(fast_points(_prefetched(self._chunks(part, count=False))), where)
        self._checked.add(part)
        if not formulas:
            self.formula_free.add(part)

    def holds_formulas(self, part: str) -> bool | None:
        """Whether a sheet part holds a formula, where its check has read every byte of it
        (the error-cell scan then needs no pass of its own); None where unknown."""
        return None if part not in self._checked else part not in self.formula_free

    # -- inflating, counting --

    def _count(self, part: str) -> None:
        for _ in self._chunks(part):
            pass

    def _stream(self, part: str):
        """The part as a file object for a parser (already counted)."""
        return ChunkReader(self._chunks(part, count=False))

    def _chunks(self, part: str, count: bool = True) -> Iterator[bytes]:
        """The part's bytes, inflated with zlib chunk by chunk (never more than CHUNK at once),
        counted against the package's budget and the size the directory declares; an XML
        part's first chunk must not declare a document type."""
        info = self.infos[part]
        if info.flag_bits & 0x1:
            raise SourceError(f"文件中有加密的部分，无法读取；{SAVE_AGAIN}", self.label)
        start = self._data_start(info)
        raw = memoryview(self.data)[start:start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            pieces: Iterator[bytes] = (bytes(raw[at:at + CHUNK]) for at in range(0, len(raw), CHUNK))
            inflater = None
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            pieces = _inflate(inflater, raw)
        else:
            raise SourceError(f"文件使用了 Excel 不用的压缩方式，可能已损坏；{SAVE_AGAIN}", self.label)
        produced, first = 0, True
        try:
            for piece in pieces:
                produced += len(piece)
                if produced > info.file_size:
                    raise SourceError(f"{_lying()}", self.label)
                if count:
                    with self._lock:  # sheets may be checked on two threads
                        self.used += len(piece)
                        over = self.used > self.limit
                    if over:
                        raise self._bomb()
                if first and _is_xml(part):
                    _refuse_doctype(piece, self.label)
                first = False
                yield piece
        except zlib.error:
            raise SourceError(f"文件已损坏（压缩的数据无法解开）；{SAVE_AGAIN}", self.label) from None
        if produced != info.file_size or (inflater is not None and not inflater.eof):
            raise SourceError(f"{_lying()}", self.label)

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        header = self.data[info.header_offset:info.header_offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise SourceError(f"文件已损坏（压缩包的目录与内容不符）；{SAVE_AGAIN}", self.label)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_length + extra_length

    def _bomb(self) -> SourceError:
        return SourceError(
            f"文件解压后的内容超过 {_megabytes(self.limit)}（文件本身 {_megabytes(len(self.data))}），"
            f"超出安全读取的上限；这多半是损坏或特意构造的文件（“压缩炸弹”），为安全起见不予读取。"
            f"如确是正常的大文件，请分成几个较小的文件再试", self.label)


def _lying() -> str:
    return f"文件已损坏（压缩包中记录的大小与实际内容不符）；{SAVE_AGAIN}"


def _inflate(inflater, raw: memoryview) -> Iterator[bytes]:
    at = 0
    tail = b""
    while not inflater.eof:
        if tail:
            source = tail
        elif at < len(raw):
            source, at = raw[at:at + CHUNK], at + CHUNK
        else:
            return
        piece = inflater.decompress(source, CHUNK)
        tail = inflater.unconsumed_tail
        if piece:
            yield piece


def _prefetched(chunks: Iterator[bytes], depth: int = 3) -> Iterator[bytes]:
    """The chunks, inflated ahead on another thread (zlib leaves the GIL while it works, and so
    does numpy while the chunk before is scanned): the check costs about the inflating alone."""
    handoff: queue.Queue = queue.Queue(depth)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                handoff.put(chunk)
            handoff.put(done)
        except BaseException as exc:  # handed over and raised in the reading thread
            handoff.put(exc)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on a full queue finish
            try:
                handoff.get_nowait()
            except queue.Empty:
                worker.join(0.01)


class ChunkReader(io.RawIOBase):
    """Chunks as a readable file, for ElementTree.iterparse."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.rest:
            self.rest = next(self.chunks, None)
            if self.rest is None:
                self.rest = b""
                return 0
        size = min(len(buffer), len(self.rest))
        buffer[:size] = self.rest[:size]
        self.rest = self.rest[size:]
        return size


def _is_xml(part: str) -> bool:
    return part.lower().endswith((".xml", ".rels", ".vml"))


_PROLOG = re.compile(r"\A\ufeff?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)


def _refuse_doctype(head: bytes, label: str) -> None:
    """OOXML and OpenDocument parts have no document type: a DTD here can only define entities
    that expand (billion laughs), which a parser would either expand or refuse in English."""
    text = _xml_text(head[:1 << 16])
    rest = text[_PROLOG.match(text).end():]
    if rest.startswith("<!") or (not rest and len(head) >= 1 << 16):
        raise SourceError("文件中含有 XML 文档类型或实体定义（DOCTYPE/ENTITY），Excel 和 WPS 保存的文件"
                          "从不含有这些内容；这可能是特意构造的文件，为安全起见不予读取", label)


def _xml_text(head: bytes) -> str:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(encoding, "ignore")
    if head[:2] in (b"<\0", b"\0<"):
        return head.decode("utf-16-le" if head[0] else "utf-16-be", "ignore")
    return head.decode("utf-8", "ignore")


_MANUAL = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bcalcMode\s*=\s*[\"']manual[\"']")


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


_FIRST = ("[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml")  # what says where sheets are


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in an .xlsx package, through workbook.xml and its relationships."""
    return _sheet_map(archive.read("xl/_rels/workbook.xml.rels"), archive.read("xl/workbook.xml"))


def _sheet_map(rels_xml: bytes, workbook_xml: bytes) -> dict[str, str]:
    rels = ElementTree.fromstring(rels_xml)
    targets = {}
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    book = ElementTree.fromstring(workbook_xml)
    return {sheet.get("name"): targets.get(sheet.get(f"{_REL}id"), "")
            for sheet in book.iter(f"{_MAIN}sheet")}


# --- .xls -----------------------------------------------------------------------------------------------

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx


def check_biff(data: bytes, label: str) -> None:
    """Refuse an .xls whose sheets cannot be read within bounds (:func:`jbsys_xl.io.extents.check_biff`)."""
    from .extents import check_biff as check

    check(data, label)


# --- text ------------------------------------------------------------------------------------------------

def bounded_rows(rows: Iterable[list], label: str) -> list[list]:
    """Rows of a text file read as a table, within Excel's limits: a CSV or web table beyond them
    could not be opened in Excel either, and every line of it (even an empty one) costs memory."""
    found: list[list] = []
    for row in rows:
        if len(found) == MAX_ROWS:
            raise too_many_rows(label)
        if len(row) > MAX_COLUMNS:
            raise too_wide(label, len(found) + 1, len(row))
        found.append(row)
    return found


def too_many_rows(label: str) -> SourceError:
    return SourceError(f"超过 {MAX_ROWS:,} 行，超出 Excel 工作表的上限；请分成几个文件（例如按月）导出", label)


def too_wide(label: str, number: int, width: int) -> SourceError:
    return SourceError(f"第 {number:,} 行有 {width:,} 列，超出 Excel 工作表的上限（{MAX_COLUMNS:,} 列）；"
                       f"文件可能已损坏，或不是用逗号或制表符分隔的", label)
