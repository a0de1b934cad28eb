"""Synthetic sample data for the demo: one plausible year of 常州市本级 input, as .xlsx or CSV.

The sample fills every input sheet of the contract and deliberately carries the cases the
validator must report without stopping (a grade recorded below its ceiling, inactive centers,
金保 aliases, months typed as text, out-of-period volume rows, a complaint
entered twice under one 投诉编号, a 扣减 row with both an amount and a rate, a hardware
subsidy capped by its spending and filed late), so a demo run shows warnings but no errors. It
tells one story (allocation-rules v4): XB04's veto rests on a November 12333 专项回访 decided
否决 and a 核查记录 (否决依据); settled complaints name who verified them and when; hardware
projects are named, the late one paid by the 工作小组's recorded decision, the unfiled one still
to decide; the 公示 dates are set. What a draft leaves open stays open (待核实 complaints, XB03's
不属实 callback, proposed winners, ZL08's 评定说明, the unfiled project, 结余去向): the 审定 of
tests/support/approved.py records each. The year before is a final (审定) run with confirmed
winners; the sample year is a draft (草案). Same year and seed → same rows → same workbook bytes.

    python -m jbsys_xl.sample --year 2024 -o sample.xlsx [--seed 7] [--csv FOLDER]
"""
from __future__ import annotations

import argparse
import csv
import random
import re
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import xlsxwriter

from .contract import (ALIAS_SEPARATORS, CALLBACK_RESULTS, CALLBACKS, COMPLAINTS, CENTERS,
                       CREDIT_CODE_CHARS, CREDIT_CODE_WEIGHTS, DECISIONS, DEDUCTIONS, DEFAULT_FUND_SOURCE,
                       HARDWARE_GRANT,
                       DEFAULT_ISSUER, DEFAULT_OBJECTION_DAYS, DEFAULT_PUBLICITY_DAYS,
                       DEFAULT_TABULATOR, FIRST_YEAR, FORFEIT_RECLAIM, HARDWARE, INDICATORS,
                       INPUT_SHEETS, METHOD_SHARE, OBJECTION_OUTCOMES, OBJECTIONS, PARAMS, RATINGS,
                       SHEET_SPECS, SINK_KINDS, VENUES, VERDICTS, VETO_EXCLUDE, VOLUMES, YES_NO)

Row = dict[str, object]
HALL, WINDOW, NO_VENUE = VENUES
YES, NO = YES_NO
VALID, UNFOUNDED, PENDING = VERDICTS
STANDARD_SINK = SINK_KINDS[0]
_DAY, _, _VERDICT = SHEET_SPECS[COMPLAINTS].required  # 日期, 中心, 核实结论
_SOURCE, _NUMBER = SHEET_SPECS[COMPLAINTS].optional[0], SHEET_SPECS[COMPLAINTS].optional[3]  # 来源, 投诉编号
_VOLUME = SHEET_SPECS[VOLUMES].required[3]  # 业务量
TITLE = "示例数据 — 仅供演示"
TITLED = (VOLUMES, CALLBACKS, OBJECTIONS)  # a line above the table, where the template has its note
SAMPLE_MARK = "（示例数据）"

