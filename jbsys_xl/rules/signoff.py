"""The 审定 gate: what a reviewer must see settled before signing (allocation-rules §2).

Each rule words its findings; the level is chosen here, once: an error when 审定文号 is filled
(the final run stops), a warning in a draft (so the working group sees what is still open).
A few findings have the same level in every run (ALWAYS_ERRORS, ALWAYS_WARNINGS): a 审定日期
in the future, and what a reader of any run should know (a veto citing evidence the workbook
does not hold, a center assessed on part of the year …). None of these rules changes money —
they decide whether a result may be called final, and say on what record.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .. import contract as k
from ..clock import run_date
from ..model import Check, Dataset, HardwareRow, Rating, Settings, complaint_count, month_text
from .period import LATE_START, center_part_year

Finding = tuple  # sheet, cell, message[, count: the rows one finding stands for]


def signoff_checks(data: Dataset, chosen: dict[str, str]) -> list[Check]:
    """Every sign-off finding of the year, rule by rule in the order below. ``chosen`` maps each
    winner's 中心编码 to its status (确定 or 建议)."""
    final = data.settings.status == k.STATUS_FINAL
    levels = (("error" if final else "warning", SIGNOFF_RULES), ("error", ALWAYS_ERRORS),
              ("warning", ALWAYS_WARNINGS))
    return [Check(level, *finding) for level, rules in levels
            for rule in rules for finding in rule(data, chosen, final)]


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


# --- v4: every money-moving decision with its ground and date ---------------------------------------

def _cell(data: Dataset, key: tuple, *fallbacks: tuple) -> str:
    """The cell of an ``origins`` key, or of the first fallback key present (a column the
    sheet does not have points at one it has)."""
    for found in (key, *fallbacks):
        if found in data.origins:
            return data.origins[found][1]
    return ""


def _approval_cell(data: Dataset) -> str:
    return _params_cell(data, "审定日期")


def _no_column(present: bool, sheet: str, header: str) -> str:
    """What to add when a rule points at another cell because the sheet lacks ``header``."""
    return "" if present else f"（“{sheet}”表没有“{header}”列，请增加这一列）"


