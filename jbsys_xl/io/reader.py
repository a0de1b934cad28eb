"""Read raw cell values, keeping every value's position so errors can name the cell.

Sources: an .xlsx/.xlsm/.xls/.ods workbook (python-calamine: Rust, values only, far faster than
openpyxl), a folder of ``<sheet>.csv`` files (comma- or tab-separated; UTF-8, GBK or UTF-16), or
— from the Excel layer — a grid of values from xlwings. Cells that show something in Excel but
hold no value (error values, formulas without a saved result) arrive as
:class:`~jbsys_xl.io.values.CellError`, never as blanks, and the 汇总 row of an Excel Table
arrives blank (:mod:`jbsys_xl.io.cell_errors`). A file that cannot be opened is a
:class:`SourceError` saying why in words a user can act on (empty, cut short, protected …).
Nothing here interprets values; that is :mod:`jbsys_xl.io.dataset`'s job.
"""
from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import contract
from . import bounds, cell_errors
from .bounds import SAVE_AGAIN, SourceError
from .kinds import other_kind
from .names import normalize
from .values import CellError


@dataclass
class RawSheet:
    """A rectangle of values; ``rows[0][0]`` sits at 0-based sheet position (first_row, first_col).

    A big sheet may instead be read column-wise (:meth:`Spreadsheet.read_columns`): ``columns``
    then holds one Arrow string array per column for the whole rectangle, ``rows`` only its top
    rows (where the header is looked for), and ``errors`` the error cells (relative positions),
    which Arrow holds as nulls."""

    name: str
    rows: list[list]
    first_row: int = 0
    first_col: int = 0
    # Work derived from the values alone (e.g. a column factorised by io.volumes), kept so a
    # second run over the same book (the year before, for the 同比 sheet) does not redo it.
    derived: dict = field(default_factory=dict, repr=False, compare=False)
    columns: list | None = field(default=None, repr=False)
    errors: dict = field(default_factory=dict, repr=False)
    # Formula cells (0-based sheet positions) of a workbook saved with calculation set to manual:
    # what they hold is what was last calculated, which may be stale (io.tables warns).
    stale: list = field(default_factory=list, repr=False)

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else len(self.rows)

    def all_rows(self) -> list[list]:
        """Every row as Python values, also for a column-wise sheet (slow there: for small uses)."""
        if self.columns is None:
            return self.rows
        rows = [list(values) for values in zip(*(column.to_pylist() for column in self.columns))]
        for (r, c), error in self.errors.items():
            rows[r][c] = error
        return rows


@dataclass
class RawBook:
    sheets: dict[str, RawSheet]  # contract sheet name → the sheet read for it
    label: str = ""  # what to call the source in reports (file name)
    sha256: str = ""  # of the input bytes, recorded in the result's 说明 sheet
    extra: dict = field(default_factory=dict)
    # Every sheet name of the source as written (CSV: file names without .csv), so a missing
    # sheet can name a near one; and contract names that several sheets normalise to.
    sheet_names: list[str] = field(default_factory=list)
    clashes: dict[str, list[str]] = field(default_factory=dict)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a million row lists are built or walked.

    Creating them trips full collections that re-traverse every list made so far, which cost
    about as much as building them; nothing made here forms reference cycles, so plain
    reference counting frees it all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # what Chinese Excel saves: UTF-8 (BOM) or ANSI = GBK


