"""Random input scenarios for the oracle-agreement tests, and writers that render them.

``generate(seed)`` builds one scenario as clean typed data (the form :mod:`oracle` takes):
``{sheet: [row dict header → value]}`` with ``int`` years, ``Decimal`` money / weights /
percents (fractions of 1), ``bool`` yes/no, ``(year, month)`` months, ``date`` dates, ``str``
text and ``None`` blanks. Every setting of the spec is drawn somewhere (see ``FEATURES``; each
scenario lists the ones it exercises in ``Scenario.features``), v3 included: payees and
统一社会信用代码, 业务量 来源, and the optional 回访 and 异议 sheets — absent, present but empty,
or with rows of the year and of other years; v4 too: the 公示 dates, accounts, a veto's
evidence, who verified a complaint, the 工作小组's 处理决定 on hardware (and the money it moves),
and an 审定 dated after every decision it contains. Each scenario has the day it is run on
(``today``: a 审定日期 may not be later). Now and then one error of ``PLANTED_ERRORS`` is planted
(for integer seeds on a fixed rota, so that 500 seeds meet every kind and variant).

``write(scenario, path, layout_seed, fmt)`` renders it the way people fill such workbooks: title
lines above the header, shuffled and padded headers, unknown columns, empty rows, months as date
cells of any day or as the three kinds of text, percents as numbers or text, yes/no in every
accepted spelling, references to names in NFKC-equal forms (full-width, other brackets,
padded; 来源 and 收款单位 too), other v3 text with spaces, NBSP or a line break around it,
months also as 金保 所属期 (202403, 2024年3月份); or as a folder of ``<sheet>.csv`` files in
UTF-8 (with or without BOM) or GB18030.

Any ``random.Random``-like object works as the source (hypothesis' ``st.randoms()`` too).
"""
from __future__ import annotations

import calendar
import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from oracle import credit_code_ok

SHEET_HEADERS = {  # required, optional (spec §1)
    "参数": (("年度", "资金总额"),
           ("工作绩效资金", "硬件资金上限比例", "A+奖励", "A奖励", "优胜单位数", "优胜奖励",
            "投诉扣减比例", "评分方法", "扣减资金处理", "否决处理", "金额单位", "考核期起", "考核期止",
            "审定文号", "审定日期", "发文单位", "制表单位", "资金来源", "异议期限", "异议联系人",
            "异议电话", "公示期", "公示日期", "公示截止日期", "结余去向", "支付方式", "功能分类科目",
            "预算指标文号")),
    "指标": (("年度", "序号", "类别", "事项名称", "指标权重", "下沉类别"), ("考核部门", "金保事项")),
    "中心": (("中心编码", "中心名称", "所属区"),
           ("启用年度", "停用年度", "收款单位", "统一社会信用代码", "开户银行", "银行账号")),
    "评定": (("年度", "中心", "服务场所", "标准化下沉"),
           ("区局推荐", "综合优胜", "一票否决", "否决原因", "评定等次", "评定说明", "否决依据")),
    "业务量": (("中心", "事项", "月份", "业务量"), ("来源",)),
    "投诉": (("日期", "中心", "核实结论"), ("来源", "条线", "内容", "投诉编号", "核实部门", "核实日期")),
    "扣减": (("年度", "中心", "原因"), ("扣减金额", "扣减比例")),
    "硬件": (("年度", "所属区", "预算补助", "计划投入", "实际投入", "已备案"),
           ("备案日期", "收款单位", "统一社会信用代码", "项目名称", "处理决定", "决定说明", "开户银行",
            "银行账号")),
    # optional sheets (jinbao-import.md §8, allocation-rules §1 v3)
    "回访": (("年度", "中心", "业务流水号", "回访日期", "回访结果"),
           ("说明", "处理决定", "决定说明", "回访人", "工单号", "抽取批次")),
    "异议": (("年度", "中心", "收到日期", "异议内容"), ("处理结果", "处理说明", "处理日期")),
}
KIND = {  # how a header's value is typed, for the writers
    "年度": "int", "资金总额": "money", "工作绩效资金": "money", "硬件资金上限比例": "pct",
    "A+奖励": "money", "A奖励": "money", "优胜单位数": "int", "优胜奖励": "money",
    "投诉扣减比例": "pct", "金额单位": "number", "考核期起": "month", "考核期止": "month",
    "序号": "int", "指标权重": "number", "中心编码": "code", "启用年度": "int", "停用年度": "int",
    "中心": "code", "标准化下沉": "yn", "区局推荐": "yn", "综合优胜": "yn", "一票否决": "yn",
    "月份": "month", "业务量": "number", "日期": "date", "扣减金额": "money", "扣减比例": "pct",
    "预算补助": "money", "计划投入": "money", "实际投入": "money", "已备案": "yn",
    "审定日期": "date", "备案日期": "date", "异议期限": "int", "公示期": "int",
    "回访日期": "date", "收到日期": "date", "处理日期": "date", "公示日期": "date", "公示截止日期": "date",
    "核实日期": "date",
}

ITEMS = ("失业登记", "自主申报就业登记", "失业保险待遇申领", "大龄延长失业待遇申领",
         "就业困难人员（含双零家庭）认定", "两节困难补助发放", "开发公益性岗位",
         "灵活就业人员社保补贴申请", "创业担保贷款人员身份认定初审", "一次性开业补贴申请受理",
         "办理居民保险参保登记业务", "受理居民保险补收申请", "出具养老保险待遇领取证明",
         "办理单位参保登记业务", "受理异地就医登记备案", "社会保障卡申请", "社会保障卡领卡、激活",
         "电子社保卡实名认证", "自助一体机应用维护", "人才监测实名制统计", "人才需求调查",
         "镇、街道劳动人事争议调解", "网格预警信息登记和突发事件登记")
CATEGORIES = ("就业创业", "社会保险", "社会保障卡", "人才工作", "劳动关系")
DEPARTMENTS = ("就管中心", "社保中心", "保障中心", "人才中心", "仲裁处", None)
TOWNS = ("雕庄", "青龙", "茶山", "红梅", "天宁", "兰陵", "郑陆", "五星", "永红", "北港", "西林",
         "南大街", "荷花池", "新闸", "邹区", "河海", "三井", "龙虎塘", "春江", "孟河", "新桥",
         "薛家", "罗溪", "西夏墅", "奔牛", "湖塘", "牛塘", "洛阳", "遥观", "横林")
DISTRICTS = ("天宁区", "钟楼区", "新北区", "武进区", "经开区")
VENUES = ("独立服务大厅", "综合服务窗口", "无")
VERDICTS = ("有理", "无理", "待核实")
EXTRA_COLUMNS = ("备注", "经办人", "联系电话", "序列", "Unnamed: 9")

# Everything the generator can exercise; the agreement test checks that the seeds cover them all.
FEATURES = frozenset({
    "method:占比法", "method:对标法", "method:default",
    "forfeit:收回", "forfeit:再分配", "forfeit:default",
    "veto-mode:剔除", "veto-mode:计入", "veto-mode:default", "status:草案", "status:审定",
    "grade:recorded-ceiling", "grade:recorded-lower", "complaint:numbered",
    "complaint:numbered-duplicate", "complaint:number-reused-outside", "redistribute:all-penalised",
    "hardware:capped", "hardware:filed-on-time", "hardware:filed-late",
    "unit:1", "unit:0.01", "unit:default",
    "period:default", "period:custom-start", "period:custom-end", "period:custom-both",
    "year:2018", "year:other",
    "winners:confirmed", "winners:proposed-recommended", "winners:proposed-all",
    "veto", "alias-volume", "center-by-name", "center-by-code",
    "inactive-center", "inactive-volume", "inactive-rating", "fractional-volume",
    "complaint:有理-in", "complaint:有理-out", "complaint:无理", "complaint:待核实",
    "complaint:capped", "deduction:amount", "deduction:rate", "deduction:both",
    "hardware:unfiled", "hardware:below-plan", "hardware:above-plan", "hardware:two-rows",
    "zero-volume-indicator", "score-tie", "duplicate-volume", "tiny-fund",
    "money-3-decimals", "default-performance-fund", "other-year-rows",
    # v3: payees, 来源, the decision record (回访, 异议), 参数 for the documents
    "params:v3", "payee:center", "credit-code:center", "payee:hardware", "hardware:payee-agree",
    "hardware:payee-other-year", "source:typed", "source:imported", "source:mixed",
    "source:two-files", "source:conflict-outside", "duplicate-volume:imported",
    "duplicate-volume:typed", "callback:absent", "callback:empty", "callback:rows",
    "callback:属实", "callback:不属实", "callback:无法联系", "callback:未回访",
    "callback:不属实-vetoed", "callback:veto-decision", "callback:vetoed-kept",
    "callback:不属实-kept", "callback:不属实-undecided", "callback:decision-on-other-result",
    "callback:other-year", "callback:other-year-odd-decision", "callback:inactive-center",
    "objection:absent",
    "objection:empty", "objection:rows", "objection:维持", "objection:调整", "objection:open-draft",
    "objection:other-year-open",
    # v4: the 公示 dates and accounts, a veto's evidence, who verified a complaint, the 工作小组's
    # decisions on hardware (money follows them), an 审定 dated after what it contains
    "params:v4", "account:center", "account:hardware", "veto:evidence", "veto:callback-evidence",
    "veto:no-evidence-draft", "complaint:verified", "complaint:unverified-draft",
    "hardware:named", "hardware:unfiled-granted", "hardware:unfiled-refused", "hardware:late-decided",
    "hardware:refused", "hardware:undecided-draft", "approval:after-decisions",
})
PLANTED_ERRORS = ("too-many-confirmed", "ineligible-confirmed", "negative-pool", "unrated-center",
                  "grade-above-ceiling", "number-two-centers", "final-pending", "final-proposed",
                  "confirmed-zero-award", "all-scores-zero", "final-grade-unexplained",
                  "credit-code-check", "credit-code-letter", "credit-code-length",
                  "credit-code-lowercase", "credit-code-hardware", "hardware-payee-disagree",
                  "volume-imported-and-typed", "volume-two-sources", "volume-double-count-inactive",
                  "callback-veto-not-vetoed", "callback-bad-decision", "final-callback-undecided",
                  "final-callback-inactive", "objection-bad-result", "final-objection-open",
                  # v4 (allocation-rules §2): each kind with the variants the rota takes in turn
                  "final-approval-date", "approval-date-future", "final-veto-unfounded",
                  "final-complaint-unrecorded", "final-hardware-undecided", "v4-bad-value",
                  "bank-account")