# 中心编码, 街道/镇, 所属区, 服务场所, 标准化下沉, 区局推荐 — grades A+ / A / B follow from these.
_CENTERS = (
    ("TN01", "雕庄街道", "天宁区", HALL, YES, YES), ("TN02", "青龙街道", "天宁区", HALL, YES, None),
    ("TN03", "茶山街道", "天宁区", WINDOW, YES, None), ("TN04", "红梅街道", "天宁区", HALL, YES, YES),
    ("TN05", "天宁街道", "天宁区", WINDOW, NO, None), ("TN06", "兰陵街道", "天宁区", WINDOW, YES, None),
    ("TN07", "郑陆镇", "天宁区", HALL, YES, None),
    ("ZL01", "五星街道", "钟楼区", HALL, YES, YES), ("ZL02", "永红街道", "钟楼区", WINDOW, YES, None),
    ("ZL03", "北港街道", "钟楼区", HALL, YES, YES), ("ZL04", "西林街道", "钟楼区", NO_VENUE, NO, None),
    ("ZL05", "南大街街道", "钟楼区", WINDOW, YES, None), ("ZL06", "荷花池街道", "钟楼区", WINDOW, YES, None),
    ("ZL07", "新闸街道", "钟楼区", HALL, NO, None), ("ZL08", "邹区镇", "钟楼区", HALL, YES, YES),
    ("XB01", "河海街道", "新北区", HALL, YES, YES), ("XB02", "三井街道", "新北区", HALL, YES, None),
    ("XB03", "龙虎塘街道", "新北区", WINDOW, YES, YES), ("XB04", "春江镇", "新北区", HALL, YES, YES),
    ("XB05", "孟河镇", "新北区", WINDOW, YES, None), ("XB06", "新桥街道", "新北区", NO_VENUE, YES, None),
    ("XB07", "薛家镇", "新北区", WINDOW, YES, None), ("XB08", "罗溪镇", "新北区", NO_VENUE, NO, None),
    ("XB09", "西夏墅镇", "新北区", WINDOW, YES, None), ("XB10", "奔牛镇", "新北区", HALL, YES, None),
)
DISTRICTS = tuple(dict.fromkeys(district for _, _, district, *_ in _CENTERS))
OPENS_NEXT_YEAR, CLOSED_LAST_YEAR = "XB10", "ZL06"  # inactive in the sample year
VETOED = "XB04"  # 一票否决 = 是 in the sample year
VETO_REASON = "12333回访发现虚报业务量，实施一票否决"
# …and its evidence: a 12333 专项回访 in November (its own batch, so a later draw leaves it be)
# found the cases 不属实, the district's 核查记录 confirmed padding, and the working group vetoed.
VETO_EVIDENCE = "新北区人社局核查记录〔2024〕3号；12333工单 GD202411200001"
VETO_CASE = (8_800_061, "当事人称从未在该中心办理失业登记", "经区局实地核查，该中心 10 月份虚报失业登记业务量 126 件，"
             "工作小组研究决定一票否决")
# The working group graded ZL08 one step below what its hall allows (评定等次 A, ceiling A+).
GRADED_DOWN, GRADED_DOWN_TO = "ZL08", "A"
# Last year's confirmed 综合优胜 (recommended, eligible centers); last year is 审定.
LAST_YEAR_WINNERS = ("TN01", "TN04", "ZL01", "ZL03", "XB01", "XB03")
APPROVAL_NUMBER = "常人社〔{year}〕88号"
OBJECTION_CONTACT, OBJECTION_PHONE = "就业处基层平台科（示例）", "0519-12345678"
APPROVAL_DAY = (12, 20)  # 审定日期 of last year's allocation: 20 December
# 公示 of each year's draft: Monday to Friday of the second week of December (5 working days)
PUBLICITY_DAYS = {2023: ((12, 11), (12, 15)), 2024: ((12, 9), (12, 13))}
BALANCE_USE = "结转下年度统筹使用"  # 结余去向 of last year (审定); the sample year's is still to decide


def active_centers(year: int = 2024) -> tuple:
    """(中心编码, 街道/镇, 所属区, …) of the centers active in the sample year."""
    return _active(year, year)

# 金保 exports name some items differently; both separators of the contract are used.
_ALIASES = {
    "失业登记": "失业人员登记;失业登记（金保）",
    "灵活就业人员社保补贴申请": "灵活就业社保补贴；灵活就业人员社保补贴（金保）",
    "办理居民保险参保登记业务": "城乡居民参保登记",
    "社会保障卡申请": "社保卡申领",
}
_SEASON = (0.95, 0.6, 1.15, 1.0, 0.95, 1.05, 1.2, 1.1, 1.0, 0.8, 1.0, 1.05)  # Jan…Dec; 春节 dip
# How a month was typed: first-of-month date, another day, or one of the three text forms.
_MONTH_STYLES = ("date", "day", "dash", "slash", "cn")
_MONTH_WEIGHTS = (84, 4, 4, 4, 4)
_COMPLAINT_TOPICS = (
    ("就管中心", "失业保险待遇申领材料未一次性告知"),
    ("就管中心", "灵活就业人员社保补贴受理后未按时反馈"),
    ("社保中心", "居民保险参保登记信息录入错误"),
    ("社保中心", "出具参保缴费证明等候时间过长"),
    ("保障中心", "社会保障卡领卡窗口未按公示时间开放"),
    ("人才中心", "人才需求调查表重复要求填报"),
    ("仲裁处", "劳动争议调解申请未及时受理"),
    ("", "窗口工作人员服务态度生硬"),
)


