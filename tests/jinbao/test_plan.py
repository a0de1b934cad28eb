"""The one plan of jinbao contract §9 (v4): which 业务量 rows an import adds, replaces and keeps,
over a small workbook whose rows came from earlier imports and from hand typing."""
from __future__ import annotations

from datetime import date

from jbsys_xl import contract
from jbsys_xl.io.reader import read_source
from jbsys_xl.io.tables import Checks, locate
from jbsys_xl.jinbao.importer import run_import
from jbsys_xl.jinbao.plan import file_name, plan_lines, plan_volumes
from tests.jinbao.support import write_xlsx
from tests.support.workbooks import base, write

YEAR = 2024
STATS = ["经办机构", "业务事项", "月份", "业务量"]


def book(tmp_path, rows):
    """The base workbook with these 业务量 rows (中心, 事项, 月份, 业务量, 来源)."""
    sheets = base()
    sheets["业务量"] = [["中心", "事项", "月份", "业务量", "来源"], *rows]
    return write(tmp_path / "工作簿.xlsx", sheets)


def plan_for(path, exports):
    result = run_import(path, exports, YEAR)
    assert result.ok, result.checks
    table = locate(read_source(path), contract.SHEET_SPECS[contract.VOLUMES], Checks())
    return result, plan_volumes(table, result)


ROWS = [
    ["C01", "失业登记", date(2024, 1, 1), 30, "旧/a.xlsx"],  # row 2: a.xlsx, imported earlier from a folder
    ["C02", "失业登记", "2024-02", 10, "b.xlsx"],  # row 3: a file not chosen this time
    ["C03", "居保登记", "2024年3月", 20, ""],  # row 4: by hand, a key the import brings (alias, month form)
    ["甲中心", "居民参保登记", "2024/04", 20, None],  # row 5: by hand, another key
    ["C01", "失业登记", "2023-01", 5, "a.xlsx"],  # row 6: a.xlsx, but outside the period
    ["C02", "居民参保登记", "2024-05", 8, "b.xlsx"],  # row 7: b.xlsx, a key the import brings
]


def exports_a(tmp_path):
    folder = tmp_path / "新导出"
    folder.mkdir()
    return [write_xlsx(folder / "A.XLSX", {"统计": [STATS, ["C01", "失业登记", "2024-01", 31],
                                                     ["丙中心", "居民参保登记", "2024-03", 22],
                                                     ["乙中心", "城乡居民参保", "2024-05", 9]]})]


def test_an_import_replaces_its_own_files_rows_and_its_keys_and_keeps_the_rest(tmp_path):
    result, plan = plan_for(book(tmp_path, ROWS), exports_a(tmp_path))
    assert plan.ok
    assert plan.added == 3
    assert plan.replaced_rows == [2, 4, 7]
    assert [(r.cell, r.center, r.item, r.month, r.volume, r.source, r.by_file, r.imported)
            for r in plan.replaced()] == [
        ("D2", "C01", "失业登记", "2024-01", "30", "旧/a.xlsx", True, 31),
        ("D4", "C03", "居保登记", "2024-03", "20", "", False, 22),
        ("D7", "C02", "居民参保登记", "2024-05", "8", "b.xlsx", False, 9)]
    assert plan.kept_sources == [("b.xlsx", 1)]
    assert (plan.kept_hand, plan.kept_outside) == (1, 1)
    assert plan_lines(plan) == [
        "新增这次导入的 3 行。",
        "替换“业务量”表中的 3 行：",
        "  来源“旧/a.xlsx”的 1 行（本次重新导入的文件）",
        "  手工填写的 1 行（同一中心、事项和月份由本次导入提供）",
        "  来源“b.xlsx”的 1 行（同一中心、事项和月份由本次导入提供）",
        "  其中手工填写的行（单元格：原值）：",
        "    业务量!D4 C03 居保登记 2024-03：手工 20，导入 22",
        "以下来源本次未选择，其 1 行保留：b.xlsx（1 行）",
        "保留手工填写的 1 行、考核期外导入的 1 行。"]


def test_a_source_of_several_files_given_in_part_is_refused_naming_the_files_to_add(tmp_path):
    rows = ROWS + [["C03", "失业登记", "2024-06", 4, "a.xlsx；c.xlsx"],
                   ["C03", "失业登记", "2024-07", 6, "a.xlsx；c.xlsx"]]
    _, plan = plan_for(book(tmp_path, rows), exports_a(tmp_path))
    assert not plan.ok
    assert [str(c) for c in plan.checks] == [
        "业务量!E8 等 2 处：来源“a.xlsx；c.xlsx”的行合并了几个导出文件的数据，本次只选择了其中的 a.xlsx，"
        "这些行无法只替换一部分；请把 c.xlsx 一并选择后重新导入"]
    assert plan.checks[0].count == 2


def test_every_file_of_a_combined_source_given_replaces_it(tmp_path):
    rows = [["C03", "失业登记", "2024-06", 4, "a.xlsx；c.xlsx"]]
    folder = tmp_path / "x"
    folder.mkdir()
    exports = exports_a(tmp_path) + [write_xlsx(folder / "c.xlsx", {"统计": [STATS, ["C02", "失业登记", "2024-08", 1]]})]
    _, plan = plan_for(book(tmp_path, rows), exports)
    assert plan.ok and plan.replaced_rows == [2] and plan.kept_sources == []


def test_hand_rows_beyond_ten_are_counted_in_the_lines(tmp_path):
    rows = [["C01", "失业登记", f"2024-{m:02d}", m, ""] for m in range(1, 12)]
    export = write_xlsx(tmp_path / "全年.xlsx", {"统计": [STATS] + [["C01", "失业登记", f"2024-{m:02d}", 1]
                                                                  for m in range(1, 12)]})
    _, plan = plan_for(book(tmp_path, rows), [export])
    lines = plan_lines(plan)
    assert lines[2] == "  手工填写的 11 行（同一中心、事项和月份由本次导入提供）"
    assert lines[4] == "    业务量!D2 C01 失业登记 2024-01：手工 1，导入 1"
    assert lines[-1] == "    ……共 11 行手工填写的行，全部记入“替换记录”表"
    assert len(lines) == 4 + 10 + 1


def test_file_names_compare_as_windows_does():
    assert file_name("金保导出-2024/01-业务明细.XLSX") == file_name(" 01-业务明细.xlsx ")
    assert file_name("D:\\导出\\ａ.xlsx") == file_name("a.xlsx")
