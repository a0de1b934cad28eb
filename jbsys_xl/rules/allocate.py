"""The whole allocation for one year (spec §3–§6): a pure function of the Dataset."""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from .. import contract
from ..model import Allocation, CenterResult, Check, Dataset, DistrictResult, Pools
from .apportion import largest_remainder
from .awards import basic_award, grade, winners
from .scoring import factor_scores, ranks


def allocate(data: Dataset) -> tuple[Allocation | None, list[Check]]:
    """The allocation, or None with the error checks that stop it (W < 0, overpaid, winners)."""
    s = data.settings
    unit = s.unit

    def to_unit(amount: Decimal) -> Decimal:
        return amount.quantize(unit, ROUND_HALF_UP)

    codes = [c.code for c in data.centers]
    scores, factors = factor_scores(s.method, data.indicators, data.centers, data.volumes)
    grades = {code: grade(data.ratings.get(code)) for code in codes}
    vetoed = {code: bool(data.ratings.get(code) and data.ratings[code].vetoed) for code in codes}
    chosen, checks = winners(s, data.centers, data.ratings, grades, scores, data.origins)
    if any(c.level == "error" for c in checks):
        return None, checks

    basic = {code: basic_award(s, grades[code], vetoed[code]) for code in codes}
    winner_award = {code: s.winner_award if code in chosen else Decimal(0) for code in codes}
    basic_total = sum(basic.values(), Decimal(0))
    winner_total = sum(winner_award.values(), Decimal(0))
    pool = s.performance_fund - basic_total - winner_total
    if pool < 0:
        sheet, cell = data.origins.get((contract.PARAMS, "工作绩效资金"), (contract.PARAMS, ""))
        checks.append(Check("error", sheet, cell,
                            f"工作量绩效资金为负：工作绩效资金 {s.performance_fund:.2f} 元不足以支付基础达标奖励 "
                            f"{basic_total:.2f} 元和优胜奖励 {winner_total:.2f} 元"))
        return None, checks
    pool_units = int(pool.quantize(unit, ROUND_FLOOR) / unit)

    gross = {code: units * unit for code, units in largest_remainder(pool_units, scores).items()}
    complaints = {code: 0 for code in codes}
    for complaint in data.complaints:
        complaints[complaint.center] += 1
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

    forfeit = sum(gross.values(), Decimal(0)) - sum(net.values(), Decimal(0))
    redistributed = {code: Decimal(0) for code in codes}
    if s.forfeit_mode == contract.FORFEIT_REDISTRIBUTE and forfeit > 0:
        weights = {code: Fraction(net[code]) for code in codes if net[code] > 0}
        shares = largest_remainder(int(forfeit / unit), weights)
        redistributed.update({code: units * unit for code, units in shares.items()})
    totals = {code: basic[code] + net[code] + redistributed[code] + winner_award[code] for code in codes}

    hardware: dict[str, Decimal] = {}
    budgets: dict[str, Decimal] = {}
    for row in data.hardware:
        paid = to_unit(row.budget * min(Decimal(1), row.actual / row.planned)) if row.filed else Decimal(0)
        hardware[row.district] = hardware.get(row.district, Decimal(0)) + paid
        budgets[row.district] = budgets.get(row.district, Decimal(0)) + row.budget
    hardware_total = sum(hardware.values(), Decimal(0))
    paid_total = sum(totals.values(), Decimal(0)) + hardware_total
    balance = s.total_fund - paid_total
    if balance < 0:
        sheet, cell = data.origins.get((contract.PARAMS, "资金总额"), (contract.PARAMS, ""))
        checks.append(Check("error", sheet, cell, f"分配合计 {paid_total:.2f} 元超过资金总额 {s.total_fund:.2f} 元"))
        return None, checks

    rank = ranks(scores)
    centers = []
    for center in data.centers:
        code = center.code
        rating = data.ratings.get(code)
        centers.append(CenterResult(
            code=code, name=center.name, district=center.district, grade=grades[code],
            vetoed=vetoed[code], veto_reason=rating.veto_reason if rating and rating.vetoed else "",
            score=scores[code], basic_award=basic[code], gross_workload=gross[code],
            complaints=complaints[code], complaint_deduction=complaint_cut[code],
            error_deduction=error_cut[code], net_workload=net[code],
            redistributed=redistributed[code], winner=code in chosen,
            winner_status=chosen.get(code), winner_award=winner_award[code], total=totals[code],
            recommended=bool(rating and rating.recommended), rank=rank[code]))

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
        redistributed_total=sum(redistributed.values(), Decimal(0)),
        forfeited=forfeit - sum(redistributed.values(), Decimal(0)),
        hardware_budget=sum(budgets.values(), Decimal(0)), hardware_total=hardware_total,
        paid_total=paid_total, balance=balance)
    zero = Fraction(0)  # one shared default: `.get(key, Fraction(0))` would build one per pair
    volumes = {key: (data.volumes.get(key, zero), score) for key, score in factors.items()}
    return Allocation(s, data.indicators, pools, centers, districts, volumes, data), checks
