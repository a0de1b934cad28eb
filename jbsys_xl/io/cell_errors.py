"""Find the cells a value reader turns into blanks: Excel error values and unsaved formulas.

python-calamine reads ``#N/A`` or ``#DIV/0!`` as an empty string and skips a formula that has
no saved result, so a cell that shows a value in Excel would silently read as blank — and an
optional money cell would fall back to its default. This module finds those cells in the file
itself: a byte search of each sheet's XML (cheap: most sheets have none), then an exact parse of
the sheets that might. ``.xls`` files are checked through xlrd, which keeps BIFF cell types.

The opposite mistake is here too: the totals row of an Excel Table (its 汇总 row) reads as one
more row of data, so :func:`table_totals` finds those rows in the Table parts of the package.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree import ElementTree

from .bounds import CFB_MAGIC, Package, column_index, sheet_parts
from .values import CellError

ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                         "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                         "#CONNECT!", "#UNKNOWN!", "#BUSY!"})
CHUNK = 1 << 22

Found = dict[tuple[int, int], CellError]  # 0-based (row, col) → the error in that cell
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def scanner(data: bytes, label: str, package: Package | None = None) -> Callable[..., Found]:
    """A function from a sheet name to its error cells, for the file ``data``. With
    ``formulas_only=True`` only formulas without a saved result are looked for (a reader that
    reports error values itself needs no more); ``.formulas(name)`` of an .xlsx scanner: where
    the sheet's formulas are. ``package``: the file's checked package, which knows of each
    checked sheet whether it holds a formula."""
    if data[:4] == b"PK\x03\x04":
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return _XlsxScanner(archive, package)
        if "content.xml" in names:
            return _OdsScanner(archive)
    elif data[:8] == CFB_MAGIC:
        return _XlsScanner(data)
    return lambda name: {}


# fastexcel names calamine's error kinds; the codes Excel shows for them
_FASTEXCEL_ERRORS = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
                     "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}
_FASTEXCEL_ERROR = re.compile(r"Error\((\w+)\)")


def code_of_fastexcel_error(detail: str) -> str | None:
    """``Expected string but got 'Error(NA)'`` → ``#N/A``; None for any other problem."""
    match = _FASTEXCEL_ERROR.search(detail)
    return _FASTEXCEL_ERRORS.get(match.group(1), "#N/A") if match else None


# --- .xlsx / .xlsm ------------------------------------------------------------------------------

_FORMULA_NEEDLES = (b"<f", b":f")  # <f>, <f t="shared" …>, and <x:f> in prefixed documents
_ERROR_NEEDLES = (b't="e', b"t='e")


class _XlsxScanner:
    def __init__(self, archive: zipfile.ZipFile, package: Package | None = None):
        self.archive, self.package = archive, package
        self.parts = package.sheets if package is not None else sheet_parts(archive)
        self._parsed: dict[str, tuple[Found, list[tuple[int, int]]]] = {}

    def __call__(self, name: str, formulas_only: bool = False) -> Found:
        needles = _FORMULA_NEEDLES if formulas_only else _FORMULA_NEEDLES + _ERROR_NEEDLES
        found = self._parse(name, needles)[0]
        if formulas_only:
            found = {at: error for at, error in found.items() if error.code == CellError.UNCACHED}
        return found

    def formulas(self, name: str) -> list[tuple[int, int]]:
        """Every formula cell of the sheet (0-based), saved result or not."""
        return self._parse(name, _FORMULA_NEEDLES)[1]

    def _parse(self, name: str, needles: tuple[bytes, ...]) -> tuple[Found, list[tuple[int, int]]]:
        part = self.parts.get(name)
        if part is None or part not in self.archive.namelist():
            return {}, []
        if part in self._parsed:
            return self._parsed[part]
        # The needles end in letters that are rare in sheet XML (e, f), which keeps the search
        # fast; a false hit only costs the exact parse. Formulas alone: the package's check of
        # the sheet has looked already.
        known = self.package.holds_formulas(part) if self.package is not None else None
        if needles == _FORMULA_NEEDLES and known is not None:
            if not known:
                return {}, []
        elif not may_hold(self.archive, part, needles):
            return {}, []
        self._parsed[part] = _parse_xlsx_sheet(self.archive.open(part))
        return self._parsed[part]