def decode_text(data: bytes, label: str) -> str:
    """Text of a CSV or text file: UTF-16 (Excel's “Unicode 文本”, with a BOM or recognisable
    by its zero bytes), UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    encodings = (utf16,) if (utf16 := _utf16(data)) else CSV_ENCODINGS
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{label}：无法识别文件编码（应为 UTF-8、GBK/GB18030 或 Unicode 文本）")


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec the text is in, or None. Without a BOM: half the bytes of its start are
    zero, on the odd side for little-endian (the ASCII of tabs, digits and line ends)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd > len(head) // 8 and even * 4 < odd:
            return "utf-16-le"
        if even > len(head) // 8 and odd * 4 < even:
            return "utf-16-be"
    return None


def text_rows(text: str, label: str) -> list[list]:
    """Rows of a comma- or tab-separated text (Excel saves “文本文件（制表符分隔）” and
    “Unicode 文本” with tabs), within Excel's limits (:func:`~jbsys_xl.io.bounds.bounded_rows`).
    Excel's error values saved as text (#N/A …) stay error cells; the text-forcing form
    ``="0101"`` that many systems export reads as ``0101``."""
    head = text[:8192]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return bounds.bounded_rows(([_csv_cell(cell) for cell in row] for row in rows), label)
    except csv.Error:  # a field past csv's size limit: no table Excel saves has one
        raise SourceError(f"{label}：第 {rows.line_num:,} 行无法作为表格读取（有超长的格子，或引号不成对）；"
                          f"请确认这是逗号或制表符分隔的文本文件") from None


def _csv_cell(cell: str):
    if cell[:2] == '="' and cell[-1:] == '"' and len(cell) >= 3:
        return cell[2:-1]
    return CellError(cell) if cell in cell_errors.ERROR_CODES else cell


def csv_rows(data: bytes, label: str) -> list[list]:
    """Rows of a CSV (or tab-separated) file, whatever its encoding (:func:`decode_text`)."""
    return text_rows(decode_text(data, label), label)


def read_source(path: str | Path, only: Iterable[str] | None = None) -> RawBook:
    """Read the contract's sheets (or ``only`` those named) from a workbook file or a folder
    of CSV files. The 金保 import needs 参数/指标/中心/回访 and no million-row 业务量."""
    path = Path(path)
    wanted = None if only is None else set(only)
    if path.is_dir():
        return _read_csv_folder(path, wanted)
    if not path.exists():
        raise SourceError(f"找不到输入文件：{path}")
    if path.suffix.lower() == ".csv":
        raise SourceError(f"{path}：请给出存放各工作表 CSV 文件的文件夹，而不是单个 CSV 文件")

    def ahead(names: list[str]) -> list[str]:  # the big sheets: checked while the others are read
        return [name for key, name in match_sheets(names)[0].items()
                if key in COLUMNAR_SHEETS and (wanted is None or key in wanted)]

    book = open_spreadsheet(path, ahead)
    chosen, clashes = match_sheets(book.sheet_names)
    sheets = {}
    for key, name in chosen.items():
        if wanted is not None and key not in wanted:
            continue
        try:
            with gc_paused():
                big = key in COLUMNAR_SHEETS and book.read_columns(name, key)
                sheets[key] = big or book.read(name, key)
        except SourceError:
            raise
        except BaseException as exc:  # a damaged sheet inside a package that opened
            if not library_failure(exc):
                raise
            raise SourceError(f"{path.name}!{name}：无法读取此工作表，文件可能已损坏；{SAVE_AGAIN}") from exc
    return RawBook(sheets, path.name, book.sha256, sheet_names=book.sheet_names, clashes=clashes)


COLUMNAR_SHEETS = frozenset({contract.VOLUMES})  # the sheet that can hold a million rows


def match_sheets(names: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Contract sheet name → the source's sheet for it (names compared in normal form), and the
    contract names that more than one source sheet normalises to (an error: which is current?)."""
    wanted = {spec.name for spec in contract.INPUT_SHEETS}
    found: dict[str, list[str]] = {}
    for name in names:
        key = normalize(name)
        if key in wanted:
            found.setdefault(key, []).append(name)
    chosen = {key: found_names[0] for key, found_names in found.items()}
    clashes = {key: found_names for key, found_names in found.items() if len(found_names) > 1}
    return chosen, clashes


