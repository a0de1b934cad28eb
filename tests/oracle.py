"""An independent test oracle for /work/shared/spec/allocation-rules.md.

Written from the spec alone (it shares no code with ``jbsys_xl.rules`` or ``jbsys_xl.io``), for
clarity rather than speed: every quantity is recomputed from scratch with exact ``Fraction`` sums
and ``Decimal`` money, one spec clause after the other.

Input: the scenario as plain Python, ``{sheet name: [row dict header → clean value]}``, where a
value is already typed — ``int`` years and counts, ``Decimal`` money / weights / volumes,
``Decimal`` percents as a fraction of 1 (5 % → ``Decimal("0.05")``), ``bool`` for yes/no,
``(year, month)`` tuples for months, ``datetime.date`` for dates, ``str`` for text and ``None``
for an empty cell. Output: the §7 dict without ``checks``. Error cases raise :class:`OracleError`.
Optional sheets (回访, 异议) may be absent from the dict. The v3 rules (the decision record an
审定 needs, the 来源 double count, the payees of documents.md §5) are checked last, after the
money, then the v4 ones (every ground and date of a money decision): an error they raise is then
the only one, and names the sheet the product must flag. "Today" (a 审定日期 may not be later)
is the run's date: given, or SOURCE_DATE_EPOCH in Beijing time (documents.md §0).
"""
from __future__ import annotations

import math
import os
import unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction


class OracleError(Exception):
    """The spec says this input is an error (§2); the message says which rule, and `sheet` the
    sheet whose cell the spec puts it at, where it names one (the v3 rules do)."""

    def __init__(self, message: str, sheet: str | None = None):
        super().__init__(message)
        self.sheet = sheet


# --- small exact helpers ----------------------------------------------------------------------

CENT = Decimal("0.01")
ZERO = Decimal("0")


def as_fraction(value) -> Fraction:
    if isinstance(value, float):  # never expected, but never trust a binary float's digits
        return Fraction(repr(value))
    return Fraction(value)


def round_half_up(x, step) -> Decimal:
    """x (Decimal or Fraction, exact) rounded half-up, ties away from zero, to a multiple of step."""
    n = as_fraction(x) / as_fraction(step)
    k = math.floor(abs(n) + Fraction(1, 2))
    return Decimal(k if n >= 0 else -k) * Decimal(step)


def round_down(x: Decimal, step: Decimal) -> Decimal:
    return Decimal(math.floor(as_fraction(x) / as_fraction(step))) * step


def same_name(value) -> str:
    """§1: 中心/事项/所属区 references are compared after trimming and NFKC normalisation."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def money_in(value) -> Decimal:
    """Money read from a cell: rounded half-up to 0.01 yuan (§1)."""
    return round_half_up(value, CENT)


def text2(amount: Decimal) -> str:
    """Money as the §7 string with exactly two decimals (never rounds: it must be exact)."""
    assert amount == amount.quantize(CENT), f"money with more than two decimals: {amount}"
    return f"{amount.quantize(CENT):f}"


def score6(score: Fraction) -> float:
    """The §7 score rounded to 6 decimals. The spec names no mode here; half-up is the only mode
    it spells out anywhere (§1, §6), and what Excel's ROUND does (see test_rules_examples)."""
    return float(round_half_up(score, Decimal("0.000001")))