VARIANTS = {"final-approval-date": ("empty", "before-decision", "before-publicity-end"),
            "final-veto-unfounded": ("no-reason", "no-evidence"),
            "final-complaint-unrecorded": ("no-content", "no-verifier"),
            "final-hardware-undecided": ("unfiled", "late", "no-note"),
            "v4-bad-value": ("hardware-decision", "payment-method", "publicity-order"),
            "bank-account": ("characters", "disagree")}
FEATURES = FEATURES | {f"error:{kind}" for kind in PLANTED_ERRORS} | \
    {f"error:{kind}:{variant}" for kind, variants in VARIANTS.items() for variant in variants}
FINAL_ERRORS = {kind for kind in PLANTED_ERRORS if kind.startswith("final-")}  # need an 审定 run
PLANTED_SHARE = 0.2
SOURCE_FILES = ("金保导出-就业.xlsx", "业务量统计（1-6月）.xls", "jb_export_202407.csv",
                "社保经办明细.xlsx", "金保导出(补录).xls")
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # documents.md §5
GRADE_ORDER = ("A+", "A", "B")


@dataclass
class Scenario:
    seed: object
    year: int
    data: dict[str, list[dict]]
    features: set[str] = field(default_factory=set)
    code_style: str = "pad"
    today: date = date(2024, 12, 20)  # the day it is run on: SOURCE_DATE_EPOCH for the product

    def shuffled(self, rng) -> "Scenario":
        """The same scenario with the rows of every sheet in another order."""
        data = {}
        for sheet, rows in self.data.items():
            rows = list(rows)
            rng.shuffle(rows)
            data[sheet] = rows
        return Scenario(self.seed, self.year, data, set(self.features), self.code_style, self.today)


# --- generation -------------------------------------------------------------------------------

