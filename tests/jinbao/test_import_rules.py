"""One test (or a parametrised family) per rule of the 金保 contract §1–§6."""
from __future__ import annotations

from datetime import datetime

import pytest

from jbsys_xl.jinbao.headers import COUNTED_STATUSES, EXCLUDED_STATUSES, FIELD_HEADERS
from tests.jinbao.support import (
    ITEM, ITEM2, ITEM_ALIAS, TN01, TN01_ALIAS, TN02, Formula, detail, imported, messages, volumes,
    write_csv, write_html, write_xlsx)

MARCH = ("TN02", ITEM, "2024-03")


def one_case(tmp_path, *case, name="m.xlsx", headers=None):
    kwargs = {"headers": headers} if headers else {}
    return write_xlsx(tmp_path / name, {"明细": detail(case, **kwargs)})


# --- kinds ---------------------------------------------------------------------------------------

def test_detail_counts_each_case_in_its_month(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(
        ("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2", TN02, ITEM, "2024-03-31", "办结"),
        ("A3", TN02, ITEM, "2024-04-01", "办结"), ("A4", TN01, ITEM2, "2024-03-05", ""))}, )
    result = imported([path])
    assert result.ok
    assert volumes(result) == {MARCH: 2, ("TN02", ITEM, "2024-04"): 1, ("TN01", ITEM2, "2024-03"): 1}
    part = result.parts[0]
    assert (part.kind, part.rows, part.counted) == ("明细", 4, 4)


def test_long_stats_with_a_month_column(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [
        ["经办机构", "业务类型", "月份", "办件量"], [TN02, ITEM, "2024-03", 7], [TN02, ITEM2, "2024-03", 2],
        [TN02, "小计", "2024-03", 9], ["合计", None, None, 9]]})
    result = imported([path])
    assert result.ok and volumes(result) == {MARCH: 7, ("TN02", ITEM2, "2024-03"): 2}
    assert result.parts[0].label == "统计（长表）" and result.parts[0].rows == 2


def test_wide_stats_take_the_month_from_the_title(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [
        ["2024年3月份各街道业务量统计（制表日期 2024年4月2日）"],
        ["序号", "经办机构", ITEM, ITEM2, "合计", "备注"],
        [1, TN01_ALIAS, 3, None, 3, None], [2, "TN02", 0, 5, 5, "x"], ["合计", None, 3, 5, 8]]})
    result = imported([path])
    assert result.ok, messages(result)
    assert volumes(result) == {("TN01", ITEM, "2024-03"): 3, ("TN02", ITEM2, "2024-03"): 5}
    assert result.parts[0].label == "统计（宽表）" and not result.unmatched


def test_wide_stats_column_not_of_the_year_is_reported(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": [
        ["统计月份", "经办机构", ITEM, "就业见习"], ["202403", "TN02", 4, 2], ["202403", "TN01", 1, None]]})
    result = imported([path])
    assert volumes(result) == {MARCH: 4, ("TN01", ITEM, "2024-03"): 1}
    [unmatched] = result.unmatched
    assert (unmatched.field, unmatched.value, unmatched.count, unmatched.where) == (
        "业务事项", "就业见习", 1, "w.xlsx!S!D1")


@pytest.mark.parametrize("titles, error", [
    ([["各街道业务量统计"]], "标题和工作表名中也没有月份"),
    ([["2024年3月业务量（续 2024年4月）"]], "多个月份（2024-03、2024-04）"),
    ([["2024年3月至2024年4月业务量"]], "一段时间（“2024年3月至2024年4月”）而不是一个月份"),
])
def test_stats_without_a_month_is_an_error_naming_the_file(tmp_path, titles, error):
    path = write_xlsx(tmp_path / "w.xlsx", {"S": titles + [["经办机构", ITEM], ["TN02", 4]]})
    result = imported([path])
    assert not result.ok
    [message] = messages(result, "error")
    assert message.startswith("w.xlsx!S!A2：") and error in message


def test_sheet_without_headers_is_skipped_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"说明": [["本表由系统导出"], ["姓名", "电话"]],
                                            "明细": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    result = imported([path])
    assert result.ok and volumes(result) == {MARCH: 1}
    assert any(m.startswith("m.xlsx!说明：前 30 行中没有可识别的表头") for m in messages(result, "warning"))


