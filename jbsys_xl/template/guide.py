"""The 使用说明 sheet, and the messages the VBA shows.

The messages are kept here because VBA source is stored in code page 1252, which has no
Chinese: the builder writes them into workbook names and the VBA reads them from there
(``JbText`` in workbook/vba/JbPython.bas).
"""
from __future__ import annotations

import importlib
import inspect

from .. import __version__, contract
from ..contract import (CALLBACKS, CENTERS, COMPLAINTS, DEDUCTIONS, HARDWARE, INDICATORS,
                        OBJECTIONS, PARAMS, RATINGS, VOLUMES)
from ..excel.book_source import YEAR_NAME
from ..excel.macros import MAC_DATA_BUTTONS
from ..excel.setup import UDF_MODULES
from ..excel.udf_vba import udf_signatures
from .sheets import (CONFIG_SHEET, GUIDE_SHEET, INPUT_FILL, INPUT_SHEETS, LISTS_SHEET,
                     RESULT_NOTE, Styles, sheet_ref, year_validation)

TITLE = "JBSys-XL 人社基层平台建设考核 · 以奖代补资金分配"
YEAR_CELL = (2, 2)  # C3, named JBSYS_YEAR
WIDTHS = (2, 18, 16, 92)  # columns A–D; every line below fits in C:D
INSTALLER = "离线安装包（jbsys-xl-windows-版本.zip）解压后的 install.bat"
MESSAGES = {
    "JBSYS_MSG_NO_XLWINGS": (
        f"未找到 xlwings 加载项，无法调用 Python。请关闭 Excel，运行 JBSys-XL {INSTALLER}"
        "（安装全部组件并设置 Excel，不需要联网），然后重新打开本工作簿。"
        "没有 Excel 或使用 WPS 时，可用命令行：jbsys-xl allocate 工作簿.xlsm --year 年度"),
    "JBSYS_MSG_PYTHON_FAILED": (
        "Python 没有运行成功，原因见上一个 xlwings 错误窗口。若提示找不到 Python 或 "
        f"No module named 'jbsys_xl'，请关闭 Excel，运行{INSTALLER}后重试。"),
    "JBSYS_MSG_RUN_FAILED": "无法通过 xlwings 加载项运行 Python：",
    "JBSYS_MSG_NO_PYTHON": (
        f"找不到 JBSys-XL 的 Python：{{path}}。请关闭 Excel，运行 JBSys-XL {INSTALLER}"
        "（不需要联网，也不需要管理员权限），然后重新打开本工作簿。"),
    "JBSYS_MSG_UDF_FAILED": (
        f"#JB! 工作表函数无法启动 Python。请关闭 Excel，重新运行{INSTALLER}（其他 xlwings 工具"
        "可能替换了 xlwings 加载项）。原因："),
    "JBSYS_MSG_STARTING": "JBSys-XL：正在启动 Python，请稍候……",
    "JBSYS_MSG_MAC_BUTTONS": MAC_DATA_BUTTONS,
    "JBSYS_MSG_MAC_FUNCTIONS": (
        "#JB! Mac 版 Excel 不支持 JB* 工作表函数（xlwings 的工作表函数只能在 Windows 上运行）。"
        "请在“终端”中运行 jbsys-xl allocate 或 explain，或运行 jbsys-xl serve 后在浏览器中查看。"),
}
"""Workbook name → text the VBA shows (each under 255 characters, Excel's limit for a string
in a formula)."""

