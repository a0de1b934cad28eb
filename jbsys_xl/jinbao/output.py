"""What the import writes (金保 contract §6): the workbook (业务量 ready to paste, 导入记录,
未匹配, 校验) and the JSON. Neither holds a personal column: the import never reads them.

Same inputs → same bytes: the document date is fixed from the year, rows are sorted.
"""
from __future__ import annotations

import io
import json

import xlsxwriter

from .. import __version__, contract
from ..model import month_text
from ..report import tables as t
from ..clock import utc_moment
from ..report.page import Formats, print_setup, set_widths, titled_table_sheet, write_table
from .importer import ImportResult
from .plan import HAND, REPLACED_SHEET, VolumePlan

VOLUME_HEADERS = contract.SHEET_SPECS[contract.VOLUMES].headers  # 中心 事项 月份 业务量 来源
SOURCE_SEPARATOR = "；"
RECORD_SHEET, UNMATCHED_SHEET, CHECKS_SHEET = "导入记录", "未匹配", contract.CHECKS_SHEET
FILE_COLUMNS = (("file", "文件"), ("sheet", "工作表"), ("kind", "类型"), ("rows", "读取行数"),
                ("counted", "计入"), ("duplicates", "重复"), ("excluded", "状态不计"),
                ("out_of_period", "考核期外"), ("unmatched", "未匹配"))
UNMATCHED_COLUMNS = ("字段", "值", "行数", "首次出现", "是否指")


def volume_table(result: ImportResult) -> t.Table:
    rows = [(r.center, r.item, month_text(r.month), r.volume, SOURCE_SEPARATOR.join(r.sources))
            for r in result.volumes]
    return t.Table(contract.VOLUMES, VOLUME_HEADERS, (t.TEXT, t.TEXT, t.TEXT, t.INT, t.TEXT), rows)


def record_table(result: ImportResult) -> t.Table:
    kinds = (t.TEXT, t.TEXT, t.TEXT) + (t.INT,) * 6
    rows = [(p.file, p.sheet, p.label, p.rows, p.counted, p.duplicates, p.excluded, p.out_of_period,
             p.unmatched) for p in result.parts]
    rows.append(t.summary_row({0: t.TOTAL}, rows, kinds))
    return t.Table(RECORD_SHEET, tuple(label for _, label in FILE_COLUMNS), kinds, rows,
                   totals=frozenset({len(rows) - 1}))


def record_with_plan(result: ImportResult, lines: list[str]) -> t.Table:
    """导入记录 as an import into the workbook leaves it: the files, then the plan carried out."""
    return t.with_lines(record_table(result), lines)


REPLACED_HEADERS = ("单元格", "中心", "事项", "月份", "原业务量", "原来源", "替换原因")
BY_FILE, BY_KEY = "本次重新导入的文件", "同一中心、事项和月份由本次导入提供"


def replaced_rows(plan: VolumePlan, sheet: str = contract.VOLUMES):
    """The rows an import replaced, as they stood (替换记录): every one, hand rows included."""
    for row in plan.replaced():
        volume = int(row.volume) if row.volume.isdigit() else row.volume or None
        yield (f"{sheet}!{row.cell}", row.center, row.item, row.month, volume, row.source or HAND,
               BY_FILE if row.by_file else BY_KEY)


def replaced_title(result: ImportResult, plan: VolumePlan) -> str:
    return (f"{result.year} 年度金保数据导入替换的行（共 {plan.replaced_count:,} 行，其中手工填写 "
            f"{plan.hand_count:,} 行；导入前的值）")


def replaced_table(result: ImportResult, plan: VolumePlan) -> t.Table:
    kinds = (t.TEXT,) * 4 + (t.INT, t.TEXT, t.TEXT)
    return t.Table(REPLACED_SHEET, REPLACED_HEADERS, kinds, list(replaced_rows(plan)))


def unmatched_table(result: ImportResult) -> t.Table:
    rows = [(u.field, u.value, u.count, u.where, u.suggestion or "") for u in result.unmatched]
    return t.Table(UNMATCHED_SHEET, UNMATCHED_COLUMNS, (t.TEXT, t.TEXT, t.INT, t.TEXT, t.TEXT), rows)


def title(result: ImportResult) -> str:
    start, end = result.period
    return (f"{result.year} 年度金保数据导入（考核期 {month_text(start)} 至 {month_text(end)}，"
            f"共 {len(result.volumes):,} 行业务量，合计 {result.total:,}）")


def import_workbook_bytes(result: ImportResult) -> bytes:
    """The import's workbook; only for a result without errors."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": title(result), "author": "JBSys-XL",
                         "comments": f"JBSys-XL {__version__}", "created": utc_moment()})
    fmt = Formats(book)
    volumes = book.add_worksheet(contract.VOLUMES)  # header on row 1: copy the block as it is
    table = volume_table(result)
    end = write_table(volumes, fmt, table, 0, set_widths(volumes, [table]))
    volumes.autofilter(0, 0, max(0, end - 1), len(table.headers) - 1)
    volumes.freeze_panes(1, 0)
    print_setup(volumes, 0)
    checks = t.checks_table(result.checks)
    for table in (record_table(result), unmatched_table(result), checks):
        titled_table_sheet(book, fmt, table, title(result) if table.title == RECORD_SHEET else table.title)
    book.close()
    return buffer.getvalue()


def import_dict(result: ImportResult) -> dict:
    return {
        "ok": result.ok,
        "year": result.year,
        "volumes": [{"center": r.center, "item": r.item, "month": month_text(r.month),
                     "volume": r.volume} for r in result.volumes],
        "files": [{key: getattr(p, key) if key != "kind" else p.kind for key, _ in FILE_COLUMNS}
                  for p in result.parts],
        "unmatched": [{"field": u.field, "value": u.value, "count": u.count,
                       "suggestion": u.suggestion} for u in result.unmatched],
        "checks": [c.as_dict() for c in result.checks],
    }


def import_json(result: ImportResult) -> str:
    return json.dumps(import_dict(result), ensure_ascii=False, indent=2) + "\n"


def summary_lines(result: ImportResult) -> list[str]:
    """What a person confirms before the import is written: per sheet, and the unmatched names."""
    lines = [title(result)]
    for p in result.parts:
        lines.append(f"{p.where}（{p.label}）：读取 {p.rows:,} 行，计入 {p.counted:,}，重复 {p.duplicates:,}，"
                     f"状态不计 {p.excluded:,}，考核期外 {p.out_of_period:,}，未匹配 {p.unmatched:,}")
    for u in result.unmatched:
        hint = f"（是否指“{u.suggestion}”？）" if u.suggestion else ""
        lines.append(f"未匹配的{u.field}“{u.value}”：{u.count:,} 行{hint}")
    return lines