def _active(data_year: int, year: int) -> tuple:
    """The centers active in ``data_year`` of the sample for ``year``: XB10 opens in year + 1,
    ZL06 closed at the end of year − 1."""
    return tuple(c for c in _CENTERS if c[0] != OPENS_NEXT_YEAR
                 and not (c[0] == CLOSED_LAST_YEAR and data_year >= year))


def _row(sheet: str, *values: object) -> Row:
    """Pair values with the contract's headers of `sheet` in contract order (None = blank cell,
    also for the headers after the last value given)."""
    headers = SHEET_SPECS[sheet].headers
    if len(values) > len(headers):
        raise ValueError(f"{sheet}: {len(values)} values for {len(headers)} headers")
    return dict(zip(headers, values + (None,) * (len(headers) - len(values))))


def center_name(town: str) -> str:
    return f"{town}人社服务中心{SAMPLE_MARK}"


def period_months(year: int) -> list[tuple[int, int]]:
    """(year, month) of the default 考核期: December Y−1 to November Y (2018: January–November)."""
    earlier = [] if year == FIRST_YEAR else [(year - 1, 12)]
    return earlier + [(year, m) for m in range(1, 12)]


def _period_days(year: int) -> tuple[date, date]:
    (y0, m0), (y1, m1) = period_months(year)[0], period_months(year)[-1]
    return date(y0, m0, 1), date(y1, m1 + 1, 1) - timedelta(1)  # m1 is November


def _indicator_source() -> list[list[str]]:
    """附件2 as shipped: 序号, 类别, 事项名称, 指标权重, 下沉类别, 考核部门 (filled down)."""
    text = (resources.files(__package__) / "data" / "indicators-attachment2.csv").read_text("utf-8")
    return list(csv.reader(text.splitlines()))[1:]


def publicity_days(year: int) -> tuple[date, date]:
    """公示日期 and 公示截止日期 of a sample year: its second week of December, Monday to Friday."""
    first, last = PUBLICITY_DAYS.get(year, ((12, 9), (12, 13)))
    return date(year, *first), date(year, *last)


def _params(year: int) -> list[Row]:
    # 年度, 资金总额, 工作绩效资金 (blank → 70%), 硬件资金上限比例, A+奖励, A奖励 (blank → defaults),
    # 优胜单位数, 优胜奖励, 投诉扣减比例, 评分方法, 扣减资金处理, 否决处理 (blank → 剔除), 金额单位,
    # 考核期起, 考核期止 (blank → defaults), 审定文号, 审定日期 (blank → 草案)
    # then 发文单位, 制表单位, 资金来源, 异议期限, 异议联系人, 异议电话, 公示期 (documents.md §0)
    # and 公示日期, 公示截止日期, 结余去向 (v4; 支付方式 … left blank: lines to fill by hand)
    common = (6, 20_000)
    signing = (DEFAULT_ISSUER, DEFAULT_TABULATOR, DEFAULT_FUND_SOURCE, DEFAULT_OBJECTION_DAYS,
               OBJECTION_CONTACT, OBJECTION_PHONE, DEFAULT_PUBLICITY_DAYS)
    last = year - 1
    return [_row(PARAMS, last, 2_800_000, None, None, None, None, *common, 0.05,
                 METHOD_SHARE, FORFEIT_RECLAIM, VETO_EXCLUDE, 0.01, None, None,
                 APPROVAL_NUMBER.format(year=last), date(last, *APPROVAL_DAY), *signing,
                 *publicity_days(last), BALANCE_USE),
            _row(PARAMS, year, 3_000_000, None, None, None, None, *common, "5%",
                 METHOD_SHARE, FORFEIT_RECLAIM, None, 0.01, None, None, None, None, *signing,
                 *publicity_days(year))]