def _add_months(month: tuple[int, int], k: int) -> tuple[int, int]:
    n = month[0] * 12 + month[1] - 1 + k
    return (n // 12, n % 12 + 1)


def _months(start, end) -> list[tuple[int, int]]:
    out, m = [], start
    while m <= end:
        out.append(m)
        m = _add_months(m, 1)
    return out


def _money(rng, low: int, high: int, cents: float = 0.5, three: float = 0.0) -> Decimal:
    """A random amount; with some chance with cents, rarely with a third decimal (read rounds)."""
    value = Decimal(rng.randint(low, high))
    if rng.random() < cents:
        value += Decimal(rng.randint(0, 99)) / 100
    if rng.random() < three:
        value += Decimal(rng.choice((5, 5, 1, 9))) / 1000
    return value


def _weights(rng, k: int) -> list[Decimal]:
    """k positive weights with at most one decimal summing to exactly 100."""
    if rng.random() < 0.3:  # whole points
        cuts = sorted(rng.sample(range(1, 100), k - 1))
        parts = [b - a for a, b in zip([0] + cuts, cuts + [100])]
        return [Decimal(p) for p in parts]
    cuts = sorted(rng.sample(range(1, 1000), k - 1))
    return [Decimal(b - a) / 10 for a, b in zip([0] + cuts, cuts + [1000])]


def _codes(rng, n: int) -> tuple[str, list[str]]:
    style = rng.choice(("pad", "nopad", "mixed", "digits", "zeros", "cjk"))
    ks = rng.sample(range(1, 40), n)
    if style == "pad":
        codes = [f"C{k:02d}" for k in ks]
    elif style == "nopad":  # "CZ-10" < "CZ-9" in code-point order
        codes = [f"CZ-{k}" for k in ks]
    elif style == "mixed":  # upper case before lower case in code-point order
        codes = [f"{rng.choice(('a', 'B', 'tn', 'ZL', 'Xb', 'x'))}{k}" for k in ks]
    elif style == "digits":
        codes = [str(320400 + k) for k in ks]
    elif style == "zeros":
        codes = [f"{k:04d}" for k in ks]
    else:  # Chinese prefixes: code-point order, not pinyin
        codes = [f"{rng.choice(('天宁', '钟楼', '新北', '武进'))}{k:02d}" for k in ks]
    return style, codes


def credit_code(rng) -> str:
    """A valid 统一社会信用代码: 登记管理部门, 机构类别, a 常州 area code, an organisation code,
    then the one check character that documents.md §5 accepts."""
    body = (rng.choice("159") + rng.choice("1239") + f"3204{rng.randint(0, 99):02d}"
            + "".join(rng.choice(CODE_ALPHABET) for _ in range(9)))
    return next(body + ch for ch in CODE_ALPHABET if credit_code_ok(body + ch))


def broken_code(rng, how: str) -> str:
    """A code that fails documents.md §5: another check character, a letter outside the
    alphabet (I O S V Z, or any lower-case one), or one character too few or too many."""
    good = credit_code(rng)
    if how == "lowercase":
        while good == good.lower():  # (all digits: no letter to lower)
            good = credit_code(rng)
        return good.lower()
    if how == "check":
        return good[:17] + rng.choice([ch for ch in CODE_ALPHABET if ch != good[17]])
    if how == "letter":
        at = rng.randint(0, 16)
        return good[:at] + rng.choice("IOSVZ") + good[at + 1:]
    return good[:17] if rng.random() < 0.5 else good + rng.choice(CODE_ALPHABET)


CALLBACK_RESULTS = ("属实", "属实", "不属实", "无法联系", None)  # None: drawn, not yet called


def _callback(rng, year: int, center: str, result, **decision) -> dict:
    """One 回访 row (jinbao-import.md §8); an empty result is a case not yet called."""
    called = result is not None or rng.random() < 0.3
    row = {"年度": year, "中心": center,
           "业务流水号": rng.choice((f"{year}{rng.randint(1, 12):02d}{rng.randint(0, 10**8):08d}",
                                 f"LS{rng.randint(10**5, 10**6)}")),
           "回访日期": date(year, 12, rng.randint(1, 28)) if called else None,
           "回访结果": result}
    if rng.random() < 0.5:
        row.update(回访人=f"回访员{rng.randint(1, 9):02d}", 工单号=f"GD{year}12{rng.randint(0, 9999):04d}",
                   抽取批次=f"{year}-12 种子{rng.randint(1, 9999)}")
    if result == "不属实" and rng.random() < 0.5:
        row["说明"] = "群众表示未办理该业务"
    row.update(decision)
    return row


def _callbacks(rng, feats: set, year: int, final: bool, active, inactive, vetoed, ref):
    """The optional 回访 sheet: absent, present but empty, or rows of the year and of others.
    A 处理决定 of 否决 only for a center vetoed in 评定; at 审定 each 不属实 of a center not
    vetoed is recorded as 不否决 with its 决定说明 (allocation-rules §2 v3)."""
    mode = rng.choices(("absent", "empty", "rows"), (3, 1, 6))[0]
    feats.add(f"callback:{mode}")
    if mode == "absent":
        return None
    rows = []
    for c in rng.sample(active, rng.randint(1, min(4, len(active)))) if mode == "rows" else ():
        veto = vetoed[c["中心编码"]]
        for _ in range(rng.randint(1, 3)):
            result = rng.choice(CALLBACK_RESULTS)
            feats.add(f"callback:{result or '未回访'}")
            decision = {}
            if result == "不属实" and veto:
                feats.add("callback:不属实-vetoed")
                decision["处理决定"] = rng.choice((None, "否决", "否决", "不否决"))
            elif result == "不属实" and (final or rng.random() < 0.5):
                feats.add("callback:不属实-kept")
                decision.update(处理决定="不否决", 决定说明="经核实系群众记错办理时间，不予否决")
            elif result == "不属实":  # a draft: still to decide (a warning)
                feats.add("callback:不属实-undecided")
                decision.update(rng.choice(({}, {"处理决定": "不否决"}, {"决定说明": "待研究"})))
            elif rng.random() < 0.15:  # a decision on a row that is not 不属实: a warning
                feats.add("callback:decision-on-other-result")
                decision["处理决定"] = "否决" if veto else "不否决"
            if decision.get("处理决定") == "否决":
                feats.add("callback:veto-decision")
            elif decision.get("处理决定") == "不否决" and veto:
                feats.add("callback:vetoed-kept")
            rows.append(_callback(rng, year, ref(c), result, **decision))
    kept = [c for c in active if not vetoed[c["中心编码"]]]
    if mode == "rows" and kept and rng.random() < 0.3:  # last year's: not this year's record
        feats.add("callback:other-year")
        decision = rng.choice((None, None, "否决", "否决", "待定"))
        if decision == "待定":
            feats.add("callback:other-year-odd-decision")
        rows.append(_callback(rng, year - 1, ref(rng.choice(kept)), "不属实", 处理决定=decision))
    if mode == "rows" and inactive and rng.random() < 0.3:  # a case of a center not active now
        feats.add("callback:inactive-center")
        result = rng.choice(("属实", "无法联系", None) if final else CALLBACK_RESULTS)
        rows.append(_callback(rng, year, ref(rng.choice(inactive)), result))
    return rows


def _objection(rng, year: int, center: str, **outcome) -> dict:
    """One 异议 row (allocation-rules §1 v3)."""
    return {"年度": year, "中心": center, "收到日期": date(year, 12, rng.randint(1, 20)),
            "异议内容": rng.choice(("对业务量统计有异议", "认为投诉扣减有误")), **outcome}


def _objections(rng, feats: set, year: int, final: bool, active, ref):
    """The optional 异议 sheet: absent, present but empty, or rows; at 审定 each of the year is
    settled (处理结果 and 处理说明), in a draft some are still open (a warning)."""
    mode = rng.choices(("absent", "empty", "rows"), (4, 1, 5))[0]
    feats.add(f"objection:{mode}")
    if mode == "absent":
        return None
    rows = []
    for c in rng.sample(active, rng.randint(1, min(3, len(active)))) if mode == "rows" else ():
        if final or rng.random() < 0.6:
            outcome = rng.choice(("维持", "调整"))
            feats.add(f"objection:{outcome}")
            rows.append(_objection(rng, year, ref(c), 处理结果=outcome,
                                   处理说明="经复核，业务量统计无误" if outcome == "维持" else "已更正业务量",
                                   处理日期=rng.choice((None, date(year, 12, 25)))))
        else:
            feats.add("objection:open-draft")
            rows.append(_objection(rng, year, ref(c), **rng.choice(
                ({}, {"处理结果": "调整"}, {"处理说明": "正在核实"}))))
    if mode == "rows" and rng.random() < 0.3:  # last year's, never settled: not this year's gate
        feats.add("objection:other-year-open")
        rows.append(_objection(rng, year - 1, ref(rng.choice(active))))
    return rows


def _variant(source, rng, kind: str) -> str:
    """The variant of a planted kind: for an integer seed the block's three seeds take them in
    turn (so 500 seeds meet each), else one at random."""
    variants = VARIANTS[kind]
    if isinstance(source, int):
        return variants[source // 5 % 3 % len(variants)]
    return rng.choice(variants)


def _planted(source, rng) -> str | None:
    """The error to plant, if any. An integer seed plants on every fifth seed; the three such
    seeds of each block of 15 plant the same kind (in the sweep, seed % 3 picks the file format:
    so each kind is met as .xlsx and as CSV), the kinds in turn — each planted several times
    whatever else the generator draws. Any other source plants one at random now and then."""
    if isinstance(source, int):
        return PLANTED_ERRORS[source // 15 % len(PLANTED_ERRORS)] if source % 5 == 2 else None
    return rng.choice(PLANTED_ERRORS) if rng.random() < PLANTED_SHARE else None


def generate(source, *, errors: bool = True) -> Scenario:
    """One random scenario. `source` is a seed or a random.Random-like object."""
    rng = source if hasattr(source, "random") else random.Random(source)
    feats: set[str] = set()
    year = rng.choice((2018, 2018, 2019, 2021, 2023, 2024, 2024, 2025))
    feats.add("year:2018" if year == 2018 else "year:other")
    # chosen first: an error of the 审定 gate is planted in a scenario built as an 审定 run, so
    # that it is the only thing wrong there
    planted = _planted(source, rng) if errors else None
    default_start = (2018, 1) if year == 2018 else (year - 1, 12)
    default_end = (year, 11)

    # --- 参数 -----------------------------------------------------------------------------
    p: dict = {"年度": year}
    period_mode = rng.choices(("default", "custom-start", "custom-end", "custom-both"),
                              (6, 1, 1, 2))[0]
    feats.add(f"period:{period_mode}")
    start, end = default_start, default_end
    if period_mode in ("custom-start", "custom-both"):
        start = _add_months(default_start, rng.randint(-3, 5))
        p["考核期起"] = start
    if period_mode in ("custom-end", "custom-both"):
        end = _add_months(default_end, rng.randint(-5, 3))
        p["考核期止"] = end
    if end < start:
        start, end = end, start
        p["考核期起"], p["考核期止"] = start, end
    period = _months(start, end)

    method = rng.choice((None, "占比法", "对标法"))
    forfeit = rng.choice((None, "收回", "再分配"))
    unit = rng.choice((None, Decimal("0.01"), Decimal("1")))
    veto_mode = rng.choice((None, "剔除", "计入"))
    p["评分方法"], p["扣减资金处理"], p["金额单位"] = method, forfeit, unit
    p["否决处理"] = veto_mode
    feats.add(f"method:{method or 'default'}")
    feats.add(f"forfeit:{forfeit or 'default'}")
    feats.add(f"unit:{unit if unit is not None else 'default'}")
    feats.add(f"veto-mode:{veto_mode or 'default'}")
    final = planted in FINAL_ERRORS or rng.random() < 0.3  # the final run: 审定文号 filled
    feats.add("status:审定" if final else "status:草案")
    if final:  # 审定日期: set once the decisions it contains are known (below)
        p["审定文号"] = rng.choice((f"常人社〔{year}〕12号", f"常人社发〔{year}〕88号", f"审{year}-3"))
    elif rng.random() < 0.1:
        p["审定日期"] = date(year, 12, 5)  # a date alone leaves it a draft (with a warning)
    if rng.random() < 0.4:  # documents.md §0 v4: the 公示's dates, the 结余, what 财政 pays by
        feats.add("params:v4")
        p["公示日期"] = date(year, 12, rng.randint(1, 9))
        p["公示截止日期"] = p["公示日期"] + timedelta(rng.randint(0, 7))
        p["结余去向"] = rng.choice((None, "结转下年度统筹使用", "收回财政"))
        p["支付方式"] = rng.choice((None, "直接支付", "转移支付"))
        p["功能分类科目"] = rng.choice((None, "2080799"))
        p["预算指标文号"] = rng.choice((None, f"常财社〔{year}〕12号"))

    tiny = rng.random() < 0.25
    three = 0.15
    if tiny:
        feats.add("tiny-fund")
        total = _money(rng, 300, 6000, three=three)
        awards = {"A+奖励": Decimal(rng.randint(0, 40)), "A奖励": Decimal(rng.randint(0, 30)),
                  "优胜奖励": Decimal(rng.randint(0, 20))}
        if rng.random() < 0.3:
            awards["A+奖励"] += Decimal("0.5")
    else:
        total = _money(rng, 600_000, 6_000_000, three=three)
        awards = {"A+奖励": rng.choice((None, None, Decimal(15000), Decimal(12000), Decimal("8000.50"))),
                  "A奖励": rng.choice((None, None, Decimal(10000), Decimal(6000))),
                  "优胜奖励": rng.choice((None, Decimal(20000), Decimal(5000), Decimal("12345.67")))}
    p["资金总额"] = total
    p.update(awards)
    if rng.random() < 0.5:
        feats.add("default-performance-fund")
    else:
        p["工作绩效资金"] = (total * Decimal(rng.randint(45, 70)) / 100).quantize(Decimal("0.001"))
    if total != total.quantize(Decimal("0.01")) or p.get("工作绩效资金") is not None and \
            p["工作绩效资金"] != p["工作绩效资金"].quantize(Decimal("0.01")):
        feats.add("money-3-decimals")
    p["硬件资金上限比例"] = rng.choice((None, None, Decimal("0.3"), Decimal("0.25"), Decimal("0.4")))
    p["投诉扣减比例"] = rng.choice((None, None, Decimal("0.05"), Decimal("0.1"), Decimal("0.125"),
                               Decimal("0.2"), Decimal("0.35"), Decimal("0.03"), Decimal("1")))
    p["优胜单位数"] = rng.choice((None, None, 0, 1, 2, 3, 4, 8))
    n_winners = 6 if p["优胜单位数"] is None else p["优胜单位数"]
    rate = p["投诉扣减比例"] if p["投诉扣减比例"] is not None else Decimal("0.05")
    if rng.random() < 0.4:  # documents.md §0: who signs, the fund, the objection period
        feats.add("params:v3")
        p["发文单位"] = rng.choice((None, "常州市人力资源和社会保障局"))
        p["制表单位"] = rng.choice((None, "常州市人力资源和社会保障局就业处", "就业处"))
        p["资金来源"] = rng.choice((None, "就业专项资金", "市级就业补助资金"))
        p["异议期限"] = rng.choice((None, 1, 5, 7, 10))
        p["异议联系人"] = rng.choice((None, "就业处综合科"))
        p["异议电话"] = rng.choice((None, "0519-85681234", "85681234", "0519-85681234转8012"))
        p["公示期"] = rng.choice((None, 1, 5, 7))
    params = [p]
    if rng.random() < 0.5:
        feats.add("other-year-rows")
        params.append({"年度": year - 1, "资金总额": _money(rng, 1000, 900000),
                       "评分方法": rng.choice(("占比法", "对标法")), "金额单位": Decimal("1"),
                       "优胜单位数": 1, "投诉扣减比例": Decimal("0.5"), "考核期起": (year - 1, 3)})

    # --- 中心 ------------------------------------------------------------------------------
    n_active = rng.choice((1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 10, 12))
    n_inactive = rng.choice((0, 0, 1, 2, 3))
    code_style, codes = _codes(rng, n_active + n_inactive)
    towns = rng.sample(TOWNS, n_active + n_inactive)
    districts = rng.sample(DISTRICTS, rng.randint(1, min(4, n_active)))
    centers = []
    for k, (code, town) in enumerate(zip(codes, towns)):
        kind = "镇" if rng.random() < 0.3 else "街道"
        row = {"中心编码": code, "中心名称": f"{town}{kind}人社服务中心",
               "所属区": districts[k % len(districts)] if k < n_active else rng.choice(districts)}
        if k < n_active:  # active, sometimes with explicit years at the boundary
            if rng.random() < 0.2:
                row["启用年度"] = rng.choice((year, year - 1, 2015))
            if rng.random() < 0.2:
                row["停用年度"] = rng.choice((year, year + 1, 2030))
        else:
            feats.add("inactive-center")
            if rng.random() < 0.5:
                row["启用年度"] = rng.choice((year + 1, year + 2))
            else:
                row["停用年度"] = rng.choice((year - 1, year - 3))
                if rng.random() < 0.5:
                    row["启用年度"] = year - 5
        centers.append(row)
    if rng.random() < 0.5:  # documents.md §5: who is paid (empty: the center itself)
        feats.add("payee:center")
        for row in centers:
            if rng.random() < 0.6:
                row["收款单位"] = rng.choice((row["中心名称"],
                                          row["中心名称"].replace("人社服务中心", "办事处")))
            if rng.random() < 0.7:
                feats.add("credit-code:center")
                row["统一社会信用代码"] = credit_code(rng)
            if rng.random() < 0.3:  # v4: the unit's account (digits, spaces or '-')
                feats.add("account:center")
                row["开户银行"], row["银行账号"] = rng.choice(BANKS), account_number(rng)
    rng.shuffle(centers)
    active = [c for c in centers if not ("启用年度" in c and c["启用年度"] > year
                                         or "停用年度" in c and c["停用年度"] < year)]
    inactive = [c for c in centers if c not in active]

    def ref(center: dict) -> str:
        if rng.random() < 0.5:
            feats.add("center-by-name")
            return center["中心名称"]
        feats.add("center-by-code")
        return center["中心编码"]

    def ref_row(text: str) -> dict:
        return next(c for c in centers if text in (c["中心编码"], c["中心名称"]))

    def ref_code(text: str) -> str:
        return ref_row(text)["中心编码"]

    # --- 指标 ------------------------------------------------------------------------------
    k_items = rng.randint(3, 8)
    names = rng.sample(ITEMS, k_items)
    weights = _weights(rng, k_items)
    indicators, aliases = [], {}
    for seq, (name, weight) in enumerate(zip(names, weights), start=1):
        row = {"年度": year, "序号": seq, "类别": rng.choice(CATEGORIES), "事项名称": name,
               "指标权重": weight, "下沉类别": rng.choice(("标准化下沉", "标准化下沉", "引导性下沉")),
               "考核部门": rng.choice(DEPARTMENTS)}
        if rng.random() < 0.35:
            found = [f"{name}（金保）", f"JB{seq:02d}{rng.randint(10, 99)}"][:rng.randint(1, 2)]
            aliases[name] = found
            row["金保事项"] = rng.choice((";", "；")).join(found)
        indicators.append(row)
    if rng.random() < 0.5:  # last year's list: other weights, partly other names
        feats.add("other-year-rows")
        old = rng.sample(ITEMS, rng.randint(2, 5))
        for seq, (name, weight) in enumerate(zip(old, _weights(rng, len(old))), start=1):
            indicators.append({"年度": year - 1, "序号": seq, "类别": rng.choice(CATEGORIES),
                               "事项名称": name, "指标权重": weight, "下沉类别": "标准化下沉"})
    rng.shuffle(indicators)

    def item_ref(name: str) -> str:
        if name in aliases and rng.random() < 0.4:
            feats.add("alias-volume")
            return rng.choice(aliases[name])
        return name

    # --- 业务量 ----------------------------------------------------------------------------
    volumes = []
    outside = [_add_months(start, -1), _add_months(end, 1), _add_months(start, -2)]
    zero_items = {n for n in names if rng.random() < 0.12}
    if zero_items:
        feats.add("zero-volume-indicator")
    big = rng.choice((50, 300, 3000))
    tenths = rng.random() < 0.04  # fractional volumes: an error (§2: 业务量 counts cases)
    if tenths:
        feats.add("fractional-volume")
    # 来源: the import that wrote a row (empty: typed by hand). One import per half of the
    # period, or one for all of it; a center's rows all imported, all typed, or typed for some
    # items and imported for others — never both for one 中心/事项/月份 (§2 v3).
    files = rng.sample(SOURCE_FILES, 3)
    split = rng.choice(period) if rng.random() < 0.5 else None

    def source_of(month) -> str:
        if split is not None and month >= split:
            feats.add("source:two-files")
            return files[1]
        return files[0]

    for c in active:
        mode = rng.choice(("typed", "imported", "imported", "mixed"))
        feats.add(f"source:{mode}")
        for name in names:
            typed = mode == "typed" or mode == "mixed" and rng.random() < 0.5
            for month in rng.sample(period, min(len(period), rng.choice((0, 1, 1, 2, 3)))):
                v = 0 if name in zero_items else rng.randint(0, big)
                if tenths:
                    v = Decimal(rng.randint(0, 30)) / 10
                volumes.append({"中心": ref(c), "事项": item_ref(name), "月份": month, "业务量": v,
                                "来源": None if typed else source_of(month)})
    if len(active) >= 2 and rng.random() < 0.35:  # an identical twin: tied scores
        feats.add("score-tie")
        a, b = rng.sample(active, 2)
        refs = {a["中心编码"], a["中心名称"]}
        volumes = [r for r in volumes if r["中心"] not in (b["中心编码"], b["中心名称"])]
        volumes += [dict(r, 中心=ref(b)) for r in volumes if r["中心"] in refs]
    if volumes and rng.random() < 0.05:  # the same 来源 (or none) twice: an error since v4
        feats.add("duplicate-volume")
        twin = rng.choice(volumes)
        feats.add("duplicate-volume:" + ("imported" if twin["来源"] else "typed"))
        volumes.append(dict(twin, 中心=ref(ref_row(twin["中心"]))))
    for _ in range(rng.randint(0, 3)):
        volumes.append({"中心": ref(rng.choice(active)), "事项": item_ref(rng.choice(names)),
                        "月份": rng.choice(outside), "业务量": rng.randint(1, 999),
                        "来源": rng.choice((None, files[0], files[2]))})
    late = [r for r in volumes if r["月份"] not in period]
    if late and rng.random() < 0.3:  # typed and imported outside the period: ignored, no error
        feats.add("source:conflict-outside")
        row = rng.choice(late)
        volumes.append(dict(row, 来源=files[2] if row["来源"] is None else None))
    for c in inactive:
        if rng.random() < 0.6:
            feats.add("inactive-volume")
            volumes.append({"中心": ref(c), "事项": item_ref(rng.choice(names)),
                            "月份": rng.choice(period), "业务量": rng.randint(1, 99),
                            "来源": rng.choice((None, files[0]))})

    # --- 评定 ------------------------------------------------------------------------------
    ratings, grade, vetoed, rated = [], {}, {}, {}
    ceiling = {}
    for c in active:
        code = c["中心编码"]
        venue = rng.choices(VENUES, (4, 4, 2))[0]
        standard = rng.random() < 0.75
        veto = rng.random() < 0.12
        if veto:
            feats.add("veto")
        row = {"年度": year, "中心": ref(c), "服务场所": venue, "标准化下沉": standard,
               "一票否决": veto if veto or rng.random() < 0.5 else None,
               "否决原因": "回访发现虚报业务量" if veto else None,
               # v4: its evidence; at 审定 a 回访 row decided 否决 may stand for it (below)
               "否决依据": rng.choice((None, f"核查记录〔{year}〕{rng.randint(1, 9)}号")) if veto else None}
        ratings.append(row)
        rated[code] = row
        ceiling[code] = ("A+" if venue == "独立服务大厅" and standard else
                         "A" if venue == "综合服务窗口" and standard else "B")
        grade[code] = ceiling[code]
        recorded = rng.random()
        if recorded < 0.12:  # the working group's grade, at its ceiling
            feats.add("grade:recorded-ceiling")
            row["评定等次"] = ceiling[code]
        elif recorded < 0.25 and ceiling[code] != "B":  # or below it: the lower one counts
            feats.add("grade:recorded-lower")
            row["评定等次"] = grade[code] = rng.choice(GRADE_ORDER[GRADE_ORDER.index(ceiling[code]) + 1:])
            if final or rng.random() < 0.5:  # an 审定 needs the reason written down
                row["评定说明"] = "服务大厅未按标准化要求运行"
        vetoed[code] = veto
    eligible = [c for c in active if grade[c["中心编码"]] in ("A+", "A") and not vetoed[c["中心编码"]]]
    if eligible and n_winners > 0 and (final or rng.random() < 0.35):  # a final run confirms
        feats.add("winners:confirmed")
        for c in rng.sample(eligible, rng.randint(1, min(n_winners, len(eligible)))):
            rated[c["中心编码"]]["综合优胜"] = True
        for r in ratings:
            r.setdefault("综合优胜", rng.choice((False, None)))
        if not p["优胜奖励"]:  # confirmed winners need an award (§2)
            p["优胜奖励"] = Decimal(rng.randint(1, 20)) if tiny else Decimal(8000)
    else:
        recommend = rng.random() < 0.6
        for r in ratings:
            r["区局推荐"] = (rng.random() < 0.4) if recommend else rng.choice((False, None))
            r["综合优胜"] = rng.choice((False, None))
        if any(r["区局推荐"] for r in ratings):
            feats.add("winners:proposed-recommended")
        else:
            feats.add("winners:proposed-all")
    for c in inactive:  # an inactive center's 评定 row is known but has no one to grade
        if rng.random() < 0.3:
            feats.add("inactive-rating")
            ratings.append({"年度": year, "中心": ref(c), "服务场所": "独立服务大厅",
                            "标准化下沉": True, "区局推荐": True})
    if rng.random() < 0.3:  # last year's 评定 rows, winners included, must not count
        feats.add("other-year-rows")
        for c in rng.sample(active, min(2, len(active))):
            ratings.append({"年度": year - 1, "中心": ref(c), "服务场所": "无", "标准化下沉": False,
                            "综合优胜": True, "一票否决": True})

    # --- 投诉 ------------------------------------------------------------------------------
    first_day = date(*start, 1)
    last_day = date(*end, calendar.monthrange(*end)[1])
    complaints = []
    everyone = active + inactive
    for _ in range(rng.choice((0, 1, 3, 6, 10))):
        verdict = rng.choices(VERDICTS, (5, 3, 2))[0]
        day = first_day + timedelta(rng.randint(-45, (last_day - first_day).days + 45))
        if rng.random() < 0.2:
            day = rng.choice((first_day, last_day, first_day - timedelta(1), last_day + timedelta(1)))
        inside = first_day <= day <= last_day
        if final and inside and verdict == "待核实":  # verified before the 审定
            verdict = rng.choice(("有理", "无理"))
        feats.add(f"complaint:{verdict}" + ({"有理": "-in" if inside else "-out"}.get(verdict, "")))
        complaints.append({"日期": day, "中心": ref(rng.choice(everyone)), "核实结论": verdict,
                           "来源": rng.choice(("12333", "信访", None)), "内容": "服务态度生硬"})
        if rng.random() < 0.5:
            feats.add("complaint:numbered")
            complaints[-1]["投诉编号"] = f"TS-{len(complaints):03d}"
    numbered = [r for r in complaints if r.get("投诉编号")]
    if numbered and rng.random() < 0.4:  # one matter recorded twice: counted once
        feats.add("complaint:numbered-duplicate")
        twin = rng.choice(numbered)
        again = dict(twin, 来源="信访", 核实结论=rng.choice((twin["核实结论"], "有理")))
        if final and again["核实结论"] == "待核实":
            again["核实结论"] = "有理"
        if rng.random() < 0.5:
            again["日期"] = min(twin["日期"] + timedelta(rng.randint(1, 20)), last_day) \
                if first_day <= twin["日期"] <= last_day else twin["日期"]
        complaints.append(again)
    outside = [r for r in numbered if not first_day <= r["日期"] <= last_day]
    if outside and len(everyone) > 1 and rng.random() < 0.5:  # reused outside the period: fine
        feats.add("complaint:number-reused-outside")
        old = rng.choice(outside)
        others = [c for c in everyone if ref_code(old["中心"]) != c["中心编码"]]
        complaints.append(dict(old, 中心=ref(rng.choice(others)), 核实结论="无理"))
    if rng.random() < 0.15:  # so many that the deduction caps at 100 %
        feats.add("complaint:capped")
        c = rng.choice(active)
        for _ in range(math.ceil(1 / rate) + rng.randint(0, 2)):
            complaints.append({"日期": first_day + timedelta(rng.randint(0, (last_day - first_day).days)),
                               "中心": ref(c), "核实结论": "有理"})

    if forfeit == "再分配" and rng.random() < 0.15:  # everyone penalised: nobody to receive
        feats.add("redistribute:all-penalised")
        for c in active:
            complaints.append({"日期": first_day, "中心": ref(c), "核实结论": "有理"})
    for r in complaints:  # v4: what a 有理 one was about and who verified it (required at 审定)
        if r["核实结论"] == "有理":
            if final or rng.random() < 0.7:
                feats.add("complaint:verified")
                r.setdefault("内容", "窗口人员服务态度生硬")
                r["核实部门"] = rng.choice(("机关党委、就业处", "就管中心", "社保中心"))
                r["核实日期"] = r["日期"] + timedelta(rng.randint(1, 15))
            else:
                feats.add("complaint:unverified-draft")

    # --- 扣减 ------------------------------------------------------------------------------
    deductions = []
    scale = 30 if tiny else 60000
    for _ in range(rng.choice((0, 0, 1, 2, 4))):
        kind = rng.choice(("amount", "rate", "both"))
        feats.add(f"deduction:{kind}")
        row = {"年度": year, "中心": ref(rng.choice(active + inactive[:1])), "原因": "业务差错"}
        if kind in ("amount", "both"):
            row["扣减金额"] = _money(rng, 0, scale, three=0.2)
        if kind in ("rate", "both"):
            row["扣减比例"] = rng.choice((Decimal("0.05"), Decimal("0.1"), Decimal("0.125"),
                                      Decimal("0.3"), Decimal("0.5"), Decimal("1")))
        deductions.append(row)
    if rng.random() < 0.2:
        feats.add("other-year-rows")
        deductions.append({"年度": year - 1, "中心": ref(rng.choice(active)), "原因": "去年",
                           "扣减金额": Decimal(999999)})

    # --- 硬件 ------------------------------------------------------------------------------
    cap = p["硬件资金上限比例"] if p["硬件资金上限比例"] is not None else Decimal("0.3")
    perf = p.get("工作绩效资金")
    perf = perf if perf is not None else total * Decimal("0.7")
    room = min(cap * total, total - perf)
    hardware = []
    hw_districts = [d for d in districts if rng.random() < 0.6]
    if hw_districts and rng.random() < 0.25:
        hw_districts.append(rng.choice(hw_districts))  # two rows for one 区
    if hw_districts and room > 0:
        if len(set(hw_districts)) < len(hw_districts):
            feats.add("hardware:two-rows")
        shares = [rng.uniform(0.2, 1.0) for _ in hw_districts]
        fill = rng.choice((0.3, 0.8, 0.95))
        for d, share in zip(hw_districts, shares):
            step = Decimal("1" if rng.random() < 0.6 else "0.01")
            budget = (room * Decimal(fill * share / sum(shares))).quantize(step, rounding="ROUND_DOWN")
            planned = _money(rng, 3, 400000, cents=0.3)
            if rng.random() < 0.25:  # a project that cost less than its budget: 先建后补 caps it
                planned = max(Decimal(1), (budget * Decimal(rng.randint(30, 95)) / 100)
                              .quantize(Decimal("0.01")))
            progress = rng.choice(("below", "below", "equal", "above"))
            actual = {"below": (planned * Decimal(rng.randint(0, 99)) / 100).quantize(Decimal("0.01")),
                      "equal": planned, "above": planned + _money(rng, 1, 9999)}[progress]
            filed = rng.random() < 0.8
            feats.add("hardware:" + ("unfiled" if not filed else
                                     "above-plan" if progress != "below" else "below-plan"))
            if filed and budget * min(1, actual / planned) > actual:
                feats.add("hardware:capped")
            row = {"年度": year, "所属区": d, "预算补助": budget, "计划投入": planned,
                   "实际投入": actual, "已备案": filed}
            if filed and rng.random() < 0.5:
                row["备案日期"] = date(year, rng.randint(1, 6), rng.randint(1, 28))
                feats.add("hardware:filed-late" if row["备案日期"] > date(year, 3, 31)
                          else "hardware:filed-on-time")
            if rng.random() < 0.6:
                feats.add("hardware:named")
                row["项目名称"] = f"{d}{rng.choice(TOWNS)}人社服务中心{rng.choice(('大厅改造', '自助区建设', '窗口改造'))}"
            _decide(rng, feats, row, year, final)
            hardware.append(row)
    of_year = [r for r in hardware if r["年度"] == year]
    if of_year and rng.random() < 0.5:  # documents.md §5: one payee per 所属区, on every row
        feats.add("payee:hardware")
        for d in dict.fromkeys(r["所属区"] for r in of_year):
            payee = rng.choice((None, f"常州市{d}人力资源和社会保障局", f"{d}财政局"))
            code = credit_code(rng) if rng.random() < 0.7 else None
            rows = [r for r in of_year if r["所属区"] == d]
            if len(rows) > 1 and (payee or code):
                feats.add("hardware:payee-agree")
            bank, account = ((rng.choice(BANKS), account_number(rng)) if rng.random() < 0.4 else (None, None))
            if bank:
                feats.add("account:hardware")
            for r in rows:
                r["收款单位"], r["统一社会信用代码"] = payee, code
                r["开户银行"], r["银行账号"] = bank, rng.choice((account, account and account.replace(" ", "")))
    if rng.random() < 0.2:
        feats.add("other-year-rows")
        hardware.append({"年度": year - 1, "所属区": districts[0], "预算补助": total,
                         "计划投入": Decimal(1), "实际投入": Decimal(1), "已备案": True})
        if rng.random() < 0.5:  # last year's payee may differ from this year's
            feats.add("hardware:payee-other-year")
            hardware[-1].update(收款单位="原区人社局", 统一社会信用代码=credit_code(rng))

    data = {"参数": params, "指标": indicators, "中心": centers, "评定": ratings,
            "业务量": volumes, "投诉": complaints, "扣减": deductions, "硬件": hardware}
    callbacks = _callbacks(rng, feats, year, final, active, inactive, vetoed, ref)
    if callbacks is not None:
        data["回访"] = callbacks
    objections = _objections(rng, feats, year, final, active, ref)
    if objections is not None:
        data["异议"] = objections

    # --- v4: a veto's evidence, and the day of the 审定 and of the run ----------------------------
    decided_veto = {ref_code(r["中心"]) for r in data.get("回访", [])
                    if r["年度"] == year and r.get("处理决定") == "否决"}
    for code, row in rated.items():
        if vetoed[code] and not row["否决依据"]:
            if code in decided_veto:
                feats.add("veto:callback-evidence")
            elif final:  # the 审定 needs it written down
                row["否决依据"] = f"12333工单 GD{year}1201{rng.randint(0, 99):02d}"
            else:
                feats.add("veto:no-evidence-draft")
        elif vetoed[code]:
            feats.add("veto:evidence")
    if final:  # not before any decision it contains, nor before the 公示 ends
        feats.add("approval:after-decisions")
        decided = [r["处理日期"] for r in data.get("异议", []) if r["年度"] == year and r.get("处理日期")]
        decided += [r["回访日期"] for r in data.get("回访", [])
                    if r["年度"] == year and r.get("处理决定") and r.get("回访日期")]
        p["审定日期"] = max([date(year, 12, rng.randint(10, 28)), *decided,
                         *([p["公示截止日期"]] if p.get("公示截止日期") else [])])
    today = max(date(year, 12, 20), p.get("审定日期") or date(year, 12, 20)) + timedelta(rng.randint(0, 40))

    # --- a planted error, now and then ---------------------------------------------------------
    if planted:
        kind = planted
        ineligible = [r for code, r in rated.items() if grade[code] == "B" or vetoed[code]]
        below_top = [code for code in rated if ceiling[code] != "A+"]
        lowerable = {code: GRADE_ORDER[GRADE_ORDER.index(ceiling[code]) + 1:] for code in rated
                     if ceiling[code] != "B"}
        for code, lower in lowerable.items():  # a confirmed winner stays eligible: A+ → A only
            if rated[code].get("综合优胜"):
                lowerable[code] = tuple(g for g in lower if g != "B")
        lowerable = {code: lower for code, lower in lowerable.items() if lower}
        winnable = eligible and n_winners > 0
        kept = [c for c in active if not vetoed[c["中心编码"]]]  # not vetoed in 评定
        inside = [r for r in volumes if r["月份"] in period and ref_row(r["中心"]) in active]

        def closed_center() -> dict:
            """An inactive center; if there is none, one closed last year, still listed."""
            if not inactive:
                inactive.append({"中心编码": "停用01", "中心名称": "旧城街道人社服务中心",
                                 "所属区": districts[0], "停用年度": year - 1})
                centers.append(inactive[-1])
            return rng.choice(inactive)

        if kind == "too-many-confirmed" and eligible:
            p["优胜单位数"] = len(eligible) - 1
            for c in eligible:
                rated[c["中心编码"]]["综合优胜"] = True
        elif kind == "ineligible-confirmed" and ineligible:
            rng.choice(ineligible)["综合优胜"] = True
        elif kind == "unrated-center":  # every active center needs its 评定 row
            ratings.remove(rated[rng.choice(active)["中心编码"]])
        elif kind == "grade-above-ceiling" and below_top:
            code = rng.choice(below_top)
            rated[code]["评定等次"] = rng.choice(GRADE_ORDER[:GRADE_ORDER.index(ceiling[code])])
        elif kind == "number-two-centers" and len(everyone) > 1:
            a, b = rng.sample(everyone, 2)
            day = first_day + timedelta(rng.randint(0, (last_day - first_day).days))
            complaints += [{"日期": day, "中心": ref(c), "核实结论": "无理", "投诉编号": "TS-SAME"}
                           for c in (a, b)]
        elif kind == "final-pending":
            p["审定文号"] = f"常人社〔{year}〕99号"
            complaints.append({"日期": last_day, "中心": ref(rng.choice(active)), "核实结论": "待核实"})
        elif kind == "final-proposed" and winnable:
            p["审定文号"] = f"常人社〔{year}〕99号"
            for r in ratings:
                r["综合优胜"] = None
        elif kind == "confirmed-zero-award" and winnable:
            for r in ratings:
                r["综合优胜"] = None
            rated[rng.choice(eligible)["中心编码"]]["综合优胜"] = True
            p["优胜奖励"] = rng.choice((None, Decimal(0)))
        elif kind == "all-scores-zero" and volumes:
            for r in volumes:
                r["业务量"] = 0
        elif kind == "final-grade-unexplained":  # a grade below its ceiling, no reason
            if lowerable:
                code = rng.choice(sorted(lowerable))
                rated[code]["评定等次"] = rng.choice(lowerable[code])
            else:  # every center at B: one gets a hall (ceiling A+) but keeps its B
                code = rng.choice(sorted(rated))
                rated[code].update(服务场所="独立服务大厅", 标准化下沉=True, 评定等次="B",
                                   综合优胜=None)
            rated[code]["评定说明"] = rng.choice((None, " "))
        elif kind in ("credit-code-check", "credit-code-letter", "credit-code-length",
                      "credit-code-lowercase"):
            rng.choice(centers)["统一社会信用代码"] = broken_code(rng, kind.rsplit("-", 1)[1])
        elif kind == "credit-code-hardware":  # any row, this year's or another's
            if not hardware:
                hardware.append({"年度": year - 1, "所属区": districts[0], "预算补助": Decimal(0),
                                 "计划投入": Decimal(1), "实际投入": Decimal(0), "已备案": False})
            rng.choice(hardware)["统一社会信用代码"] = broken_code(
                rng, rng.choice(("check", "letter", "length")))
        elif kind == "hardware-payee-disagree":  # a second row of a 区, naming someone else
            if not of_year:
                of_year.append({"年度": year, "所属区": districts[0], "预算补助": Decimal(0),
                                "计划投入": Decimal(1), "实际投入": Decimal(0), "已备案": False})
                hardware.append(of_year[-1])
            row = rng.choice(of_year)
            row["收款单位"] = row.get("收款单位") or f"{row['所属区']}财政局"
            row["统一社会信用代码"] = row.get("统一社会信用代码") or credit_code(rng)
            other = {"收款单位": row["收款单位"], "统一社会信用代码": row["统一社会信用代码"]}
            if rng.random() < 0.5:
                other["收款单位"] = f"{row['所属区']}某街道办事处"
            else:
                other["统一社会信用代码"] = credit_code(rng)
            hardware.append({"年度": year, "所属区": row["所属区"], "预算补助": Decimal(0),
                             "计划投入": Decimal(1), "实际投入": Decimal(0), "已备案": False, **other})
        elif kind in ("volume-imported-and-typed", "volume-two-sources") and inside:
            row = rng.choice(inside)  # the same 中心/事项/月份, written another way
            item = next(i["事项名称"] for i in indicators if i["年度"] == year and (
                row["事项"] == i["事项名称"] or row["事项"] in aliases.get(i["事项名称"], ())))
            if kind == "volume-two-sources":
                row["来源"] = row["来源"] or files[0]
                again = rng.choice([f for f in files if f != row["来源"]])
            else:
                again = None if row["来源"] else rng.choice(files)
            volumes.append({"中心": ref(ref_row(row["中心"])), "事项": item_ref(item),
                            "月份": row["月份"], "业务量": rng.randint(0, 99), "来源": again})
        elif kind == "volume-double-count-inactive":
            c, item, month = closed_center(), rng.choice(names), rng.choice(period)
            volumes += [{"中心": ref(c), "事项": item_ref(item), "月份": month,
                         "业务量": rng.randint(1, 99), "来源": source} for source in (files[0], None)]
        elif kind == "callback-veto-not-vetoed" and kept:
            data.setdefault("回访", []).append(_callback(
                rng, year, ref(rng.choice(kept)), rng.choice(("不属实", "不属实", "属实")),
                处理决定="否决", 决定说明="工作小组研究决定否决"))
        elif kind == "callback-bad-decision":
            data.setdefault("回访", []).append(_callback(
                rng, year, ref(rng.choice(active)), "不属实",
                处理决定=rng.choice(("待定", "研究中", "暂缓"))))
        elif kind == "final-callback-undecided" and kept:
            decision = rng.choice(({}, {"处理决定": "不否决"}, {"决定说明": "已研究"}))
            data.setdefault("回访", []).append(_callback(
                rng, year, ref(rng.choice(kept)), "不属实", **decision))
        elif kind == "final-callback-inactive":  # §2 names no active-center restriction
            data.setdefault("回访", []).append(_callback(rng, year, ref(closed_center()), "不属实"))
        elif kind == "objection-bad-result":
            data.setdefault("异议", []).append(_objection(
                rng, rng.choice((year, year, year - 1)), ref(rng.choice(active)),
                处理结果=rng.choice(("驳回", "部分调整", "已处理")), 处理说明="已答复"))
        elif kind == "final-objection-open":
            settled = rng.choice(({}, {"处理结果": "维持"}, {"处理说明": "正在核实"}))
            data.setdefault("异议", []).append(_objection(rng, year, ref(rng.choice(active)),
                                                        **settled))
        elif kind in VARIANTS or kind == "approval-date-future":
            variant = _variant(source, rng, kind) if kind in VARIANTS else None
            today = _plant_v4(rng, kind, variant, data, p, year, today, active, rated, vetoed, ref,
                              ref_code, districts, first_day, last_day, centers)
            if variant:
                feats.add(f"error:{kind}:{variant}")
        else:
            kind = "negative-pool"
            p["工作绩效资金"] = Decimal(0)
            p["A+奖励"], p["A奖励"] = Decimal(5), Decimal(3)
        feats.add(f"error:{kind}")
    return Scenario(source if not hasattr(source, "random") else None, year, data, feats, code_style,
                    today)


BANKS = ("中国工商银行常州分行", "中国农业银行常州天宁支行", "江苏银行常州分行")


def account_number(rng) -> str:
    """A unit's 银行账号 as people type it: digits, grouped by spaces or '-', or not at all."""
    digits = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((13, 17, 19))))
    sep = rng.choice(("", " ", "-"))
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))