def test_incomplete_header_is_an_error_naming_what_it_has(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"明细": [["业务流水号", "经办机构", "受理时间", "备注"],
                                                     ["A1", TN02, "2024-03-05", ""]]})
    result = imported([path])
    [message] = messages(result, "error")
    assert message.startswith("m.xlsx!明细!A1：表头不完整：作为明细表缺少业务事项列")
    assert "本表的列：业务流水号、经办机构、受理时间、备注" in message and "事项名称" in message


def test_header_row_in_the_first_thirty_rows_is_found_and_past_them_is_not(tmp_path):
    case = ("A1", TN02, ITEM, "2024-03-05", "办结")
    rows = [[f"说明第{i}行"] for i in range(29)] + detail(case, title=None)
    assert volumes(imported([write_xlsx(tmp_path / "m.xlsx", {"S": rows})])) == {MARCH: 1}
    rows = [[f"说明第{i}行"] for i in range(30)] + detail(case, title=None)
    result = imported([write_xlsx(tmp_path / "n.xlsx", {"S": rows})])
    assert messages(result, "error") == ["n.xlsx：没有一个工作表是金保导出表（前 30 行中没有可识别的表头，如 业务流水号、"
                                         "经办机构、业务事项、业务量）；若是导出文件，请检查表头，否则请把它移出导出文件夹"]


# --- formats -------------------------------------------------------------------------------------

CASES = [("A1", TN02, ITEM, "2024-03-05", "办结"), ("A2", TN01, ITEM2, "2024/3/6", "已办结"),
         ("A3", TN01_ALIAS, ITEM_ALIAS, "2024年3月7日", "")]
EXPECTED = {MARCH: 1, ("TN01", ITEM2, "2024-03"): 1, ("TN01", ITEM, "2024-03"): 1}


@pytest.mark.parametrize("name, write", [
    ("m.xlsx", lambda p, rows: write_xlsx(p, {"S": rows})),
    ("m.xlsm", lambda p, rows: write_xlsx(p, {"S": rows})),
    ("m.csv", lambda p, rows: write_csv(p, rows)),
    ("m.csv", lambda p, rows: write_csv(p, rows, "utf-8-sig")),
    ("m.csv", lambda p, rows: write_csv(p, rows, "gbk")),
    ("m.xls", lambda p, rows: write_html(p, rows[1:], title=rows[0][0])),  # a web system's "xls"
    ("m.xls", lambda p, rows: write_html(p, rows[1:], encoding="gbk")),
    ("m.txt", lambda p, rows: write_html(p, rows[1:])),  # recognised by content, not by name
])
def test_every_format_gives_the_same_volumes(tmp_path, name, write):
    result = imported([write(tmp_path / name, detail(*CASES))])
    assert result.ok, messages(result)
    assert volumes(result) == EXPECTED


def test_html_merged_cells_keep_their_positions(tmp_path):
    path = tmp_path / "web.xls"
    path.write_text(
        "<html><body><h3>办件清单</h3><table><tr><th colspan='2'>基本</th><th rowspan='2'>受理时间</th>"
        "<th>x</th></tr><tr><th>业务流水号</th><th>经办机构</th><th>业务事项</th></tr>"
        f"<tr><td>A1</td><td>{TN02}</td><td>2024-03-05</td><td>{ITEM}</td></tr>"
        "<tr><td>A2</td><td>TN02&nbsp;</td><td>bad</td><td>" + ITEM + "</td></tr></table></body></html>",
        encoding="utf-8")
    result = imported([path])
    assert messages(result, "error") == ["web.xls!web!C5：受理时间“bad”不是有效日期（应为日期或如 2024-03-15 的文字）"]


def test_folder_is_read_recursively_in_name_order(tmp_path):
    folder = tmp_path / "exports"
    (folder / "b").mkdir(parents=True)
    write_csv(folder / "b" / "2.csv", detail(("A1", TN02, ITEM, "2024-04-05", "办结")))
    write_csv(folder / "a.csv", detail(("A1", TN02, ITEM, "2024-03-05", "办结")))
    (folder / "~$a.xlsx").write_bytes(b"lock")
    result = imported([folder])
    assert [p.file for p in result.parts] == ["exports/a.csv", "exports/b/2.csv"]
    assert volumes(result) == {MARCH: 1}  # the first occurrence (a.csv) counts


