"""The whole allocation for one year (spec §3–§6): a pure function of the Dataset."""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from .. import contract
from ..model import (Allocation, CenterResult, Check, Dataset, DistrictResult, HardwareRow, Pools,
                     Settings, complaint_count)
from .apportion import largest_remainder
from .awards import basic_award, grades, winners
from .scoring import empty_indicators, factor_scores, ranks
from .signoff import signoff_checks


def allocate(data: Dataset) -> tuple[Allocation | None, list[Check]]:
    """The allocation, or None with the error checks that stop it (W < 0, overpaid, winners,
    grades above their ceiling, nothing to apportion, an 审定 that cannot be signed)."""
    s = data.settings
    unit = s.unit

    def to_unit(amount: Decimal) -> Decimal:
        return amount.quantize(unit, ROUND_HALF_UP)

    def origin(header: str) -> tuple[str, str]:
        return data.origins.get((contract.PARAMS, header), (contract.PARAMS, ""))

    codes = [c.code for c in data.centers]
    vetoed = {code: bool(data.ratings.get(code) and data.ratings[code].vetoed) for code in codes}
    excluded = frozenset(code for code in codes if vetoed[code]) \
        if s.veto_mode == contract.VETO_EXCLUDE else frozenset()
    scores, factors = factor_scores(s.method, data.indicators, data.centers, data.volumes, excluded)
    grade, checks = grades(data.centers, data.ratings, data.origins)
    checks += _indicator_warnings(data, excluded)
    if not any(scores.values()):
        checks.append(Check("error", *data.origins.get((contract.VOLUMES, "业务量"), (contract.VOLUMES, "")),
                            _nothing_to_apportion(s, excluded)))
    chosen, winner_checks = winners(s, data.centers, data.ratings, grade, scores, data.origins)
    checks += winner_checks
    checks += signoff_checks(data, chosen)
    if any(c.level == "error" for c in checks):
        return None, checks

    basic = {code: basic_award(s, grade[code], vetoed[code]) for code in codes}
    winner_award = {code: s.winner_award if code in chosen else Decimal(0) for code in codes}
    basic_total = sum(basic.values(), Decimal(0))
    winner_total = sum(winner_award.values(), Decimal(0))
    pool = s.performance_fund - basic_total - winner_total
    if pool < 0:
        checks.append(Check("error", *origin("工作绩效资金"),
                            f"工作量绩效资金为负：工作绩效资金 {s.performance_fund:.2f} 元不足以支付基础达标奖励 "
                            f"{basic_total:.2f} 元和优胜奖励 {winner_total:.2f} 元"))
        return None, checks
    pool_units = int(pool.quantize(unit, ROUND_FLOOR) / unit)

    gross = {code: units * unit for code, units in largest_remainder(pool_units, scores).items()}
    by_center: dict[str, list] = {code: [] for code in codes}
    for complaint in data.complaints:
        by_center[complaint.center].append(complaint)
    complaints = {code: complaint_count(rows) for code, rows in by_center.items()}
    complaint_cut = {code: to_unit(gross[code] * min(Decimal(1), s.complaint_rate * complaints[code]))
                     for code in codes}
    amounts = {code: Decimal(0) for code in codes}
    rates = {code: Decimal(0) for code in codes}
    for deduction in data.deductions:
        amounts[deduction.center] += deduction.amount or 0
        rates[deduction.center] += deduction.rate or 0
    error_cut = {code: to_unit(amounts[code]) + to_unit(gross[code] * rates[code]) for code in codes}
    net = {code: Decimal(0) if vetoed[code] else
           max(Decimal(0), gross[code] - complaint_cut[code] - error_cut[code]) for code in codes}
    checks += _excess_deduction_warnings(data, gross, complaint_cut, error_cut, vetoed)

    # §6.7: a penalised center (D or E > 0, or vetoed) never gets part of a forfeit back.
    receivers = {code for code in codes if net[code] > 0 and not complaint_cut[code]
                 and not error_cut[code] and not vetoed[code]}
    forfeit = sum(gross.values(), Decimal(0)) - sum(net.values(), Decimal(0))
    redistributed = {code: Decimal(0) for code in codes}
    if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE and forfeit > 0:
        if receivers:
            weights = {code: Fraction(net[code]) for code in codes if code in receivers}
            shares = largest_remainder(int(forfeit / unit), weights)
            redistributed.update({code: units * unit for code, units in shares.items()})
        else:
            checks.append(Check("warning", *origin("扣减资金处理"),
                                f"扣减资金 {forfeit:.2f} 元无法再分配：没有实得工作量补助大于 0 且本身"
                                f"未被扣减、未被否决的中心，这笔资金{contract.FORFEIT_LABELS[contract.FORFEIT_RECLAIM]}"))
    totals = {code: basic[code] + net[code] + redistributed[code] + winner_award[code] for code in codes}
    checks += _winner_warnings(data, chosen, complaints)

    hardware: dict[str, Decimal] = {}
    budgets: dict[str, Decimal] = {}
    for row in data.hardware:
        hardware[row.district] = hardware.get(row.district, Decimal(0)) + hardware_subsidy(row, unit)
        budgets[row.district] = budgets.get(row.district, Decimal(0)) + row.budget
    hardware_total = sum(hardware.values(), Decimal(0))
    paid_total = sum(totals.values(), Decimal(0)) + hardware_total
    balance = s.total_fund - paid_total
    if balance < 0:
        checks.append(Check("error", *origin("资金总额"),
                            f"分配合计 {paid_total:.2f} 元超过资金总额 {s.total_fund:.2f} 元"))
        return None, checks
    forfeited = forfeit - sum(redistributed.values(), Decimal(0))
    if balance > 0:
        checks.append(Check("warning", *origin("资金总额"), _balance_note(s, balance, forfeited)))

    rank = ranks(scores)
    centers = []
    for center in data.centers:
        code = center.code
        rating = data.ratings.get(code)
        centers.append(CenterResult(
            code=code, name=center.name, district=center.district, grade=grade[code],
            vetoed=vetoed[code], veto_reason=rating.veto_reason if rating and rating.vetoed else "",
            score=scores[code], basic_award=basic[code], gross_workload=gross[code],
            complaints=complaints[code], complaint_deduction=complaint_cut[code],
            error_deduction=error_cut[code], net_workload=net[code],
            redistributed=redistributed[code], winner=code in chosen,
            winner_status=chosen.get(code), winner_award=winner_award[code], total=totals[code],
            recommended=bool(rating and rating.recommended), rank=rank[code],
            receiver=code in receivers))

    districts = []
    for district in dict.fromkeys(c.district for c in data.centers):
        centers_total = sum((r.total for r in centers if r.district == district), Decimal(0))
        subsidy = hardware.get(district, Decimal(0))
        districts.append(DistrictResult(district, centers_total, subsidy,
                                        budgets.get(district, Decimal(0)), centers_total + subsidy))

    pools = Pools(
        total_fund=s.total_fund, performance_fund=s.performance_fund, basic_total=basic_total,
        winner_total=winner_total, workload_pool=pool_units * unit,
        gross_total=sum(gross.values(), Decimal(0)), net_total=sum(net.values(), Decimal(0)),
        redistributed_total=sum(redistributed.values(), Decimal(0)), forfeited=forfeited,
        hardware_budget=sum(budgets.values(), Decimal(0)), hardware_total=hardware_total,
        paid_total=paid_total, balance=balance)
    return Allocation(s, data.indicators, pools, centers, districts, factors, data, excluded), checks