def _decide(rng, feats: set, row: dict, year: int, final: bool) -> None:
    """The 工作小组's 处理决定 on a 硬件 row (§6.9 v4): a 未备案 or late project is decided at
    审定 (补助 or 不予补助, with its 决定说明), in a draft it may be still open; now and then an
    on-time project is refused too. The money follows the decision."""
    late = row.get("备案日期") is not None and row["备案日期"] > date(year, 3, 31)
    if not row["已备案"] or late:
        if final or rng.random() < 0.5:
            decision = rng.choice(("补助", "不予补助"))
            feats.add("hardware:late-decided" if late else
                      "hardware:unfiled-granted" if decision == "补助" else "hardware:unfiled-refused")
            row.update(处理决定=decision, 决定说明="工作小组研究决定")
        else:
            feats.add("hardware:undecided-draft")
    elif rng.random() < 0.1:
        feats.add("hardware:refused")
        row.update(处理决定="不予补助", 决定说明="项目不属于基层平台建设范围")


def _plant_v4(rng, kind, variant, data, p, year, today, active, rated, vetoed, ref, ref_code,
              districts, first_day, last_day, centers) -> date:
    """Plant one v4 error (allocation-rules §2 v4) in a scenario that has none; returns the day
    the scenario is run on (a 审定日期 in the future moves no day: it is after it)."""
    hardware = data["硬件"]

    def project(**row) -> dict:
        """A 硬件 row of no money (预算补助 0) that is fine but for what the plant sets."""
        found = {"年度": year, "所属区": districts[0], "预算补助": Decimal(0), "计划投入": Decimal(1),
                 "实际投入": Decimal(0), "已备案": True, "项目名称": "标识标牌更新", **row}
        hardware.append(found)
        return found

    approved = p.get("审定日期")
    if kind == "final-approval-date" and variant == "empty":
        p["审定日期"] = None
    elif kind == "final-approval-date" and variant == "before-decision":
        later = approved + timedelta(rng.randint(1, 5))
        kept = [c for c in active if not vetoed[c["中心编码"]]]
        if kept and rng.random() < 0.5:
            data.setdefault("回访", []).append(_callback(rng, year, ref(rng.choice(kept)), "不属实",
                                                       处理决定="不否决", 决定说明="经核实不予否决"))
            data["回访"][-1]["回访日期"] = later
        else:
            data.setdefault("异议", []).append(_objection(rng, year, ref(rng.choice(active)), 处理结果="维持",
                                                        处理说明="经复核无误", 处理日期=later))
            data["异议"][-1]["收到日期"] = approved - timedelta(2)
    elif kind == "final-approval-date":  # before the 公示 ends
        p["公示日期"], p["公示截止日期"] = approved - timedelta(3), approved + timedelta(rng.randint(1, 4))
    elif kind == "approval-date-future":
        p["审定日期"] = today + timedelta(rng.randint(1, 60))
    elif kind == "final-veto-unfounded":
        free = [c["中心编码"] for c in active if vetoed[c["中心编码"]] or not rated[c["中心编码"]].get("综合优胜")]
        code = rng.choice(free) if free else rng.choice(active)["中心编码"]
        row = rated[code]
        row.update(一票否决=True, 综合优胜=None, 否决原因="回访发现虚报业务量", 否决依据="核查记录〔2024〕9号")
        if variant == "no-reason":
            row["否决原因"] = None
        else:
            row["否决依据"] = None
            for r in data.get("回访", []):
                if r["年度"] == year and ref_code(r["中心"]) == code and r.get("处理决定") == "否决":
                    r["处理决定"] = None
    elif kind == "final-complaint-unrecorded":
        day = first_day + timedelta(rng.randint(0, (last_day - first_day).days))
        row = {"日期": day, "中心": ref(rng.choice(active)), "核实结论": "有理", "内容": "窗口未按时开放",
               "核实部门": "就管中心"}
        row["内容" if variant == "no-content" else "核实部门"] = None
        data["投诉"].append(row)
    elif kind == "final-hardware-undecided":
        if variant == "unfiled":
            project(已备案=False)
        elif variant == "late":
            project(备案日期=date(year, rng.randint(4, 6), rng.randint(1, 28)))
        else:
            project(处理决定=rng.choice(("补助", "不予补助")))
    elif kind == "v4-bad-value":
        if variant == "hardware-decision":
            project(年度=rng.choice((year, year - 1)), 处理决定=rng.choice(("待定", "研究中", "缓拨")),
                    决定说明="待研究")
        elif variant == "payment-method":
            p["支付方式"] = rng.choice(("银行转账", "国库集中支付"))
        else:
            p["公示日期"], p["公示截止日期"] = date(year, 12, 10), date(year, 12, rng.randint(1, 9))
    elif variant == "characters":  # bank-account
        row = rng.choice(centers) if rng.random() < 0.5 else project()
        row["银行账号"] = rng.choice(("6228 4800 12O4 5678", "账号待补", "3204-0101-04OO"))
    else:  # two rows of one 所属区 naming two accounts
        first = project(开户银行=BANKS[0], 银行账号=account_number(rng))
        project(开户银行=BANKS[0], 银行账号=first["银行账号"] + "1")
    return today