def _xlsx(data: bytes) -> tuple[zipfile.ZipFile, dict[str, str]] | None:
    """An .xlsx/.xlsm opened, with its sheet names → parts; None for any other file."""
    if data[:4] != b"PK\x03\x04":
        return None
    archive = zipfile.ZipFile(io.BytesIO(data))
    if "xl/workbook.xml" not in archive.namelist():
        return None
    return archive, sheet_parts(archive)


def may_hold(archive: zipfile.ZipFile, part: str, needles: tuple[bytes, ...]) -> bool:
    """Whether any needle occurs in the part, reading it in chunks (they overlap by a few
    bytes so a needle cut in two is still seen)."""
    from .extents import contains  # numpy: not in LibreOffice's Python, which imports this package

    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if any(contains(window, needle) for needle in needles):
                return True
            tail = window[-8:]
    return False


def _xlsx_cells(stream) -> Iterator[tuple[int, int, ElementTree.Element]]:
    """(row, column, the <c> element), 0-based, of a sheet's XML in document order; a cell or
    row without its ``r`` follows the one before. Each element is freed once handed out."""
    row_index, col_index = -1, -1
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":
                r = element.get("r")
                row_index = int(r) - 1 if r else row_index + 1
                col_index = -1
            elif tag == "c":
                ref = element.get("r")
                match = _CELL_REF.fullmatch(ref) if ref else None
                col_index = column_index(match.group(1)) if match else col_index + 1
            continue
        if tag == "c":
            yield row_index, col_index, element
            element.clear()
        elif tag == "row":
            element.clear()


def _parse_xlsx_sheet(stream) -> tuple[Found, list[tuple[int, int]]]:
    """The error cells of a sheet, and where its formulas are."""
    found: Found = {}
    formulas = []
    for row, col, element in _xlsx_cells(stream):
        kind = element.get("t", "n")
        value = element.find(f"{_MAIN}v")
        text = value.text if value is not None else None
        formula = element.find(f"{_MAIN}f") is not None
        if formula:
            formulas.append((row, col))
        if kind == "e":
            found[(row, col)] = CellError((text or "#N/A").strip())
        elif formula and (text is None or (not text and kind == "n")):
            found[(row, col)] = CellError(CellError.UNCACHED)
    return found, formulas


def table_totals(data: bytes) -> Callable[[str], list[tuple[int, int, int]]]:
    """A function from a sheet name to the totals rows of its Excel Tables, as 0-based
    (row, first column, last column). Only .xlsx/.xlsm have Tables (ListObjects) on file."""
    try:
        archive, parts = _xlsx(data) or (None, {})
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return lambda name: []  # the value reader says what is wrong with the file

    def totals(name: str) -> list[tuple[int, int, int]]:
        part = parts.get(name)
        if not part:
            return []
        found = []
        for table in _related(archive, part, "/table"):
            root = ElementTree.fromstring(archive.read(table))
            count = int(root.get("totalsRowCount") or 0)
            ref = _RANGE.fullmatch(root.get("ref", ""))
            if count <= 0 or ref is None:
                continue
            left, right = column_index(ref.group(1)), column_index(ref.group(3))
            bottom = int(ref.group(4)) - 1
            found.extend((row, left, right) for row in range(bottom - count + 1, bottom + 1))
        return found

    return totals


_RANGE = re.compile(r"\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)")


def _related(archive: zipfile.ZipFile, part: str, kind: str) -> list[str]:
    """Parts the relationships of ``part`` point at whose type ends in ``kind``."""
    folder, file = posixpath.split(part)
    rels = f"{folder}/_rels/{file}.rels"
    if rels not in archive.namelist():
        return []
    found = []
    for rel in ElementTree.fromstring(archive.read(rels)).iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        if rel.get("Type", "").endswith(kind) and rel.get("TargetMode") != "External":
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if path in archive.namelist():
                found.append(path)
    return found


def xlsx_number_cell(data: bytes) -> Callable[[str, int, int], bool] | None:
    """For an .xlsx/.xlsm: a function telling whether a cell is stored as a number (no ``t``,
    or ``t="n"``, with a value) — what a reader that hands out text cannot say. It reads the
    sheet only down to that row. None for other files."""
    if (opened := _xlsx(data)) is None:
        return None
    archive, parts = opened

    def is_number(name: str, row: int, col: int) -> bool:
        part = parts.get(name)
        if not part or part not in archive.namelist():
            return False
        for r, c, element in _xlsx_cells(archive.open(part)):
            if r > row:
                return False
            if (r, c) == (row, col):
                return element.get("t", "n") == "n" and element.find(f"{_MAIN}v") is not None
        return False

    return is_number


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?"')