def _indicators(year: int) -> list[Row]:
    return [_row(INDICATORS, y, int(seq), category, name, float(weight), sink, department,
                 _ALIASES.get(name))
            for y in (year - 1, year)
            for seq, category, name, weight, sink, department in _indicator_source()]


def jinbao_institution(town: str, district: str) -> str:
    """How the 金保 system names a center: the sample's 金保机构 alias (its exports use it)."""
    return f"{district}{town}劳动保障所"


def credit_code(serial: int) -> str:
    """A made-up 统一社会信用代码 of a 机关 (11…) in 常州 (320400) with a valid check character."""
    first17 = f"11320400MB{serial:07d}"
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return first17 + CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def payee(town: str, district: str) -> str:
    """Who is paid for a center: its 街道办事处 or 镇人民政府."""
    return f"常州市{district}{town}{'办事处' if town.endswith('街道') else '人民政府'}{SAMPLE_MARK}"


def _centers(year: int) -> list[Row]:
    # 中心编码, 中心名称, 所属区, 启用年度, 停用年度, 金保机构, 收款单位, 统一社会信用代码
    return [_row(CENTERS, code, center_name(town), district,
                 year + 1 if code == OPENS_NEXT_YEAR else None,
                 year - 1 if code == CLOSED_LAST_YEAR else None,
                 jinbao_institution(town, district) + (ALIAS_SEPARATORS[index % 2] + f"{town}人社所"
                                                      if index % 3 == 0 else ""),
                 payee(town, district), credit_code(index + 1))
            for index, (code, town, district, *_) in enumerate(_CENTERS)]


# A few 12333 callbacks of the year (回访): results staff recorded, one case found 不属实 at a
# center that is not vetoed (the run warns and leaves 一票否决 to the working group).
CALLBACK_CASES = (("TN01", 3, 0, ""), ("TN04", 17, 0, ""), ("ZL02", 29, 2, "三次未接通"),
                  ("XB03", 41, 1, "当事人称未办理该业务"), ("XB01", 58, 0, ""))


def case_id(year: int, number: int) -> str:
    """业务流水号 of the sample 金保 exports (jbsys_xl.jinbao.sample_exports)."""
    return f"SB{year}{number:07d}"


def _callbacks(year: int) -> list[Row]:
    # 年度, 中心, 业务流水号, 回访日期, 回访结果, 说明, 处理决定, 决定说明 (left to the working
    # group), 回访人, 工单号, 抽取批次 (the seed of the draw); first the November 专项回访 that
    # found XB04's padding, decided 否决
    number, note, decision = VETO_CASE
    special = _row(CALLBACKS, year, VETOED, case_id(year, number), date(year, 11, 20), CALLBACK_RESULTS[1],
                   note, DECISIONS[0], decision, "12333坐席03", f"GD{year}11200001", f"{year}-11 专项回访")
    return [special] + [
        _row(CALLBACKS, year, code, case_id(year, number), date(year, 12, 2 + index),
             CALLBACK_RESULTS[result], note or None, None, None, f"12333坐席{7 + index:02d}",
             f"GD{year}12{index + 1:04d}", str(year))
        for index, (code, number, result, note) in enumerate(CALLBACK_CASES)]


def _objections(year: int) -> list[Row]:
    """Last year's one objection, received during its 公示 and settled before its 审定."""
    last = year - 1
    # 年度, 中心, 收到日期, 异议内容, 处理结果, 处理说明, 处理日期
    return [_row(OBJECTIONS, last, "ZL02", date(last, 12, 12), "认为本中心 10 月份失业登记业务量统计偏少",
                 OBJECTION_OUTCOMES[0], "经与金保系统记录逐笔核对，业务量统计无误，维持原结果",
                 date(last, 12, 18))]