def hardware_subsidy(row: HardwareRow, unit: Decimal) -> Decimal:
    """§6.9, 先建后补: the budget scaled by progress (at most 100 %), and never more than was
    spent. The 工作小组's 处理决定 rules (v4): 不予补助 → 0; 补助 → that amount even when not
    filed; without a decision a project not filed gets 0 (a late one is paid: the 审定 gate
    asks for the decision)."""
    if row.decision == contract.HARDWARE_REFUSE or row.decision is None and not row.filed:
        return Decimal(0)
    scaled = (row.budget * min(Decimal(1), row.actual / row.planned)).quantize(unit, ROUND_HALF_UP)
    return min(scaled, row.actual.quantize(unit, ROUND_HALF_UP))


def _nothing_to_apportion(s: Settings, excluded: frozenset[str]) -> str:
    period = f"{s.period_start[0]}-{s.period_start[1]:02d} 至 {s.period_end[0]}-{s.period_end[1]:02d}"
    vetoed = (f"（被一票否决、按“{contract.VETO_EXCLUDE}”处理的 {len(excluded)} 个中心不计）"
              if excluded else "")
    return (f"所有中心的得分均为 0{vetoed}：考核期 {period} 内没有业务量，或业务量全为 0，"
            "工作量绩效资金无法按得分分配；请检查业务量表和参数表的考核期")


