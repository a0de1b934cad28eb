"""The optional 异议 sheet: objections received after 公示 and how each was settled. An 审定
needs every objection of the year settled in writing (:mod:`jbsys_xl.rules.signoff`)."""
from __future__ import annotations

from .. import contract as k
from ..model import Objection
from . import values as v
from .tables import Table


def read_objections(table: Table | None, year: int, lookup) -> list[Objection]:
    """The year's objections; every row of every year is checked (a 处理结果 from the list, a
    处理日期 not before the 收到日期)."""
    if table is None:
        return []
    found = []
    has_outcome = "处理结果" in table.columns
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        code = lookup.resolve(row)
        received = row.get("收到日期", v.day, "收到日期", required=True)
        content = row.get("异议内容", v.text, required=True)
        outcome = row.get("处理结果", v.choice, "处理结果", k.OBJECTION_OUTCOMES)
        decided_on = row.get("处理日期", v.day, "处理日期")
        if received and decided_on and decided_on < received:
            row.fail("处理日期", f"处理日期 {decided_on.isoformat()} 早于收到日期 {received.isoformat()}")
        if row.ok and row_year == year:
            found.append(Objection(row_year, code, received, content, outcome,
                                   row.get("处理说明", v.text) or "", decided_on,
                                   row.cell("处理结果" if has_outcome else "中心")))
    return found