WORKFLOW = (
    f"在“{PARAMS}”表新增本年度一行（至少填年度、资金总额）。",
    f"在“{INDICATORS}”表核对本年度的指标：复制上年各行、改年度，按新文件调整事项和权重。",
    f"在“{CENTERS}”表更新中心名单（编码、名称、所属区、启用/停用年度）。",
    f"在“{RATINGS}”表为每个中心填写本年度的评定。",
    f"点击“导入金保数据”，选择金保系统导出的文件，本年度的业务量写入“{VOLUMES}”表"
    "（WPS 或没有 Excel 时：jbsys-xl import 工作簿 导出文件 --into 新工作簿，或本机网页 ② 下载导入后的工作簿）。",
    f"在“{COMPLAINTS}”“{DEDUCTIONS}”“{HARDWARE}”表登记投诉、扣减和各区硬件投入。",
    f"点击“校验数据”，在“{contract.CHECKS_SHEET}”表查看错误和警告，改正全部错误。",
    f"点击“生成分配”，在“{contract.RESULT_SHEET}”“{contract.DETAIL_SHEET}”"
    f"“{contract.DISTRICT_SHEET}”表查看结果。",
    f"12333 回访：点击“生成回访清单”抽取案件，12333 填好后点击“导入回访结果”写入“{CALLBACKS}”表；“不属实”的由工作组决定"
    f"（否决：“{RATINGS}”表一票否决填“是”；不否决：“{CALLBACKS}”表处理决定填“不否决”并写决定说明）。",
    "草案：“审定文号”留空生成的结果都标明“草案”，交工作组研究、各条线确认；确定综合优胜单位"
    f"（“{RATINGS}”表综合优胜填“是”）。",
    "公示：用草案点击“公示”生成公示，点击“条线确认表”交各条线签字；公示期内收到的异议逐条登记在"
    f"“{OBJECTIONS}”表（收到日期、异议内容）。",
    "异议处理：每条异议填处理结果（维持/调整）和处理说明；调整了数据的，改正相应的表后重新生成，"
    "用 jbsys-xl diff 草案 审定稿 查看前后变化。",
    f"审定：在“{PARAMS}”表填审定文号和审定日期，再“生成分配”。审定稿要求：考核期内没有“待核实”投诉，"
    "综合优胜单位已确定，不属实回访都有决定，低于可评定等次的都有评定说明，异议都已处理；否则报错并指出单元格。",
    "审定后点击“全部文书”（或文书组的各按钮）：附件、告知书、公示、拨付明细等写在本工作簿旁，盖章下发、报财政。",
)
PURPOSES = {
    PARAMS: "每个年度一行：资金总额和分配参数；可选列留空按默认值；填审定文号后为审定稿",
    INDICATORS: "每个年度的考核指标（附件2），权重合计 100；“金保事项”登记金保系统中的名称，用分号隔开",
    CENTERS: "全部人社服务中心；新设中心填“启用年度”，撤并中心填“停用年度”，不要删除旧中心；收款单位、统一社会信用代码、开户银行、银行账号用于拨付明细",
    RATINGS: "每年每个启用中心一行（缺行报错）：服务场所和标准化下沉决定 A+/A/B；综合优胜填“是”即确定；降等须写评定说明；一票否决须写否决原因和否决依据",
    VOLUMES: "每月业务量：“导入金保数据”导入或手工录入（“来源”留空）；同一中心、事项、月份只能有一行；考核期外的月份不计",
    COMPLAINTS: "投诉登记；考核期内“有理”投诉按比例扣减，须写明内容和核实部门；同一件投诉多次登记时填相同的投诉编号",
    DEDUCTIONS: "差错等扣减：扣减金额和/或扣减比例",
    HARDWARE: "各区硬件建设项目（先建后补）：按实际投入占计划投入的比例核定且不超过实际投入；未备案或逾期备案的由工作组填处理决定",
    CALLBACKS: "可选：12333 回访结果（属实/不属实/无法联系，空＝未回访）和工作组的处理决定；不属实本身不改变资金",
    OBJECTIONS: "可选：公示期间收到的异议及处理结果（维持/调整）、处理说明；审定前须全部处理",
    contract.RESULT_SHEET: "各中心补助资金分配表（按区分组，含小计、合计），A4 横向打印",
    contract.DETAIL_SHEET: "每个中心在每个指标上的业务量和因素得分",
    contract.DISTRICT_SHEET: "各区中心补助与硬件补助汇总",
    contract.CHECKS_SHEET: "发现的错误和警告，指明工作表和单元格",
}
PARAM_DEFAULTS = (
    f"资金总额 × {contract.DEFAULT_PERFORMANCE_SHARE:.0%}",
    f"{contract.DEFAULT_HARDWARE_CAP:.0%}",
    f"{contract.DEFAULT_AWARD_A_PLUS:.0f} 元",
    f"{contract.DEFAULT_AWARD_A:.0f} 元",
    f"{contract.DEFAULT_WINNER_COUNT} 个",
    f"{contract.DEFAULT_WINNER_AWARD:.0f} 元（校验时提示警告）",
    f"每件有理投诉 {contract.DEFAULT_COMPLAINT_RATE:.0%}",
    contract.DEFAULT_METHOD,
    f"{contract.DEFAULT_FORFEIT}（{contract.FORFEIT_LABELS[contract.DEFAULT_FORFEIT]}）",
    f"{contract.DEFAULT_VETO_MODE}（被一票否决的中心业务量不计入各项合计）",
    f"{contract.DEFAULT_UNIT}（精确到分；填 1 为取整到元）",
    f"上年 12 月（{contract.FIRST_YEAR} 年度为 1 月）",
    "本年 11 月",
    "空＝草案；填写后为审定稿",
    "审定稿的审定日期",
    contract.DEFAULT_ISSUER,
    contract.DEFAULT_TABULATOR,
    contract.DEFAULT_FUND_SOURCE,
    f"{contract.DEFAULT_OBJECTION_DAYS} 个工作日",
    "空＝文书上留一条横线手写",
    "空＝文书上留一条横线手写",
    f"{contract.DEFAULT_PUBLICITY_DAYS} 个工作日",
    "公示发布之日；空＝公示上留日期横线手写",
    "公示期最后一天；审定日期不得早于它",
    "空＝文书上留一条横线手写（审定稿给出警告），如“结转下年度统筹使用”",
    f"{'或'.join(contract.PAYMENT_METHODS)}；空＝拨付明细上留一条横线手写",
    "空＝拨付明细上留一条横线手写",
    "空＝拨付明细上留一条横线手写",
)
"""The default of each optional 参数 column, in the contract's order (spec §1)."""
BUTTONS = (
    ("校验数据", f"检查全部输入表，错误和警告写入“{contract.CHECKS_SHEET}”表，不改动结果。"),
    ("生成分配", f"校验并计算，写入四张结果表；有错误时只写“{contract.CHECKS_SHEET}”表，原有结果保留。"),
    ("刷新函数", "重新计算全部工作表函数。其他程序在关闭 Excel 事件时改过输入表，函数仍显示旧值（F9 也无效）时使用。"),
    ("导入金保数据", f"选金保导出文件（可多选），确认后写入“{VOLUMES}”表：替换这些文件此前导入的行和同一中心、事项、月份的行，其他行保留；有错误不写入。"),
    ("生成回访清单", "选金保业务明细、填每个中心抽取件数（默认 5）和抽取人，选择保存位置后生成回访清单并打开；清单含姓名电话，勿存共享文件夹。"),
    ("导入回访结果", f"选 12333 填好的回访清单（可多选），确认后写入“{CALLBACKS}”表：同一抽取批次的行换成这次的，其他行保留；不写入姓名电话。"),
    ("附件", "文书组的按钮：分配表、硬件补助和资金平衡，存为本工作簿旁的“工作簿名-附件-年度.pdf”。"),
    ("告知书", "每个中心一份公文格式的告知书（单独编页），“工作簿名-告知书-年度.pdf”。"),
    ("条线确认表", "每个考核部门一节业务量，供各条线签字确认，“工作簿名-条线确认表-年度.pdf”。"),
    ("公示", "考核结果公示（审定前、待核实投诉和未决定的回访等都处理后生成；不含投诉、回访和个人信息），“工作簿名-公示-年度.pdf”。"),
    ("拨付明细", f"报财政（收款单位、信用代码、合计大写）；须先在“{PARAMS}”表填审定文号，草案不能生成。"),
    ("全部文书", "以上全部和硬件建设补助告知书，写入本工作簿旁新建的文件夹“工作簿名-文书-年度”。"),
    ("使用说明", "回到本页。也可按 Alt+F8 运行宏 GenerateAllocation、ValidateData。"),
)
ARGUMENTS = {"center": "中心", "item": "事项", "year": "年度", "part": "部分"}
EXAMPLES = {
    "JBSCORE": '=JBSCORE("TN01",2024)',
    "JBFACTOR": '=JBFACTOR("TN01","失业登记",2024)',
    "JBGRADE": '=JBGRADE("TN01",2024)',
    "JBAWARD": '=JBAWARD("TN01",2024)',
    "JBSUBSIDY": '=JBSUBSIDY("TN01",2024,"workload")',
    "JBRANK": '=JBRANK("TN01",2024)',
    "JBALLOCATION": "=JBALLOCATION(2024)",
    "JBCHECK": "=JBCHECK(2024)",
}
"""One example per worksheet function (TN01 is a 中心编码 of the demo data)."""
SETUP = (
    "先右键下载的 jbsys-xl-windows-版本.zip → 属性 → 勾选“解除锁定”→ 确定，再“全部解压缩”（安装程序和工作簿都不会被拦截）。",
    "64 位 Python 3.11–3.13：把 python.org 的 python-3.12.x-amd64.exe 放在 install.bat 旁边，install.bat 会为当前用户静默安装。",
    "自己安装 Python 时：第一页取消勾选“Use admin privileges when installing py.exe”，再点 Install Now；不要用 Python install manager。",
    f"关闭 Excel，运行 JBSys-XL {INSTALLER}（不需要联网和管理员权限，详见安装包中的 README.txt）。",
    "install.bat 在用户目录中建立独立的 Python 环境，并把 xlwings 加载项放进 Excel 的启动文件夹，不启动 Excel。",
    "打开本工作簿，点击“启用内容”，功能区出现“人社考核”选项卡。保存时请保持 .xlsm 格式。",
    "没有 Excel、使用 WPS（xlwings 不支持 WPS）或在 Mac 上：用命令行 jbsys-xl allocate 工作簿.xlsm --year 2024",
)
UPGRADE = (
    "升级：关闭 Excel，运行新版本安装包中的 install.bat（替换原来的环境）。已有的工作簿若提示“来自旧版本的模板”，按下面两步把数据移到新模板。",
    "打开新安装包中的 template.xlsm，先“另存为”一个新的 .xlsm 文件（如“2025年考核.xlsm”）。",
    "在旧工作簿中选中每张输入表（参数、指标、中心、评定、业务量、投诉、扣减、硬件、回访、异议）表头下的全部数据行，复制；"
    "在新文件同名表的第一个数据行“选择性粘贴 → 数值”。之后只用新文件；旧文件留作存档。",
    "卸载：关闭 Excel，运行安装包中的 uninstall.bat：删除 AppData\\Local\\jbsys-xl（Python 环境）和本程序放入的 xlwings 加载项，工作簿不删除。",
    "保存工作簿时保持 .xlsm（启用宏的工作簿）：另存为 .xlsx 会丢掉宏，按钮失效，JB* 函数显示 #NAME?。",
)
STATUS = (
    "宏没有运行：按钮和 JB* 函数不能使用。请点击功能区下方黄色提示条上的“启用内容”；没有提示条时，关闭 Excel，"
    "右键本文件 → 属性 → 勾选“解除锁定”后重新打开。若本文件被另存为 .xlsx，宏已丢失：请改用原来的 .xlsm，"
    "或按“升级”一节把数据移到新模板。")