class Spreadsheet:
    """An opened .xlsx/.xlsm/.xls/.ods file: its sheet names, and each sheet on demand with
    error cells marked. Shared by the allocation reader and the 金保 import."""

    def __init__(self, path: Path, data: bytes, ahead: Callable[[list[str]], list[str]] | None = None):
        """``ahead``: from the sheet names, those to check on another thread while the file is
        opened and the others read (the big ones: their check reads every byte once)."""
        import python_calamine

        self.path, self.data = path, data
        self.package = None  # a zip package (.xlsx/.xlsm/.ods), checked before calamine sees it
        self._ahead: dict[str, Future] = {}
        if data[:4] == b"PK\x03\x04":
            try:
                self.package = bounds.Package(data, path.name)
            except (zipfile.BadZipFile, EOFError, OSError):
                raise SourceError(f"{path.name}：{damage(data)}") from None
            if ahead is not None and (names := ahead(list(self.package.sheets))):
                pool = ThreadPoolExecutor(1)
                self._ahead = {name: pool.submit(self.package.check_sheet, name) for name in names}
                pool.shutdown(wait=False)
        elif data[:8] == bounds.CFB_MAGIC:
            bounds.check_biff(data, path.name)
        self.sha256 = hashlib.sha256(data).hexdigest()
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except python_calamine.PasswordError:
            raise SourceError(f"{path.name}：文件有密码保护，请在 Excel 中取消密码后另存再试") from None
        except BaseException as exc:  # calamine raises unrelated types, even a Rust panic
            if not library_failure(exc):
                raise
            raise SourceError(f"{path.name}：{damage(data)}") from exc
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self.hidden = frozenset(sheet.name for sheet in self._book.sheets_metadata
                                if sheet.visible != python_calamine.SheetVisibleEnum.Visible)
        self._errors = cell_errors.scanner(data, path.name, self.package)
        self._totals = cell_errors.table_totals(data)
        self._fast = None  # fastexcel's reader, opened for the first column-wise read
        # Asked only of a few cells of 金保 exports (merged institutions, number-ised case ids):
        self._xlsx_number = None  # the .xlsx cell-type probe, made on first use
        self._cells: dict[str, tuple] = {}  # other formats: sheet → (start, rows) read by calamine
        self._merges = None  # the .xlsx merge scan, made on first use
        self._ods_merges = None

    def check(self, name: str) -> None:
        """Refuse a sheet whose cells cannot be read within bounds, before a reader sees it."""
        if (pending := self._ahead.pop(name, None)) is not None:
            pending.result()  # raises what the check found
        elif self.package is not None:
            self.package.check_sheet(name)

    def read(self, name: str, key: str | None = None) -> RawSheet:
        """The sheet's values from its first used cell; error cells as CellError."""
        self.check(name)
        sheet = self._book.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        rows = sheet.to_python(skip_empty_area=True)
        raw = RawSheet(key or name, rows, start[0], start[1])
        marked = self._errors(name)
        if marked:
            _mark(raw, marked)
        for row, left, right in self._totals(name):  # spec §1: a Table's 汇总 row is not data
            r = row - raw.first_row
            if 0 <= r < len(raw.rows):
                line = raw.rows[r]
                for c in range(max(left - raw.first_col, 0), min(right + 1 - raw.first_col, len(line))):
                    line[c] = None
        raw.stale = self.stale(name)
        return raw

    def stale(self, name: str) -> list[tuple[int, int]]:
        """The sheet's formula cells when the workbook was saved with calculation set to manual
        (their saved results may be out of date); [] otherwise."""
        if self.package is None or not self.package.manual_calculation:
            return []
        return self._errors.formulas(name)

    def merged(self, name: str) -> list[tuple[int, int, int, int]]:
        """The sheet's merged areas as (top, left, bottom, right), 0-based and inclusive."""
        if self._merges is None:
            self._merges = cell_errors.xlsx_merges(self.data) or False
        if self._merges:
            return self._merges(name)
        if self.data[:4] == b"PK\x03\x04":  # .ods: calamine does not report its merges
            if self._ods_merges is None:
                self._ods_merges = cell_errors.ods_merges(self.data)
            return self._ods_merges.get(name, [])
        ranges = self._book.get_sheet_by_name(name).merged_cell_ranges or []
        return [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]

    def is_number(self, name: str, row: int, col: int) -> bool:
        """Whether a cell is stored as a number (0-based sheet position)."""
        if self._xlsx_number is None:
            self._xlsx_number = cell_errors.xlsx_number_cell(self.data) or False
        if self._xlsx_number:
            return self._xlsx_number(name, row, col)
        if name not in self._cells:
            self.check(name)
            sheet = self._book.get_sheet_by_name(name)
            self._cells[name] = (sheet.start or (0, 0), sheet.to_python(skip_empty_area=True))
        (top, left), rows = self._cells[name]
        r, c = row - top, col - left
        value = rows[r][c] if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def read_columns(self, name: str, key: str | None = None) -> RawSheet | None:
        """The sheet as Arrow string columns (fastexcel: no Python object per cell), or None
        where that cannot be exact — then :meth:`read` is the way.

        Values arrive as text (a date as ``2024-03-01 00:00:00``, a number as ``42``), which
        the parsers read as they read typed cells. Rows are read from the sheet's first row, so
        positions are the sheet's own; fastexcel reports error values, and formulas without a
        saved result are found by the XML scan, run meanwhile on the other core."""
        import fastexcel

        self.check(name)
        with ThreadPoolExecutor(1) as pool:
            uncached = pool.submit(self._errors, name, formulas_only=True)
            if self._fast is None:
                self._fast = fastexcel.read_excel(self.data)
            sheet = self._fast.load_sheet_by_name(name, header_row=None, dtypes="string",
                                                  skip_rows=0)
            batch, problems = sheet.to_arrow_with_errors()
            marked = uncached.result()
        where = [column.absolute_index for column in sheet.available_columns()]
        left = where[0] if where else 0
        if where != list(range(left, left + len(where))):
            return None
        errors = {}
        for problem in (problems.errors if problems else ()):
            code = cell_errors.code_of_fastexcel_error(problem.detail)
            if code is None:
                return None  # a cell fastexcel could not make text of: read it the exact way
            errors[tuple(problem.position)] = CellError(code)
        for (r, c), error in marked.items():
            errors[(r, c - left)] = error
        if any(not (0 <= r < batch.num_rows and 0 <= c < batch.num_columns) for r, c in errors):
            return None
        columns = list(batch.columns)
        for row, first, last in self._totals(name):  # spec §1: a Table's 汇总 row is not data
            for c in range(max(first - left, 0), min(last + 1 - left, len(columns))):
                if row < batch.num_rows:
                    columns[c] = _blank_at(columns[c], row)
                    errors.pop((row, c), None)
        head = min(contract.HEADER_SEARCH_ROWS, batch.num_rows)
        rows = [list(values) for values in zip(*(column.slice(0, head).to_pylist() for column in columns))]
        for (r, c), error in errors.items():
            if r < head:
                rows[r][c] = error
        return RawSheet(key or name, rows, 0, left, columns=columns, errors=errors, stale=self.stale(name))


