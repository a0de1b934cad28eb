"""The 金保 import (金保 contract §1–§6): exports → the year's 业务量 rows, with a record of
every file and sheet, the unmatched names and every finding.

Reading and mapping happen per sheet (:mod:`.parse`); this module decides across sheets:
deduplication of 明细 cases by (item, case id), the first occurrence counting (files in the
order given, rows top to bottom), double counting between 统计 sources or a 统计 source and
明细 cases (an error), and the sums. Nothing here writes a file: :mod:`.output` does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import contract
from ..doors import CLI, Door
from ..io.dataset import latest_year, reference_data
from ..io.lookup import center_lookup, item_lookup
from ..io.reader import RawBook, SourceError, read_source
from ..io.tables import Checks
from ..model import Center, Check, Findings, Month, month_text
from .columns import month_of_index
from .headers import (COUNTED_STATUSES, DETAIL, EXCLUDED_STATUSES, HEADER_ROWS, INSTITUTION, ITEM, LABELS,
                      PERSONAL, STATS)
from .layout import LayoutError, find_layout
from .parse import BLANK_SHOWN, SheetPart, Tally, Targets, parse_detail, parse_stats
from .sources import Skipped, SourceFile, expand, read_file
from . import wrong_workbook as wrong

Progress = Callable[[str], None]
MAX_LISTED = 50  # conflicting cases listed one by one per sheet; the rest are counted


@dataclass(frozen=True)
class VolumeRow:
    center: str  # 中心编码
    item: str  # 事项名称
    month: Month
    volume: int
    sources: tuple[str, ...]  # the files that contributed, in reading order


@dataclass(frozen=True)
class Unmatched:
    field: str  # 经办机构 or 业务事项
    value: str
    count: int
    where: str  # file!sheet!cell of the first occurrence
    suggestion: str | None


@dataclass
class Cases:
    """The counted 明细 cases of the year after deduplication (callbacks draw from them)."""

    center: np.ndarray
    item: np.ndarray
    case: np.ndarray  # case ids in normal form
    day: np.ndarray  # date ordinals
    person: dict[str, np.ndarray]  # personal field → values (None where the export had none)


@dataclass
class ImportResult(Findings):
    year: int | None
    period: tuple[Month, Month] | None
    volumes: list[VolumeRow] = field(default_factory=list)
    parts: list[SheetPart] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    targets: Targets | None = None
    cases: Cases | None = None
    workbook: RawBook | None = None
    centers: list[Center] = field(default_factory=list)  # every center of the 中心 sheet
    files: list[SourceFile] = field(default_factory=list)  # the exports read, in reading order

    @property
    def ok(self) -> bool:
        return self.period is not None and not self.errors

    @property
    def total(self) -> int:
        return sum(row.volume for row in self.volumes)


def _failed(year, message: str, checks: list[Check] = ()) -> ImportResult:
    return ImportResult(year, None, checks=list(checks) + ([Check("error", "", "", message)] if message else []))


# What the import and the callbacks read of the allocation workbook: not its 业务量.
WORKBOOK_SHEETS = (contract.PARAMS, contract.INDICATORS, contract.CENTERS, contract.CALLBACKS)


def open_workbook(workbook: str | Path | RawBook, door: Door = CLI) -> RawBook:
    """The sheets the 金保 steps read of the allocation workbook. Raises SourceError, naming
    the file for what it is when it is no allocation workbook but this tool's output or a 金保
    export given in its place."""
    if isinstance(workbook, RawBook):
        return workbook
    path = Path(workbook)
    try:
        book = read_source(path, WORKBOOK_SHEETS)
    except SourceError:
        if message := wrong.export(path, door.export_slot):
            raise SourceError(message) from None
        raise
    if message := wrong.other_file(path, book, door.export_slot):
        raise SourceError(message)
    return book


def run_import(workbook: str | Path | RawBook, sources: Iterable[str | Path], year: int | None = None,
               progress: Progress | None = None, personal: bool = False, door: Door = CLI) -> ImportResult:
    """Read the exports against the allocation workbook's 参数/指标/中心 for ``year`` (default:
    the latest 年度 in 参数). Errors are returned as checks, never raised. ``personal`` keeps the
    name, ID number and phone of counted cases (for the callbacks only); ``door`` words the
    remedies that differ between the CLI and the page."""
    say = progress or (lambda message: None)
    try:
        book = open_workbook(workbook, door)
    except SourceError as exc:
        return _failed(year, str(exc))
    year = year or latest_year(book)
    if year is None:
        return _failed(None, f"无法确定年度：“参数”表中没有有效的年度，请{door.year}")
    settings, indicators, centers, reference_checks = reference_data(book, year)
    if settings is None or any(c.level == "error" for c in reference_checks):
        return _failed(year, "", reference_checks)
    active = sorted(c.code for c in centers if c.active_in(year))
    targets = Targets(year, settings.period, center_lookup(centers), active,
                      frozenset(c.code for c in centers if not c.active_in(year)),
                      item_lookup(indicators), [i.name for i in indicators])
    result = ImportResult(year, settings.period, targets=targets, workbook=book, centers=centers)
    checks = Checks()
    for check in reference_checks:
        checks.add(check.level, check.sheet, check.cell, check.message)
    try:
        files, notes = expand(sources, None if isinstance(workbook, RawBook) else Path(workbook))
    except SourceError as exc:
        return _failed(year, str(exc), checks.finish())
    result.files = files
    for note in notes:
        checks.warning("", "", note)
    for number, source in enumerate(files, start=1):
        say(f"[{number}/{len(files)}] 读取 {source.label}")
        _read_one(source, result, targets, checks, personal, say)
    _combine(result, checks, personal)
    result.checks = checks.finish()
    return result


def _read_one(source: SourceFile, result: ImportResult, targets: Targets, checks: Checks,
              personal: bool, say: Progress) -> None:
    """One file's sheets into ``result.parts``. Nothing lost in silence (contract §1, v3): a
    file none of whose sheets is an export is an error naming it — a failed download or a wrong
    file must not quietly remove a month; within an export, other sheets get a warning."""
    recognised, others, filled = False, [], False
    try:
        for grid in read_file(source):
            filled = filled or grid.height > 0
            try:
                layout = find_layout(grid, targets.items)
            except LayoutError as exc:
                checks.error(grid.where, exc.cell, str(exc))
                recognised = True
                continue
            if layout is None:
                if grid.height:
                    others.append(grid.where)
                continue
            recognised = True
            part = (parse_detail(grid, layout, targets, checks, personal) if layout.kind == DETAIL
                    else parse_stats(grid, layout, targets, checks))
            result.parts.append(part)
            say(f"    {part.where}：{part.label}，{part.rows:,} 行")
            if grid.hidden:
                checks.warning(grid.where, "", "这是隐藏的工作表，其中的数据也已导入；如是旧数据，"
                                               "请在 Excel 中取消隐藏后删除此工作表，再重新导入")
    except Skipped as note:
        checks.warning(source.label, "", str(note).removeprefix(f"{source.label}："))
        return
    except SourceError as exc:
        checks.error(*exc.parts(source.label))
        return
    if not recognised:
        checks.error(source.label, "", _NOT_AN_EXPORT if filled else _NOTHING_IN_IT)
        return
    for where in others:
        checks.warning(where, "", f"前 {HEADER_ROWS} 行中没有可识别的表头（如 业务流水号、经办机构、业务事项、"
                                  f"业务量），不是金保导出表，已跳过此工作表")


_NOT_AN_EXPORT = (f"没有一个工作表是金保导出表（前 {HEADER_ROWS} 行中没有可识别的表头，如 业务流水号、经办机构、"
                  f"业务事项、业务量）；若是导出文件，请检查表头，否则请把它移出导出文件夹")
_NOTHING_IN_IT = "文件中没有任何数据（每个工作表都是空的），可能导出或下载未完成；请重新导出"


# --- across sheets ------------------------------------------------------------------------------

def _combine(result: ImportResult, checks: Checks, personal: bool) -> None:
    targets = result.targets
    first, last = targets.months
    months = last - first + 1
    n_items = max(len(targets.item_names), 1)

    def key3(center, item, month):
        return (center * n_items + item) * months + (month - first)

    details = [p for p in result.parts if p.kind == DETAIL]
    stats = [p for p in result.parts if p.kind == STATS]
    detail_keys, detail_owner = _dedup(details, checks, n_items, key3, result, personal)
    stat_keys = _stat_claims(stats, checks, key3, detail_owner, result)

    size = len(targets.codes) * n_items * months
    totals = np.zeros(size, dtype=np.int64)
    sources: dict[int, list[int]] = {}
    parts = max(len(result.parts), 1)
    for keys, weights, owners in (detail_keys, stat_keys):
        if len(keys):
            totals += np.bincount(keys, weights=weights, minlength=size).astype(np.int64)
            for pair in np.unique(keys * parts + owners).tolist():
                sources.setdefault(pair // parts, []).append(pair % parts)
    files = [p.file for p in result.parts]
    for k in np.flatnonzero(totals):
        rest, month = divmod(int(k), months)
        center, item = divmod(rest, n_items)
        labels = tuple(dict.fromkeys(files[o] for o in sorted(sources[int(k)])))
        result.volumes.append(VolumeRow(targets.codes[center], targets.item_names[item],
                                        month_of_index(first + month), int(totals[k]), labels))
    result.volumes.sort(key=lambda row: (row.center, row.item, row.month))
    _report_names(result, checks)
    if not result.volumes:
        checks.warning("", "", f"没有导入任何业务量：所给文件中没有 {targets.year} 年度考核期内、能对应到中心和考核事项"
                               f"的记录（请检查文件、年度以及“中心”表的金保机构、“指标”表的金保事项）")


def _dedup(details: list[SheetPart], checks: Checks, n_items: int, key3, result: ImportResult,
           personal: bool):
    """First occurrences of (item, case id) count; later ones are duplicates, with a warning
    when they name another center or month. Returns the counted cases' keys and owners."""
    empty = np.zeros(0, np.int64)
    if not details:
        return (empty, empty.astype(float), empty), {}
    index = {part_id: i for i, part_id in enumerate(id(p) for p in result.parts)}
    center = np.concatenate([p.center for p in details])
    item = np.concatenate([p.item for p in details])
    month = np.concatenate([p.month for p in details])
    owner = np.concatenate([np.full(len(p.center), index[id(p)]) for p in details])
    local = np.concatenate([np.arange(len(p.center)) for p in details])
    ids: dict[str, int] = {}
    case = np.fromiter((ids.setdefault(c, len(ids)) for p in details for c in p.case),
                       dtype=np.int64, count=len(center))
    _, first_at, inverse = np.unique(case * n_items + item, return_index=True, return_inverse=True)
    first = first_at[inverse]
    counted = first == np.arange(len(center))
    for p in details:
        mine = owner == index[id(p)]
        p.counted = int((counted & mine).sum())
        p.duplicates = int((~counted & mine).sum())
    moved = np.flatnonzero(~counted & ((center != center[first]) | (month != month[first])))
    codes, names, parts = result.targets.codes, result.targets.item_names, result.parts
    for owner_id in np.unique(owner[moved]):
        mine = moved[owner[moved] == owner_id]
        b = parts[owner_id]
        for r in mine[:MAX_LISTED]:
            f = first[r]
            a = parts[owner[f]]
            checks.warning(b.where, b.case_cell(local[r]),
                           f"业务流水号“{a.case[local[f]]}”（{names[item[r]]}）已在 {a.where}!{a.case_cell(local[f])} "
                           f"计入 {codes[center[f]]} {month_text(month_of_index(month[f]))}，此处为 "
                           f"{codes[center[r]]} {month_text(month_of_index(month[r]))}：按先出现的计入，此处不计")
        if len(mine) > MAX_LISTED:
            checks.warning(b.where, "", f"另有 {len(mine) - MAX_LISTED:,} 条业务的业务流水号已在其他位置以不同的"
                                        f"中心或月份计入，按先出现的计入，未逐一列出")
    keep = np.flatnonzero(counted)
    keys = key3(center[keep], item[keep], month[keep])
    if personal:
        result.cases = Cases(center[keep], item[keep],
                             np.concatenate([p.case for p in details])[keep],
                             np.concatenate([p.day for p in details])[keep],
                             _personal(details, keep))
    owners, rows = owner[keep], local[keep]
    distinct, first_of_key = np.unique(keys, return_index=True)  # at most centers × items × months
    first_owner = {k: (int(owners[i]), int(rows[i])) for k, i in zip(distinct.tolist(), first_of_key.tolist())}
    return (keys, np.ones(len(keys)), owners), first_owner