def _ratings(data_year: int, year: int) -> list[Row]:
    """One row per center active in ``data_year``. The sample year: a veto, a grade recorded
    below its ceiling, winners left to be proposed; the year before: confirmed winners."""
    # 年度, 中心, 服务场所, 标准化下沉, 区局推荐, 综合优胜 (blank → winners proposed), 一票否决,
    # 否决原因, 评定等次 (blank → the grade 服务场所/标准化下沉 allow), 评定说明 (ZL08's is still
    # to write: a draft's open matter), 否决依据
    current = data_year == year
    rows = []
    for code, town, _, venue, sink, recommended in _active(data_year, year):
        vetoed = current and code == VETOED
        winner = YES if not current and code in LAST_YEAR_WINNERS else None
        grade = GRADED_DOWN_TO if current and code == GRADED_DOWN else None
        rows.append(_row(RATINGS, data_year, center_name(town), venue, sink, recommended, winner,
                         YES if vetoed else NO, VETO_REASON if vetoed else None, grade, None,
                         VETO_EVIDENCE if vetoed else None))
    return rows


def _month_cell(style: str, year: int, month: int, rng: random.Random) -> object:
    return {"date": lambda: date(year, month, 1),
            "day": lambda: date(year, month, rng.randint(2, 28)),
            "dash": lambda: f"{year}-{month:02d}",
            "slash": lambda: f"{year}/{month:02d}",
            "cn": lambda: f"{year}年{month}月"}[style]()


def _volumes(year: int, rng: random.Random, centers: tuple, growth: float = 1.0,
             extras: bool = True) -> list[Row]:
    """Monthly count = center size × item base rate × season × noise × growth; skipped items
    stay 0. ``extras`` adds rows just after the period."""
    items = [(name, float(weight), sink) for _, _, name, weight, sink, _ in _indicator_source()]
    split = re.compile(f"[{''.join(ALIAS_SEPARATORS)}]").split
    aliases = {name: split(text) for name, text in _ALIASES.items()}
    size = {code: rng.uniform(0.5, 1.8) for code, *_ in centers}
    base = {name: weight * rng.uniform(3, 9) for name, weight, _ in items}
    skipped = {(code, name) for code, *_ in centers for name, _, sink in items
               if rng.random() < (0.03 if sink == STANDARD_SINK else 0.3)}  # 引导性: often not offered
    rows = []
    for code, town, *_ in centers:
        for y, m in period_months(year):
            month = _month_cell(rng.choices(_MONTH_STYLES, _MONTH_WEIGHTS)[0], y, m, rng)
            center = code if rng.random() < 0.15 else center_name(town)
            for name, _, _ in items:
                item = rng.choice(aliases[name]) if name in aliases and rng.random() < 0.2 else name
                volume = 0 if (code, name) in skipped else round(
                    size[code] * base[name] * _SEASON[m - 1] * rng.uniform(0.75, 1.25) * growth)
                rows.append(_row(VOLUMES, center, item, month, volume))
    if not extras:
        return rows
    rng.choice([i for i, row in enumerate(rows) if row[_VOLUME]])  # was a row pasted twice: an
    # error since spec v4 (one 金保 figure is one row); drawn still, so the rows after stay as they were
    after = _period_days(year)[1] + timedelta(1)  # the months before are last year's data
    for style, day in (("date", after), ("cn", after), ("slash", after)):
        _, town, *_ = rng.choice(centers)
        rows.append(_row(VOLUMES, center_name(town), rng.choice(items)[0],
                         _month_cell(style, day.year, day.month, rng), rng.randint(1, 40)))
    return rows


