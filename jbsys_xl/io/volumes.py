"""The 业务量 sheet, column-wise: it can hold a million rows, so values are parsed once per
distinct value (Arrow's dictionary encoding, or a dict over the row values) and summed with
integer numpy arrays — exact, and without a Python object per row — while each bad value is
still reported at its own cell."""
from __future__ import annotations

from operator import itemgetter
from typing import Callable

import numpy as np

from .. import contract as k
from ..model import Indicator, Month, month_text
from . import values as v
from .lookup import item_lookup
from .names import normalize
from .tables import Checks, Table

_OTHER_YEAR = -2  # an indicator name of another year: fine outside the period only


def aggregate_volumes(table: Table, year: int, period: tuple[Month, Month],
                      indicators: list[Indicator], all_item_names: set[str], lookup,
                      active_codes: set[str], checks: Checks,
                      busy_months: dict[str, tuple[Month, ...]] | None = None
                      ) -> dict[tuple[str, str], int]:
    """Σ 业务量 (a whole count) per (center code, indicator name) over the period's rows of
    active centers; ``busy_months``, if given, gets each such center's months with 业务量 > 0 (a
    center assessed on part of the year, allocation-rules §2 v4).
    Every row's values are checked; without indicators of the year only those checks run."""
    if table.data_height <= 0:
        checks.error(k.VOLUMES, table.header_cell("业务量"), _NOTHING_IN_PERIOD.format(
            year=year, period=_period_text(period)))
        return {}
    codes = lookup.codes
    code_index = {code: i for i, code in enumerate(codes)}
    items = item_lookup(indicators)
    other_years = {normalize(name) for name in all_item_names}
    names = [i.name for i in indicators]
    name_index = {name: i for i, name in enumerate(names)}

    def center_of(raw):
        v.text(raw)  # an error cell says so, not "unknown center"
        code = lookup.code(raw)
        if code is None:
            raise v.BadValue(lookup.unknown(raw))
        return code_index[code]

    def item_of(raw):
        text = v.text(raw)
        name = items.find(text)
        if name is not None:
            return name_index[name]
        if normalize(text) in other_years:
            return _OTHER_YEAR
        raise v.BadValue(f"未知事项“{text}”{items.suggestion(text)}（应为“指标”表中的事项名称或金保事项）")

    def month_of(raw):
        y, m = v.month(raw, "月份")
        return y * 12 + m - 1

    def volume_of(raw):
        return v.count(raw, "业务量")

    parsed = {}
    for header, parse in (("中心", center_of), ("事项", item_of), ("月份", month_of), ("业务量", volume_of)):
        parsed[header] = _parse_column(*factorized(table, header), parse)
    empty_row = np.logical_and.reduce([p.empty for p in parsed.values()])
    first = table.header_index + 1
    ok = ~empty_row
    for header, column in parsed.items():
        bad = ok & (column.empty | column.failed)
        _report_grouped(checks, table, first, header, bad, column)
        ok &= ~bad
    if not ok.any():
        if not checks.has_errors:
            checks.error(k.VOLUMES, table.header_cell("业务量"), _NOTHING_IN_PERIOD.format(
                year=year, period=_period_text(period)))
        return {}

    center, item, month = parsed["中心"].value, parsed["事项"].value, parsed["月份"].value
    if not names:  # 指标 has no rows for the year: reported there; nothing more to check here
        return {}
    start = period[0][0] * 12 + period[0][1] - 1
    end = period[1][0] * 12 + period[1][1] - 1
    in_period = ok & (month >= start) & (month <= end)
    active = np.array([code in active_codes for code in codes], dtype=bool)[np.where(ok, center, 0)]

    wrong_year = in_period & (item == _OTHER_YEAR)
    items_column = parsed["事项"]
    for u in np.unique(items_column.codes[wrong_year]):
        hits = np.flatnonzero(wrong_year & (items_column.codes == u))
        checks.error(k.VOLUMES, table.cell(first + hits[0], "事项"),
                     f"事项“{v.show(items_column.uniques[u])}”不是 {year} 年度的考核指标",
                     "事项", count=len(hits))
    inactive = in_period & ~active
    for c in np.unique(center[inactive]):
        hits = np.flatnonzero(inactive & (center == c))
        checks.warning(k.VOLUMES, table.cell(first + hits[0], "中心"),
                       f"中心 {codes[c]} 在 {year} 年度未启用，其 {len(hits)} 行业务量不计")
    use = in_period & active & (item >= 0)
    if not use.any():
        if not checks.has_errors:
            checks.error(k.VOLUMES, table.header_cell("月份"), _NOTHING_IN_PERIOD.format(
                year=year, period=_period_text(period)))
        return {}

    pair = center.astype(np.int64) * max(len(names), 1) + item
    triple = pair * (end - start + 1) + (month - start)

    def what(r: int) -> str:
        y, m = divmod(int(month[r]), 12)
        return f"{codes[center[r]]}“{names[item[r]]}”{month_text((y, m + 1))}"

    # one 金保 figure is one row: any two rows of a 中心/事项/月份 in the period are an error
    # (v4), whatever the center — an inactive center's rows are ignored today, not if reactivated
    _report_repeated(table, first, triple, in_period & (item >= 0), what, checks)
    if busy_months is not None:
        busy = use & (parsed["业务量"].value > 0)
        span = end - start + 1
        for key in np.unique(center[busy].astype(np.int64) * span + month[busy] - start).tolist():
            code, at = codes[key // span], start + key % span
            busy_months[code] = busy_months.get(code, ()) + ((at // 12, at % 12 + 1),)
    width = max(len(names), 1)
    return {(codes[p // width], names[p % width]): total
            for p, total in _exact_sums(pair[use], parsed["业务量"], use).items()}


_NOTHING_IN_PERIOD = ("业务量表中没有考核期（{period}）内启用中心的任何业务量，{year} 年度的工作量绩效资金"
                      "无法按得分分配；请检查“月份”列和“参数”表的考核期起、考核期止")


def _report_repeated(table: Table, first: int, triple: np.ndarray, use: np.ndarray, what,
                     checks: Checks) -> None:
    """Any two rows in ``use`` of one 中心/事项/月份 (allocation-rules §2 v4): an error naming
    both cells, never a sum — two hand rows, an import kept beside hand-typed figures, two
    imports, or one import left twice by an interrupted re-import. Keys whose rows have the same
    kind of 来源 (both by hand; the same file twice; file A then file B) are one line: the first
    such 中心/事项/月份 with its two cells, and how many there are."""
    label = _source_labels(table, first, use, checks)
    rows = np.flatnonzero(use)
    order = rows[np.argsort(triple[rows], kind="stable")]
    keys = triple[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    groups: dict[tuple, list[tuple[int, int, int]]] = {}  # (label, label) → (first, second, rows)
    repeated = sizes > 1
    for at, size in zip(starts[repeated].tolist(), sizes[repeated].tolist()):
        a, b = int(order[at]), int(order[at + 1])
        groups.setdefault((label(a), label(b)), []).append((a, b, size))
    for (label_a, label_b), found in sorted(groups.items(), key=lambda item: min(x[1] for x in item[1])):
        a, b, size = min(found, key=lambda x: x[1])
        cells = f"{table.cell(first + a, '业务量')}、{table.cell(first + b, '业务量')}" + ("等" if size > 2 else "")
        kinds = f"两行都是{label_a}" if label_a == label_b else f"一行是{label_a}，一行是{label_b}"
        head = (f"{what(b)} 有 {size} 行业务量（{cells}），{kinds}" if len(found) == 1 else
                f"{what(b)} 等 {len(found):,} 组中心、事项和月份各有两行或更多业务量（如 {cells}），{kinds}")
        fix = ("请核对后只保留一行" if label_a == label_b == _BY_HAND else
               "请只保留一行：导入中断或重复粘贴留下的行，重新导入（Excel“导入金保数据”或 jbsys-xl import --into）"
               "即可替换；手工填写的行核对后删除")
        checks.error(k.VOLUMES, table.cell(first + b, "业务量"),
                     f"{head}：一个中心、事项和月份只能有一行，否则会重复计算；{fix}", "业务量", count=len(found))


_BY_HAND = "手工填写（来源为空）"


def _source_labels(table: Table, first: int, use: np.ndarray, checks: Checks):
    """How a row's 来源 reads in a message, as a function of the row (a bad 来源 cell is
    reported here)."""
    if "来源" not in table.columns:
        return lambda r: _BY_HAND
    column = _parse_column(*factorized(table, "来源"), v.text)  # an error cell is an error here too
    _report_grouped(checks, table, first, "来源", use & column.failed, column)
    shown = [f"来源“{r}”" if r else _BY_HAND for r in column.results]
    return lambda r: shown[column.codes[r]] if column.codes[r] >= 0 and not column.failed[r] else _BY_HAND


def _period_text(period: tuple[Month, Month]) -> str:
    return f"{month_text(period[0])} 至 {month_text(period[1])}"


def _report_grouped(checks: Checks, table: Table, first: int, header: str, bad: np.ndarray,
                    column: "_Parsed") -> None:
    """One check per distinct bad value of the column, at its first cell, with its count."""
    if not bad.any():
        return
    codes = np.where(column.empty, -1, column.codes)[bad]
    rows = np.flatnonzero(bad)
    distinct, first_at, counts = np.unique(codes, return_index=True, return_counts=True)
    for code, at, count in sorted(zip(distinct.tolist(), first_at.tolist(), counts.tolist()),
                                  key=lambda found: found[1]):
        r = rows[at]
        message = f"{header}不能为空" if code == -1 else column.message(r)
        checks.error(k.VOLUMES, table.cell(first + r, header), message, header, count=count)


class _Parsed:
    """A column parsed per distinct value: typed values, and which rows are empty or bad."""

    def __init__(self, codes: np.ndarray, uniques: list, results: list, errors: list):
        self.codes = codes
        self.uniques, self.results, self.errors = uniques, results, errors
        missing = codes < 0
        safe = np.where(missing, 0, codes)
        self.empty = missing | np.array([v.is_empty(u) for u in uniques] or [True], dtype=bool)[safe]
        self.failed = ~self.empty & np.array([e is not None for e in errors] or [False], dtype=bool)[safe]
        numeric = [r if isinstance(r, int) else 0 for r in results] or [0]
        self.value = np.array(numeric, dtype=np.int64)[safe]

    def message(self, row: int) -> str:
        return self.errors[self.codes[row]]


def factorized(table: Table, header: str) -> tuple[np.ndarray, list]:
    """The column as (code per row, distinct values), computed once per sheet: the result
    workbook runs the year before over the same book, and these do not depend on the year."""
    col = table.columns[header]
    key = ("factorized", table.header_index, col)
    found = table.sheet.derived.get(key)
    if found is None:
        if table.sheet.columns is not None:
            found = _factorized_arrow(table.sheet, table.header_index + 1, col)
        else:
            column = _column(table.data_rows(), col)
            found = _split_bools(column, *_factorize(column))
        table.sheet.derived[key] = found
    return found


def _indices(indices) -> np.ndarray:
    """An Arrow int32 index array as int64 codes, null → -1, read from its buffers: pyarrow's
    compute functions would import pandas (0.2 s at every start) to check a scalar's type."""
    validity, data = indices.buffers()[:2]
    start, end = indices.offset, indices.offset + len(indices)
    codes = np.frombuffer(data, dtype=np.int32)[start:end].astype(np.int64)
    if indices.null_count:
        present = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        codes[present[start:end] == 0] = -1
    return codes


def _factorize(column: np.ndarray) -> tuple[np.ndarray, list]:
    """(code per value, distinct values in order of appearance); None is -1."""
    index: dict = {}
    codes = np.fromiter((-1 if value is None else index.setdefault(value, len(index))
                         for value in column), dtype=np.int64, count=len(column))
    return codes, list(index)


def _factorized_arrow(sheet, first: int, col: int) -> tuple[np.ndarray, list]:
    """The same for a column-wise sheet: Arrow's dictionary encoding, no Python object per
    cell; error cells (nulls in Arrow) get codes of their own."""
    encoded = sheet.columns[col].slice(first).dictionary_encode()
    codes = _indices(encoded.indices)
    uniques = encoded.dictionary.to_pylist()
    for (r, c), error in sheet.errors.items():
        if c == col and r >= first:
            if error not in uniques:
                uniques.append(error)
            codes[r - first] = uniques.index(error)
    return codes, uniques


def _split_bools(column: np.ndarray, codes: np.ndarray, uniques: list) -> tuple[np.ndarray, list]:
    """Give TRUE/FALSE cells codes of their own. Hashing treats True, 1 and 1.0 (False, 0 and
    0.0) as one value, but they read differently: a yes/no cell is not the number 1."""
    for code, unique in enumerate(list(uniques)):
        if not isinstance(unique, (bool, int, float)) or unique not in (0, 1):
            continue
        rows = np.flatnonzero(codes == code)
        is_bool = np.fromiter((type(value) is bool for value in column[rows]), bool, len(rows))
        if is_bool.all() or not is_bool.any():
            continue
        moved = rows[is_bool] if not isinstance(unique, bool) else rows[~is_bool]
        codes[moved] = len(uniques)
        uniques.append(column[moved[0]])
    return codes, uniques


def _parse_column(codes: np.ndarray, uniques: list, parse: Callable) -> _Parsed:
    results, errors = [], []
    for raw in uniques:
        if v.is_empty(raw):
            results.append(None)
            errors.append(None)
            continue
        try:
            results.append(parse(raw))
            errors.append(None)
        except v.BadValue as bad:
            results.append(None)
            errors.append(str(bad))
    return _Parsed(codes, uniques, results, errors)


def _column(rows: list[list], col: int) -> np.ndarray:
    """One column of the rows as an object array (the values themselves, not copies)."""
    try:
        return np.fromiter(map(itemgetter(col), rows), dtype=object, count=len(rows))
    except IndexError:  # ragged rows (CSV): pad the short ones
        return np.fromiter((row[col] if col < len(row) else None for row in rows), dtype=object,
                           count=len(rows))


def _exact_sums(pairs: np.ndarray, volumes: "_Parsed", use: np.ndarray) -> dict[int, int]:
    """Σ 业务量 per pair, exactly: in int64 when no sum can overflow, else in Python ints."""
    counts = [r if r is not None else 0 for r in volumes.results]
    codes = volumes.codes[use]
    if max(counts, default=0) * max(len(codes), 1) < 2**62:
        keys, inverse = np.unique(pairs, return_inverse=True)
        sums = np.zeros(len(keys), dtype=np.int64)
        np.add.at(sums, inverse, np.array(counts, dtype=np.int64)[codes])
        return dict(zip(keys.tolist(), sums.tolist()))
    totals: dict[int, int] = {}
    for p, code in zip(pairs.tolist(), codes.tolist()):
        totals[p] = totals.get(p, 0) + counts[code]
    return totals
