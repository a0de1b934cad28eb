"""The template's sheets as data derived from the contract, and how each is laid out.

Why data: the builder, the 使用说明 text and the tests read the same specs, so a header renamed
in :mod:`jbsys_xl.contract` reaches the template without a second edit. Input cells are light
yellow, sheets the tool writes are light grey.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from xlsxwriter.utility import xl_col_to_name

from .. import contract
from ..contract import (CALLBACK_RESULTS, CALLBACKS, CENTERS, COMPLAINTS, DECISIONS, DEDUCTIONS,
                        FIRST_YEAR, FORFEIT_MODES, GRADES, HARDWARE, HARDWARE_DECISIONS, INDICATORS,
                        METHODS, OBJECTION_OUTCOMES, OBJECTIONS, PARAMS, PAYMENT_METHODS, RATINGS,
                        SINK_KINDS, UNITS, VENUES, VERDICTS, VETO_MODES, VOLUMES, YES_NO)
from ..excel.setup import UDF_MODULES, WORKBOOK_INTERPRETER
from ..report.tables import display_width

Row = dict[str, object]

GUIDE_SHEET, LISTS_SHEET, CONFIG_SHEET = "使用说明", "列表", "xlwings.conf"
WORKBOOK_CODENAME = "ThisWorkbook"
INPUT_FILL, INPUT_HEADER_FILL = "#FFF2CC", "#DDEBF7"
RESULT_FILL, RESULT_HEADER_FILL = "#F2F2F2", "#D9D9D9"
RESULT_NOTE = "由“生成分配”写入，请勿手工修改"
LAST_ROW = 1_048_575  # validations cover the whole column below the header: rows added later too
MAX_WIDTH = 40


def sheet_ref(name: str) -> str:
    """A sheet name as formulas quote it; quoting is valid for any name in Excel and LibreOffice."""
    return "'" + name.replace("'", "''") + "'"


# --- what a column holds ----------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """How an input column looks and what it accepts: a number format, a closed dropdown
    (``choices``) or a dropdown over a list of the workbook (``lookup``, a workbook name)."""

    num_format: str | None = None
    choices: tuple[str, ...] = ()
    lookup: str = ""
    min_width: int = 6


TEXT = Kind()
CODE = Kind("@")  # codes such as 0101 or an 18-digit number stay text when typed or pasted
NUMBER = Kind("General")
WHOLE = Kind("0")
COUNT = Kind("#,##0")
MONEY = Kind("#,##0.00", min_width=14)
PERCENT = Kind("0%")
MONTH = Kind("yyyy-mm", min_width=9)
DATE = Kind("yyyy-mm-dd", min_width=11)
YES_OR_NO = Kind(choices=YES_NO)


def choice(values: Sequence[object]) -> Kind:
    return Kind(choices=tuple(str(value) for value in values))


# --- lists for the dropdowns that follow the data (hidden sheet 列表) ------------------------

@dataclass(frozen=True)
class Lookup:
    """A dropdown list kept on 列表 by formulas: the distinct non-blank values of ``sources``
    (columns of input tables, stacked in order), blanks squeezed out. The workbook name
    ``name`` (an OFFSET over the filled part) is the validation source: no INDIRECT, no
    structured reference, so Excel and LibreOffice both take it. Source cells are read as
    INDEX(whole column, row number): deleting or inserting rows on the input sheet neither
    breaks the reference (#REF!) nor leaves a row out."""

    name: str
    title: str
    sources: tuple[tuple[str, str], ...]  # (sheet, header)
    capacity: int  # rows read from each source column

    @property
    def size(self) -> int:
        return self.capacity * len(self.sources)


_CENTER, _ITEM = contract.SHEET_SPECS[VOLUMES].required[:2]  # 中心, 事项
_CODE, _NAME, _DISTRICT = contract.SHEET_SPECS[CENTERS].required  # 中心编码, 中心名称, 所属区
_ITEM_NAME = contract.SHEET_SPECS[INDICATORS].required[3]  # 事项名称

CENTER_LIST = Lookup("lstCenters", _CENTER, ((CENTERS, _NAME), (CENTERS, _CODE)), 500)
ITEM_LIST = Lookup("lstItems", _ITEM, ((INDICATORS, _ITEM_NAME),), 2000)
DISTRICT_LIST = Lookup("lstDistricts", _DISTRICT, ((CENTERS, _DISTRICT),), 500)
LOOKUPS = (CENTER_LIST, ITEM_LIST, DISTRICT_LIST)

CENTER = Kind("@", lookup=CENTER_LIST.name)  # a 中心编码 or a 中心名称: text either way
ITEM = Kind(lookup=ITEM_LIST.name)
DISTRICT = Kind(lookup=DISTRICT_LIST.name)


# --- the input sheets -------------------------------------------------------------------------

@dataclass(frozen=True)
class InputSheet:
    """An input sheet: one Excel table whose columns are the contract's headers, in order.
    ``kinds`` pairs with those headers by position; ``note`` is a line above the table."""

    name: str
    table: str
    codename: str
    kinds: tuple[Kind, ...]
    note: str = ""

    def __post_init__(self):
        if len(self.kinds) != len(self.headers):
            raise ValueError(
                f"{self.name}: {len(self.kinds)} kinds for {len(self.headers)} headers")

    @property
    def headers(self) -> tuple[str, ...]:
        return contract.SHEET_SPECS[self.name].headers

    @property
    def columns(self) -> list[tuple[str, Kind]]:
        return list(zip(self.headers, self.kinds))

    @property
    def header_row(self) -> int:
        """0-based row of the table's header."""
        return 1 if self.note else 0

    def column_letter(self, header: str) -> str:
        return xl_col_to_name(self.headers.index(header))


INPUT_SHEETS = (
    # 年度 资金总额 工作绩效资金 硬件资金上限比例 A+奖励 A奖励 优胜单位数 优胜奖励 投诉扣减比例
    # 评分方法 扣减资金处理 否决处理 金额单位 考核期起 考核期止 审定文号 审定日期
    # 发文单位 制表单位 资金来源 异议期限 异议联系人 异议电话 公示期
    # 公示日期 公示截止日期 结余去向 支付方式 功能分类科目 预算指标文号
    InputSheet(PARAMS, "tblParams", "wsParams",
               (WHOLE, MONEY, MONEY, PERCENT, MONEY, MONEY, WHOLE, MONEY, PERCENT,
                choice(METHODS), choice(FORFEIT_MODES), choice(VETO_MODES), choice(UNITS),
                MONTH, MONTH, TEXT, DATE, TEXT, TEXT, TEXT, WHOLE, TEXT, CODE, WHOLE,
                DATE, DATE, TEXT, choice(PAYMENT_METHODS), CODE, TEXT)),
    # 年度 序号 类别 事项名称 指标权重 下沉类别 考核部门 金保事项
    InputSheet(INDICATORS, "tblIndicators", "wsIndicators",
               (WHOLE, WHOLE, TEXT, TEXT, NUMBER, choice(SINK_KINDS), TEXT, TEXT)),
    # 中心编码 中心名称 所属区 启用年度 停用年度 金保机构 收款单位 统一社会信用代码 开户银行 银行账号
    InputSheet(CENTERS, "tblCenters", "wsCenters",
               (CODE, TEXT, TEXT, WHOLE, WHOLE, CODE, TEXT, CODE, TEXT, CODE)),
    # 年度 中心 服务场所 标准化下沉 区局推荐 综合优胜 一票否决 否决原因 评定等次 评定说明 否决依据
    InputSheet(RATINGS, "tblRatings", "wsRatings",
               (WHOLE, CENTER, choice(VENUES), YES_OR_NO, YES_OR_NO, YES_OR_NO, YES_OR_NO, TEXT,
                choice(GRADES), TEXT, TEXT)),
    # 中心 事项 月份 业务量 来源
    InputSheet(VOLUMES, "tblVolumes", "wsVolumes", (CENTER, ITEM, MONTH, COUNT, TEXT),
               note="把从金保系统导出的业务量粘贴到下表（中心、事项、月份、业务量）；"
                    "事项可用金保系统中的名称，在“指标”表的“金保事项”列登记。"),
    # 日期 中心 核实结论 来源 条线 内容 投诉编号 核实部门 核实日期
    InputSheet(COMPLAINTS, "tblComplaints", "wsComplaints",
               (DATE, CENTER, choice(VERDICTS), TEXT, TEXT, TEXT, CODE, TEXT, DATE)),
    # 年度 中心 原因 扣减金额 扣减比例
    InputSheet(DEDUCTIONS, "tblDeductions", "wsDeductions", (WHOLE, CENTER, TEXT, MONEY, PERCENT)),
    # 年度 所属区 预算补助 计划投入 实际投入 已备案 备案日期 收款单位 统一社会信用代码
    # 项目名称 处理决定 决定说明 开户银行 银行账号
    InputSheet(HARDWARE, "tblHardware", "wsHardware",
               (WHOLE, DISTRICT, MONEY, MONEY, MONEY, YES_OR_NO, DATE, TEXT, CODE,
                TEXT, choice(HARDWARE_DECISIONS), TEXT, TEXT, CODE)),
    # 年度 中心 业务流水号 回访日期 回访结果 说明 处理决定 决定说明 回访人 工单号 抽取批次
    InputSheet(CALLBACKS, "tblCallbacks", "wsCallbacks",
               (WHOLE, CENTER, CODE, DATE, choice(CALLBACK_RESULTS), TEXT, choice(DECISIONS), TEXT,
                TEXT, CODE, CODE),
               note="12333 回访结果（回访清单由功能区“生成回访清单”或 jbsys-xl callbacks 生成；回访结果为空=已抽取、"
                    "尚未回访）。“不属实”的中心须由工作组决定：否决则在“评定”表一票否决填“是”，不否决则在"
                    "处理决定填“不否决”并写明决定说明（审定前必须）。"),
    # 年度 中心 收到日期 异议内容 处理结果 处理说明 处理日期
    InputSheet(OBJECTIONS, "tblObjections", "wsObjections",
               (WHOLE, CENTER, DATE, TEXT, choice(OBJECTION_OUTCOMES), TEXT, DATE),
               note="公示期间收到的异议及处理情况；审定前每条异议都须填写处理结果（维持或调整）和处理说明。"),
)
INPUTS = {sheet.name: sheet for sheet in INPUT_SHEETS}


# --- the sheets the tool writes, and the rest ------------------------------------------------

def _labels(columns: Sequence[tuple[str, str]], *keys: str) -> tuple[str, ...]:
    labels = dict(columns)
    return tuple(labels[key] for key in keys) if keys else tuple(labels.values())


_INDICATOR = contract.SHEET_SPECS[INDICATORS].required
RESULT_HEADERS = {
    contract.RESULT_SHEET: _labels(contract.CENTER_RESULT_COLUMNS),
    contract.DETAIL_SHEET: (_labels(contract.CENTER_RESULT_COLUMNS, "code", "name")
                            + (_INDICATOR[1], _INDICATOR[3], _INDICATOR[4],
                               contract.SHEET_SPECS[VOLUMES].required[3])
                            + _labels(contract.CENTER_RESULT_COLUMNS, "score")),
    contract.DISTRICT_SHEET: _labels(contract.DISTRICT_RESULT_COLUMNS),
    contract.CHECKS_SHEET: _labels(contract.CHECK_COLUMNS),
}
RESULT_CODENAMES = {contract.RESULT_SHEET: "wsResult", contract.DETAIL_SHEET: "wsDetail",
                    contract.DISTRICT_SHEET: "wsDistricts", contract.CHECKS_SHEET: "wsChecks"}
CONFIG = (
    ("INTERPRETER_WIN", WORKBOOK_INTERPRETER),
    ("UDF MODULES", UDF_MODULES),
    ("USE UDF SERVER", "False"),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
    ("PYTHONPATH", ""),
    ("CONDA PATH", ""),
    ("CONDA ENV", ""),
    ("ONEDRIVE_CONSUMER_WIN", ""),
    ("ONEDRIVE_COMMERCIAL_WIN", ""),
    ("SHAREPOINT_WIN", ""),
    ("DEBUG UDFS", "False"),
    ("SHOW CONSOLE", "False"),
    ("LICENSE_KEY", ""),
    ("TEMP DIR", "%TEMP%"),
    ("SHOW_ERROR_POPUPS", "True"),
)
"""xlwings.conf rows from A1 down: every key the add-in's VBA asks for on Windows when a
worksheet function starts its server (XLPyLoadDLL, XLPyCommand) and when a button runs Python
(RunPython, ExecuteWindows, ShowError), spelt as xlwings' Python reads them. A key found here
ends the add-in's search (GetConfig), even with an empty value; a key missing here makes it
open %USERPROFILE%\\.xlwings\\xlwings.conf, once per key and call. So nothing global is read:
another xlwings tool's settings (its interpreter, Use UDF Server, PYTHONPATH) cannot change
this workbook, and jbsys-xl excel-setup writes nothing global. The interpreter is the one
install.bat creates; the add-in expands %LOCALAPPDATA%. The workbook's folder stays off
sys.path: for a OneDrive/SharePoint workbook (a URL FullName) xlwings would map it to a local
path first and fail every button and function where that is not possible."""
CONFIG_NOTE = ("xlwings 设置：A 列为键，B 列为值，从 A1 起连续。这里列出 xlwings 加载项运行本工作簿时查找的全部键"
               "（值为空也算已设置），所以它不读取用户目录中的 xlwings.conf，本机其他 xlwings 工具的设置不影响本工作簿。"
               "Python 是 install.bat 建立的环境；请勿删除或改动本表。")


@dataclass(frozen=True)
class SheetPlan:
    name: str
    codename: str
    hidden: bool = False


SHEET_ORDER = (
    SheetPlan(GUIDE_SHEET, "wsGuide"),
    *(SheetPlan(sheet.name, sheet.codename) for sheet in INPUT_SHEETS),
    *(SheetPlan(name, RESULT_CODENAMES[name]) for name in contract.RESULT_SHEETS),
    SheetPlan(LISTS_SHEET, "wsLists", hidden=True),
    SheetPlan(CONFIG_SHEET, "wsConfig"),
)
"""Every sheet in workbook order, with the codename its VBA document module has."""


# --- writing ----------------------------------------------------------------------------------

@dataclass
class Styles:
    """Formats created once per look, so the file stays small and its bytes stable."""

    book: object
    _cache: dict = field(default_factory=dict)

    def get(self, **spec):
        key = tuple(sorted(spec.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]

    def input(self, kind: Kind):
        spec = {"bg_color": INPUT_FILL}
        if kind.num_format:
            spec["num_format"] = kind.num_format
        return self.get(**spec)

    @property
    def note(self):
        return self.get(italic=True, font_color="#7F7F7F")


def _width(header: str, values: Sequence[object], kind: Kind) -> int:
    texts = [header] + [value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)
                        for value in values if value is not None]
    return min(max(max(map(display_width, texts)), kind.min_width) + 2, MAX_WIDTH)


def write_value(sheet, row: int, col: int, value: object, cell_format) -> None:
    """Typed writes only: a text cell never turns into a formula or a link."""
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _validation(kind: Kind) -> dict | None:
    if kind.choices:
        shown = "、".join(kind.choices)
        return {"validate": "list", "source": list(kind.choices), "error_type": "stop",
                "error_title": "请从列表中选择", "error_message": f"可填：{shown}"}
    if kind.lookup:  # codes, 金保 aliases and new entries are legitimate: warn, do not block
        return {"validate": "list", "source": f"={kind.lookup}", "error_type": "warning",
                "error_title": "不在列表中", "error_message": "该值不在下拉列表中。"
                "确定要输入吗？（校验数据时会检查）"}
    return None


def write_input(sheet, spec: InputSheet, rows: Sequence[Row], styles: Styles) -> None:
    """The sheet's table sized to ``rows`` (one blank row when there are none), input-coloured
    cells, dropdowns down to the last row, a frozen header and widths that fit the text. Code
    columns are text ("@") down to the last row too, so rows typed below the table keep 0101."""
    top = spec.header_row
    if spec.note:
        sheet.write_string(0, 0, spec.note, styles.note)
    count = max(len(rows), 1)
    columns = spec.columns
    # explicit header cells: LibreOffice does not draw table styles
    heading = styles.get(bold=True, bg_color=INPUT_HEADER_FILL, border=1)
    sheet.add_table(top, 0, top + count, len(columns) - 1, {
        "name": spec.table, "style": "Table Style Medium 2", "banded_rows": False,
        "columns": [{"header": header, "format": styles.input(kind), "header_format": heading}
                    for header, kind in columns]})
    for col, (header, kind) in enumerate(columns):
        cell_format = styles.input(kind)
        values = [row.get(header) for row in rows] or [None]
        for offset, value in enumerate(values, start=top + 1):
            write_value(sheet, offset, col, value, cell_format)
        if (options := _validation(kind)) is not None:
            sheet.data_validation(top + 1, col, LAST_ROW, col, options)
        column_format = styles.get(num_format=kind.num_format) if kind.num_format == "@" else None
        sheet.set_column(col, col, _width(header, values, kind), column_format)
    sheet.freeze_panes(top + 1, 0)
    sheet.set_tab_color(INPUT_FILL)
    sheet.repeat_rows(top)
    _print_setup(sheet)


def write_result(sheet, name: str, styles: Styles) -> None:
    """Headers only, under the note, grey throughout."""
    headers = RESULT_HEADERS[name]
    sheet.write_string(0, 0, RESULT_NOTE, styles.get(italic=True, font_color="#7F7F7F",
                                                      bg_color=RESULT_FILL))
    header_format = styles.get(bold=True, bg_color=RESULT_HEADER_FILL, border=1, text_wrap=True,
                               align="center", valign="vcenter")
    fill = styles.get(bg_color=RESULT_FILL)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, header_format)
        sheet.set_column(col, col, max(display_width(header) + 4, 10), fill)
    sheet.freeze_panes(2, 0)
    sheet.repeat_rows(0, 1)  # the title (written by the macro) and the header, on every page
    sheet.set_tab_color(RESULT_HEADER_FILL)
    sheet.center_horizontally()
    _print_setup(sheet)