def _complaints(year: int, rng: random.Random) -> list[Row]:
    """13 numbered complaints inside the period, one of them (有理) entered a second time from
    another source under the same 投诉编号, and 2 just outside it (a 有理 one in last year's
    period, which is final, so none there is 待核实), in date order."""
    start, end = _period_days(year)
    days = [start + timedelta(rng.randrange((end - start).days + 1)) for _ in range(13)]
    verdicts = [VALID] * 5 + [UNFOUNDED] * 5 + [PENDING] * 3
    rng.shuffle(verdicts)
    days += [start - timedelta(rng.randint(1, 20)), end + timedelta(rng.randint(1, 20))]
    verdicts += [VALID, UNFOUNDED]
    active = _active(year, year)
    rows = []
    for day, verdict in zip(days, verdicts):
        code, town, *_ = rng.choice(active)
        line, content = rng.choice(_COMPLAINT_TOPICS)
        source = rng.choice(("12333", "信访", "条线")) if line else rng.choice(("12333", "信访"))
        rows.append(_row(COMPLAINTS, day, code if rng.random() < 0.2 else center_name(town),
                         verdict, source, line or None, content))
    rows.sort(key=lambda row: row[_DAY])
    for number, row in enumerate(rows, start=1):
        row[_NUMBER] = f"TS{row[_DAY].year}-{number:03d}"
    for number, row in enumerate(rows):  # who verified each settled one (附件1 四(二)2), and when
        if row[_VERDICT] != PENDING:
            line = row["条线"]
            row["核实部门"] = line if row[_SOURCE] == "条线" else "机关党委、就业处" + (f"、{line}" if line else "")
            row["核实日期"] = row[_DAY] + timedelta(days=5 + number % 4)
    twice = next(row for row in rows if row[_VERDICT] == VALID and start <= row[_DAY] <= end)
    again = {**twice, _SOURCE: "信访" if twice[_SOURCE] != "信访" else "12333"}
    rows.insert(rows.index(twice) + 1, again)  # one matter, two records: counted once
    return rows


def _deductions(year: int) -> list[Row]:
    # 年度, 中心, 原因, 扣减金额, 扣减比例
    return [_row(DEDUCTIONS, year, "ZL04", "市局复核发现失业保险待遇申领材料不全3件", 3_000, None),
            _row(DEDUCTIONS, year, "XB06", "区局检查发现居民保险参保信息录入差错率偏高", None, 0.1),
            _row(DEDUCTIONS, year, "TN03", "业务台账与金保系统记录不一致", 1_500, 0.05)]


LATE_FILING_NOTE = "逾期系区财政预算批复延迟所致，项目已按计划建成并通过验收，工作小组研究同意按实际投入补助"


def _hardware(year: int, rng: random.Random) -> list[Row]:
    """天宁 on plan; 钟楼 at 70% of plan (scaled); 新北 one project not filed (the 工作小组 has not
    decided yet: a draft's open matter, 0 until then), and a small one filed late (after 31
    March), which the 工作小组 decided to pay: its budget (50 000) exceeds what it cost (45 000),
    先建后补 pays the 45 000 spent."""
    tianning, zhonglou, xinbei = DISTRICTS
    plans = [rng.randrange(22, 33) * 10_000 for _ in range(3)]
    # 年度, 所属区, 预算补助, 计划投入, 实际投入, 已备案, 备案日期, 收款单位, 统一社会信用代码,
    # 项目名称, 处理决定, 决定说明 (开户银行, 银行账号 left blank: lines to fill by hand)
    over = rng.randrange(4) * 5_000
    payees = {district: (f"常州市{district}人力资源和社会保障局{SAMPLE_MARK}", credit_code(900 + index))
              for index, district in enumerate(DISTRICTS)}
    return [_row(HARDWARE, year, tianning, 200_000, plans[0], plans[0] + over, YES,
                 date(year, 3, 12), *payees[tianning], "雕庄街道人社服务中心服务大厅标准化改造"),
            _row(HARDWARE, year, zhonglou, 200_000, plans[1], plans[1] * 7 // 10, YES,
                 date(year, 2, 26), *payees[zhonglou], "五星街道人社服务中心自助服务区建设"),
            _row(HARDWARE, year, xinbei, 200_000, plans[2], plans[2], NO, None, *payees[xinbei],
                 "春江镇人社服务中心综合窗口改造"),
            _row(HARDWARE, year, xinbei, 50_000, 40_000, 45_000, YES, date(year, 4, 18),
                 *payees[xinbei], "孟河镇人社服务中心自助一体机配置", HARDWARE_GRANT, LATE_FILING_NOTE)]