"""The guide's status line: shown while the workbook's VBA does not run (JbMacrosOn() is
#NAME? then), blank once it does."""
STATUS_NAME = "JBSYS_STATUS"  # the status cell, recalculated by the VBA at Workbook_Open
NOTES = (
    "浅黄色单元格供填写；在表格下方紧接着输入，表格会自动扩展。",
    f"灰色工作表{RESULT_NOTE}。",
    f"“中心”“事项”“所属区”下拉列表随“{CENTERS}”“{INDICATORS}”表自动更新（来自隐藏的“{LISTS_SHEET}”表）。",
    "不在下拉列表中的值会提示但仍可输入（如金保系统中的事项名称），由“校验数据”检查。",
    "“评定等次”留空按可评定的等次计；填写时只能等于或低于它，如独立服务大厅可填 A+、A 或 B。",
    "“投诉编号”相同的多行视为同一件投诉，只计一次；同一编号不能用于不同中心的投诉。",
    "硬件项目“已备案”为否或“备案日期”晚于当年 3 月 31 日的，由工作组在“处理决定”填补助或不予补助并写决定说明；"
    "未备案又没有处理决定的不予补助。",
    "银行账号只能是数字（可用空格或“-”分组），请按文本输入，数字格式会丢失末几位。",
    "“否决处理”为剔除（默认）时，被一票否决中心的业务量不计入各项合计，其得分为 0。",
    "扣减资金处理为“收回”时，扣减的资金不予拨付、留存资金；“再分配”只分给本身未被扣减的中心。",
    "“审定文号”留空时为草案，结果标题注明“草案”；填写后为审定稿，标题显示文号和审定日期。",
    "审定稿要求考核期内没有“待核实”的投诉，并已在“评定”表确定综合优胜单位；草案中这些只是警告。",
    "统一社会信用代码按 GB 32100-2015 检查校验位，错一位即报错（拨付明细不会发到错误的单位）。",
    "同一中心、事项、月份的业务量只能有一行（手工、导入或两者），两行即报错，从不合计（会重复计算）。",
    "各文书上的制表日期是生成当天（北京时间）。",
    "文书组的按钮需要安装 LibreOffice；文件写在工作簿旁，已有同名文件时另存为“… (2).pdf”，从不覆盖。",
    "中心编码、金保机构和各表“中心”列是文本格式：输入 0101 仍是 0101。",
    f"“{VOLUMES}”表的“来源”由“导入金保数据”填写；手工录入的行请留空，否则再次导入时会被替换。",
    "导入时，与导入数据同一中心、事项和月份的手工行会先列出，确认后以导入数据替换，不会重复计入。",
    "编辑后可照常撤销（Ctrl+Z）；工作表函数不必按 F9，编辑后立即更新。",
    "JB* 函数可以放在任何表（包括“中心”表每行旁边）；每次修改输入只读取一次数据。在其他工作簿中编辑时它们保持原值。",
    f"“{CONFIG_SHEET}”表是 xlwings 的设置（包括所用的 Python），请勿删除或改动。",
)