def _print_setup(sheet) -> None:
    """A4 landscape, one page wide, numbered pages: kept when the tool rewrites the cells."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer("&C第 &P 页 共 &N 页")


def write_config(sheet, styles: Styles) -> None:
    for row, (key, value) in enumerate(CONFIG):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.write_string(0, 3, CONFIG_NOTE, styles.note)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 52)


# --- 列表: stacked values → first-occurrence ordinals → the squeezed list --------------------

def _excel_text(value: object) -> str:
    """What ``=cell&""`` gives for a value: blank → "", whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lookup_results(lookup: Lookup, data: dict[str, Sequence[Row]]) -> list[tuple]:
    """Per 列表 row: (stacked value, ordinal or "", distinct value or ""), computed as the
    formulas will, so the file carries their results before any recalculation."""
    stacked = []
    for sheet, header in lookup.sources:
        column = [_excel_text(row.get(header)) for row in data.get(sheet, ())][:lookup.capacity]
        stacked += column + [""] * (lookup.capacity - len(column))
    seen: dict[str, int] = {}
    ordinals: list[int | str] = []
    for text in stacked:
        first = bool(text) and text not in seen
        if first:
            seen[text] = len(seen) + 1
        ordinals.append(seen[text] if first else "")
    distinct = list(seen) + [""] * (len(stacked) - len(seen))
    return list(zip(stacked, ordinals, distinct))