def xlsx_merges(data: bytes) -> Callable[[str], list[tuple[int, int, int, int]]] | None:
    """For an .xlsx/.xlsm: a function from a sheet name to its merged areas as (top, left,
    bottom, right), 0-based inclusive, found by a byte search of the sheet's XML — they sit
    after all the cells, and reading the cells themselves would cost a whole second read of a
    big sheet. None for other files."""
    if (opened := _xlsx(data)) is None:
        return None
    archive, parts = opened

    def merges(name: str) -> list[tuple[int, int, int, int]]:
        part = parts.get(name)
        if not part or part not in archive.namelist():
            return []
        found, tail = set(), b""
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                window = tail + chunk
                for match in _MERGE.finditer(window):
                    a, r1, b, r2 = match.groups()
                    found.add((int(r1) - 1, column_index(a.decode()),
                               int(r2 or r1) - 1, column_index((b or a).decode())))
                tail = window[-256:]
        return sorted(found)

    return merges


# --- .ods -------------------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


class _OdsScanner:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self._found: dict[str, Found] | None = None

    def __call__(self, name: str, formulas_only: bool = False) -> Found:
        # An .ods file always saves formula results, but fastexcel reads its error values as
        # blanks: they are reported whatever ``formulas_only`` says.
        if self._found is None:
            self._found = {}
            if may_hold(self.archive, "content.xml", (b'value-type="error"',)):
                self._found = _parse_ods(self.archive.open("content.xml"))
        return self._found.get(name, {})


def _parse_ods(stream) -> dict[str, Found]:
    """Error cells per table; repeated rows and cells are counted, not expanded."""
    result: dict[str, Found] = {}
    table, row, col = None, -1, 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                table, row = result.setdefault(element.get(f"{_TABLE}name", ""), {}), -1
            elif tag == f"{_TABLE}table-row":
                row, col = row + 1, 0
            continue
        if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            repeat = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
            if element.get(f"{_CALCEXT}value-type") == "error" and table is not None:
                shown = "".join(element.itertext()).strip() or "#N/A"
                for offset in range(repeat):
                    table[(row, col + offset)] = CellError(shown)
            col += repeat
            element.clear()
        elif tag == f"{_TABLE}table-row":
            row += int(element.get(f"{_TABLE}number-rows-repeated", "1")) - 1
            element.clear()
    return result


def ods_merges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged areas per table of an .ods file as (top, left, bottom, right), 0-based inclusive
    (calamine does not report them for .ods)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    result: dict[str, list[tuple[int, int, int, int]]] = {}
    merges, row, col = None, -1, 0
    for event, element in ElementTree.iterparse(archive.open("content.xml"), events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_TABLE}table":
                merges, row = result.setdefault(element.get(f"{_TABLE}name", ""), []), -1
            elif tag == f"{_TABLE}table-row":
                row, col = row + 1, 0
            continue
        if tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
            rows = int(element.get(f"{_TABLE}number-rows-spanned", "1"))
            cols = int(element.get(f"{_TABLE}number-columns-spanned", "1"))
            if (rows > 1 or cols > 1) and merges is not None:
                merges.append((row, col, row + rows - 1, col + cols - 1))
            col += int(element.get(f"{_TABLE}number-columns-repeated", "1"))
            element.clear()
        elif tag == f"{_TABLE}table-row":
            row += int(element.get(f"{_TABLE}number-rows-repeated", "1")) - 1
            element.clear()
    return result


# --- .xls (BIFF) --------------------------------------------------------------------------------

class _XlsScanner:
    def __init__(self, data: bytes):
        self.data = data
        self._book = None

    def __call__(self, name: str, formulas_only: bool = False) -> Found:
        import xlrd

        if formulas_only:
            return {}  # BIFF always saves formula results
        if self._book is None:
            try:
                self._book = xlrd.open_workbook(file_contents=self.data, on_demand=True)
            except Exception:  # not BIFF (e.g. an encrypted .xlsx): calamine has already spoken
                return {}
        try:
            sheet = self._book.sheet_by_name(name)
        except xlrd.XLRDError:
            return {}
        found: Found = {}
        for r in range(sheet.nrows):
            types = sheet.row_types(r)
            if xlrd.XL_CELL_ERROR not in types:
                continue
            for c, kind in enumerate(types):
                if kind == xlrd.XL_CELL_ERROR:
                    code = xlrd.error_text_from_code.get(sheet.cell_value(r, c), "#N/A")
                    found[(r, c)] = CellError(code)
        return found
