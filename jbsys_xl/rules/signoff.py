"""The 审定 gate: what a reviewer must see settled before signing (allocation-rules §2).

Each rule words its findings; the level is chosen here, once: an error when 审定文号 is filled
(the final run stops), a warning in a draft (so the working group sees what is still open).
None of these rules changes money — they decide whether a result may be called final.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .. import contract as k
from ..model import Check, Dataset, Rating, Settings, complaint_count

Finding = tuple[str, str, str]  # sheet, cell, message


def signoff_checks(data: Dataset, chosen: dict[str, str]) -> list[Check]:
    """Every sign-off finding of the year, rule by rule in the order below. ``chosen`` maps each
    winner's 中心编码 to its status (确定 or 建议)."""
    final = data.settings.status == k.STATUS_FINAL
    level = "error" if final else "warning"
    return [Check(level, sheet, cell, message)
            for rule in SIGNOFF_RULES for sheet, cell, message in rule(data, chosen, final)]


def _params_cell(data: Dataset, header: str) -> str:
    return data.origins[(k.PARAMS, header)][1]


def _final_note(data: Dataset) -> str:
    return f"已填写审定文号（{k.PARAMS}!{_params_cell(data, '审定文号')}），"


def pending_complaints(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A 待核实 complaint may still cost its center 5 %: an 审定 needs every one settled."""
    for complaint in data.pending_complaints:
        where = f"（中心 {complaint.center}，{complaint.day.isoformat()}）"
        yield k.COMPLAINTS, complaint.cell, (
            f"投诉尚“待核实”{where}，{_final_note(data)}审定前须核实全部考核期内的投诉（改为有理或无理）"
            if final else f"投诉尚“待核实”，本次不计入扣减{where}")


def _undecided_refuted(data: Dataset) -> dict[str, list[str]]:
    """中心编码 → 业务流水号 of its 不属实 callbacks no decision covers, for centers not vetoed."""
    found: dict[str, list[str]] = {}
    for case in data.callbacks:
        rating = data.ratings.get(case.center)
        if case.result == k.CALLBACK_REFUTED and not (rating and rating.vetoed) and not case.decided_no_veto:
            found.setdefault(case.center, []).append(case.case_id)
    return found


def proposed_winners(data: Dataset, chosen: dict[str, str], final: bool) -> Iterator[Finding]:
    """Winners only proposed: an 审定 needs them confirmed. Each proposed center with an open
    matter is named with it: if the working group vetoes it later, every center's money moves."""
    proposed = [code for code, status in chosen.items() if status == k.WINNER_PROPOSED]
    if not proposed:
        return
    basis = "区局推荐的" if data.ratings[proposed[0]].recommended else ""
    proposal = (f"按得分从{basis} A+、A 类中心中建议 {len(proposed)} 个：{'、'.join(proposed)}"
                "（确定后请在“综合优胜”列填“是”）")
    pending = {c.center for c in data.pending_complaints}
    refuted = _undecided_refuted(data)
    valid: dict[str, list] = {}
    for complaint in data.complaints:
        valid.setdefault(complaint.center, []).append(complaint)
    deducted = {d.center for d in data.deductions}
    concerns = []
    for code in proposed:
        reasons = ([f"12333 回访“{k.CALLBACK_REFUTED}”尚未决定（业务流水号 {'、'.join(refuted[code])}）"]
                   if code in refuted else [])
        reasons += ["有“待核实”的投诉"] if code in pending else []
        reasons += [f"有理投诉 {complaint_count(valid[code])} 件（投诉扣减）"] if code in valid else []
        reasons += ["有差错扣减记录"] if code in deducted else []
        if reasons:
            concerns.append(f"{code} {'，'.join(reasons)}")
    concern = (f"；其中 {'；'.join(concerns)}——确定前请工作组研究，若其后被否决或取消，"
               "所有中心的资金都会变化") if concerns else ""
    cell = data.origins[(k.RATINGS, proposed[0])][1]
    yield k.RATINGS, cell, (f"{_final_note(data)}但综合优胜单位尚未确定；{proposal}{concern}" if final
                            else f"未确定综合优胜单位，{proposal}{concern}")


def undecided_callbacks(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A 不属实 callback of a center that is not vetoed needs the working group's written
    decision: 一票否决 in 评定, or 处理决定 = 不否决 with a 决定说明 on the row."""
    for case in data.callbacks:
        rating = data.ratings.get(case.center)
        if case.result != k.CALLBACK_REFUTED or (rating and rating.vetoed) or case.decided_no_veto:
            continue
        missing = (f"处理决定为“{k.DECISION_NO_VETO}”但没有决定说明"
                   if case.decision == k.DECISION_NO_VETO else "工作组尚未决定")
        yield k.CALLBACKS, case.cell, (
            f"中心 {case.center} 的 12333 回访（业务流水号 {case.case_id}）结果为“{k.CALLBACK_REFUTED}”，"
            f"该中心未被一票否决，{missing}：否决则在“{k.RATINGS}”表一票否决填“是”并写明否决原因；"
            f"不否决则在本行处理决定填“{k.DECISION_NO_VETO}”并写明决定说明"
            + ("（审定前须记录决定）" if final else "（回访结果本身不改变补助资金）"))


def _award(settings: Settings, grade: str) -> Decimal:
    return {"A+": settings.award_a_plus, "A": settings.award_a}.get(grade, Decimal(0))


def unexplained_grades(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A grade set below its ceiling costs the center money; the reason must be written down."""
    for code, rating in data.ratings.items():
        if not rating.below_ceiling or rating.grade_note:
            continue
        origin = data.origins.get((k.RATINGS, code, "评定说明")) or data.origins[(k.RATINGS, code, "评定等次")]
        cost = _award(data.settings, rating.ceiling) - _award(data.settings, rating.grade)
        yield origin[0], origin[1], (
            f"中心 {code} 的评定等次 {rating.grade} 低于可评定的 {rating.ceiling}（{_basis(rating)}），"
            f"基础达标奖励因此少 {cost:,.2f} 元，但“评定说明”为空：请写明降等的理由")


def _basis(rating: Rating) -> str:
    return (f"服务场所：{rating.venue}，标准化下沉："
            f"{k.YES_NO[0] if rating.standardized else k.YES_NO[1]}")


def open_objections(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """Every objection of the year settled in writing: 处理结果 and 处理说明."""
    for objection in data.objections:
        missing = [header for header, value in (("处理结果", objection.outcome), ("处理说明", objection.note))
                   if not value]
        if missing:
            yield k.OBJECTIONS, objection.cell, (
                f"中心 {objection.center} {objection.received.isoformat()} 提出的异议尚未处理完毕："
                f"{'、'.join(missing)}为空（处理结果填{'或'.join(k.OBJECTION_OUTCOMES)}，并写明处理说明）")


SIGNOFF_RULES = (pending_complaints, proposed_winners, undecided_callbacks, unexplained_grades,
                 open_objections)


PUBLICITY_RULES = (pending_complaints, undecided_callbacks, unexplained_grades)
BEFORE_PUBLICITY = "公示前须处理（公示后只有异议才能改动结果）："


def publicity_blockers(data: Dataset) -> list[Check]:
    """What the 公示 waits for (documents.md §4 v4): it shows figures that only objections may
    still move, so the matters that move money are settled first — a 待核实 complaint, an
    undecided 不属实 回访 of a center not vetoed, a grade below its ceiling without 评定说明
    (proposed winners are fine: printed 拟). The rules above in their draft wording, each an
    error at its cell."""
    return [Check("error", sheet, cell, BEFORE_PUBLICITY + message)
            for rule in PUBLICITY_RULES for sheet, cell, message in rule(data, {}, False)]