# --- rendering ----------------------------------------------------------------------------------

def _pct_text(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _yn_text(rng, value: bool) -> str:
    return rng.choice((("是", "否"), ("是", "否"), ("Y", "N"), ("TRUE", "FALSE"), ("1", "0")))[0 if value else 1]


def _month_text(rng, month) -> str:
    y, m = month
    return rng.choice((f"{y}-{m:02d}", f"{y}/{m:02d}", f"{y}年{m}月", f"{y}年{m}月份", f"{y}{m:02d}"))


REFERENCES = {"中心", "事项", "所属区"}  # where §1 compares names after trimming and NFKC
NFKC_TEXT = REFERENCES | {"来源", "收款单位"}  # other text §2 v3 compares (1: after NFKC, trimmed)
PADDED = {"统一社会信用代码", "处理决定", "处理结果", "回访结果", "决定说明", "处理说明"}


def _name_variant(rng, text: str) -> str:
    """The same name as another program or a careless hand writes it: full-width letters and
    digits, the other kind of brackets, an ideographic or plain space around it."""
    if rng.random() >= 0.2:
        return text
    swapped = "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() and rng.random() < 0.7
                      else {"（": "(", "）": ")", "(": "（", ")": "）"}.get(ch, ch) for ch in text)
    return rng.choice(("", " ", "\u3000")) + swapped + rng.choice(("", " ", "\u3000"))