def _row_number(cell: str) -> str:
    return cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def missing_approval_date(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A final result without its date cannot be signed: 审定日期 is required at 审定."""
    s = data.settings
    if final and s.approval_date is None:
        # a 参数 header without its column points at the 年度 header, off the year's row
        present = _row_number(_approval_cell(data)) == _row_number(_params_cell(data, "年度"))
        yield k.PARAMS, _approval_cell(data), (f"{_final_note(data)}但审定日期为空：审定稿须写明审定日期"
                                               f"（工作小组审定的那一天）{_no_column(present, k.PARAMS, '审定日期')}")


def approval_before_decisions(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """An 审定 cannot contain a decision dated after it: 审定日期 not earlier than the latest
    异议 处理日期 of the year, nor the latest 回访日期 of a 回访 row that carries a 处理决定."""
    approved = data.settings.approval_date
    if approved is None:
        return
    dated = [(o.decided_on, k.OBJECTIONS, o.cell, f"异议（中心 {o.center}）的处理日期")
             for o in data.objections if o.decided_on]
    dated += [(c.day, k.CALLBACKS, c.cell, f"12333 回访（中心 {c.center}，业务流水号 {c.case_id}）的回访日期")
              for c in data.callbacks if c.decision and c.day]
    if not dated:
        return
    latest, sheet, cell, what = max(dated, key=lambda found: found[0])
    if latest > approved:
        yield k.PARAMS, _approval_cell(data), (
            f"审定日期 {approved.isoformat()} 早于{what} {latest.isoformat()}（{sheet}!{cell}）："
            "审定应在全部异议处理完、回访处理决定作出之后；请核对审定日期或处理日期")


def approval_before_publicity_end(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """The 审定 comes after the 公示 period: 审定日期 not earlier than 公示截止日期."""
    s = data.settings
    if s.approval_date and s.publicity_end and s.approval_date < s.publicity_end:
        yield k.PARAMS, _approval_cell(data), (
            f"审定日期 {s.approval_date.isoformat()} 早于公示截止日期 {s.publicity_end.isoformat()}"
            f"（{k.PARAMS}!{_params_cell(data, '公示截止日期')}）：审定应在公示期满、异议处理之后")


def unfounded_vetoes(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """一票否决 takes everything away: its ground (否决原因) and its evidence (a 回访 row with
    处理决定 否决, or a 否决依据: a 核查记录 number, a 12333 工单号, a document) on record."""
    vetoed_by_callback = {c.center for c in data.callbacks if c.decision == k.DECISION_VETO}
    for code, rating in data.ratings.items():
        if not rating.vetoed:
            continue

        def at(header: str, *fallbacks: str, code=code) -> tuple[str, str]:
            cell = _cell(data, (k.RATINGS, code, header), *((k.RATINGS, code, f) for f in fallbacks))
            return cell, _no_column((k.RATINGS, code, header) in data.origins, k.RATINGS, header)

        if not rating.veto_reason:
            cell, column = at("否决原因", "一票否决")
            yield k.RATINGS, cell, (f"中心 {code} 一票否决为“是”，但否决原因为空：请写明发现的弄虚作假事实"
                                    f"{column}")
        if not rating.veto_evidence and code not in vetoed_by_callback:
            cell, column = at("否决依据", "否决原因", "一票否决")
            yield k.RATINGS, cell, (
                f"中心 {code} 一票否决为“是”，但没有否决的依据：既没有“否决依据”（核查记录编号、12333 工单号或"
                f"文件），“{k.CALLBACKS}”表中也没有该中心 {data.settings.year} 年度处理决定为“{k.DECISION_VETO}”的回访"
                f"{column}")


def unverified_complaints(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """Each 有理 complaint costs its center a share of its workload money: what it was about
    (内容) and who verified it (核实部门: the 条线, or 机关党委 with 就业处 — 附件1 四(二)2).
    Every 有理 row inside the period: §2 names no active-center exception."""
    for header, attribute, what in (("内容", "content", "投诉内容"),
                                    ("核实部门", "verifier", "核实部门（条线，或机关党委会同就业处）")):
        missing = [c for c in data.period_complaints if c.verdict == k.VERDICT_VALID and not getattr(c, attribute)]
        if not missing:
            continue
        names = list(dict.fromkeys(c.number or c.day.isoformat() for c in missing))
        named = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
        first = missing[0]
        cell = first.cells.get(header) or first.cells.get("核实结论") or first.cell
        column = _no_column(header in first.cells, k.COMPLAINTS, header)
        yield k.COMPLAINTS, cell, (
            f"考核期内有理投诉 {complaint_count(missing)} 件没有填写{what}（{named}）：每件有理投诉扣减 "
            f"{(data.settings.complaint_rate * 100).normalize():f}% 的工作量补助，须写明{header}{column}")


def _project(row: HardwareRow) -> str:
    """How a message names a 硬件 row: its 项目名称, else its 所属区 and budget."""
    return f"{row.district}的“{row.project}”" if row.project else f"{row.district}预算补助 {row.budget:,.2f} 元的项目"


def undecided_hardware(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """Paying or refusing a project filed late or not at all is the 工作小组's decision (附件1
    四(一) only says 3月底前备案), recorded as 处理决定 with its 决定说明."""
    year = data.settings.year
    deadline = f"{k.HARDWARE_FILING_DEADLINE[0]}月{k.HARDWARE_FILING_DEADLINE[1]}日"
    for row in data.hardware:
        name = _project(row)
        if row.decision is None and (not row.filed or row.filed_late(year)):
            how = (f"备案日期 {row.filed_on.isoformat()} 晚于 {year} 年{deadline}" if row.filed
                   else "未备案（已备案为“否”）")
            cell = row.cells.get("处理决定") or row.cells.get("备案日期" if row.filed else "已备案", "")
            column = _no_column("处理决定" in row.cells, k.HARDWARE, "处理决定")
            yield k.HARDWARE, cell, (
                f"{name}{how}，尚无工作小组的处理决定：补助或不予补助须由工作小组决定，请在处理决定填"
                f"“{k.HARDWARE_GRANT}”或“{k.HARDWARE_REFUSE}”并写明决定说明{column}"
                + ("" if final else f"（未决定前{'按计算的金额补助' if row.filed else '按 0 元计'}）"))
        elif row.decision and not row.decision_note:
            yield k.HARDWARE, row.cells.get("决定说明") or row.cells.get("处理决定", ""), (
                f"{name}的处理决定为“{row.decision}”，但决定说明为空：请写明工作小组决定的理由")


SIGNOFF_RULES = (pending_complaints, proposed_winners, undecided_callbacks, unexplained_grades,
                 open_objections, missing_approval_date, approval_before_decisions,
                 approval_before_publicity_end, unfounded_vetoes, unverified_complaints,
                 undecided_hardware)


# --- the same level in every run ---------------------------------------------------------------

def approval_in_future(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A 审定日期 later than today is a slip (2027 for 2024): 23 sealed notices would carry it."""
    approved, today = data.settings.approval_date, run_date()
    if approved and approved > today:
        yield k.PARAMS, _approval_cell(data), (
            f"审定日期 {approved.isoformat()} 晚于今天（{today.isoformat()}）：审定日期应是工作小组已经审定的日期；"
            "请更正（未审定时留空）")