def month_of(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def month_list(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    months, (y, m) = [], start
    while (y, m) <= end:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def largest_remainder(units: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Split `units` over keys in proportion to weights (§6.3): floor of each quota, then one more
    unit to each of the largest fractional parts, ties by key in plain code-point order."""
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        return {key: 0 for key in weights}
    quota = {key: Fraction(units) * w / total for key, w in weights.items()}
    share = {key: math.floor(q) for key, q in quota.items()}
    left = units - sum(share.values())
    ranked = sorted(weights, key=lambda key: (-(quota[key] - share[key]), key))
    for key in ranked[:left]:
        share[key] += 1
    assert sum(share.values()) == units
    return share


def _get(row: dict, key: str, default=None):
    value = row.get(key)
    return default if value is None or value == "" else value


def _text(row: dict, key: str) -> str | None:
    """A text cell as §1 reads it (NFKC, trimmed); None when that leaves nothing."""
    value = row.get(key)
    value = None if value is None else same_name(value)
    return value or None


# documents.md §5: the GB 32100-2015 统一社会信用代码
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_ok(code: str) -> bool:
    """18 characters of the alphabet, the last one the check character of the first 17."""
    if len(code) != 18 or any(ch not in CODE_ALPHABET for ch in code):
        return False
    total = sum(w * CODE_ALPHABET.index(ch) for w, ch in zip(CODE_WEIGHTS, code))
    return code[17] == CODE_ALPHABET[(31 - total % 31) % 31]


# --- the spec, clause by clause -----------------------------------------------------------------

def run_day() -> date:
    """documents.md §0: the date of the run in Beijing time (UTC+8); SOURCE_DATE_EPOCH, when set,
    is the moment (seconds since 1970)."""
    beijing = timezone(timedelta(hours=8))
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(fixed), beijing) if fixed else datetime.now(beijing)
    return moment.date()


def allocate(data: dict[str, list[dict]], year: int, today: date | None = None) -> dict:
    """The §7 result (without ``checks``) for `year`, run on `today` (default: run_day());
    raises OracleError where §2 says error."""
    params = [r for r in data.get("参数", []) if r["年度"] == year]
    if not params:
        raise OracleError(f"参数: no row for {year}")
    if len(params) > 1:
        raise OracleError(f"参数: two rows for {year}")
    p = params[0]

    # §1 defaults of 参数
    total_fund = money_in(p["资金总额"])
    perf = money_in(_get(p, "工作绩效资金", total_fund * Decimal("0.70")))
    hw_cap = as_fraction(_get(p, "硬件资金上限比例", Decimal("0.30")))
    award_ap = money_in(_get(p, "A+奖励", 12000))
    award_a = money_in(_get(p, "A奖励", 10000))
    n_winners = int(_get(p, "优胜单位数", 6))
    winner_award = money_in(_get(p, "优胜奖励", 0))
    rate = as_fraction(_get(p, "投诉扣减比例", Decimal("0.05")))
    method = _get(p, "评分方法", "占比法")
    forfeit_mode = _get(p, "扣减资金处理", "收回")
    veto_mode = _get(p, "否决处理", "剔除")  # §1: 剔除 (default) or 计入
    unit = Decimal(_get(p, "金额单位", CENT))
    if method not in ("占比法", "对标法") or forfeit_mode not in ("收回", "再分配") \
            or veto_mode not in ("剔除", "计入") or unit not in (Decimal(1), CENT):
        raise OracleError("参数: a setting is not an allowed value")
    # §7: 草案 while 审定文号 is empty, 审定 once it is filled (the final run)
    approval = _get(p, "审定文号")
    final = approval is not None and str(approval).strip() != ""
    status = "审定" if final else "草案"
    unit = Decimal(1) if unit == 1 else CENT
    start = tuple(_get(p, "考核期起", (2018, 1) if year == 2018 else (year - 1, 12)))
    end = tuple(_get(p, "考核期止", (year, 11)))
    period = set(month_list(start, end))

    def rnd(x) -> Decimal:
        return round_half_up(x, unit)

    # 中心, and a 中心 cell that holds a code or a name
    all_centers = data["中心"]
    code_of = lambda c: str(c["中心编码"])  # noqa: E731
    if len({code_of(c) for c in all_centers}) != len(all_centers) \
            or len({c["中心名称"] for c in all_centers}) != len(all_centers):
        raise OracleError("中心: duplicate code or name")
    by_ref = {same_name(c["中心名称"]): c for c in all_centers}
    by_ref.update({same_name(code_of(c)): c for c in all_centers})

    def center_of(ref) -> str:
        ref = same_name(ref)
        if ref not in by_ref:
            raise OracleError(f"unknown 中心 {ref}")
        return code_of(by_ref[ref])

    def is_active(c: dict) -> bool:
        first, last = _get(c, "启用年度"), _get(c, "停用年度")
        return (first is None or first <= year) and (last is None or last >= year)

    active = sorted((c for c in all_centers if is_active(c)), key=code_of)
    codes = [code_of(c) for c in active]

    # 指标 of the year, their names and 金保 aliases
    indicators = [r for r in data["指标"] if r["年度"] == year]
    if not indicators:
        raise OracleError(f"指标: no rows for {year}")
    if sum(as_fraction(r["指标权重"]) for r in indicators) != 100:
        raise OracleError("指标: weights do not sum to 100")
    names = [r["事项名称"] for r in indicators]
    if len(set(names)) != len(names):
        raise OracleError("指标: duplicate 事项名称")
    item_of: dict[str, str] = {}
    for r in indicators:
        for alias in str(_get(r, "金保事项", "")).replace("；", ";").split(";"):
            if alias.strip():
                item_of[same_name(alias)] = r["事项名称"]
    item_of.update({same_name(name): name for name in names})

    # §2 a fractional 业务量 is an error on any row (a count of cases)
    if any(as_fraction(r["业务量"]).denominator != 1 for r in data.get("业务量", [])):
        raise OracleError("业务量: a fractional count")
    # §3 volumes v[c, i], only rows inside the period and of active centers
    volume = {(c, i): Fraction(0) for c in codes for i in names}
    for r in data.get("业务量", []):
        if tuple(r["月份"]) not in period:
            continue
        c, item = center_of(r["中心"]), same_name(r["事项"])
        if item not in item_of:
            raise OracleError(f"unknown 事项 {item}")
        if c in codes:
            volume[c, item_of[item]] += as_fraction(r["业务量"])

    # §3 valid complaints n[c]; §1 rows dated outside the period are ignored. §6.4 rows sharing
    # a 投诉编号 count once; §2 one 投诉编号 for different centers is an error, and on the final
    # run any 待核实 complaint inside the period is an error.
    valid_rows = {c: [] for c in codes}
    centers_of_number: dict[str, set] = {}
    for r in data.get("投诉", []):
        c = center_of(r["中心"])
        if month_of(r["日期"]) not in period:
            continue
        number = _get(r, "投诉编号")
        number = None if number is None or str(number).strip() == "" else str(number).strip()
        if number is not None:
            centers_of_number.setdefault(number, set()).add(c)
        if final and r["核实结论"] == "待核实":
            raise OracleError("投诉: 待核实 inside the period on the final run")
        if r["核实结论"] == "有理" and c in codes:
            valid_rows[c].append(number)
    if any(len(centers) > 1 for centers in centers_of_number.values()):
        raise OracleError("投诉: one 投诉编号 for different centers")
    complaints = {c: len({n for n in rows if n is not None}) + sum(1 for n in rows if n is None)
                  for c, rows in valid_rows.items()}

    # §5 grades and veto; §2 every active center needs its 评定 row of the year
    rows_of_year = [r for r in data.get("评定", []) if r["年度"] == year]
    rating = {center_of(r["中心"]): r for r in rows_of_year}
    order = ("A+", "A", "B")
    grade, vetoed, unexplained = {}, {}, []
    for c in codes:
        r = rating.get(c)
        if r is None:
            raise OracleError(f"评定: active center {c} has no row for {year}")
        standard = bool(r["标准化下沉"])
        ceiling = ("A+" if r["服务场所"] == "独立服务大厅" and standard else
                   "A" if r["服务场所"] == "综合服务窗口" and standard else "B")
        recorded = _get(r, "评定等次")
        if recorded is not None and order.index(recorded) < order.index(ceiling):
            raise OracleError(f"评定: 评定等次 {recorded} above the ceiling {ceiling}")
        grade[c] = ceiling if recorded is None else recorded
        # §2 v3: at 审定, a grade below its ceiling needs its 评定说明 (checked with the v3 rules)
        if final and order.index(grade[c]) > order.index(ceiling) and _text(r, "评定说明") is None:
            unexplained.append(c)
        vetoed[c] = bool(_get(r, "一票否决", False))

    # §4 factor scores, as plain exact sums over the factor base: with 剔除 the vetoed centers
    # are out of it (their s and S are 0), with 计入 every active center is in it.
    in_base = [c for c in codes if not (veto_mode == "剔除" and vetoed[c])]
    score = {c: Fraction(0) for c in codes}
    for r in indicators:
        i, w = r["事项名称"], as_fraction(r["指标权重"])
        column = [volume[c, i] for c in in_base]
        base = sum(column, Fraction(0)) if method == "占比法" else max(column, default=Fraction(0))
        if base != 0:
            for c in in_base:
                score[c] += w * volume[c, i] / base
    if all(score[c] == 0 for c in codes):
        raise OracleError("every active center's S is 0: W' cannot be apportioned")

    # §5 winners
    basic = {c: ZERO if vetoed[c] else
             award_ap if grade[c] == "A+" else award_a if grade[c] == "A" else ZERO
             for c in codes}
    eligible = [c for c in codes if grade[c] in ("A+", "A") and not vetoed[c]]
    confirmed = {center_of(r["中心"]) for r in rows_of_year if _get(r, "综合优胜", False)}
    if confirmed:
        if len(confirmed) > n_winners:
            raise OracleError("评定: more confirmed winners than N")
        if not confirmed <= set(eligible):
            raise OracleError("评定: a confirmed winner is not eligible")
        if winner_award == 0:
            raise OracleError("评定: confirmed winners while 优胜奖励 is 0")
        winners, winner_status = confirmed, "确定"
    else:
        recommended = [c for c in eligible if _get(rating[c], "区局推荐", False)]
        ranked = sorted(recommended or eligible, key=lambda c: (-score[c], c))
        winners, winner_status = set(ranked[:n_winners]), "建议"
        if final and winners:
            raise OracleError("评定: winners only proposed on the final run")
    win_award = {c: winner_award if c in winners else ZERO for c in codes}

    # §6 money
    basic_total = sum(basic.values(), ZERO)
    winner_total = sum(win_award.values(), ZERO)
    pool = perf - basic_total - winner_total
    if pool < 0:
        raise OracleError("W < 0")
    pool_down = round_down(pool, unit)
    gross = {c: unit * k for c, k in largest_remainder(int(pool_down / unit), score).items()}

    d_complaint = {c: rnd(as_fraction(gross[c]) * min(Fraction(1), rate * complaints[c]))
                   for c in codes}
    d_amount = {c: ZERO for c in codes}
    d_rate = {c: Fraction(0) for c in codes}
    for r in data.get("扣减", []):
        if r["年度"] != year:
            continue
        amount, share = _get(r, "扣减金额"), _get(r, "扣减比例")
        if amount is None and share is None:
            raise OracleError("扣减: neither amount nor rate")
        c = center_of(r["中心"])
        if c not in codes:
            continue
        if amount is not None:
            d_amount[c] += money_in(amount)
        if share is not None:
            d_rate[c] += as_fraction(share)
    d_error = {c: rnd(d_amount[c]) + rnd(as_fraction(gross[c]) * d_rate[c]) for c in codes}
    net = {c: ZERO if vetoed[c] else max(ZERO, gross[c] - d_complaint[c] - d_error[c])
           for c in codes}
    forfeit = sum((gross[c] - net[c] for c in codes), ZERO)
    redistributed = {c: ZERO for c in codes}
    if forfeit_mode == "再分配":
        # §6.7: only centers with N > 0 and no deduction of their own (D = E = 0, not vetoed)
        receivers = {c: as_fraction(net[c]) for c in codes
                     if net[c] > 0 and d_complaint[c] == 0 and d_error[c] == 0 and not vetoed[c]}
        if receivers:
            for c, k in largest_remainder(int(forfeit / unit), receivers).items():
                redistributed[c] = unit * k
    total = {c: basic[c] + net[c] + redistributed[c] + win_award[c] for c in codes}

    # §6.9 hardware, per row, summed per district
    known_districts = {same_name(c["所属区"]) for c in all_centers}
    hardware: dict[str, Decimal] = {}
    hw_budget = ZERO
    for r in data.get("硬件", []):
        if r["年度"] != year:
            continue
        district = same_name(r["所属区"])
        if district not in known_districts:
            raise OracleError("硬件: unknown 所属区")
        budget, planned, actual = (money_in(r[k]) for k in ("预算补助", "计划投入", "实际投入"))
        if planned <= 0:
            raise OracleError("硬件: 计划投入 ≤ 0")
        hw_budget += budget
        progress = min(Fraction(1), as_fraction(actual) / as_fraction(planned))
        # §6.9 先建后补: never more than was spent
        amount = min(rnd(as_fraction(budget) * progress), rnd(actual))
        # §6.9 v4: the 工作小组's 处理决定 — 不予补助 → 0; 补助 → the amount even when not filed;
        # none → 0 when not filed, else the amount (a value outside the list is checked below)
        decision = _text(r, "处理决定")
        paid = (ZERO if decision == "不予补助" else amount if decision == "补助" else
                amount if r["已备案"] else ZERO)
        hardware[district] = hardware.get(district, ZERO) + paid
    if as_fraction(hw_budget) > hw_cap * as_fraction(total_fund):
        raise OracleError("硬件: Σ 预算补助 above the cap")
    if perf + hw_budget > total_fund:
        raise OracleError("P + Σ 预算补助 > 资金总额")

    hw_total = sum(hardware.values(), ZERO)
    paid_total = sum(total.values(), ZERO) + hw_total
    balance = total_fund - paid_total
    if balance < 0:
        raise OracleError("balance < 0")

    # the v3 rules last, so that an error raised here is the only one the spec finds; first the
    # one that is a reading error (validation), before any rule of the 审定 gate
    one_row_per_key(data, period, center_of, item_of)
    if unexplained:
        raise OracleError(f"评定: {unexplained} graded below the ceiling without 评定说明", "评定")
    vetoed_of_year = {c for c, r in rating.items() if _get(r, "一票否决", False)}
    v3_checks(data, year, final, period, center_of, item_of, vetoed_of_year)
    v4_checks(data, year, final, p, period, center_of, today or run_day())

    district_rows = []
    for d in dict.fromkeys(c["所属区"] for c in active):
        centers_total = sum((total[code_of(c)] for c in active if c["所属区"] == d), ZERO)
        hw = hardware.get(same_name(d), ZERO)
        district_rows.append({"district": d, "centers_total": text2(centers_total),
                              "hardware_subsidy": text2(hw), "total": text2(centers_total + hw)})

    redistributed_total = sum(redistributed.values(), ZERO)
    result = {
        "ok": True,
        "year": year,
        "status": status,
        "period": [f"{start[0]:04d}-{start[1]:02d}", f"{end[0]:04d}-{end[1]:02d}"],
        "method": method,
        "pools": {
            "total_fund": text2(total_fund),
            "performance_fund": text2(perf),
            "basic_total": text2(basic_total),
            "winner_total": text2(winner_total),
            "workload_pool": text2(pool_down),
            "gross_total": text2(sum(gross.values(), ZERO)),
            "net_total": text2(sum(net.values(), ZERO)),
            "redistributed_total": text2(redistributed_total),
            "forfeited": text2(forfeit - redistributed_total),
            "hardware_budget": text2(hw_budget),
            "hardware_total": text2(hw_total),
            "paid_total": text2(paid_total),
            "balance": text2(balance),
        },
        "centers": [{
            "code": c,
            "name": center["中心名称"],
            "district": center["所属区"],
            "grade": grade[c],
            "vetoed": vetoed[c],
            "score": score6(score[c]),
            "basic_award": text2(basic[c]),
            "gross_workload": text2(gross[c]),
            "complaints": complaints[c],
            "complaint_deduction": text2(d_complaint[c]),
            "error_deduction": text2(d_error[c]),
            "net_workload": text2(net[c]),
            "redistributed": text2(redistributed[c]),
            "winner": c in winners,
            "winner_status": winner_status if c in winners else None,
            "winner_award": text2(win_award[c]),
            "total": text2(total[c]),
        } for center, c in zip(active, codes)],
        "districts": district_rows,
    }
    return result


def one_row_per_key(data, period, center_of, item_of) -> None:
    """业务量 (v4): any two rows of one 中心/事项/月份 inside the period, whatever their 来源 —
    one 金保 figure is one row, never a sum. Every row inside the period counts: the sentence
    names no active-center restriction."""
    rows_of: dict[tuple, int] = {}
    for r in data.get("业务量", []):
        if tuple(r["月份"]) in period:
            key = (center_of(r["中心"]), item_of[same_name(r["事项"])], tuple(r["月份"]))
            rows_of[key] = rows_of.get(key, 0) + 1
    if any(count > 1 for count in rows_of.values()):
        raise OracleError("业务量: one 中心/事项/月份 has two rows", "业务量")


def v3_checks(data, year, final, period, center_of, item_of, vetoed) -> None:
    """§2 v3: the decision record (回访, 异议), the 来源 double count and the payees.
    `vetoed` holds the centers whose 评定 row of the year says 一票否决 = 是."""
    # documents.md §5: a 统一社会信用代码 that fails its check is an error at its cell in every
    # run, in 中心 and in 硬件 (no year is named: every row); 硬件 rows of one 所属区 must agree
    # on 收款单位 and code (rows of the year; only filled cells are compared — whether an empty
    # one disagrees with a filled one the spec does not settle, and the generator never asks).
    # A code is read trimmed (§1); the generator writes no full-width code, whose reading the
    # spec leaves open (§1 normalises text for comparing, and a check is not a comparison).
    for sheet in ("中心", "硬件"):
        for r in data.get(sheet, []):
            code = _text(r, "统一社会信用代码")
            if code is not None and not credit_code_ok(code):
                raise OracleError(f"{sheet}: 统一社会信用代码 {code} fails its check", sheet)
    payees: dict[tuple[str, str], set] = {}
    for r in data.get("硬件", []):
        if r["年度"] == year:
            for key in ("收款单位", "统一社会信用代码"):
                if _text(r, key) is not None:
                    payees.setdefault((same_name(r["所属区"]), key), set()).add(_text(r, key))
    if any(len(values) > 1 for values in payees.values()):
        raise OracleError("硬件: rows of one 所属区 name different payees", "硬件")

    # 回访 (jinbao-import §8): the 处理决定 rules apply to rows of the year, against 评定 of
    # the year; at 审定 a 不属实 of a center not vetoed needs 不否决 and a 决定说明.
    for r in data.get("回访", []):
        c = center_of(r["中心"])
        result, decision = _text(r, "回访结果"), _text(r, "处理决定")
        if result not in (None, "属实", "不属实", "无法联系"):
            raise OracleError(f"回访: 回访结果 {result}", "回访")
        if r["年度"] != year:
            continue
        if decision not in (None, "否决", "不否决"):
            raise OracleError(f"回访: 处理决定 {decision} is not allowed", "回访")
        if decision == "否决" and c not in vetoed:
            raise OracleError(f"回访: 否决 while {c} is not vetoed in 评定", "回访")
        if final and result == "不属实" and c not in vetoed \
                and not (decision == "不否决" and _text(r, "决定说明") is not None):
            raise OracleError(f"回访: {c}'s 不属实 undecided on the final run", "回访")

    # 异议: 处理结果 维持/调整 in every run (every row); at 审定 each row of the year needs
    # its 处理结果 and its 处理说明.
    for r in data.get("异议", []):
        center_of(r["中心"])
        outcome = _text(r, "处理结果")
        if outcome not in (None, "维持", "调整"):
            raise OracleError(f"异议: 处理结果 {outcome} is not allowed", "异议")
        if final and r["年度"] == year and (outcome is None or _text(r, "处理说明") is None):
            raise OracleError("异议: an objection of the year not settled on the final run", "异议")


ACCOUNT_CHARS = set("0123456789 -")


def v4_checks(data, year, final, p, period, center_of, today: date) -> None:
    """§2 v4: every money-moving decision with its ground and date. Values in every run (the
    硬件 处理决定 list, 支付方式, the 公示 dates' order, 银行账号 characters, one account per
    所属区, a 审定日期 not after today); at 审定 the record (审定日期 present and not before the
    decisions it contains nor the 公示's end, a veto's reason and evidence, who verified each
    有理 complaint and what it was about, the 工作小组's decision on every 未备案 or late project)."""
    # every run: values (documents.md §0, §5; allocation-rules §1)
    opened, closed = _get(p, "公示日期"), _get(p, "公示截止日期")
    if opened is not None and closed is not None and closed < opened:
        raise OracleError("参数: 公示截止日期 before 公示日期", "参数")
    if _text(p, "支付方式") not in (None, "直接支付", "转移支付"):
        raise OracleError(f"参数: 支付方式 {_text(p, '支付方式')}", "参数")
    for r in data.get("硬件", []):
        if _text(r, "处理决定") not in (None, "补助", "不予补助"):
            raise OracleError(f"硬件: 处理决定 {_text(r, '处理决定')}", "硬件")
    for sheet in ("中心", "硬件"):
        for r in data.get(sheet, []):
            account = _text(r, "银行账号")
            if account is not None and (set(account) - ACCOUNT_CHARS or not any(ch.isdigit() for ch in account)):
                raise OracleError(f"{sheet}: 银行账号 {account}", sheet)
    accounts: dict[tuple[str, str], set] = {}
    for r in data.get("硬件", []):
        if r["年度"] == year:
            bank, account = _text(r, "开户银行"), _text(r, "银行账号")
            if bank is not None:
                accounts.setdefault((same_name(r["所属区"]), "bank"), set()).add(bank)
            if account is not None:
                accounts.setdefault((same_name(r["所属区"]), "account"), set()).add(
                    "".join(ch for ch in account if ch.isdigit()))
    if any(len(found) > 1 for found in accounts.values()):
        raise OracleError("硬件: rows of one 所属区 name different accounts", "硬件")
    approved = _get(p, "审定日期")
    if approved is not None and approved > today:
        raise OracleError(f"参数: 审定日期 {approved} after the run's date {today}", "参数")
    if not final:
        return

    # at 审定: the dates of the record
    if approved is None:
        raise OracleError("参数: 审定日期 empty on the final run", "参数")
    decided = [r["处理日期"] for r in data.get("异议", []) if r["年度"] == year and _get(r, "处理日期")]
    decided += [r["回访日期"] for r in data.get("回访", [])
                if r["年度"] == year and _text(r, "处理决定") is not None and _get(r, "回访日期")]
    if decided and max(decided) > approved:
        raise OracleError("参数: 审定日期 before a decision it contains", "参数")
    if closed is not None and approved < closed:
        raise OracleError("参数: 审定日期 before 公示截止日期", "参数")

    # a veto's ground and evidence (a 回访 row of the center and year decided 否决, or 否决依据)
    veto_decided = {center_of(r["中心"]) for r in data.get("回访", [])
                    if r["年度"] == year and _text(r, "处理决定") == "否决"}
    for r in data.get("评定", []):
        if r["年度"] == year and _get(r, "一票否决", False):
            if _text(r, "否决原因") is None:
                raise OracleError("评定: a veto without 否决原因", "评定")
            if _text(r, "否决依据") is None and center_of(r["中心"]) not in veto_decided:
                raise OracleError("评定: a veto without evidence", "评定")

    # each 有理 complaint inside the period: what it was about, and who verified it
    for r in data.get("投诉", []):
        if r["核实结论"] == "有理" and month_of(r["日期"]) in period \
                and (_text(r, "内容") is None or _text(r, "核实部门") is None):
            raise OracleError("投诉: a 有理 complaint without 内容 or 核实部门", "投诉")

    # hardware of the year: a 未备案 or late (备案日期 after 31 March) project needs the
    # 工作小组's 处理决定; any 处理决定 needs its 决定说明
    for r in data.get("硬件", []):
        if r["年度"] != year:
            continue
        late = _get(r, "备案日期") is not None and r["备案日期"] > date(year, 3, 31)
        decision = _text(r, "处理决定")
        if decision is None and (not r["已备案"] or late):
            raise OracleError("硬件: a 未备案 or late project without 处理决定", "硬件")
        if decision is not None and _text(r, "决定说明") is None:
            raise OracleError("硬件: a 处理决定 without 决定说明", "硬件")