def _text_variant(rng, key: str, text: str) -> str:
    """A text cell as people leave it: a name in an NFKC-equal form, other text with spaces,
    an NBSP or a line break around it (§1 reads text trimmed), and now and then a 来源 that
    is only a space — still empty, still typed by hand."""
    if key == "来源" and not text and rng.random() < 0.05:
        return rng.choice((" ", "\u3000"))
    if key in NFKC_TEXT and text:
        return _name_variant(rng, text)
    if key in PADDED and text and rng.random() < 0.1:
        return rng.choice((" ", "\u3000", "")) + text + rng.choice((" ", "\u00a0", "\n"))
    return text


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _layout(rng, sheet: str, rows: list[dict]) -> tuple[list[str], list[str], int]:
    """(column keys in sheet order, header texts, number of lines above the header)."""
    required, optional = SHEET_HEADERS[sheet]
    used = [h for h in optional if any(r.get(h) is not None for r in rows)]
    blank = [h for h in optional if h not in used and rng.random() < 0.4]
    extra = rng.sample(EXTRA_COLUMNS, rng.choice((0, 0, 1, 2)))
    keys = list(required) + used + blank + extra
    if rng.random() < 0.8:
        rng.shuffle(keys)
    texts = [f" {k} " if rng.random() < 0.08 else (f"{k}  " if rng.random() < 0.05 else k)
             for k in keys]
    above = rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 9))
    return keys, texts, above