def write_lookup(sheet, first_col: int, lookup: Lookup, data: dict[str, Sequence[Row]],
                 book, styles: Styles) -> None:
    """Three columns on 列表 from ``first_col``: all values, ordinals of first occurrences,
    the distinct values in order; and the workbook name over the filled part of the last."""
    stack, ordinal, listed = (xl_col_to_name(first_col + i) for i in range(3))
    last = lookup.size + 1
    header = styles.get(bold=True)
    for offset, text in enumerate((f"{lookup.title}（全部）", "序号", lookup.title)):
        sheet.write_string(0, first_col + offset, text, header)
    for index, cached in enumerate(_lookup_results(lookup, data)):
        row = index + 2  # as Excel numbers it
        source_sheet, source_header = lookup.sources[index // lookup.capacity]
        spec = INPUTS[source_sheet]
        letter = spec.column_letter(source_header)
        source = (f"INDEX({sheet_ref(source_sheet)}!${letter}:${letter},"
                  f"{spec.header_row + 2 + index % lookup.capacity})")
        formulas = (
            f'={source}&""',
            f'=IF({stack}{row}="","",IF(COUNTIF({stack}$2:{stack}{row},{stack}{row})=1,'
            f'MAX({ordinal}$1:{ordinal}{row - 1})+1,""))',
            f'=IFERROR(INDEX({stack}$2:{stack}${last},MATCH({index + 1},'
            f'{ordinal}$2:{ordinal}${last},0)),"")',
        )
        for offset, (formula, value) in enumerate(zip(formulas, cached)):
            sheet.write_formula(row - 1, first_col + offset, formula, None, value)
    lists = sheet_ref(LISTS_SHEET)
    book.define_name(lookup.name, f"=OFFSET({lists}!${listed}$2,0,0,"
                                  f"MAX(1,MAX({lists}!${ordinal}$2:${ordinal}${last})),1)")
    sheet.set_column(first_col, first_col + 2, 16)


def write_lists(sheet, data: dict[str, Sequence[Row]], book, styles: Styles) -> None:
    for index, lookup in enumerate(LOOKUPS):
        write_lookup(sheet, 3 * index, lookup, data, book, styles)


def year_validation() -> dict:
    return {"validate": "integer", "criteria": "between", "minimum": FIRST_YEAR,
            "maximum": 2100, "error_title": "年度", "error_message":
            "请填写四位年度，如 2024；留空则按“参数”表中最新的年度计算。"}
