"""What a file given as the allocation workbook is, when it is not one (documents.md §8: a
wrong file is named for what it is). Every command that reads the allocation workbook asks
here — allocate/check/documents (pipeline) and import, callbacks, callback-results — so the
clerk who picks this tool's result or a 金保 export is told which file it is, not that its
参数 sheet has no year."""
from __future__ import annotations

from pathlib import Path

from .. import contract
from ..io.reader import RawBook, SourceError, created_by_tool

# The sheets by which an allocation workbook is known: a file with none of them is another file.
WORKBOOK_SHEETS = frozenset({contract.PARAMS, contract.INDICATORS, contract.CENTERS})
WANTED = "请选择填写数据的分配工作簿（有“参数”“指标”“中心”等工作表）"


def other_file(path: Path, book: RawBook, remedy: str) -> str | None:
    """What ``book``, read from ``path``, is when it has none of the allocation workbook's
    sheets and is a file a clerk mistakes for one: this tool's output (its creator is
    JBSys-XL) or a 金保 export (``remedy`` says where that goes in the door at hand); None for
    an allocation workbook or anything else."""
    if WORKBOOK_SHEETS & book.sheets.keys() or not path.is_file():
        return None
    sheet_names = book.sheet_names
    if created_by_tool(path.read_bytes()):  # named by its first sheet: 回访清单, 公示, 拨付明细 …
        what = "分配结果" if contract.RESULT_SHEET in sheet_names else \
            f"“{sheet_names[0]}”文件" if sheet_names else "文件"
        return f"{path.name}：这是本程序生成的{what}，不是分配工作簿；{WANTED}"
    return export(path, remedy)


def export(path: Path, remedy: str) -> str | None:
    """The message for a 金保 export (Excel, CSV or a web system's "xls") given as the allocation
    workbook, or None: a sheet whose first rows hold the export's telling column headers. The
    headers are the import's own table (jinbao.headers), read by the import's reader."""
    from .headers import HEADER_ROWS, INSTITUTION, TELLING, field_columns
    from .sources import Skipped, SourceFile, read_file

    if not path.is_file():
        return None
    try:
        for grid in read_file(SourceFile(path, path.name)):
            for row in grid.top(HEADER_ROWS):
                columns = field_columns(row)
                if INSTITUTION in columns or sum(field in columns for field in TELLING) >= 2:
                    return f"{path.name}：这是金保导出文件，{remedy}"
    except (SourceError, Skipped):
        return None
    return None