def test_unreadable_file_is_an_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is no workbook")
    result = imported([bad, tmp_path / "missing.xlsx"])
    assert not result.ok and "missing.xlsx" in messages(result)[0]
    result = imported([bad])
    assert messages(result, "error") == ["bad.xlsx：文件不完整（只有 24 字节，结尾缺失），可能下载或复制未完成；请重新下载或复制后再试"]


# --- header synonyms -----------------------------------------------------------------------------

@pytest.mark.parametrize("field, header", [(f, h) for f in ("case_id", "institution", "item", "date", "status")
                                           for h in FIELD_HEADERS[f]])
def test_every_detail_header_synonym(tmp_path, field, header):
    headers = list(DETAIL_ORDER)
    headers[FIELDS.index(field)] = header
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, "2024-03-05", "办结", headers=headers)])
    assert result.ok and volumes(result) == {MARCH: 1}


FIELDS = ("case_id", "institution", "item", "date", "status")
DETAIL_ORDER = ("业务流水号", "经办机构", "业务事项", "受理时间", "办理状态")


@pytest.mark.parametrize("count", FIELD_HEADERS["count"])
@pytest.mark.parametrize("month", FIELD_HEADERS["month"])
def test_every_stats_header_synonym(tmp_path, count, month):
    path = write_csv(tmp_path / "s.csv", [[" 经办单位 ", "业务名称", month, count], ["TN02", ITEM, "2024-03", "3"]])
    assert volumes(imported([path])) == {MARCH: 3}


def test_the_receipt_date_wins_over_the_completion_date(tmp_path):
    headers = ["业务流水号", "经办机构", "业务事项", "办结时间", "受理时间"]
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, "2024-04-02", "2024-03-30", headers=headers)])
    assert volumes(result) == {MARCH: 1}


def test_contribution_period_of_a_detail_is_never_its_date(tmp_path):
    headers = ["所属期", "业务流水号", "经办机构", "业务事项", "经办日期"]
    result = imported([one_case(tmp_path, "202401", "A1", TN02, ITEM, "2024-03-09", headers=headers)])
    assert volumes(result) == {MARCH: 1}


# --- statuses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", sorted(COUNTED_STATUSES) + [""])
def test_counted_statuses(tmp_path, status):
    assert volumes(imported([one_case(tmp_path, "A1", TN02, ITEM, "2024-03-05", status)])) == {MARCH: 1}


@pytest.mark.parametrize("status", sorted(EXCLUDED_STATUSES))
def test_excluded_statuses(tmp_path, status):
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, "2024-03-05", status)])
    assert result.ok and not result.volumes and result.parts[0].excluded == 1
    assert messages(result) == ["没有导入任何业务量：所给文件中没有 2024 年度考核期内、能对应到中心和考核事项的记录"
                                "（请检查文件、年度以及“中心”表的金保机构、“指标”表的金保事项）"]


def test_unknown_status_excluded_with_one_warning_per_value(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(*[(f"A{i}", TN02, ITEM, "2024-03-05", s) for i, s in
                                                        enumerate(["审核中", "办结", "审核中", "待办", " 审核中 "])])})
    result = imported([path])
    assert volumes(result) == {MARCH: 1} and result.parts[0].excluded == 4
    warnings = messages(result, "warning")
    assert len(warnings) == 2
    assert warnings[0].startswith("m.xlsx!S!E3：办理状态“审核中”不是已知的状态，3 条业务按不计入处理")


def test_bad_cells_of_excluded_rows_are_no_error(tmp_path):
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, "不详", "作废")])
    assert result.ok and result.parts[0].excluded == 1


# --- dates, months, counts -------------------------------------------------------------------------

@pytest.mark.parametrize("value", [datetime(2024, 3, 5, 10, 22, 1), datetime(2024, 3, 5), "2024-03-05",
                                   "2024/3/5", "2024-03-05 10:22:01", "20240305", 20240305, "2024年3月5日",
                                   "2024.3.5", "2024年3月5日 10:22"])
def test_date_forms(tmp_path, value):
    assert volumes(imported([one_case(tmp_path, "A1", TN02, ITEM, value, "办结")])) == {MARCH: 1}


@pytest.mark.parametrize("value, shown", [("2024-13-01", "2024-13-01"), ("明天", "明天"), (45356, "45356"),
                                          ("2024-03-05 25:99:99x", "2024-03-05 25:99:99x")])
