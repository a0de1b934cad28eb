"""One pipeline behind every door (CLI, ribbon macro, UDFs, page): read → validate → allocate."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import contract
from .doors import CLI, Door
from .io.dataset import build_dataset, latest_year
from .io.reader import RawBook, SourceError, read_source
from .model import Allocation, Check, Dataset, Findings
from .rules.allocate import allocate

# The sheets by which an allocation workbook is known: a file with none of them is another file.
WORKBOOK_SHEETS = frozenset({contract.PARAMS, contract.INDICATORS, contract.CENTERS})
WANTED = "请选择填写数据的分配工作簿（有“参数”“指标”“中心”等工作表）"


@dataclass
class Outcome(Findings):
    year: int | None  # None when no year was given and 参数 holds none
    checks: list[Check]
    allocation: Allocation | None
    book: RawBook

    @property
    def ok(self) -> bool:
        return self.allocation is not None and not self.errors

    @property
    def dataset(self) -> Dataset | None:
        return self.allocation.dataset if self.allocation else None


def run(source: str | Path | RawBook, year: int | None = None, door: Door = CLI) -> Outcome:
    """Validate and allocate one year (default: the latest 年度 in 参数); errors are returned as
    checks, never raised. ``door`` words the remedies that differ between the CLI and the page."""
    if isinstance(source, RawBook):
        book = source
    else:
        path = Path(source)
        try:
            book = read_source(path)
        except SourceError as exc:  # reported like any other error: exit 2, JSON with ok: false
            message = _export(path, door) if path.is_file() else None
            return _refused(year, path, message or str(exc))
        if not WORKBOOK_SHEETS & book.sheets.keys() and path.is_file():
            message = _other_file(path, book.sheet_names, door)
            if message:
                return _refused(year, path, message)
    if year is None:
        year = latest_year(book)
    if year is None:
        return Outcome(None, [Check("error", contract.PARAMS, "", "“参数”表中没有任何年度的参数行，"
                                    f"请先填写本年度的参数行（或{door.year}）")], None, book)
    dataset, checks = build_dataset(book, year)
    allocation = None
    if dataset is not None:
        allocation, rule_checks = allocate(dataset)
        checks = checks + rule_checks
    return Outcome(year, checks, allocation, book)


def _refused(year: int | None, path: Path, message: str) -> Outcome:
    """A file that is no allocation workbook: one error, under the file's name (never its
    folder: on the page that is the server's private folder)."""
    return Outcome(year, [Check("error", "", "", message)], None, RawBook({}, path.name))


def _other_file(path: Path, sheet_names: list[str], door: Door) -> str | None:
    """What a workbook without the allocation workbook's sheets is, when it is a file a clerk
    mistakes for it: this tool's result (its creator is JBSys-XL) or a 金保 export."""
    from .io.reader import created_by_tool

    if created_by_tool(path.read_bytes()):  # named by its first sheet: 回访清单, 公示, 拨付明细 …
        what = "分配结果" if contract.RESULT_SHEET in sheet_names else \
            f"“{sheet_names[0]}”文件" if sheet_names else "文件"
        return f"{path.name}：这是本程序生成的{what}，不是分配工作簿；{WANTED}"
    return _export(path, door)


def _export(path: Path, door: Door) -> str | None:
    """The message for a 金保 export (Excel, CSV or a web system's "xls") given as the allocation
    workbook, or None: a sheet whose first rows hold the export's telling column headers. The
    headers are the import's own table (jinbao.headers), read by the import's reader."""
    from .jinbao.headers import HEADER_ROWS, INSTITUTION, TELLING, field_columns
    from .jinbao.sources import Skipped, SourceFile, read_file

    try:
        for grid in read_file(SourceFile(path, path.name)):
            for row in grid.top(HEADER_ROWS):
                columns = field_columns(row)
                if INSTITUTION in columns or sum(field in columns for field in TELLING) >= 2:
                    return f"{path.name}：这是金保导出文件，{door.jinbao}"
    except (SourceError, Skipped):
        return None
    return None