def _title_lines(rng, sheet: str, year: int, above: int) -> list[list[object]]:
    """Lines above the header; one may name some (never all) required headers, as a decoy."""
    required = SHEET_HEADERS[sheet][0]
    lines = []
    for k in range(above):
        lines.append(rng.choice(([f"{year}年度{sheet}表"], [], ["填报单位：", "就业处"],
                                 [f"说明：{sheet}按年度填写", None, "单位：元"],
                                 ["填表说明", *required[:-1]])))
    return lines


def write_xlsx(scenario: Scenario, path: Path, rng) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    fmt = {name: wb.add_format({"num_format": nf}) for name, nf in (
        ("pct0", "0%"), ("pct1", "0.0%"), ("date", "yyyy-mm-dd"), ("date2", "yyyy/m/d"),
        ("month", "yyyy-mm"), ("monthcn", 'yyyy"年"m"月"'), ("money", "#,##0.00"))}
    bold = wb.add_format({"bold": True})
    numeric_codes = scenario.code_style == "digits" and rng.random() < 0.5
    sheets = list(scenario.data)
    rng.shuffle(sheets)
    if rng.random() < 0.3:
        sheets.insert(rng.randint(0, len(sheets)), "说明")
    for sheet in sheets:
        ws = wb.add_worksheet(sheet)
        if sheet == "说明":
            ws.write(0, 0, "本工作簿由测试生成")
            continue
        rows = scenario.data[sheet]
        keys, texts, above = _layout(rng, sheet, rows)
        line = 0
        for title in _title_lines(rng, sheet, scenario.year, above):
            for col, value in enumerate(title):
                if value is not None:
                    ws.write_string(line, col, value)
            line += 1
        for col, text in enumerate(texts):
            ws.write_string(line, col, text, bold)
        line += 1
        for row in rows:
            if rng.random() < 0.08:
                line += 1  # an empty row
            for col, key in enumerate(keys):
                value = row.get(key)
                if key in EXTRA_COLUMNS:
                    value = rng.choice((None, "无", 12345, "见附件"))
                if value is None:
                    blank = _text_variant(rng, key, "")
                    if blank:
                        ws.write_string(line, col, blank)
                    elif rng.random() < 0.1:
                        ws.write_blank(line, col, None, fmt["money"])
                    continue
                _write_cell(ws, line, col, KIND.get(key, "text"), value, rng, fmt, numeric_codes,
                            key)
            line += 1
    wb.close()
    return path


