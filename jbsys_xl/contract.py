"""The data contract: sheet names, headers, allowed values, defaults, result columns.

Single source of truth (spec §1, §7). The reader, the validator, the template builder and the
result writers all take names from here, so renaming a header is one edit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# --- input sheets -------------------------------------------------------------------------

PARAMS = "参数"
INDICATORS = "指标"
CENTERS = "中心"
RATINGS = "评定"
VOLUMES = "业务量"
COMPLAINTS = "投诉"
DEDUCTIONS = "扣减"
HARDWARE = "硬件"
CALLBACKS = "回访"  # optional: 12333 callback results (金保 contract §8)
OBJECTIONS = "异议"  # optional: objections received after 公示 and how each was settled


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    must_exist: bool = True  # a missing sheet is an error (spec §1: all eight must exist, 回访 may)

    @property
    def headers(self) -> tuple[str, ...]:
        return self.required + self.optional


INPUT_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(PARAMS, ("年度", "资金总额"),
              ("工作绩效资金", "硬件资金上限比例", "A+奖励", "A奖励", "优胜单位数", "优胜奖励",
               "投诉扣减比例", "评分方法", "扣减资金处理", "否决处理", "金额单位", "考核期起",
               "考核期止", "审定文号", "审定日期",
               # who signs and how objections are made (documents.md §0); defaults below
               "发文单位", "制表单位", "资金来源", "异议期限", "异议联系人", "异议电话", "公示期",
               # v4: the 公示's dates, where the 结余 goes, and what 财政 pays by (documents.md §4, §5)
               "公示日期", "公示截止日期", "结余去向", "支付方式", "功能分类科目", "预算指标文号")),
    SheetSpec(INDICATORS, ("年度", "序号", "类别", "事项名称", "指标权重", "下沉类别"),
              ("考核部门", "金保事项")),
    SheetSpec(CENTERS, ("中心编码", "中心名称", "所属区"),
              ("启用年度", "停用年度", "金保机构", "收款单位", "统一社会信用代码", "开户银行", "银行账号")),
    SheetSpec(RATINGS, ("年度", "中心", "服务场所", "标准化下沉"),
              ("区局推荐", "综合优胜", "一票否决", "否决原因", "评定等次", "评定说明",
               "否决依据")),  # v4: the evidence of a veto (a 核查记录 number, a 12333 工单号, a document)
    SheetSpec(VOLUMES, ("中心", "事项", "月份", "业务量"), ("来源",)),  # 来源: ignored by the rules
    SheetSpec(COMPLAINTS, ("日期", "中心", "核实结论"),
              ("来源", "条线", "内容", "投诉编号",
               "核实部门", "核实日期")),  # v4: who verified a complaint, and when (附件1 四(二)2)
    SheetSpec(DEDUCTIONS, ("年度", "中心", "原因"), ("扣减金额", "扣减比例")),
    SheetSpec(HARDWARE, ("年度", "所属区", "预算补助", "计划投入", "实际投入", "已备案"),
              ("备案日期", "收款单位", "统一社会信用代码",
               # v4: which project, and the 工作小组's decision on a 未备案 or late one (§6.9)
               "项目名称", "处理决定", "决定说明", "开户银行", "银行账号")),
    # 回访日期 and 回访结果 are empty while a drawn case is not called yet (金保 contract §8).
    SheetSpec(CALLBACKS, ("年度", "中心", "业务流水号", "回访日期", "回访结果"),
              ("说明", "处理决定", "决定说明", "回访人", "工单号", "抽取批次"), must_exist=False),
    SheetSpec(OBJECTIONS, ("年度", "中心", "收到日期", "异议内容"), ("处理结果", "处理说明", "处理日期"),
              must_exist=False),
)
SHEET_SPECS = {spec.name: spec for spec in INPUT_SHEETS}
HEADER_SEARCH_ROWS = 10  # the header row is the first of these that holds all required headers

# --- allowed values -----------------------------------------------------------------------

SINK_KINDS = ("标准化下沉", "引导性下沉")
VENUES = ("独立服务大厅", "综合服务窗口", "无")
VENUE_HALL, VENUE_WINDOW = VENUES[0], VENUES[1]
VERDICTS = ("有理", "无理", "待核实")
VERDICT_VALID, VERDICT_PENDING = "有理", "待核实"
METHODS = ("占比法", "对标法")
METHOD_SHARE, METHOD_BENCHMARK = METHODS
FORFEIT_MODES = ("收回", "再分配")
FORFEIT_RECLAIM, FORFEIT_REDISTRIBUTE = FORFEIT_MODES
# How outputs name each mode: 收回 means the money is not paid out and stays in the fund.
FORFEIT_LABELS = {FORFEIT_RECLAIM: "不予拨付（留存资金）", FORFEIT_REDISTRIBUTE: "再分配"}
VETO_MODES = ("剔除", "计入")  # 否决处理: a vetoed center's volumes leave the factor base, or stay
VETO_EXCLUDE, VETO_INCLUDE = VETO_MODES
STATUS_DRAFT, STATUS_FINAL = "草案", "审定"  # 审定文号 of the year empty / filled
UNITS = (Decimal("0.01"), Decimal("1"))
YES_NO = ("是", "否")
YES_WORDS = frozenset({"是", "Y", "YES", "TRUE", "1", "真"})
NO_WORDS = frozenset({"否", "N", "NO", "FALSE", "0", "假"})
GRADES = ("A+", "A", "B")
WINNER_CONFIRMED, WINNER_PROPOSED = "确定", "建议"
ALIAS_SEPARATORS = (";", "；")
CALLBACK_RESULTS = ("属实", "不属实", "无法联系")  # 回访结果; empty = not called yet
CALLBACK_CONFIRMED, CALLBACK_REFUTED, CALLBACK_UNREACHABLE = CALLBACK_RESULTS
DECISIONS = ("否决", "不否决")  # 回访.处理决定: the working group's decision on a 不属实 case
DECISION_VETO, DECISION_NO_VETO = DECISIONS
OBJECTION_OUTCOMES = ("维持", "调整")  # 异议.处理结果
# 硬件.处理决定: the 工作小组 pays (补助) or refuses (不予补助) a project filed late or not at all
HARDWARE_DECISIONS = ("补助", "不予补助")
HARDWARE_GRANT, HARDWARE_REFUSE = HARDWARE_DECISIONS
PAYMENT_METHODS = ("直接支付", "转移支付")  # 参数.支付方式: to the payee, or through the 区财政
# 银行账号: digits, with spaces or '-' as people group them; nothing else (documents.md §5)
ACCOUNT_CHARS = frozenset("0123456789 -")
# 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet, the last a check character.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# --- defaults of 参数 (spec §1) -------------------------------------------------------------

DEFAULT_PERFORMANCE_SHARE = Decimal("0.70")
DEFAULT_HARDWARE_CAP = Decimal("0.30")
DEFAULT_AWARD_A_PLUS = Decimal("12000")
DEFAULT_AWARD_A = Decimal("10000")
DEFAULT_WINNER_COUNT = 6
DEFAULT_WINNER_AWARD = Decimal("0")
DEFAULT_COMPLAINT_RATE = Decimal("0.05")
DEFAULT_METHOD = METHOD_SHARE
DEFAULT_FORFEIT = FORFEIT_RECLAIM
DEFAULT_VETO_MODE = VETO_EXCLUDE
DEFAULT_UNIT = Decimal("0.01")
# Who signs the documents and how objections are made (documents.md §0). An empty 异议联系人 or
# 异议电话 prints a blank line to fill in by hand.
DEFAULT_ISSUER = "常州市人力资源和社会保障局"  # 发文单位
DEFAULT_TABULATOR = "常州市人力资源和社会保障局就业处"  # 制表单位
DEFAULT_FUND_SOURCE = "就业专项资金"  # 资金来源
DEFAULT_OBJECTION_DAYS = 5  # 异议期限, 工作日
DEFAULT_PUBLICITY_DAYS = 5  # 公示期, 工作日
HARDWARE_FILING_DEADLINE = (3, 31)  # (month, day): a 备案日期 later in the year is a warning
FIRST_YEAR = 2018  # 2018 ran January–November; later years run December (Y−1) to November Y

# --- result columns (spec §7), key → Chinese label -----------------------------------------

CENTER_RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "中心编码"),
    ("name", "中心名称"),
    ("district", "所属区"),
    ("grade", "评定等次"),
    ("vetoed", "一票否决"),
    ("score", "得分"),
    ("basic_award", "基础达标奖励"),
    ("gross_workload", "工作量补助（应得）"),
    ("complaints", "有理投诉数"),
    ("complaint_deduction", "投诉扣减"),
    ("error_deduction", "差错扣减"),
    ("net_workload", "工作量补助（实得）"),
    ("redistributed", "再分配"),
    ("winner", "综合优胜"),
    ("winner_status", "优胜状态"),
    ("winner_award", "优胜奖励"),
    ("total", "合计"),
)
MONEY_KEYS = frozenset({"basic_award", "gross_workload", "complaint_deduction", "error_deduction",
                        "net_workload", "redistributed", "winner_award", "total"})

POOL_LABELS: tuple[tuple[str, str], ...] = (
    ("total_fund", "资金总额"),
    ("performance_fund", "工作绩效资金"),
    ("basic_total", "基础达标奖励合计"),
    ("winner_total", "优胜奖励合计"),
    ("workload_pool", "工作量绩效资金"),
    ("gross_total", "工作量补助应得合计"),
    ("net_total", "工作量补助实得合计"),
    ("redistributed_total", "再分配合计"),
    ("forfeited", "扣减资金不予拨付（留存资金）"),
    ("hardware_budget", "硬件预算补助合计"),
    ("hardware_total", "硬件补助合计"),
    ("paid_total", "实际分配合计"),
    ("balance", "结余"),
)

DISTRICT_RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("district", "所属区"),
    ("centers_total", "中心补助合计"),
    ("hardware_subsidy", "硬件补助"),
    ("total", "合计"),
)

# --- result sheets --------------------------------------------------------------------------

RESULT_SHEET = "分配结果"
DETAIL_SHEET = "得分明细"
DISTRICT_SHEET = "区汇总"
CHECKS_SHEET = "校验"
ABOUT_SHEET = "说明"
# The result workbook holds 分中心说明 (a block per center) up to this many active centers; above,
# 说明 says how to get any center's explanation instead (jbsys-xl explain / notices).
NOTES_MAX_CENTERS = 200
REGULATION = "《常州市本级人社基层平台建设考核办法》"  # what the 告知书 cites
RESULT_SHEETS = (RESULT_SHEET, DETAIL_SHEET, DISTRICT_SHEET, CHECKS_SHEET)
CHECK_COLUMNS = (("level", "级别"), ("sheet", "工作表"), ("cell", "单元格"), ("message", "说明"))
LEVEL_LABELS = {"error": "错误", "warning": "警告"}