def test_bad_date_is_an_error_at_its_cell(tmp_path, value, shown):
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, value, "办结")])
    assert messages(result, "error") == [f"m.xlsx!明细!D3：受理时间“{shown}”不是有效日期（应为日期或如 2024-03-15 的文字）"]


@pytest.mark.parametrize("value", ["2024-03", "2024/03", "2024年3月", "2024年3月份", "202403", 202403,
                                   datetime(2024, 3, 1), "2024-03-15"])
def test_month_forms(tmp_path, value):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["月份", "经办机构", "业务事项", "数量"], [value, "TN02", ITEM, 2]]})
    assert volumes(imported([path])) == {MARCH: 2}


@pytest.mark.parametrize("value, volume", [(12, 12), (12.0, 12), ("1,234", 1234), ("１２", 12), ("１，２００", 1200),
                                           (" 7 ", 7)])
def test_count_forms(tmp_path, value, volume):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, value]]})
    assert volumes(imported([path])) == {MARCH: volume}


@pytest.mark.parametrize("value, message", [("十二", "数量“十二”不是数字"), (-3, "数量“-3”不能为负数"),
                                            (1.5, "数量“1.5”不是整数"),
                                            (Formula("=1/0", "#DIV/0!"), "单元格是错误值 #DIV/0!")])
def test_bad_count_is_an_error_at_file_sheet_cell(tmp_path, value, message):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, value]]})
    result = imported([path])
    [error] = messages(result, "error")
    assert error.startswith(f"s.xlsx!S!D2：{message}")


def test_error_cell_in_a_counted_detail_row_is_an_error(tmp_path):
    result = imported([one_case(tmp_path, "A1", Formula("=NA()", "#N/A"), ITEM, "2024-03-05", "办结")])
    assert messages(result, "error") == ["m.xlsx!明细!B3：单元格是错误值 #N/A，请先更正公式或数据"]


def test_detail_row_without_case_id_is_an_error(tmp_path):
    result = imported([one_case(tmp_path, None, TN02, ITEM, "2024-03-05", "办结")])
    assert messages(result, "error") == ["m.xlsx!明细!A3：业务流水号不能为空"]


# --- mapping and normalisation ---------------------------------------------------------------------

@pytest.mark.parametrize("institution", [TN01, "TN01", TN01_ALIAS, " 雕庄街道人社服务中心(示例数据) ",
                                         "雕庄街道人社服务中心（示例数据）\u3000", "ＴＮ０１"])
def test_institution_by_code_name_or_alias_in_normal_form(tmp_path, institution):
    result = imported([one_case(tmp_path, "A1", institution, "就业困难人员(含双零家庭)认定", "2024-03-05", "办结")])
    assert volumes(result) == {("TN01", "就业困难人员（含双零家庭）认定", "2024-03"): 1}


def test_unmatched_values_reported_once_with_count_place_and_hint(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(
        ("A1", "雕庄街道人社所X", ITEM, "2024-03-05", "办结"), ("A2", "雕庄街道人社所X", ITEM, "2024-03-06", "办结"),
        ("A3", TN02, "失业登记表", "2024-03-05", "办结"), ("A4", "外区机构", "档案借阅", "2024-03-05", "办结"))})
    result = imported([path])
    assert result.ok and not result.volumes and result.parts[0].unmatched == 4
    found = {(u.field, u.value): (u.count, u.where, u.suggestion) for u in result.unmatched}
    assert found[("经办机构", "雕庄街道人社所X")] == (2, "m.xlsx!S!B3", "雕庄街道人社所")
    assert found[("业务事项", "失业登记表")] == (1, "m.xlsx!S!C5", ITEM)
    assert found[("经办机构", "外区机构")][0] == 1
    assert ("业务事项", "档案借阅") not in found  # only items of our centers' rows are listed
    assert any("请在“中心”表的“金保机构”列登记" in m for m in messages(result, "warning"))


def test_inactive_center_rows_are_not_counted(tmp_path):
    result = imported([one_case(tmp_path, "A1", "ZL06", ITEM, "2024-03-05", "办结")])  # closed in 2023
    assert not result.volumes and result.parts[0].unmatched == 1
    assert any("中心 ZL06 在 2024 年度未启用" in m for m in messages(result, "warning"))


# --- dedup, conflicts, double counting --------------------------------------------------------------