def _write_cell(ws, line, col, kind, value, rng, fmt, numeric_codes, key=""):
    if kind == "month":
        y, m = value
        if rng.random() < 0.05:  # the 金保 所属期 as a number
            ws.write_number(line, col, y * 100 + m)
        elif rng.random() < 0.5:
            day = rng.choice((1, 1, rng.randint(2, 28), calendar.monthrange(y, m)[1]))
            ws.write_datetime(line, col, date(y, m, day),
                              fmt[rng.choice(("month", "date", "monthcn", "date2"))])
        else:
            ws.write_string(line, col, _month_text(rng, value))
    elif kind == "date":
        ws.write_datetime(line, col, value, fmt[rng.choice(("date", "date2"))])
    elif kind == "yn":
        style = rng.random()
        if style < 0.15:
            ws.write_boolean(line, col, bool(value))
        elif style < 0.25:
            ws.write_number(line, col, 1 if value else 0)
        else:
            ws.write_string(line, col, _yn_text(rng, value))
    elif kind == "pct":
        style = rng.random()
        if style < 0.35:
            ws.write_number(line, col, _number(value))
        elif style < 0.7:
            ws.write_number(line, col, _number(value), fmt[rng.choice(("pct0", "pct1"))])
        else:
            ws.write_string(line, col, _pct_text(value))
    elif kind == "money":
        ws.write_number(line, col, _number(value), fmt["money"] if rng.random() < 0.3 else None)
    elif kind in ("int", "number"):
        ws.write_number(line, col, _number(value))
    elif kind == "code" and numeric_codes and str(value).isdigit():
        ws.write_number(line, col, int(value))
    elif isinstance(value, str):
        ws.write_string(line, col, _text_variant(rng, key, value))
    else:
        ws.write(line, col, value)


def _csv_cell(kind, value, rng) -> str:
    if value is None:
        return ""
    if kind == "month":
        return _month_text(rng, value)
    if kind == "date":
        return value.isoformat()
    if kind == "yn":
        return _yn_text(rng, value)
    if kind == "pct":
        return _pct_text(value) if rng.random() < 0.5 else str(_number(value))
    if isinstance(value, Decimal):
        return str(_number(value))
    return str(value)


def write_csv(scenario: Scenario, folder: Path, rng) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in scenario.data.items():
        keys, texts, above = _layout(rng, sheet, rows)
        lines = [[v or "" for v in t] for t in _title_lines(rng, sheet, scenario.year, above)]
        lines.append(texts)
        for row in rows:
            if rng.random() < 0.08:
                lines.append([] if rng.random() < 0.5 else [""] * len(keys))
            lines.append([rng.choice(("", "无", "12345")) if k in EXTRA_COLUMNS else
                          _text_variant(rng, k, _csv_cell(KIND.get(k, "text"), row.get(k), rng))
                          for k in keys])
        # Excel's "CSV UTF-8" has a BOM; plain "CSV" on Chinese Windows is GBK (GB18030 here)
        encoding = rng.choice(("utf-8-sig", "utf-8", "gb18030"))
        with open(folder / f"{sheet}.csv", "w", encoding=encoding, newline="") as handle:
            csv.writer(handle).writerows(lines)
    return folder


def write(scenario: Scenario, target: Path, layout_seed, fmt: str = "xlsx") -> Path:
    """Render `scenario` to `target` (a .xlsx file, or a folder for fmt="csv")."""
    rng = layout_seed if hasattr(layout_seed, "random") else random.Random(layout_seed)
    if fmt == "csv":
        return write_csv(scenario, Path(target), rng)
    return write_xlsx(scenario, Path(target), rng)


def write_plain(data: dict[str, list[dict]], path: Path) -> Path:
    """A plain workbook for hand-made examples: header on row 1, headers in first-seen order,
    money and numbers as number cells, yes/no as 是/否, months as "yyyy-mm", dates as dates."""
    wb = xlsxwriter.Workbook(str(path))
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    for sheet, rows in data.items():
        ws = wb.add_worksheet(sheet)
        keys = list(SHEET_HEADERS[sheet][0])
        keys += [k for row in rows for k in row if k not in keys]
        keys = list(dict.fromkeys(keys))
        ws.write_row(0, 0, keys)
        for line, row in enumerate(rows, start=1):
            for col, key in enumerate(keys):
                value = row.get(key)
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_string(line, col, "是" if value else "否")
                elif isinstance(value, tuple):
                    ws.write_string(line, col, f"{value[0]}-{value[1]:02d}")
                elif isinstance(value, date):
                    ws.write_datetime(line, col, value, date_format)
                elif isinstance(value, (int, Decimal)):
                    ws.write_number(line, col, _number(value))
                else:
                    ws.write_string(line, col, value)
    wb.close()
    return path
