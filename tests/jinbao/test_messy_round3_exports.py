"""Messy 金保 exports, round 3 (issue 27 item 6): a grouped 统计 report that writes 经办机构 only on
each group's first row (it lost 94 % of its counts behind one warning), and names holding
invisible characters."""
from __future__ import annotations

import pytest

from jbsys_xl.jinbao.output import record_table
from tests.jinbao.support import ITEM, ITEM2, TN01_ALIAS, TN02, imported, messages, volumes, write_csv, write_xlsx

TITLE = ["2024年3月各经办机构业务量统计"]
HEADER = ["经办机构", "业务事项", "业务量"]
GROUPED = [TITLE, HEADER,
           [TN02, ITEM, 10], [None, ITEM2, 5], [None, "小计", 15],
           [TN01_ALIAS, ITEM, 3], [None, ITEM2, 4], ["合计", None, 22]]
FILLED = {("TN02", ITEM, "2024-03"): 10, ("TN02", ITEM2, "2024-03"): 5,
          ("TN01", ITEM, "2024-03"): 3, ("TN01", ITEM2, "2024-03"): 4}


@pytest.mark.parametrize("write", [
    lambda path, rows: write_xlsx(path.with_suffix(".xlsx"), {"统计": rows}),
    lambda path, rows: write_csv(path.with_suffix(".csv"), rows, "gbk"),
])
def test_a_grouped_report_is_filled_down_and_says_so(tmp_path, write):
    result = imported([write(tmp_path / "分组统计", GROUPED)])
    assert result.ok, messages(result)
    assert volumes(result) == FILLED
    kinds = [row[2] for row in record_table(result).rows[:-1]]
    assert kinds == ["统计（长表，经办机构按分组向下填充 2 行）"]  # the 导入记录's 类型
    assert any("经办机构只写在每组的第一行（分组报表），已把它向下填到同组的 2 行（A4、A7）" in m
               for m in messages(result, "warning")), messages(result)


def test_a_grouped_wide_report_with_a_month_column(tmp_path):
    rows = [["经办机构", "月份", ITEM, ITEM2], [TN02, "2024-03", 1, 2], [None, "2024-04", 3, 4]]
    result = imported([write_xlsx(tmp_path / "宽表.xlsx", {"统计": rows})])
    assert volumes(result) == {("TN02", ITEM, "2024-03"): 1, ("TN02", ITEM2, "2024-03"): 2,
                               ("TN02", ITEM, "2024-04"): 3, ("TN02", ITEM2, "2024-04"): 4}


@pytest.mark.parametrize("rows, cells", [
    ([TITLE, HEADER, [None, ITEM, 10], [TN02, ITEM2, 5]], "A3"),  # nothing above it to belong to
    ([TITLE, HEADER, [TN02, ITEM, 10], [None, ITEM, 5]], "A4"),  # the same item twice in a group
    ([TITLE, HEADER, [TN02, ITEM, 10], [None, None, None], [None, ITEM2, 5]], "A5"),  # a gap ends a group
])
def test_blank_institutions_that_are_no_group_are_an_error_naming_the_rows(tmp_path, rows, cells):
    result = imported([write_xlsx(tmp_path / "统计.xlsx", {"统计": rows})])
    assert not result.ok
    errors = messages(result, "error")
    assert errors == [f"统计.xlsx!统计!{cells}：经办机构为空白的 1 行（{cells}）有业务量，却无法确定属于哪个机构：它们上方"
                      f"没有填写经办机构的同组行，或与同组的行重复了事项和月份；请在每行填写经办机构（或导出每行都有"
                      f"经办机构的统计表）后再导入，这些业务量不能不计"], errors


def test_an_unmatched_institution_with_an_invisible_character(tmp_path):
    rows = [TITLE, HEADER, [TN01_ALIAS + "\u200b", ITEM, 3]]
    result = imported([write_xlsx(tmp_path / "统计.xlsx", {"统计": rows})])
    assert any(f"经办机构“{TN01_ALIAS}\u200b”在“中心”表中找不到，1 行未计入，是否指“{TN01_ALIAS}”？"
               f"（名称中有不可见字符 U+200B，请删除）" in m for m in messages(result, "warning")), messages(result)
