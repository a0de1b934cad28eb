"""``--into``: the allocation workbook with an import (or the 12333 results) in it (金保 contract
§9 v4), for the CLI and the page alike — no pasting.

The import's result and the workbook's rows make the one plan (:mod:`.plan`, and
:func:`~.callback_results.merge_plan` for 回访); this module carries it out on the package
(:mod:`jbsys_xl.io.package`): only the 业务量 (or 回访) rows and their Table change, and the
record sheets are (re)written — 导入记录 and 替换记录 for an import, 回访导入记录 and 回访替换记录
for 12333 results; every other part keeps its content. Before any of it,
the sheet gets the Excel button's own preflight (protection, filters, merges, another table,
content beside the table). The written workbook is then checked as ``jbsys-xl check`` would: a
workbook that fails validation is not handed out. Nothing here decides a name or writes in
place: the caller gives the temporary file (:class:`~jbsys_xl.io.atomic.AtomicFile`) and puts it
where it belongs — or drops it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, islice
from dataclasses import dataclass, field
from pathlib import Path

from .. import contract
from ..doors import CLI, Door
from ..io import package as pkg
from ..io.atomic import AtomicFile
from ..io.dataset import CenterLookup, reference_data
from ..io.bounds import cell_name
from ..io.cell_errors import may_hold
from ..io.reader import SourceError, match_sheets, read_source
from ..io.tables import Checks, Table, locate
from ..model import Check, problem_count
from ..pipeline import run
from ..report import tables as t
from . import plan as p
from .callback_results import (HEADERS, Merge, ResultsRead, merge_lines, merge_plan, merge_record,
                               replaced_callbacks, row_key, sheet_problem, sheet_rows, with_decisions)
from .importer import WORKBOOK_SHEETS, ImportResult
from .output import (RECORD_SHEET, REPLACED_HEADERS, record_with_plan, replaced_rows, replaced_title,
                     title)

SUFFIXES = (".xlsx", ".xlsm")
FORMULA_TAGS = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ")  # a formula, prefixed or not: a calcChain may name it
WIDTH_ROWS = 300  # rows of a record sheet its column widths are fitted to
NOT_A_PACKAGE = ("--into 只能用于 .xlsx 或 .xlsm 工作簿（它保留工作簿的全部内容，只改写业务量或回访表）；"
                 ".xls、.ods 工作簿请先在 Excel 或 WPS 中“另存为” .xlsx 或 .xlsm，存放各表 CSV 的文件夹请先把"
                 "各表放进一个 .xlsx 工作簿，再导入；也可以不用 --into，用 -o 生成导入结果后把其中的行复制到工作簿")


@dataclass
class Into:
    """What writing into the workbook did, or why it did not — plain data that the page keeps
    and a worker process can hand back. ``lines`` are the plan as printed."""

    ok: bool
    year: int | None
    checks: list[Check] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    added: int = 0
    replaced: int = 0
    invalid: bool = False  # the written workbook failed validation (its checks say where)

    @property
    def error_count(self) -> int:
        return problem_count(c for c in self.checks if c.level == "error")


def refused(year: int | None, checks: Sequence[Check], lines: Sequence[str] = ()) -> Into:
    return Into(False, year, list(checks), list(lines))


def unusable(workbook: Path) -> str | None:
    """Why ``--into`` cannot take this workbook (an .xls/.ods file, a CSV folder), or None."""
    if workbook.is_dir() or workbook.suffix.lower() not in SUFFIXES:
        return NOT_A_PACKAGE
    return None


# --- 业务量 ---------------------------------------------------------------------------------------

def import_into(workbook: str | Path, result: ImportResult, out: AtomicFile, door: Door = CLI) -> Into:
    """Write ``workbook`` with ``result`` (an import without errors) into ``out``, or say why
    not. The written file is validated; on any refusal ``out`` holds nothing to keep."""
    workbook = Path(workbook)
    year = result.year
    if (problem := unusable(workbook)) is not None:
        return refused(year, [Check("error", "", "", problem)])
    if not result.volumes:
        return refused(year, [Check("error", "", "", f"所给文件中没有 {year} 年度考核期内可导入的业务量，"
                                                       "未写入导入后的工作簿")])
    try:
        book = read_source(workbook, [contract.VOLUMES])
    except SourceError as exc:
        return refused(year, [Check("error", "", "", str(exc))])
    checks = Checks()
    table = locate(book, contract.SHEET_SPECS[contract.VOLUMES], checks)
    if table is None:
        return refused(year, checks.finish())
    if p.SOURCE not in table.columns:
        return refused(year, [Check("error", contract.VOLUMES, table.header_cell(p.VOLUME),
                                    p.no_source_column(contract.VOLUMES))])
    plan = p.plan_volumes(table, result)
    if not plan.ok:
        return refused(year, plan.checks)
    lines = p.plan_lines(plan)
    volumes = result.volumes

    def row(index: int) -> tuple:
        v = volumes[index]
        return v.center, v.item, v.month, v.volume, "；".join(v.sources)

    record = record_with_plan(result, lines)
    sheets = [(RECORD_SHEET, title(result), record.headers, record.rows),
              (p.REPLACED_SHEET, replaced_title(result, plan), REPLACED_HEADERS, replaced_rows(plan))]
    rows = NewRows(p.COLUMNS, (pkg.TEXT, pkg.TEXT, pkg.MONTH, pkg.NUMBER, pkg.TEXT), len(volumes), row)
    failure = _write(workbook, table, rows, plan.replaced_rows, plan.placed.tolist(), sheets, out)
    replaced = plan.replaced_count
    del book, table, plan, sheets  # the sheet as read is not needed to validate what was written
    if failure:
        return refused(year, failure, lines)
    return _validated(out, year, lines, len(volumes), replaced, door)


# --- 回访 --------------------------------------------------------------------------------------------

def callbacks_into(workbook: str | Path, results: ResultsRead, out: AtomicFile, door: Door = CLI) -> Into:
    """Write ``workbook`` with the 回访 rows of ``results`` (lists read without errors) merged by
    抽取批次 into ``out``, or say why not."""
    workbook = Path(workbook)
    year = results.year
    if (problem := unusable(workbook)) is not None:
        return refused(year, [Check("error", "", "", problem)])
    try:
        book = results.workbook if results.workbook is not None else read_source(workbook, WORKBOOK_SHEETS)
    except SourceError as exc:
        return refused(year, [Check("error", "", "", str(exc))])
    checks = Checks()
    table = locate(book, contract.SHEET_SPECS[contract.CALLBACKS], checks)
    missing = sheet_problem(table, checks)
    if missing:
        return refused(year, missing)
    lookup = CenterLookup(reference_data(book, year)[2])
    merge = merge_plan(table, lookup, sheet_rows(results))
    positions = [row.index for row in table.rows()]
    first = table.sheet.first_row + 1  # rows[i] sits on sheet row first + i
    deleted = [first + positions[i] for i in merge.replaced]
    kept = len(positions) - len(merge.replaced)
    lines = merge_lines(results, merge, kept)
    merged = with_decisions(sheet_rows(results), merge, lookup)
    kinds = tuple(pkg.NUMBER if h == HEADERS[0] else pkg.DAY if h == "回访日期" else pkg.TEXT for h in HEADERS)
    rows = NewRows(HEADERS, kinds, len(merged), lambda index: tuple(merged[index][h] for h in HEADERS))
    fill = _fill_by_case(table, merge, merged, lookup)
    sheets = [(record.title, title, record.headers, record.rows)
              for title, record in (merge_record(results, merge, kept), replaced_callbacks(table, merge))]
    failure = _write(workbook, table, rows, deleted, fill, sheets, out)
    if failure:
        return refused(year, failure, lines)
    return _validated(out, year, lines, len(merged), len(deleted), door)


def _fill_by_case(table: Table, merge: Merge, merged: list[dict], lookup: CenterLookup) -> list[int]:
    """Per replaced row (top to bottom): the new row of its case, written where the case stood
    (once), or -1."""
    new = {row_key(row.get, lookup): index for index, row in enumerate(merged)}
    table_rows = list(table.rows())
    fill, used = [], set()
    for i in merge.replaced:
        index = new.get(row_key(table_rows[i].raw, lookup), -1)
        fill.append(index if index not in used else -1)
        used.add(index)
    return fill


@dataclass
class NewRows:
    """The rows an import adds: ``count`` of them, row ``i`` holding ``values(i)`` under
    ``headers``, each column of its kind (jbsys_xl.io.package's TEXT, NUMBER, MONTH, DAY)."""

    headers: Sequence[str]
    kinds: Sequence[str]
    count: int
    values: Callable[[int], Sequence]


# --- carrying it out ----------------------------------------------------------------------------

def _write(workbook: Path, table: Table, rows: NewRows, deleted: list[int], fill: list[int], sheets: list[tuple],
           out: AtomicFile) -> list[Check]:
    """The package rewritten into ``out``; the refusals (as checks) when it cannot be."""
    name = table.spec.name
    try:
        package = pkg.Package(workbook)
    except pkg.PackageError as exc:
        return [Check("error", "", "", f"{workbook.name}：{exc}")]
    try:
        chosen, _ = match_sheets(package.sheet_names)
        sheet = package.sheet(chosen[name])
        header_row = table.sheet.first_row + table.header_index + 1
        columns = {header: table.sheet.first_col + col + 1 for header, col in table.columns.items()}
        ours = next((tp for tp in sheet.tables if tp.ref.top == header_row
                     and tp.ref.left <= min(columns.values()) and max(columns.values()) <= tp.ref.right), None)
        span = (ours.ref.left, ours.ref.right) if ours else (min(columns.values()), max(columns.values()))
        refusal = _preflight(sheet, ours, table, header_row, span)
        if refusal:
            return [Check("error", name, cell_name(header_row - 1, span[0] - 1), refusal)]
        by_column = {columns[h]: i for i, h in enumerate(rows.headers) if h in columns}
        order = [by_column.get(c) for c in range(span[0], span[1] + 1)]

        def values(index: int) -> list:
            found = rows.values(index)
            return [None if i is None else found[i] for i in order]

        edit = pkg.RowsEdit(header_row, span, deleted, fill, rows.count, values,
                            [None if i is None else rows.kinds[i] for i in order],
                            ours.ref.bottom if ours and ours.totals else None, p.where(chosen[name]))
        body = pkg.spooled()
        head, tail, written = pkg.rewrite_rows(package, sheet.part, edit, body)
        head, tail = pkg.sheet_with_rows(head, tail, written, edit, sheet.tables)

        def rows_part(sink) -> None:
            sink.write(head)
            body.seek(0)
            while chunk := body.read(pkg.CHUNK):
                sink.write(chunk)
            sink.write(tail)

        changes = pkg.Changes({sheet.part: rows_part})
        if ours is not None:
            changes.parts[ours.part] = pkg.table_with_rows(package.read(ours.part), ours, written)
        for sheet_name, sheet_title, sheet_headers, rows in sheets:
            _put_sheet(package, changes, sheet_name, sheet_title, sheet_headers, rows)
        pkg.write_package(package, changes, out.handle)
        out.handle.flush()
    except pkg.PackageError as exc:
        return [Check("error", name, "", str(exc))]
    finally:
        package.close()
    return []


def _preflight(sheet: pkg.SheetPart, ours: pkg.TablePart | None, table: Table, header_row: int,
               span: tuple[int, int]) -> str | None:
    """The Excel button's preflight on the file: the same reasons in the same words."""
    name = sheet.name
    first = header_row + 1
    if sheet.protected:
        return p.protected(name)
    if sheet.filtered or any(tp.filtered for tp in sheet.tables):
        return p.filtered(name)
    bottoms = [m.bottom for m in sheet.merges if m.bottom >= first]
    if bottoms:
        return p.merged(name, first, max(bottoms))
    for other in sheet.tables:
        if (ours is None or other.part != ours.part) and other.ref.bottom >= first:
            return p.other_table(name, other.name, str(other.ref))
    if (cell := p.content_beside(table.sheet, header_row, span)) is not None:
        return p.beside(name, cell)
    if sheet.has_comments:
        return (f"{p.where(name)}中有批注，导入会删除和移动行，批注会落到别的行上。请先删除批注"
                "（审阅 → 删除），或在 Excel 中用“导入金保数据”按钮导入")
    return None


def _put_sheet(package: pkg.Package, changes: pkg.Changes, name: str, sheet_title: str,
               headers: Sequence[str], rows) -> None:
    """A record sheet written anew (its old content replaced; its VBA codename kept), or added
    after the last sheet. A replaced sheet that held formulas takes Excel's calculation chain
    with it (Excel rebuilds it) so no entry points at a cell that is gone."""
    rows = iter(rows)
    first = list(islice(rows, WIDTH_ROWS))
    widths = [min(60, max([t.display_width(str(h))] + [t.display_width(str(r[i])) for r in first
                                                        if i < len(r) and r[i] is not None]) + 2)
              for i, h in enumerate(headers)]
    part = package.sheet_part(name)
    write = pkg.table_sheet(sheet_title, headers, chain(first, rows), widths,
                            pkg.sheet_pr(package, part) if part else b"")
    if part is None:
        changes.added.append((name, write))
        return
    changes.parts[part] = write
    if may_hold(package.zip, part, FORMULA_TAGS):  # chunk by chunk: an old 替换记录 may be 150 MB
        chain_parts = [target for _, kind, target in package.rels(package.workbook) if kind == pkg.CALC_CHAIN]
        changes.dropped.update(chain_parts)


def _validated(out: AtomicFile, year: int | None, lines: list[str], added: int, replaced: int,
               door: Door) -> Into:
    """The written workbook checked as ``jbsys-xl check`` checks it: its errors refuse it."""
    outcome = run(out.temp, year, door=door)
    if not outcome.ok:
        return Into(False, year, [c for c in outcome.checks if c.level == "error"], lines, added, replaced,
                    invalid=True)
    return Into(True, year, [], lines, added, replaced)


def into_bytes(work, target: Path) -> tuple[Into, bytes | None]:
    """``work(out)`` written beside ``target`` and handed back as bytes (the page keeps them for
    its download), the temporary file removed either way."""
    out = AtomicFile(target)
    try:
        into = work(out)
        out.handle.flush()
        return into, out.temp.read_bytes() if into.ok else None
    finally:
        out.discard()