def sample_rows(year: int = 2024, seed: int = 7) -> dict[str, list[Row]]:
    """Every input sheet of the contract (in contract order) as rows of header → typed value."""
    rng = random.Random(seed)
    # The year before, from the same seed (same center sizes) at 92% of the volume, so the
    # result workbook's 同比 sheet compares two complete years.
    history = _volumes(year - 1, random.Random(seed), _active(year - 1, year), growth=0.92,
                       extras=False)
    return {PARAMS: _params(year), INDICATORS: _indicators(year), CENTERS: _centers(year),
            RATINGS: _ratings(year - 1, year) + _ratings(year, year),
            VOLUMES: history + _volumes(year, rng, _active(year, year)),
            COMPLAINTS: _complaints(year, rng), DEDUCTIONS: _deductions(year),
            HARDWARE: _hardware(year, rng), CALLBACKS: _callbacks(year),
            OBJECTIONS: _objections(year)}


def _is_percent(header: str) -> bool:
    return header.endswith("比例")  # every percent header of the contract is a …比例


def _display_width(value: object) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(value))


def write_sample_workbook(path: str | Path, year: int = 2024, seed: int = 7) -> Path:
    """The sample as .xlsx; fixed creation time so two writes give identical bytes."""
    return write_rows(path, sample_rows(year, seed), year)


def write_rows(path: str | Path, data: dict[str, list[Row]], year: int) -> Path:
    """Rows like :func:`sample_rows`' (perhaps edited: the tests walk a draft to its 审定) as
    .xlsx, laid out as the sample is."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    workbook.set_properties({"title": TITLE, "created": datetime(year, 12, 1)})
    header_format = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title_format = workbook.add_format({"bold": True, "font_color": "#C00000"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    month_format = workbook.add_format({"num_format": "yyyy-mm"})
    percent_format = workbook.add_format({"num_format": "0%"})
    for spec in INPUT_SHEETS:
        rows, sheet = data[spec.name], workbook.add_worksheet(spec.name)
        columns = list(rows[0])  # every row has the same headers, in contract order
        top = 1 if spec.name in TITLED else 0  # a title line above the table: header search
        if top:
            sheet.write_string(0, 0, TITLE, title_format)
        sheet.write_row(top, 0, columns, header_format)
        sheet.freeze_panes(top + 1, 0)
        for col, header in enumerate(columns):
            values = [row[header] for row in rows]
            width = max(_display_width(v) for v in [header, *values] if v is not None)
            sheet.set_column(col, col, min(width, 40) + 2)
            for line, value in enumerate(values, start=top + 1):
                if isinstance(value, date):
                    sheet.write_datetime(line, col, value,
                                         month_format if spec.name == VOLUMES else date_format)
                elif isinstance(value, str):
                    sheet.write_string(line, col, value)
                elif value is not None:
                    number_format = percent_format if _is_percent(header) else None
                    sheet.write_number(line, col, value, number_format)
    workbook.close()
    return Path(path)


def write_sample_csv(folder: str | Path, year: int = 2024, seed: int = 7) -> Path:
    """The sample as `<sheet>.csv` in UTF-8; dates as ISO text, months as yyyy-mm."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sample_rows(year, seed).items():
        columns = list(rows[0])
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_csv_text(name, row[header]) for header in columns])
    return folder


def _csv_text(sheet: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m") if sheet == VOLUMES else value.isoformat()
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jbsys_xl.sample",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", required=True, help="the .xlsx to write")
    parser.add_argument("--csv", metavar="FOLDER", help="also write the sheets as CSV files here")
    args = parser.parse_args(argv)
    print(write_sample_workbook(args.output, args.year, args.seed))
    if args.csv:
        print(write_sample_csv(args.csv, args.year, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
