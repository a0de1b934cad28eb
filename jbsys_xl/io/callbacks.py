"""The optional 回访 sheet: 12333 callback results and the working group's decisions
(金保 contract §8).

Validated like every other sheet (a known 中心, a 回访结果 from the list or blank while the
case is drawn but not called yet, a 处理决定 from the list). 一票否决 stays the working group's
decision in 评定: a 处理决定 of 否决 must agree with it, and callbacks never change money by
themselves. Whether an 审定 may go ahead with a 不属实 case is a sign-off rule
(:mod:`jbsys_xl.rules.signoff`).
"""
from __future__ import annotations

from .. import contract as k
from ..model import Callback, Rating
from . import values as v
from .names import normalize
from .tables import Checks, Table


def read_callbacks(table: Table | None, year: int, lookup) -> list[Callback]:
    """Every readable row of the sheet (all years), in sheet order; [] without the sheet.
    ``lookup`` resolves 中心 cells (:class:`~jbsys_xl.io.dataset.CenterLookup`). 处理决定 is
    checked on the rows of ``year`` only (allocation-rules §2: the decisions of other years are
    their own business)."""
    if table is None:
        return []
    found = []
    has_decision = "处理决定" in table.columns
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        code = lookup.resolve(row)
        case_id = row.get("业务流水号", v.text, required=True)
        day = row.get("回访日期", v.day, "回访日期")
        result = row.get("回访结果", v.choice, "回访结果", k.CALLBACK_RESULTS)
        note = row.get("说明", v.text) or ""
        decision = row.get("处理决定", v.choice, "处理决定", k.DECISIONS) if year == row_year else None
        if row.ok:
            found.append(Callback(row_year, code, normalize(case_id), day, result, note, decision,
                                  row.get("决定说明", v.text) or "", row.get("回访人", v.text) or "",
                                  row.get("工单号", v.text) or "", row.get("抽取批次", v.text) or "",
                                  row.cell("处理决定" if has_decision else "回访结果")))
    return found


def year_callbacks(records: list[Callback], year: int, ratings: dict[str, Rating],
                   unrated: set[str] | None, checks: Checks) -> list[Callback]:
    """The year's cases, one per case (a later result replaces an earlier one: a case first
    无法联系 may be reached later) — of inactive centers too: a center closed during the period
    had its cases called, and the sign-off asks for a decision on each 不属实 all the same. A
    处理决定 of 否决 needs 评定.一票否决 = 是 (an error: the two records would disagree about the
    money) — unless the center's 评定 is unknown (``unrated``: its row refused, or None when the
    sheet is missing), reported already; a 处理决定 on a case that is not 不属实 is a warning."""
    latest: dict[tuple[str, str], Callback] = {}
    for record in records:
        if record.year != year:
            continue
        known = unrated is not None and record.center not in unrated
        if record.decision == k.DECISION_VETO and known and not (record.center in ratings
                                                                  and ratings[record.center].vetoed):
            checks.error(k.CALLBACKS, record.cell,
                         f"处理决定为“{k.DECISION_VETO}”（中心 {record.center}，业务流水号 {record.case_id}），"
                         f"但“{k.RATINGS}”表中该中心 {year} 年度的一票否决不是“是”；一票否决须在“{k.RATINGS}”表"
                         "填“是”并写明否决原因，两处应一致", "处理决定")
        elif record.decision and record.result != k.CALLBACK_REFUTED:
            checks.warning(k.CALLBACKS, record.cell,
                           f"回访结果不是“{k.CALLBACK_REFUTED}”，处理决定“{record.decision}”不起作用"
                           f"（中心 {record.center}，业务流水号 {record.case_id}）", "处理决定")
        key = (record.center, record.case_id)
        if key not in latest or record.result is not None:
            latest[key] = record
    return list(latest.values())
