"""callback-results (金保 contract §7 v3): filled-in 回访清单 → 回访 rows without personal data;
bad results, dates before the draw, foreign files and years refused at their cells."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.io.dataset import CenterLookup, reference_data
from jbsys_xl.io.reader import read_source
from jbsys_xl.io.tables import Checks, locate
from jbsys_xl.jinbao.callback_results import (HEADERS, merge_plan, read_results, results_dict,
                                              results_workbook_bytes, sheet_rows, with_decisions)
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from tests.jinbao.support import DEMO, personal_values, stored_text

SEED = 4242
DRAWN = datetime(2024, 12, 20, 10, 0)  # tests/conftest.py: SOURCE_DATE_EPOCH


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), 2024)


@pytest.fixture(scope="module")
def drawn_list(tmp_path_factory, exports) -> Path:
    out = tmp_path_factory.mktemp("list") / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), *map(str, exports), "--seed", str(SEED), "--per-center", "2",
                 "--operator", "抽取员", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def personal(exports) -> set[str]:
    return personal_values(exports)


def list_rows(path: Path) -> tuple[openpyxl.Workbook, object, dict[str, int], list[int]]:
    book = openpyxl.load_workbook(path)
    sheet = book["回访清单"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "序号")
    columns = {cell.value: cell.column for cell in header}
    numbered = [r for r in range(header[0].row + 1, sheet.max_row + 1)
                if isinstance(sheet.cell(r, 1).value, (int, float))]
    return book, sheet, columns, numbered


def filled(drawn_list: Path, target: Path, fills: dict[int, dict[str, object]]) -> Path:
    """A copy of the list with cells of the n-th drawn case (0-based) set as given."""
    book, sheet, columns, numbered = list_rows(drawn_list)
    for n, values in fills.items():
        for header, value in values.items():
            sheet.cell(numbered[n], columns[header]).value = value
    book.save(target)
    return target


def cell_of(drawn_list: Path, n: int, header: str) -> str:
    _, sheet, columns, numbered = list_rows(drawn_list)
    return sheet.cell(numbered[n], columns[header]).coordinate


def test_one_row_per_drawn_case_in_the_order_of_the_contract(drawn_list, tmp_path):
    source = filled(drawn_list, tmp_path / "已回访.xlsx", {
        0: {"回访结果": "属实", "回访日期": DRAWN, "回访人": "坐席07", "工单号": 20241220001, "说明": "满意"},
        1: {"回访结果": "无法联系", "回访日期": "2024-12-21"}})
    out, report = tmp_path / "回访结果.xlsx", tmp_path / "r.json"
    assert main(["callback-results", str(DEMO), str(source), "-o", str(out), "--json", str(report)]) == 0
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("回访").to_python()
    assert sheet[0] == list(HEADERS) == list(contract.SHEET_SPECS[contract.CALLBACKS].headers)
    data = json.loads(report.read_text("utf-8"))
    drawn = json.loads(json.dumps([c for c in data["callbacks"]]))
    _, _, columns, numbered = list_rows(drawn_list)
    assert len(sheet) - 1 == len(numbered) == len(drawn) == 46  # 23 centers × 2
    first, second, third = sheet[1:4]
    assert first == [2024.0, first[1], first[2], date(2024, 12, 20), "属实", "满意", "", "", "坐席07", "20241220001",
                     str(SEED)]
    assert second[3:5] == [date(2024, 12, 21), "无法联系"] and second[10] == str(SEED)
    assert third[3:5] == ["", ""]  # drawn, not called yet: 未回访
    listed = openpyxl.load_workbook(drawn_list)["回访清单"]
    assert [r[2] for r in sheet[1:]] == [listed.cell(r, columns["业务流水号"]).value for r in numbered]
    assert data["lists"] == [{"file": "已回访.xlsx", "batch": str(SEED), "drawn_at": "2024-12-20T10:00:00+08:00",
                              "operator": "抽取员", "cases": 46, "called": 2, "confirmed": 1, "refuted": 0,
                              "unreachable": 1, "not_called": 44}]
    record = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("读取记录").to_python()
    assert record[2][:4] == ["已回访.xlsx", "2024", str(SEED), "2024-12-20 10:00:00"]


def test_no_personal_data_reaches_the_output_or_the_json(drawn_list, tmp_path, personal, capsys):
    _, sheet, columns, numbered = list_rows(drawn_list)
    name = sheet.cell(numbered[0], columns["姓名"]).value
    phone = sheet.cell(numbered[1], columns["联系电话"]).value
    other = sheet.cell(numbered[3], columns["联系电话"]).value  # another person's
    source = filled(drawn_list, tmp_path / "已回访.xlsx", {
        0: {"回访结果": "属实", "回访日期": DRAWN, "说明": f"已与{name}本人核实"},
        1: {"回访结果": "无法联系", "回访日期": DRAWN, "说明": f"改拨 {phone[:3]} {phone[3:7]} {phone[7:]} 未接"},
        2: {"回访结果": "属实", "回访日期": DRAWN, "说明": f"由家属{other}代答"}})
    out, report = tmp_path / "回访结果.xlsx", tmp_path / "r.json"
    assert main(["callback-results", str(DEMO), str(source), "-o", str(out), "--json", str(report)]) == 0
    printed = capsys.readouterr()
    texts = {"OUT": stored_text(out), "JSON": report.read_text("utf-8"), "messages": printed.out + printed.err}
    assert len(personal) > 1000 and name in personal and phone in personal
    for where, text in texts.items():
        leaked = sorted(value for value in personal if value in text)
        assert not leaked, f"{where} holds personal data: {leaked[:5]}"
    assert name and len(phone) == len(other) == 11
    notes = [c["note"] for c in json.loads(texts["JSON"])["callbacks"][:3]]
    assert notes == ["已与＊＊＊本人核实", "（含个人信息，已隐去）", "由家属＊＊＊代答"]
    assert "说明中含有当事人的姓名、证件号码或电话" in printed.err


@pytest.mark.parametrize("fills, cell_header, message", [
    ({3: {"回访结果": "已核实", "回访日期": DRAWN}}, "回访结果",
     "回访结果“已核实”不是允许的值（应为属实、不属实、无法联系之一）"),
    ({3: {"回访结果": "属实", "回访日期": datetime(2024, 12, 19)}}, "回访日期",
     "回访日期 2024-12-19 早于抽取时间 2024-12-20 10:00:00：回访只能在抽取之后"),
    ({3: {"回访结果": "属实", "回访日期": "十二月"}}, "回访日期", "回访日期“十二月”不是有效日期"),
])
def test_bad_cells_are_errors_at_the_list_cell_and_nothing_is_written(drawn_list, tmp_path, capsys, fills,
                                                                       cell_header, message):
    source = filled(drawn_list, tmp_path / "已回访.xlsx", fills)
    out, report = tmp_path / "回访结果.xlsx", tmp_path / "r.json"
    assert main(["callback-results", str(DEMO), str(source), "-o", str(out), "--json", str(report)]) == 2
    assert not out.exists() and json.loads(report.read_text("utf-8"))["ok"] is False
    where = f"已回访.xlsx!回访清单!{cell_of(drawn_list, 3, cell_header)}"
    assert f"错误 {where}：{message}" in capsys.readouterr().err


def test_personal_data_pasted_into_a_checked_cell_is_not_quoted(drawn_list, tmp_path, capsys):
    _, sheet, columns, numbered = list_rows(drawn_list)
    phone = sheet.cell(numbered[0], columns["联系电话"]).value
    source = filled(drawn_list, tmp_path / "已回访.xlsx", {0: {"回访结果": phone}})
    assert main(["callback-results", str(DEMO), str(source), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert phone not in err and "回访清单!" in err and "（含个人信息，已隐去）" in err


def test_a_file_that_is_no_list_of_this_tool_is_refused_clearly(exports, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    assert main(["callback-results", str(DEMO), str(exports[0]), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"错误 {exports[0].name}：不是本工具生成的 12333 回访清单：缺少“回访清单”工作表" in err
    assert not out.exists()


def test_a_list_whose_record_was_removed_is_refused(drawn_list, tmp_path, capsys):
    book = openpyxl.load_workbook(drawn_list)
    del book["抽取记录"]
    book.save(tmp_path / "改过.xlsx")
    assert main(["callback-results", str(DEMO), str(tmp_path / "改过.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "改过.xlsx：不是本工具生成的 12333 回访清单：缺少“抽取记录”工作表" in capsys.readouterr().err


def test_a_list_of_another_year_is_refused(drawn_list, tmp_path, capsys):
    book = openpyxl.load_workbook(drawn_list)
    record = book["抽取记录"]
    cell = next(row[1] for row in record.iter_rows() if row[0].value == "年度")
    cell.value = "2023"
    book.save(tmp_path / "去年.xlsx")
    assert main(["callback-results", str(DEMO), str(tmp_path / "去年.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert (f"错误 去年.xlsx!抽取记录!{cell.coordinate}：这是 2023 年度的回访清单，工作簿计算的是 2024 年度"
            in capsys.readouterr().err)


def test_the_same_batch_twice_is_an_error(drawn_list, tmp_path, capsys):
    a = filled(drawn_list, tmp_path / "甲.xlsx", {0: {"回访结果": "属实", "回访日期": DRAWN}})
    b = filled(drawn_list, tmp_path / "乙.xlsx", {1: {"回访结果": "属实", "回访日期": DRAWN}})
    assert main(["callback-results", str(DEMO), str(a), str(b), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert f"与 甲.xlsx 是同一批次（随机种子 {SEED}）的清单" in capsys.readouterr().err


def test_the_output_may_not_be_a_list(drawn_list, capsys):
    assert main(["callback-results", str(DEMO), str(drawn_list), "-o", str(drawn_list)]) == 2
    assert "写入会覆盖原始数据" in capsys.readouterr().err


def test_same_lists_same_bytes(drawn_list, tmp_path):
    source = filled(drawn_list, tmp_path / "已回访.xlsx", {0: {"回访结果": "不属实", "回访日期": DRAWN}})
    results = read_results(DEMO, [source])
    assert results.ok and results_workbook_bytes(results) == results_workbook_bytes(read_results(DEMO, [source]))
    assert results_dict(results)["callbacks"][0]["result"] == "不属实"


def test_merge_replaces_the_batch_keeps_other_rows_and_the_decisions(drawn_list, tmp_path):
    """What the 导入回访结果 button and a paste do: rows of the batch are replaced, other
    batches and hand-typed rows stay, and a 处理决定 recorded on a case stays with it."""
    source = filled(drawn_list, tmp_path / "已回访.xlsx", {0: {"回访结果": "不属实", "回访日期": DRAWN}})
    results = read_results(DEMO, [source])
    first = results.rows[0]
    book = read_source(DEMO)
    sheet = book.sheets["回访"]
    header = sheet.rows[1]

    def line(**values):
        return [values.get(h) for h in header]

    sheet.rows += [line(年度=2024, 中心=first.center, 业务流水号=first.case_id, 回访结果="不属实", 回访日期="2024-12-20",
                        处理决定="不否决", 决定说明="当事人记错", 抽取批次=str(SEED)),
                   line(年度=2024, 中心=first.center, 业务流水号="旧件", 回访结果="属实", 抽取批次=str(SEED)),
                   line(年度=2024, 中心=results.rows[1].center, 业务流水号=results.rows[1].case_id, 回访结果="属实",
                        抽取批次=str(SEED))]
    checks = Checks()
    table = locate(book, contract.SHEET_SPECS[contract.CALLBACKS], checks)
    lookup = CenterLookup(reference_data(book, 2024)[2])
    merge = merge_plan(table, lookup, sheet_rows(results))
    existing = list(table.rows())
    assert merge.replaced == [len(existing) - 3, len(existing) - 2, len(existing) - 1]
    assert all(existing[i].raw("抽取批次") != str(SEED) for i in range(len(existing) - 3))  # the demo's own: kept
    assert merge.emptied == 1  # the second case had 属实, the list leaves it 未回访
    rows = with_decisions(sheet_rows(results), merge, lookup)
    assert (rows[0]["处理决定"], rows[0]["决定说明"]) == ("不否决", "当事人记错")
    assert rows[1]["处理决定"] is None


def test_every_drawn_case_must_come_back(drawn_list, tmp_path, capsys):
    """A case deleted from the list would vanish from the 回访汇总: an error, as is an added one."""
    book, sheet, columns, numbered = list_rows(drawn_list)
    center = sheet.cell(numbered[0], columns["中心编码"]).value
    sheet.delete_rows(numbered[0])
    book.save(tmp_path / "少了.xlsx")
    assert main(["callback-results", str(DEMO), str(tmp_path / "少了.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert (f"错误 少了.xlsx!回访清单：中心 {center} 在清单中有 1 件，抽取记录记为 2 件：抽取的案件不可删除或增加"
            in capsys.readouterr().err)
    book, sheet, columns, numbered = list_rows(drawn_list)
    last = numbered[-1]
    for col in range(1, sheet.max_column + 1):
        sheet.cell(last + 1, col).value = sheet.cell(last, col).value
    sheet.cell(last + 1, columns["业务流水号"]).value = "SB2024另加"
    book.save(tmp_path / "多了.xlsx")
    assert main(["callback-results", str(DEMO), str(tmp_path / "多了.xlsx"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "抽取记录记为 2 件" in capsys.readouterr().err