def _personal(details: list[SheetPart], keep: np.ndarray) -> dict[str, np.ndarray]:
    found = {}
    for key in PERSONAL:
        found[key] = np.concatenate([p.person.get(key, np.full(len(p.center), None, dtype=object))
                                     for p in details])[keep]
    return found


def _stat_claims(stats: list[SheetPart], checks: Checks, key3, detail_owner: dict,
                 result: ImportResult):
    """统计 counts by (center, item, month); the same key from two sources is double counting."""
    empty = np.zeros(0, np.int64)
    if not stats:
        return empty, empty.astype(float), empty
    index = {part_id: i for i, part_id in enumerate(id(p) for p in result.parts)}
    keys = np.concatenate([key3(p.center, p.item, p.month) for p in stats])
    volumes = np.concatenate([p.volume for p in stats]).astype(float)
    owners = np.concatenate([np.full(len(p.center), index[id(p)]) for p in stats])
    cells = [cell for p in stats for cell in p.cells]
    parts = result.parts
    clashes: dict[tuple[int, int], list[tuple[int, int, str, str]]] = {}
    first_claim: dict[int, tuple[int, str]] = {}
    for k, o, cell in zip(keys.tolist(), owners.tolist(), cells):
        earlier = first_claim.setdefault(k, (o, cell))
        if earlier[0] != o:
            clashes.setdefault((earlier[0], o), []).append((k, o, earlier[1], cell))
    for k, (o, cell) in first_claim.items():
        if k in detail_owner:
            d, row = detail_owner[k]
            clashes.setdefault((d, o), []).append((k, o, parts[d].case_cell(row), cell))
    for (a, b), found in clashes.items():
        k, _, cell_a, cell_b = found[0]
        checks.error(parts[b].where, cell_b,
                     f"与 {parts[a].where} 重复：两处都有 {len(found)} 组（中心、事项、月份）的业务量，"
                     f"导入会把同一业务计算两次，如 {_describe(result, k)}（{parts[a].where}!{cell_a}、"
                     f"{parts[b].where}!{cell_b}）；请只保留其中一个来源")
    return keys, volumes, owners


