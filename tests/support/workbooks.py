"""Tiny hand-made input workbooks for tests: a valid base case and ways to plant errors."""
from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import xlsxwriter

# sheet → [header row, data rows...]; row 1 is the header, so data row k sits on sheet row k + 1.
BASE = {
    "参数": [["年度", "资金总额", "工作绩效资金", "优胜单位数", "优胜奖励"],
             [2024, 1000000, 700000, 1, 5000]],
    "指标": [["年度", "序号", "类别", "事项名称", "指标权重", "下沉类别", "金保事项"],
             [2024, 1, "就业创业", "失业登记", 60, "标准化下沉", ""],
             [2024, 2, "社会保险", "居民参保登记", 40, "标准化下沉", "居保登记；城乡居民参保"]],
    "中心": [["中心编码", "中心名称", "所属区"],
             ["C01", "甲中心", "天宁区"],
             ["C02", "乙中心", "钟楼区"],
             ["C03", "丙中心", "天宁区"]],
    "评定": [["年度", "中心", "服务场所", "标准化下沉", "区局推荐", "综合优胜", "一票否决", "否决原因"],
             [2024, "C01", "独立服务大厅", "是", "是", "", "否", ""],
             [2024, "乙中心", "综合服务窗口", "是", "", "", "", ""],
             [2024, "C03", "无", "否", "", "", "", ""]],
    "业务量": [["中心", "事项", "月份", "业务量"],
               ["C01", "失业登记", date(2024, 1, 1), 30],
               ["C02", "失业登记", "2024-02", 10],
               ["C03", "居保登记", "2024年3月", 20],
               ["甲中心", "居民参保登记", "2024/04", 20]],
    "投诉": [["日期", "中心", "核实结论", "来源"],
             [date(2024, 3, 5), "C01", "有理", "12333"]],
    "扣减": [["年度", "中心", "原因", "扣减金额", "扣减比例"],
             [2024, "C02", "业务差错", 500, ""]],
    "硬件": [["年度", "所属区", "预算补助", "计划投入", "实际投入", "已备案"],
             [2024, "天宁区", 100000, 100000, 80000, "是"]],
}


def base() -> dict[str, list[list]]:
    return copy.deepcopy(BASE)


def write(path: Path, sheets: dict[str, list[list]], dress=None) -> Path:
    """Write the sheets as a real .xlsx; dates become date cells, as a person would type them.
    ``dress(book, sheet, name, rows)``, if given, acts on each sheet before its cells are
    written (hides a column, makes an Excel Table)."""
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        if dress is not None:
            dress(workbook, sheet, name, rows)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, date_format)
                elif value is not None and value != "":
                    sheet.write(r, c, value)
    workbook.close()
    return path


def set_cell(sheets: dict, sheet: str, row: int, header: str, value) -> dict:
    """Set the cell of ``header``'s column on sheet row ``row`` (1-based, as Excel numbers it)."""
    header_row = next(row for row in sheets[sheet] if header in row)
    col = header_row.index(header)
    line = sheets[sheet][row - 1]
    line.extend([""] * (col + 1 - len(line)))
    line[col] = value
    return sheets


def approved(sheets: dict, number: str = "常人社〔2024〕95号") -> dict:
    """The base workbook at 审定 (allocation-rules §2 v4): 审定文号 and 审定日期 filled, its one
    winner confirmed (C01) and its 有理 complaint recorded with what it was about and who
    verified it."""
    sheets["参数"][0] += ["审定文号", "审定日期"]
    sheets["参数"][1] += [number, date(2024, 12, 20)]
    set_cell(sheets, "评定", 2, "综合优胜", "是")
    sheets["投诉"][0] += ["内容", "核实部门"]
    sheets["投诉"][1] += ["窗口服务态度生硬", "机关党委、就业处"]
    return sheets