ALWAYS_ERRORS = (approval_in_future,)


def veto_citing_missing_callbacks(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A 否决原因 naming 12333 or 回访 while the center has no 回访 row of the year cites
    evidence the workbook does not hold (the demo's XB04 did)."""
    called = {c.center for c in data.callbacks}
    for code, rating in data.ratings.items():
        reason = rating.veto_reason
        if reason and ("12333" in reason or "回访" in reason) and code not in called:
            yield k.RATINGS, _cell(data, (k.RATINGS, code, "否决原因"), (k.RATINGS, code)), (
                f"中心 {code} 的否决原因“{reason}”提到 12333/回访，但“{k.CALLBACKS}”表中没有该中心 "
                f"{data.settings.year} 年度的回访记录：请把回访结果写进“{k.CALLBACKS}”表（处理决定“{k.DECISION_VETO}”），"
                "或在否决依据中写明核查记录")


def part_year_centers(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """A center scored on part of the year gets no less for it (the regulation says nothing on
    pro-rating); the working group should know, and the 告知书 states the months."""
    start = month_text(data.settings.period_start)
    for center in data.centers:
        found = center_part_year(data, center)
        if found is None:
            continue
        why = [f"启用年度为 {data.settings.year}"] if found.opened else []
        if found.first is None:
            why.append("考核期内没有业务量")
        elif found.late:
            why.append(f"第一个有业务量的月份 {month_text(found.first)} 比考核期起 {start} 晚 {LATE_START} 个月或以上")
        months = "" if found.first is None else f"，考核期内有业务量的月份：{found.months_text}（{found.count} 个月）"
        yield k.RATINGS, _cell(data, (k.RATINGS, center.code, "中心"), (k.RATINGS, center.code)), (
            f"中心 {center.code} 只有部分时间参加考核（{'；'.join(why)}{months}），按全年考核计算，"
            "未按月份折算；告知书将写明考核的月份，如需折算请工作小组研究")


def deduction_with_amount_and_rate(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """One 扣减 row with both an amount and a rate deducts both: one deduction or two?"""
    for d in data.deductions:
        if d.amount is not None and d.rate is not None:
            yield k.DEDUCTIONS, d.cell, (
                f"中心 {d.center} 的扣减“{d.reason}”同时填写了扣减金额 {d.amount:,.2f} 元和扣减比例 "
                f"{(d.rate * 100).normalize():f}%，两者都扣：如是两项扣减请分两行写明各自的原因；只扣一项请删去另一项")


def unnamed_hardware(data: Dataset, chosen, final: bool) -> Iterator[Finding]:
    """硬件 rows without 项目名称 (one finding for all): the 区's notice cannot say which
    project is paid."""
    unnamed = [row for row in data.hardware if not row.project]
    if unnamed:
        first = unnamed[0]
        what = (_project(first) if len(unnamed) == 1 else
                f"{len(unnamed)} 个硬件建设项目（{_project(first)}等）")
        yield k.HARDWARE, first.cells.get("项目名称") or first.cells.get("所属区", ""), (
            f"{what}没有项目名称，硬件建设补助告知书无法写明是哪个项目；请填写项目名称"
            + _no_column("项目名称" in first.cells, k.HARDWARE, "项目名称")), len(unnamed)


ALWAYS_WARNINGS = (veto_citing_missing_callbacks, part_year_centers, deduction_with_amount_and_rate,
                   unnamed_hardware)


PUBLICITY_RULES = (pending_complaints, undecided_callbacks, unexplained_grades)
BEFORE_PUBLICITY = "公示前须处理（公示后只有异议才能改动结果）："


def publicity_blockers(data: Dataset) -> list[Check]:
    """What the 公示 waits for (documents.md §4 v4): it shows figures that only objections may
    still move, so the matters that move money are settled first — a 待核实 complaint, an
    undecided 不属实 回访 of a center not vetoed, a grade below its ceiling without 评定说明
    (proposed winners are fine: printed 拟). The rules above in their draft wording, each an
    error at its cell."""
    return [Check("error", sheet, cell, BEFORE_PUBLICITY + message, *count)
            for rule in PUBLICITY_RULES for sheet, cell, message, *count in rule(data, {}, False)]
