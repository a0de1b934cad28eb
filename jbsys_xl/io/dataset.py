"""Parse and validate the raw sheets into a :class:`Dataset` for one year (spec §1–§3).

Every value of every row is checked for readability; the rules that are about one year
(weights summing to 100, budgets, …) are checked for the year being computed. All findings
are collected in one pass; the caller stops when any is an error.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from .. import contract as k
from ..model import (Center, Check, Complaint, Dataset, Deduction, HardwareRow, Indicator, Month,
                     Rating, Settings, month_text)
from . import values as v
from .codes import account_digits, bank_account, credit_code
from .lookup import center_lookup, item_lookup, split_aliases
from .names import closest, invisible_note, normalize
from .reader import RawBook, gc_paused
from .tables import Checks, Table, locate
from .volumes import aggregate_volumes
from .callbacks import read_callbacks, year_callbacks
from .objections import read_objections


def build_dataset(book: RawBook, year: int) -> tuple[Dataset | None, list[Check]]:
    with gc_paused():  # see gc_paused: a big 业务量 sheet makes every full collection slow
        return _build_dataset(book, year)


def _build_dataset(book: RawBook, year: int) -> tuple[Dataset | None, list[Check]]:
    checks = Checks()
    tables = {spec.name: locate(book, spec, checks) for spec in k.INPUT_SHEETS}
    # One pass finds everything: a sheet that cannot be read does not hide the others' errors.
    settings, origins = _settings(tables[k.PARAMS], year, checks)
    indicators, all_item_names = _indicators(tables[k.INDICATORS], year, checks, origins)
    centers = _centers(tables[k.CENTERS], checks)
    lookup = CenterLookup(centers)
    ratings = _ratings(tables[k.RATINGS], year, lookup, checks, origins)
    complaint_rows = _complaints(tables[k.COMPLAINTS], lookup, checks)
    deductions = _deductions(tables[k.DEDUCTIONS], year, lookup, checks)
    hardware = _hardware(tables[k.HARDWARE], year, _districts(centers), checks)

    active = sorted((c for c in centers if c.active_in(year)), key=lambda c: c.code)
    active_codes = {c.code for c in active}
    # Centers whose 评定 cannot be known (no sheet, or their row refused): their errors are reported
    # already, and a rule comparing against the 评定 would only add false ones.
    unrated = (None if tables[k.RATINGS] is None
               else _centers_with_rows(tables[k.RATINGS], year, lookup) - ratings.keys())
    callbacks = year_callbacks(read_callbacks(tables[k.CALLBACKS], year, lookup), year, ratings, unrated, checks)
    objections = read_objections(tables[k.OBJECTIONS], year, lookup)
    volumes, months = {}, {}
    if tables[k.VOLUMES] is not None:
        period = settings.period if settings else default_period(year)
        volumes = aggregate_volumes(tables[k.VOLUMES], year, period, indicators, all_item_names,
                                    lookup, active_codes, checks, months)
    if settings is None or tables[k.CENTERS] is None:
        return None, checks.finish()

    if tables[k.VOLUMES] is not None:  # where a rule finds nothing to apportion points
        origins[(k.VOLUMES, "业务量")] = (k.VOLUMES, tables[k.VOLUMES].header_cell("业务量"))
    complaints, pending, in_period = _period_complaints(complaint_rows, settings, active_codes, checks)
    _check_rated(active, ratings, unrated, tables[k.RATINGS], year, checks)
    _check_budgets(settings, hardware, origins, checks)

    if checks.has_errors:
        return None, checks.finish()
    dataset = Dataset(settings=settings, indicators=indicators, centers=active,
                      ratings={code: r for code, r in ratings.items() if code in active_codes},
                      volumes=volumes, complaints=complaints,
                      deductions=[d for d in deductions if d.center in active_codes],
                      hardware=hardware, all_centers=centers, origins=origins, callbacks=callbacks,
                      objections=objections, pending_complaints=pending, period_complaints=in_period,
                      months=months)
    return dataset, checks.finish()


class CenterLookup:
    """Resolves a 中心 cell — a 中心编码, a 中心名称 or a 金保机构 alias, in normal form — to the code."""

    def __init__(self, centers: list[Center]):
        self.names = center_lookup(centers)
        self.codes = sorted({c.code for c in centers})

    def code(self, raw) -> str | None:
        return self.names.find(raw)

    def unknown(self, raw) -> str:
        return (f"未知中心“{v.show(raw)}”{self.names.suggestion(raw)}"
                f"（应为“中心”表中的中心编码、中心名称或金保机构）")

    def resolve(self, row, header: str = "中心") -> str | None:
        raw = row.raw(header)
        if v.is_empty(raw):
            row.fail(header, f"{header}不能为空")
            return None
        try:
            v.text(raw)
        except v.BadValue as bad:
            row.fail(header, str(bad))
            return None
        code = self.code(raw)
        if code is None:
            row.fail(header, self.unknown(raw))
        return code


# --- 参数 ------------------------------------------------------------------------------------

def _settings(table: Table | None, year: int, checks: Checks):
    origins: dict = {}
    if table is None:
        return None, origins
    chosen = None
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        if row_year != year:
            continue
        if chosen is not None:
            checks.error(k.PARAMS, row.cell("年度"), f"年度 {year} 有多行参数（另见第 {chosen.index + table.sheet.first_row + 1} 行）")
            continue
        chosen = row
    if chosen is None:
        checks.error(k.PARAMS, table.header_cell("年度"), f"没有年度 {year} 的参数行")
        return None, origins
    row = chosen
    for header in k.SHEET_SPECS[k.PARAMS].headers:
        cell = row.cell(header) if header in table.columns else table.header_cell("年度")
        origins[(k.PARAMS, header)] = (k.PARAMS, cell)

    total = row.get("资金总额", v.money, "资金总额", required=True)
    performance = row.get("工作绩效资金", v.money, "工作绩效资金")
    cap = row.get("硬件资金上限比例", v.percent, "硬件资金上限比例")
    award_a_plus = row.get("A+奖励", v.money, "A+奖励")
    award_a = row.get("A奖励", v.money, "A奖励")
    winner_count = row.get("优胜单位数", v.integer, "优胜单位数")
    winner_award = row.get("优胜奖励", v.money, "优胜奖励")
    rate = row.get("投诉扣减比例", v.percent, "投诉扣减比例")
    method = row.get("评分方法", v.choice, "评分方法", k.METHODS)
    forfeit = row.get("扣减资金处理", v.choice, "扣减资金处理", k.FORFEIT_MODES)
    veto_mode = row.get("否决处理", v.choice, "否决处理", k.VETO_MODES)
    approval_number = row.get("审定文号", v.text) or ""
    approval_date = row.get("审定日期", v.day, "审定日期")
    signing = {header: row.get(header, v.text) for header in ("发文单位", "制表单位", "资金来源", "异议联系人", "异议电话",
                                                            "结余去向", "功能分类科目", "预算指标文号")}
    payment_method = row.get("支付方式", v.choice, "支付方式", k.PAYMENT_METHODS)
    publicity_date = row.get("公示日期", v.day, "公示日期")
    publicity_end = row.get("公示截止日期", v.day, "公示截止日期")
    if publicity_date and publicity_end and publicity_end < publicity_date:
        row.fail("公示截止日期", f"公示截止日期 {publicity_end.isoformat()} 早于公示日期 {publicity_date.isoformat()}")
    days = {header: row.get(header, v.integer, header) for header in ("异议期限", "公示期")}
    for header, count in days.items():
        if count is not None and count < 1:
            row.fail(header, f"{header}“{count}”应为至少 1 个工作日")
    unit = row.get("金额单位", v.unit, "金额单位")
    start = row.get("考核期起", v.month, "考核期起")
    end = row.get("考核期止", v.month, "考核期止")
    if winner_count is not None and winner_count < 0:
        row.fail("优胜单位数", f"优胜单位数“{winner_count}”不能为负数")
    if not row.ok or total is None:
        return None, origins

    default_start, default_end = default_period(year)
    start, end = start or default_start, end or default_end
    if start > end:
        row.fail("考核期止" if "考核期止" in table.columns else "考核期起",
                 f"考核期起 {month_text(start)} 晚于考核期止 {month_text(end)}")
        return None, origins
    if winner_award is None:
        checks.warning(k.PARAMS, origins[(k.PARAMS, "优胜奖励")][1],
                       "优胜奖励未填写，按 0 元计（办法只规定“适当奖励”，请填写金额）")
    elif winner_award == 0:
        checks.warning(k.PARAMS, row.cell("优胜奖励"), "优胜奖励为 0 元，优胜单位不获奖励")
    if approval_date is not None and not approval_number:  # (an empty 审定日期 at 审定: rules.signoff)
        checks.warning(k.PARAMS, row.cell("审定日期"),
                       "已填写审定日期但审定文号为空：本次结果仍为草案；审定后请填写审定文号")
    settings = Settings(
        year=year,
        total_fund=total,
        performance_fund=performance if performance is not None else
        (total * k.DEFAULT_PERFORMANCE_SHARE).quantize(v.CENT, ROUND_HALF_UP),
        hardware_cap=k.DEFAULT_HARDWARE_CAP if cap is None else cap,
        award_a_plus=k.DEFAULT_AWARD_A_PLUS if award_a_plus is None else award_a_plus,
        award_a=k.DEFAULT_AWARD_A if award_a is None else award_a,
        winner_count=k.DEFAULT_WINNER_COUNT if winner_count is None else winner_count,
        winner_award=k.DEFAULT_WINNER_AWARD if winner_award is None else winner_award,
        complaint_rate=k.DEFAULT_COMPLAINT_RATE if rate is None else rate,
        method=method or k.DEFAULT_METHOD,
        forfeit_mode=forfeit or k.DEFAULT_FORFEIT,
        veto_mode=veto_mode or k.DEFAULT_VETO_MODE,
        unit=unit or k.DEFAULT_UNIT,
        period_start=start,
        period_end=end,
        approval_number=approval_number,
        approval_date=approval_date,
        issuer=signing["发文单位"] or k.DEFAULT_ISSUER,
        tabulator=signing["制表单位"] or k.DEFAULT_TABULATOR,
        fund_source=signing["资金来源"] or k.DEFAULT_FUND_SOURCE,
        objection_days=days["异议期限"] or k.DEFAULT_OBJECTION_DAYS,
        objection_contact=signing["异议联系人"] or "",
        objection_phone=signing["异议电话"] or "",
        publicity_days=days["公示期"] or k.DEFAULT_PUBLICITY_DAYS,
        publicity_date=publicity_date,
        publicity_end=publicity_end,
        balance_use=signing["结余去向"] or "",
        payment_method=payment_method or "",
        budget_subject=signing["功能分类科目"] or "",
        budget_document=signing["预算指标文号"] or "",
    )
    return settings, origins


def latest_year(book: RawBook) -> int | None:
    """The latest 年度 of the 参数 sheet: in December staff add the new year's row, and that is
    the year every door computes unless told otherwise."""
    spec = k.SHEET_SPECS[k.PARAMS]
    if spec.name not in book.sheets:
        return None
    table = locate(book, spec, Checks())
    if table is None:
        return None
    years = []
    for row in table.rows():
        try:
            found = v.year(row.raw("年度"))
        except v.BadValue:
            continue
        if found is not None:
            years.append(found)
    return max(years, default=None)


def default_period(year: int) -> tuple[Month, Month]:
    """December of the year before to November (2018, the first year: January–November)."""
    if year == k.FIRST_YEAR:
        return (year, 1), (year, 11)
    return (year - 1, 12), (year, 11)


# --- 指标 ------------------------------------------------------------------------------------

def _indicators(table: Table | None, year: int, checks: Checks, origins: dict):
    """The year's indicators, and every name or alias of any year (to tell a typo from an
    indicator of another year in rows outside the period). Records each indicator's 事项名称
    cell in ``origins`` so rules can point at it."""
    result: list[Indicator] = []
    all_names: set[str] = set()
    if table is None:
        return result, all_names
    first_cell: dict[str, str] = {}
    weight_cells = []
    year_rows = 0
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        seq = row.get("序号", v.integer, "序号", required=True)
        category = row.get("类别", v.text)
        name = row.get("事项名称", v.text, required=True)
        weight = row.get("指标权重", v.non_negative, "指标权重", required=True)
        sink = row.get("下沉类别", v.choice, "下沉类别", k.SINK_KINDS, required=True)
        department = row.get("考核部门", v.text) or ""
        aliases = split_aliases(row.get("金保事项", v.text))
        if name:
            all_names.add(name)
            all_names.update(aliases)
        if row_year == year:
            year_rows += 1
        if not row.ok or row_year != year:
            continue
        if name in first_cell:
            row.fail("事项名称", f"年度 {year} 的事项名称“{name}”重复（另见 {first_cell[name]}）")
            continue
        first_cell[name] = row.cell("事项名称")
        origins[(k.INDICATORS, name)] = (k.INDICATORS, first_cell[name])
        weight_cells.append(row.cell("指标权重"))
        result.append(Indicator(seq, category or "", name, weight, sink, department, aliases))
    if not year_rows:
        checks.error(k.INDICATORS, table.header_cell("年度"), f"没有年度 {year} 的指标")
    elif result:
        total = sum((i.weight for i in result), Decimal(0))
        if total != 100:
            checks.error(k.INDICATORS, f"{weight_cells[0]}:{weight_cells[-1]}",
                         f"年度 {year} 的指标权重合计为 {total.normalize():f}，应恰为 100")
        _check_aliases(result, checks)
    return result, all_names


def _check_aliases(indicators: list[Indicator], checks: Checks) -> None:
    for alias, first, second in item_lookup(indicators).conflicts:
        checks.error(k.INDICATORS, "", f"金保事项“{alias}”同时指向“{first}”和“{second}”")


# --- 中心 ------------------------------------------------------------------------------------

def _centers(table: Table | None, checks: Checks) -> list[Center]:
    """The centers; a row with other errors still counts for resolving references (so its
    业务量 rows are not all "unknown"), while its errors stop the run."""
    centers: list[Center] = []
    if table is None:
        return centers
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for row in table.rows():
        code = row.get("中心编码", v.text, required=True)
        name = row.get("中心名称", v.text, required=True)
        district = row.get("所属区", v.text, required=True)
        start = row.get("启用年度", v.year, "启用年度")
        end = row.get("停用年度", v.year, "停用年度")
        aliases = split_aliases(row.get("金保机构", v.text))
        payee = row.get("收款单位", v.text) or ""
        code_of_payee = row.get("统一社会信用代码", credit_code) or ""
        bank = row.get("开户银行", v.text) or ""
        account = row.get("银行账号", bank_account) or ""
        duplicate = False
        for header, value, seen in (("中心编码", code, seen_codes), ("中心名称", name, seen_names)):
            form = normalize(value) if value else ""
            if form in seen:
                row.fail(header, f"{header}“{value}”重复（另见 {seen[form]}）")
                duplicate = True
            elif form:
                seen[form] = row.cell(header)
        if start and end and start > end:
            row.fail("停用年度", f"停用年度 {end} 早于启用年度 {start}")
        if code and name and not duplicate:
            centers.append(Center(code, name, district or "", start, end, aliases, payee, code_of_payee,
                                  bank, account))
    for alias, first, second in center_lookup(centers).conflicts:
        checks.error(k.CENTERS, "", f"金保机构“{alias}”同时指向中心 {first} 和 {second}（一个别名只能属于一个中心）")
    return centers


def _districts(centers: list[Center]) -> dict[str, str]:
    """所属区 in normal form → as the 中心 sheet first writes it (硬件 rows are matched so)."""
    found: dict[str, str] = {}
    for center in centers:
        found.setdefault(normalize(center.district), center.district)
    return found


# --- 评定 ------------------------------------------------------------------------------------

def _ratings(table: Table | None, year: int, lookup: CenterLookup, checks: Checks, origins: dict):
    ratings: dict[str, Rating] = {}
    if table is None:
        return ratings
    first: dict[str, str] = {}
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        code = lookup.resolve(row)
        venue = row.get("服务场所", v.choice, "服务场所", k.VENUES, required=True)
        standardized = row.get("标准化下沉", v.yes_no, "标准化下沉", required=True)
        recommended = row.get("区局推荐", v.yes_no, "区局推荐")
        winner = row.get("综合优胜", v.yes_no, "综合优胜")
        vetoed = row.get("一票否决", v.yes_no, "一票否决")
        reason = row.get("否决原因", v.text) or ""
        recorded = row.get("评定等次", v.choice, "评定等次", k.GRADES)
        note = row.get("评定说明", v.text) or ""
        evidence = row.get("否决依据", v.text) or ""
        if not row.ok or row_year != year:
            continue
        if code in first:
            row.fail("中心", f"中心 {code} 在 {year} 年度有多条评定记录（另见 {first[code]}）")
            continue
        first[code] = row.cell("中心")
        origins[(k.RATINGS, code)] = (k.RATINGS, row.cell("综合优胜" if "综合优胜" in table.columns else "中心"))
        for header in k.SHEET_SPECS[k.RATINGS].headers:  # awards point at 区局推荐/评定等次 even when absent
            if header in table.columns or header in ("区局推荐", "评定等次"):
                origins[(k.RATINGS, code, header)] = (k.RATINGS, row.cell(header))
        ratings[code] = Rating(code, venue, standardized, bool(recommended), bool(winner),
                               bool(vetoed), reason, recorded, note, evidence)
    return ratings


# --- 投诉 ------------------------------------------------------------------------------------

def _complaints(table: Table | None, lookup: CenterLookup, checks: Checks):
    """Every readable complaint row with its verdict; the period filter comes later."""
    result = []
    if table is None:
        return result
    for row in table.rows():
        day = row.get("日期", v.day, "日期", required=True)
        code = lookup.resolve(row)
        verdict = row.get("核实结论", v.choice, "核实结论", k.VERDICTS, required=True)
        number = row.get("投诉编号", v.text)
        verified_on = row.get("核实日期", v.day, "核实日期")
        if row.ok:
            complaint = Complaint(code, day, row.get("来源", v.text) or "", row.get("条线", v.text) or "",
                                  row.get("内容", v.text) or "", normalize(number) if number else "",
                                  row.cell("投诉编号" if number else "核实结论"), verdict,
                                  row.get("核实部门", v.text) or "", verified_on, row.cells())
            result.append((row, complaint, verdict))
    return result


def _period_complaints(complaint_rows, settings: Settings, active_codes: set[str],
                       checks: Checks) -> tuple[list[Complaint], list[Complaint], list[Complaint]]:
    """The valid complaints of active centers inside the period (rows outside it are ignored),
    the 待核实 ones inside it (the sign-off rules weigh those), and every one inside it; rows
    sharing a 投诉编号 are one matter: a warning (counted once), or an error when they name
    different centers."""
    valid, pending, in_period, by_number = [], [], [], {}
    for row, complaint, verdict in complaint_rows:
        if not settings.in_period((complaint.day.year, complaint.day.month)):
            continue
        in_period.append(complaint)
        if complaint.number:
            by_number.setdefault(complaint.number, []).append(complaint)
        if verdict == k.VERDICT_PENDING:
            pending.append(replace(complaint, cell=row.cell("核实结论")))
        elif verdict == k.VERDICT_VALID and complaint.center in active_codes:
            valid.append(complaint)
    for number, rows in by_number.items():
        if len(rows) < 2:
            continue
        cells = "、".join(c.cell for c in rows[:5]) + ("等" if len(rows) > 5 else "")
        centers = list(dict.fromkeys(c.center for c in rows))
        if len(centers) > 1:
            checks.error(k.COMPLAINTS, rows[0].cell,
                         f"投诉编号“{number}”用于不同中心的投诉（{'、'.join(centers)}；{len(rows)} 行：{cells}）；"
                         "同一编号只能是同一中心的同一件投诉，请更正编号或中心")
        else:
            checks.warning(k.COMPLAINTS, rows[0].cell,
                           f"投诉编号“{number}”有 {len(rows)} 行（{cells}），按同一件投诉只计一次")
    return valid, pending, in_period


def _check_rated(active: list[Center], ratings: dict, refused: set[str] | None, table: Table | None, year: int,
                 checks: Checks) -> None:
    """Every active center needs its 评定 row: a missing one would silently cost its award.
    A row that is there but was refused (a bad value, already reported at its cell) is not
    reported again as missing."""
    if table is None:  # the missing sheet is reported already
        return
    cell = table.header_cell("中心")
    for center in active:
        if center.code not in ratings and center.code not in refused:
            checks.error(k.RATINGS, cell, f"中心“{center.name}”（{center.code}）没有 {year} 年度的评定记录；"
                         "每个启用的中心都须有一行评定（服务场所、标准化下沉等）")


def _centers_with_rows(table: Table, year: int, lookup: CenterLookup) -> set[str]:
    """Centers that have a 评定 row of the year (or of an unreadable year) however bad its other
    cells — by its 中心, or by the center an unknown 中心 nearly certainly means (是否指)."""
    found = set()
    for row in table.rows():
        try:
            row_year = v.year(row.raw("年度"))
            name = v.text(row.raw("中心"))
        except v.BadValue:
            row_year, name = None, v.show(row.raw("中心"))
        if row_year not in (year, None) or not name:
            continue
        code = lookup.code(name) or lookup.code(lookup.names.hint(name))
        if code:
            found.add(code)
    return found


# --- 扣减 ------------------------------------------------------------------------------------

def _deductions(table: Table | None, year: int, lookup: CenterLookup, checks: Checks):
    result = []
    if table is None:
        return result
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        code = lookup.resolve(row)
        reason = row.get("原因", v.text, required=True)
        amount = row.get("扣减金额", v.money, "扣减金额")
        rate = row.get("扣减比例", v.percent, "扣减比例")
        if row.ok and amount is None and rate is None:
            row.fail("扣减金额" if "扣减金额" in table.columns else "原因", "扣减金额和扣减比例至少应填写一项")
        if row.ok and row_year == year:
            result.append(Deduction(code, reason, amount, rate, row.cell("中心")))
    return result


# --- 硬件 ------------------------------------------------------------------------------------

def _hardware(table: Table | None, year: int, districts: dict[str, str], checks: Checks):
    result = []
    if table is None:
        return result
    payees: dict[str, dict[str, tuple[str, str]]] = {}  # 所属区 → header → (value, first cell)
    for row in table.rows():
        row_year = row.get("年度", v.year, required=True)
        district = row.get("所属区", v.text, required=True)
        budget = row.get("预算补助", v.money, "预算补助", required=True)
        planned = row.get("计划投入", v.money, "计划投入", required=True)
        actual = row.get("实际投入", v.money, "实际投入", required=True)
        filed = row.get("已备案", v.yes_no, "已备案", required=True)
        filed_on = row.get("备案日期", v.day, "备案日期")
        payee = row.get("收款单位", v.text) or ""
        code_of_payee = row.get("统一社会信用代码", credit_code) or ""
        project = row.get("项目名称", v.text) or ""
        decision = row.get("处理决定", v.choice, "处理决定", k.HARDWARE_DECISIONS)
        decision_note = row.get("决定说明", v.text) or ""
        bank = row.get("开户银行", v.text) or ""
        account = row.get("银行账号", bank_account) or ""
        if district and normalize(district) not in districts:
            hint = closest(district, list(districts.values()))
            row.fail("所属区", f"未知所属区“{district}”" + (f"，是否指“{hint}”？" if hint else "") + invisible_note(district)
                     + "（应为“中心”表中出现的所属区）")
        elif district:
            district = districts[normalize(district)]
        if planned is not None and planned <= 0:
            row.fail("计划投入", f"计划投入“{v.show(row.raw('计划投入'))}”应大于 0")
        if row.ok and row_year == year:
            _check_same_payee(row, district, {"收款单位": payee, "统一社会信用代码": code_of_payee,
                                              "开户银行": normalize(bank), "银行账号": account_digits(account)},
                              payees)
            result.append(HardwareRow(district, budget, planned, actual, filed, filed_on, payee,
                                      code_of_payee, project, decision, decision_note, bank, account,
                                      row.cells()))
    return result


def _check_same_payee(row, district: str, fields: dict[str, str], payees: dict) -> None:
    """One 所属区 is paid once, so its 硬件 rows of the year must name one payee and one
    account (an empty cell agrees with any: 拨付明细 fills it from the other rows or the
    所属区's name). Accounts are compared without their spaces and '-'."""
    known = payees.setdefault(district, {})
    for header, value in fields.items():
        if not value:
            continue
        if header in known and known[header][0] != value:
            row.fail(header, f"{district}的{header}“{v.show(row.raw(header))}”与该区另一行（{known[header][1]}）"
                     f"的“{known[header][0]}”不一致；同一所属区的硬件补助只能拨付给一个收款单位、一个账户")
        known.setdefault(header, (value, row.cell(header)))


def _check_budgets(settings: Settings, hardware: list[HardwareRow], origins: dict, checks: Checks) -> None:
    budget = sum((h.budget for h in hardware), Decimal(0))
    cap = settings.hardware_cap * settings.total_fund
    fund_cell = origins[(k.PARAMS, "资金总额")][1]
    if budget > cap:
        checks.error(k.HARDWARE, "", f"{settings.year} 年度预算补助合计 {budget:.2f} 元超过硬件资金上限"
                     f"（资金总额 × {settings.hardware_cap * 100:g}% = {cap:.2f} 元，见 {k.PARAMS}!{fund_cell}）")
    if settings.performance_fund + budget > settings.total_fund:
        checks.error(k.PARAMS, origins[(k.PARAMS, "工作绩效资金")][1],
                     f"工作绩效资金 {settings.performance_fund:.2f} 元加预算补助合计 {budget:.2f} 元"
                     f"超过资金总额 {settings.total_fund:.2f} 元")


def reference_data(book: RawBook, year: int) -> tuple[Settings | None, list[Indicator], list[Center], list[Check]]:
    """参数 (the period), 指标 and 中心 of the year, validated as the allocation validates them:
    what the 金保 import maps export rows onto. The other sheets are not needed for that."""
    checks = Checks()
    tables = {name: locate(book, k.SHEET_SPECS[name], checks) for name in (k.PARAMS, k.INDICATORS, k.CENTERS)}
    if checks.has_errors:
        return None, [], [], checks.finish()
    settings, origins = _settings(tables[k.PARAMS], year, checks)
    indicators, _ = _indicators(tables[k.INDICATORS], year, checks, origins)
    centers = _centers(tables[k.CENTERS], checks)
    return settings, indicators, centers, checks.finish()