def _indicator_warnings(data: Dataset, excluded: frozenset[str]) -> list[Check]:
    checks = []
    for indicator in empty_indicators(data.indicators, data.volumes, excluded):
        sheet, cell = data.origins.get((contract.INDICATORS, indicator.name),
                                       (contract.INDICATORS, ""))
        checks.append(Check("warning", sheet, cell,
                            f"指标“{indicator.name}”（序号 {indicator.seq}）考核期内市本级业务量为 0，"
                            f"其权重 {indicator.weight.normalize():f} 分不计入任何中心的得分"))
    return checks


def _excess_deduction_warnings(data: Dataset, gross: dict, complaint_cut: dict, error_cut: dict,
                               vetoed: dict) -> list[Check]:
    """扣减 beyond what complaints left of G: the excess is lost, not carried anywhere."""
    first_cell: dict[str, str] = {}
    for deduction in data.deductions:
        first_cell.setdefault(deduction.center, deduction.cell)
    checks = []
    for code, cell in first_cell.items():
        left = max(Decimal(0), gross[code] - complaint_cut[code])
        if error_cut[code] > left and not vetoed[code]:
            checks.append(Check("warning", contract.DEDUCTIONS, cell,
                                f"中心 {code} 的差错扣减 {error_cut[code]:.2f} 元超过投诉扣减后剩余的工作量补助 "
                                f"{left:.2f} 元，超出的 {error_cut[code] - left:.2f} 元不再扣减"
                                "（实得工作量补助最低为 0）"))
    return checks


def _winner_warnings(data: Dataset, chosen: dict[str, str], complaints: dict[str, int]
                     ) -> list[Check]:
    """A confirmed winner with a valid complaint or a 扣减 of the year: worth a second look."""
    deducted = {d.center for d in data.deductions}
    checks = []
    for code, status in chosen.items():
        if status != contract.WINNER_CONFIRMED:
            continue
        found = ([f"有理投诉 {complaints[code]} 件"] if complaints[code] else []) + \
            (["差错扣减记录"] if code in deducted else [])
        if found:
            sheet, cell = data.origins.get((contract.RATINGS, code), (contract.RATINGS, ""))
            checks.append(Check("warning", sheet, cell,
                                f"综合优胜单位 {code} 本年度有{'和'.join(found)}，请核实是否仍评为优胜"))
    return checks


def _balance_note(s: Settings, balance: Decimal, forfeited: Decimal) -> str:
    """The 结余 and where it goes: 参数 结余去向 (documents.md §0), or a request to write it."""
    parts = [f"资金总额中有 {balance:,.2f} 元未分配（结余）"]
    if forfeited:
        parts.append(f"其中扣减资金 {forfeited:,.2f} 元{contract.FORFEIT_LABELS[contract.FORFEIT_RECLAIM]}")
    return "，".join(parts) + (f"；结余去向：{s.balance_use}" if s.balance_use else
                              "；请核对这笔资金的去向，并在“参数”表结余去向中写明（如结转下年度统筹使用）")