def _describe(result: ImportResult, k: int) -> str:
    targets = result.targets
    first, last = targets.months
    months, n_items = last - first + 1, max(len(targets.item_names), 1)
    rest, month = divmod(k, months)
    center, item = divmod(rest, n_items)
    return f"{targets.codes[center]}“{targets.item_names[item]}”{month_text(month_of_index(first + month))}"


def _report_names(result: ImportResult, checks: Checks) -> None:
    """One warning and one 未匹配 entry per distinct unknown name, and per inactive center (its
    rows matched no center of the year): the 未匹配 counts add up to the files' 未匹配 rows.
    A warning for each unknown status."""
    targets = result.targets
    merged: dict[tuple[str, str], list] = {}
    for part in result.parts:
        for field_, tallies in ((INSTITUTION, part.unknown_institutions), (ITEM, part.unknown_items)):
            for tally in tallies:
                entry = merged.setdefault((field_, tally.value), [0, f"{part.where}!{tally.cell}", part, tally.cell])
                entry[0] += tally.count
    for (field_, value), (count, where, part, cell) in merged.items():
        lookup = targets.centers if field_ == INSTITUTION else targets.items
        hint = None if value == BLANK_SHOWN else lookup.hint(value)
        result.unmatched.append(Unmatched(LABELS[field_], value, count, where, hint))
        also = "" if value == BLANK_SHOWN else lookup.suggestion(value)
        if value == BLANK_SHOWN:
            message = f"{LABELS[field_]}为空白，{count:,} 行未计入"
        elif field_ == INSTITUTION:
            message = (f"经办机构“{value}”在“中心”表中找不到，{count:,} 行未计入{also}"
                       f"（如是本市的中心，请在“中心”表的“金保机构”列登记此名称）")
        else:
            message = (f"业务事项“{value}”不是 {targets.year} 年度的考核事项，{count:,} 行未计入{also}"
                       f"（如属考核事项，请在“指标”表的“金保事项”列登记此名称）")
        checks.warning(part.where, cell, message)

    for attribute, describe in (
            ("unknown_statuses",
             lambda t: f"办理状态“{t.value}”不是已知的状态，{t.count:,} 条业务按不计入处理（计入的状态："
                       f"{'、'.join(sorted(COUNTED_STATUSES))}；不计入：{'、'.join(sorted(EXCLUDED_STATUSES))}）"),
            ("inactive_centers",
             lambda t: f"中心 {t.value} 在 {targets.year} 年度未启用，其 {t.count:,} 条业务未计入")):
        seen: dict[str, tuple[SheetPart, Tally]] = {}
        for part in result.parts:
            for tally in getattr(part, attribute):
                if tally.value in seen:
                    seen[tally.value][1].count += tally.count
                else:
                    seen[tally.value] = (part, Tally(tally.value, tally.count, tally.cell))
        for part, tally in seen.values():
            checks.warning(part.where, tally.cell, describe(tally))
            if attribute == "inactive_centers":
                result.unmatched.append(Unmatched(LABELS[INSTITUTION], f"{tally.value}（{targets.year} 年度未启用）",
                                                  tally.count, f"{part.where}!{tally.cell}", None))
    result.unmatched.sort(key=lambda u: (u.field != LABELS[INSTITUTION], -u.count, u.value))
