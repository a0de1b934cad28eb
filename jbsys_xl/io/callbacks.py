"""The optional 回访 sheet: 12333 callback results (金保 contract §8).

Validated like every other sheet (a known 中心, a 回访结果 from the list or blank while the
case is not called yet). For the year computed, a center that is not vetoed but has a case
found 不属实 gets a warning naming the cases: 一票否决 stays the working group's decision in
评定, and callbacks never change money by themselves.
"""
from __future__ import annotations

from .. import contract as k
from ..model import Callback, Rating
from . import values as v
from .names import normalize
from .tables import Checks, Table


def read_callbacks(table: Table | None, lookup) -> list[Callback]:
    """Every readable row of the sheet (all years), in sheet order; [] without the sheet.
    ``lookup`` resolves 中心 cells (:class:`~jbsys_xl.io.dataset.CenterLookup`)."""
    if table is None:
        return []
    found = []
    for row in table.rows():
        year = row.get("年度", v.year, required=True)
        code = lookup.resolve(row)
        case_id = row.get("业务流水号", v.text, required=True)
        day = row.get("回访日期", v.day, "回访日期")
        result = row.get("回访结果", v.choice, "回访结果", k.CALLBACK_RESULTS)
        note = row.get("说明", v.text) or ""
        if row.ok:
            found.append(Callback(year, code, normalize(case_id), day, result, note))
    return found


def year_callbacks(records: list[Callback], year: int, ratings: dict[str, Rating],
                   active: set[str], checks: Checks) -> list[Callback]:
    """The year's cases of active centers, one per case (a later result replaces an earlier
    one: a case first 无法联系 may be reached later), with the 不属实 warnings."""
    latest: dict[tuple[str, str], Callback] = {}
    for record in records:
        if record.year != year or record.center not in active:
            continue
        key = (record.center, record.case_id)
        if key not in latest or record.result is not None:
            latest[key] = record
    cases = list(latest.values())
    refuted: dict[str, list[str]] = {}
    for case in cases:
        if case.result == k.CALLBACK_REFUTED:
            refuted.setdefault(case.center, []).append(case.case_id)
    for code, case_ids in refuted.items():
        rating = ratings.get(code)
        if rating is not None and rating.vetoed:
            continue
        checks.warning(k.CALLBACKS, "", f"中心 {code} 有 {len(case_ids)} 件 12333 回访结果为“{k.CALLBACK_REFUTED}”"
                       f"（业务流水号 {'、'.join(case_ids)}），请工作组研究是否一票否决（在“{k.RATINGS}”表"
                       f"“一票否决”列填“是”并写明否决原因）；回访结果本身不改变补助资金")
    return cases