def _blank_at(column, row: int):
    """The Arrow column with one cell made null (a blank)."""
    import pyarrow as pa

    return pa.concat_arrays([column.slice(0, row), pa.nulls(1, column.type), column.slice(row + 1)])


def _mark(sheet: RawSheet, marked: dict[tuple[int, int], CellError]) -> None:
    """Put error cells into the rectangle, growing it where calamine left them out (a formula
    without a value is no cell at all to calamine)."""
    top = min(min(r for r, _ in marked), sheet.first_row) if sheet.rows else min(r for r, _ in marked)
    left = min(min(c for _, c in marked), sheet.first_col) if sheet.rows else min(c for _, c in marked)
    if sheet.rows and (top < sheet.first_row or left < sheet.first_col):
        pad_rows, pad_cols = sheet.first_row - top, sheet.first_col - left
        sheet.rows = [[None] * (len(sheet.rows[0]) + pad_cols) for _ in range(pad_rows)] + \
                     [[None] * pad_cols + list(row) for row in sheet.rows]
    sheet.first_row, sheet.first_col = top, left
    for (r, c), error in marked.items():
        r, c = r - top, c - left
        while len(sheet.rows) <= r:
            sheet.rows.append([])
        row = sheet.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = error


def library_failure(exc: BaseException) -> bool:
    """Whether an exception is a reader library failing on a damaged file — any exception, or
    a Rust panic (pyo3's PanicException derives from BaseException) — rather than Ctrl+C."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


TOOL = "JBSys-XL"  # the creator every workbook we write has in its document properties
_PROPERTIES_SIZE = 1 << 20  # document properties are a few hundred bytes; a bigger part is not read


def created_by_tool(data: bytes) -> bool:
    """Whether a workbook's document properties name this tool as its creator (every file we
    write says so; Excel keeps the creator when the file is saved again)."""
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        core, app = (archive.read(part) if part in archive.namelist()
                     and archive.getinfo(part).file_size <= _PROPERTIES_SIZE else b""
                     for part in ("docProps/core.xml", "docProps/app.xml"))
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
        return False
    return (re.search(rb"<dc:creator>\s*" + TOOL.encode(), core) is not None
            or re.search(rb"<Application>\s*" + TOOL.encode(), app) is not None)


EMPTY_FILE = "文件是空的（0 字节），可能下载未完成；请重新下载或导出"


def damage(data: bytes) -> str:
    """Why bytes that start like a workbook do not open, in words a user can act on: a file cut
    short (a download or copy that did not finish) reads differently from any other damage."""
    if not data:
        return EMPTY_FILE
    if truncated(data):
        return (f"文件不完整（只有 {len(data):,} 字节，结尾缺失），可能下载或复制未完成；"
                f"请重新下载或复制后再试")
    if data[:4] != b"PK\x03\x04" and data[:8] != cell_errors.CFB_MAGIC:  # neither a package nor .xls
        kind = other_kind(data)
        return (f"{f'这是{kind}，' if kind else ''}不是 Excel 文件；"
                "请选择 Excel 或 WPS 保存的工作簿（.xlsx、.xlsm、.xls 或 .ods）")
    return f"无法作为 Excel 工作簿打开，文件可能已损坏或不是 Excel 文件；{SAVE_AGAIN}"


def truncated(data: bytes) -> bool:
    """A zip package without its end record (written last), or an OLE file (.xls) that is
    not whole 512-byte sectors: the end of the file is missing."""
    if data[:4] == b"PK\x03\x04":
        return b"PK\x05\x06" not in data[-65_557:]
    if data[:8] == cell_errors.CFB_MAGIC:
        return len(data) % 512 != 0
    return False


def open_spreadsheet(path: Path, ahead: Callable[[list[str]], list[str]] | None = None) -> Spreadsheet:
    if path.name.startswith("~$"):
        raise SourceError(f"{path.name}：这是 Excel 打开文件时生成的临时锁定文件，不是工作簿；"
                          f"请选择不带“~$”的原文件")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise SourceError(f"{path.name}：没有读取权限，或文件正被其他程序独占打开") from None
    except OSError as exc:
        raise SourceError(f"{path.name}：无法读取文件（{exc.strerror or exc}）") from None
    if not data:
        raise SourceError(f"{path.name}：{EMPTY_FILE}")
    if data[:8] == cell_errors.CFB_MAGIC and b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I" in data:
        raise SourceError(f"{path.name}：文件有密码保护，请在 Excel 中取消密码后另存再试")
    return Spreadsheet(path, data, ahead)


def _read_csv_folder(folder: Path, wanted: set[str] | None = None) -> RawBook:
    files = {file.stem: file for file in sorted(folder.iterdir())
             if file.suffix.lower() == ".csv" and file.is_file()}
    chosen, clashes = match_sheets(list(files))
    sheets = {}
    digest = hashlib.sha256()
    for spec in contract.INPUT_SHEETS:
        if spec.name not in chosen or (wanted is not None and spec.name not in wanted):
            continue
        file = files[chosen[spec.name]]
        data = file.read_bytes()
        digest.update(spec.name.encode() + b"\0" + data + b"\0")
        sheets[spec.name] = RawSheet(spec.name, csv_rows(data, file.name))
    if not files:
        raise SourceError(f"{folder}：文件夹中没有任何 CSV 文件（应有 {contract.PARAMS}.csv 等各工作表的文件）")
    return RawBook(sheets, folder.name, digest.hexdigest(), sheet_names=list(files), clashes=clashes)
