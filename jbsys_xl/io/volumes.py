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
        parsed[header] = _parse_column(*_factorized(table, header), parse)
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
    dup = _repeated(triple, use)
    months = parsed["月份"]

    def what(r: int) -> str:
        return f"{codes[center[r]]}“{names[item[r]]}”{v.show(months.uniques[months.codes[r]])} "

    # counted twice is about the period's rows whatever the center: an inactive center's rows
    # are ignored today, but not if it is reactivated
    counted = in_period & (item >= 0)
    if _repeated(triple, counted).any():
        dup &= ~_counted_twice(table, first, triple, counted, what, checks)
    for r in np.flatnonzero(dup):
        checks.warning(k.VOLUMES, table.cell(first + r, "业务量"), f"{what(r)}的业务量重复填报，已合计",
                       "业务量")
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


def _counted_twice(table: Table, first: int, triple: np.ndarray, use: np.ndarray, what,
                   checks: Checks) -> np.ndarray:
    """Rows of a 中心/事项/月份 that holds an imported row (来源 filled) and a hand-typed one (来源
    empty), or imported rows of two different 来源: an error at the later row — the month would
    be counted twice (an import kept beside hand-typed figures, or two imports pasted). Returns
    the rows of such months, which the plain duplicate warning then leaves alone."""
    conflicted = np.zeros(len(triple), dtype=bool)
    if "来源" not in table.columns:
        return conflicted
    column = _parse_column(*_factorized(table, "来源"), v.text)  # an error cell is an error here too
    _report_grouped(checks, table, first, "来源", use & column.failed, column)
    codes, uniques = column.codes, column.uniques
    forms = [normalize(r) if r else None for r in column.results]
    ids = {form: i for i, form in enumerate(dict.fromkeys(f for f in forms if f is not None))}
    source = np.array([-1 if f is None else ids[f] for f in forms] or [-1], dtype=np.int64)[np.maximum(codes, 0)]
    source[codes < 0] = -1
    rows = np.flatnonzero(use)
    keys, inverse = np.unique(triple[rows], return_inverse=True)
    low = np.full(len(keys), np.iinfo(np.int64).max)
    high = np.full(len(keys), -2)
    np.minimum.at(low, inverse, source[rows])
    np.maximum.at(high, inverse, source[rows])
    mixed = (low != high)[inverse]
    conflicted[rows[mixed]] = True
    seen: dict[int, int] = {}  # triple → its first row
    for r in rows[mixed]:
        earlier = seen.setdefault(int(triple[r]), int(r))
        if earlier == r or source[r] == source[earlier]:
            continue
        shown = [f"来源“{column.results[codes[x]]}”" if source[x] >= 0 else "手工填写（来源为空）" for x in (earlier, r)]
        checks.error(k.VOLUMES, table.cell(first + r, "来源"),
                     f"{what(r)}既有{shown[0]}的业务量（{table.cell(first + earlier, '业务量')}），又有{shown[1]}的"
                     "业务量：同一月份会重复计算；请删除手工填写的行或重复导入的行，只保留一份", "来源")
    return conflicted


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


def _factorized(table: Table, header: str) -> tuple[np.ndarray, list]:
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


def _repeated(keys: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Rows in ``use`` whose key an earlier row in ``use`` already had."""
    rows = np.flatnonzero(use)
    _, first = np.unique(keys[rows], return_index=True)
    repeated = np.ones(len(rows), dtype=bool)
    repeated[first] = False
    result = np.zeros(len(keys), dtype=bool)
    result[rows[repeated]] = True
    return result


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