def test_same_case_in_two_files_counts_once(tmp_path):
    case = ("A1", TN02, ITEM, "2024-03-05", "办结")
    a = write_xlsx(tmp_path / "a.xlsx", {"S": detail(case)})
    b = write_csv(tmp_path / "b.csv", detail(("A1", "TN02", ITEM_ALIAS, "2024-03-20 09:00:00", "已办结")))
    result = imported([a, b])
    assert volumes(result) == {MARCH: 1}
    assert [(p.counted, p.duplicates) for p in result.parts] == [(1, 0), (0, 1)]
    assert not messages(result)


def test_same_case_id_of_another_item_is_another_case(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"),
                                                        ("A1", TN02, ITEM2, "2024-03-05", "办结"))})
    assert volumes(imported([path])) == {MARCH: 1, ("TN02", ITEM2, "2024-03"): 1}


def test_conflicting_case_counts_where_it_first_occurs_with_a_warning(tmp_path):
    a = write_xlsx(tmp_path / "a.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    b = write_xlsx(tmp_path / "b.xlsx", {"S": detail(("A1", TN01, ITEM, "2024-04-05", "办结"))})
    assert volumes(imported([a, b])) == {MARCH: 1}
    result = imported([b, a])
    assert volumes(result) == {("TN01", ITEM, "2024-04"): 1}
    [warning] = messages(result, "warning")
    assert warning == ("a.xlsx!S!A3：业务流水号“A1”（失业登记）已在 b.xlsx!S!A3 计入 TN01 2024-04，"
                       "此处为 TN02 2024-03：按先出现的计入，此处不计")


def test_two_stats_sources_for_the_same_key_are_an_error_naming_both(tmp_path):
    rows = [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, 2]]
    a, b = write_xlsx(tmp_path / "a.xlsx", {"S": rows}), write_csv(tmp_path / "b.csv", rows)
    result = imported([a, b])
    [error] = messages(result, "error")
    assert error.startswith("b.csv!b!D2：与 a.xlsx!S 重复：两处都有 1 组（中心、事项、月份）的业务量")
    assert "TN02“失业登记”2024-03（a.xlsx!S!D2、b.csv!b!D2）" in error


def test_stats_and_detail_for_the_same_key_are_an_error(tmp_path):
    a = write_xlsx(tmp_path / "a.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"))})
    b = write_csv(tmp_path / "b.csv", [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, 2]])
    [error] = messages(imported([a, b]), "error")
    assert error.startswith("b.csv!b!D2：与 a.xlsx!S 重复") and "a.xlsx!S!A3" in error


def test_one_report_summing_aliases_is_no_double_count(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, 2],
                                          ["2024-03", "TN02", ITEM_ALIAS, 3], ["2024-03", "青龙街道人社服务中心（示例数据）", ITEM, 1]])
    result = imported([path])
    assert result.ok and volumes(result) == {MARCH: 6}


def test_one_report_repeating_a_row_is_an_error(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["月份", "经办机构", "业务事项", "数量"], ["2024-03", "TN02", ITEM, 2],
                                          ["2024-03", "TN02", ITEM, 2]])
    [error] = messages(imported([path]), "error")
    assert error.startswith("s.csv!s!B3：统计表中 TN02“失业登记” 同一月份出现两次（另见 B2）")


# --- period ---------------------------------------------------------------------------------------

def test_rows_outside_the_period_are_not_counted(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(
        ("A1", TN02, ITEM, "2023-11-30", "办结"), ("A2", TN02, ITEM, "2023-12-01", "办结"),
        ("A3", TN02, ITEM, "2024-11-30", "办结"), ("A4", TN02, ITEM, "2024-12-01", "办结"))})
    result = imported([path])
    assert volumes(result) == {("TN02", ITEM, "2023-12"): 1, ("TN02", ITEM, "2024-11"): 1}
    assert result.parts[0].out_of_period == 2


def test_year_defaults_to_the_latest_in_params(tmp_path):
    result = imported([one_case(tmp_path, "A1", TN02, ITEM, "2024-03-05", "办结")], year=None)
    assert result.year == 2024 and result.period == ((2023, 12), (2024, 11))


def test_empty_and_total_rows_are_skipped(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"S": detail(("A1", TN02, ITEM, "2024-03-05", "办结"), (None,) * 5,
                                                        ("", "合 计", "", "", ""), ("合计：", None, None, None))})
    result = imported([path])
    assert result.ok and result.parts[0].rows == 1