def udf_lines() -> list[str]:
    """``NAME(参数…)：说明。例：…`` for every function the xlwings_udfs module wraps."""
    module = importlib.import_module(UDF_MODULES)
    lines = []
    for name, args, _volatile in udf_signatures(UDF_MODULES):
        function = getattr(module, name)
        parameters = inspect.signature(function).parameters
        shown = [ARGUMENTS[arg] if parameters[arg].default is inspect.Parameter.empty
                 else f"[{ARGUMENTS[arg]}]" for arg in args]
        summary = inspect.getdoc(function).splitlines()[0]
        lines.append(f"{name}({', '.join(shown)})：{summary}例：{EXAMPLES[name]}")
    return lines


def write_guide(sheet, book, styles: Styles, year: int) -> None:
    """One printable page; C3 is the input cell named JBSYS_YEAR."""
    text = styles.get(valign="top")
    bold = styles.get(bold=True)
    number = styles.get(align="right", valign="top")
    heading = styles.get(bold=True, font_size=12, font_color="#1F4E78")
    sheet.write_string(0, 1, TITLE, styles.get(bold=True, font_size=16))
    sheet.write_string(1, 1, f"版本 {__version__}　模板年度 {year}", styles.note)
    # cached as the warning: a viewer that calculates nothing (Protected View) shows it too
    sheet.write_formula(1, 3, f'=IF(ISERROR(JbMacrosOn()),"{STATUS}","")',
                        styles.get(bold=True, font_color="#C00000", text_wrap=True, valign="top"), STATUS)
    sheet.set_row(1, 48)
    book.define_name(STATUS_NAME, f"={sheet_ref(GUIDE_SHEET)}!$D$2")
    row, col = YEAR_CELL
    sheet.write_string(row, 1, "本次计算年度", bold)
    sheet.write_blank(row, col, None, styles.get(bg_color=INPUT_FILL, border=1, align="center"))
    sheet.data_validation(row, col, row, col, year_validation())
    sheet.write_string(row, 3, f"留空＝按“{PARAMS}”表中最新的年度计算（单元格名称 {YEAR_NAME}）。",
                       text)
    book.define_name(YEAR_NAME, f"={sheet_ref(GUIDE_SHEET)}!$C${row + 1}")

    def section(title: str, lines, first: int, header: tuple[str, ...] = ()) -> int:
        """A heading, then numbered lines, or table rows (tuples) under a bold ``header``."""
        sheet.write_string(first, 1, title, heading)
        if header:
            first += 1
            sheet.write_row(first, 1, header, bold)
        for offset, line in enumerate(lines, start=1):
            cells = line if isinstance(line, tuple) else (f"{offset}.", line)
            sheet.write_string(first + offset, 1, cells[0], bold if header else number)
            for index, cell in enumerate(cells[1:], start=2):
                if cell:
                    sheet.write_string(first + offset, index, cell, text)
        return first + len(lines) + 2

    params = contract.SHEET_SPECS[PARAMS].optional
    sheet_rows = ([(spec.name, spec.table, PURPOSES[spec.name]) for spec in INPUT_SHEETS]
                  + [(name, "", PURPOSES[name]) for name in contract.RESULT_SHEETS])
    row = section("一、每年 12 月的操作步骤", WORKFLOW, row + 2)
    row = section("二、各工作表（输入表都是 Excel 表格）", sheet_rows, row,
                  header=("工作表", "表格名称", "用途"))
    row = section(f"三、“{PARAMS}”表可选列留空时的默认值", list(zip(params, PARAM_DEFAULTS, strict=True)), row,
                  header=("列", "默认值"))
    row = section("四、功能区“人社考核”选项卡的按钮", BUTTONS, row, header=("按钮", "作用"))
    row = section("五、工作表函数（可在任意单元格中输入，需要 xlwings）", udf_lines(), row)
    row = section("六、第一次使用（每台电脑一次）", SETUP, row)
    row = section("七、升级和卸载", UPGRADE, row)
    section("八、说明", NOTES, row)
    for index, width in enumerate(WIDTHS):
        sheet.set_column(index, index, width)
    sheet.hide_gridlines(2)
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 1)
    sheet.set_tab_color("#1F4E78")
    sheet.activate()
