"""``import … --into NEW`` and ``callback-results … --into NEW`` (金保 contract §9 v4): the
workbook with only its 业务量 (回访) rows following the plan and 导入记录/替换记录 written — every
other part of the package byte for byte as it was, the VBA project and the ribbon included."""
from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.io.bounds import sheet_parts
from jbsys_xl.io.reader import read_source
from jbsys_xl.io.tables import Checks, locate
from jbsys_xl.jinbao import plan as p
from jbsys_xl.jinbao.importer import run_import
from jbsys_xl.jinbao.into import NOT_A_PACKAGE
from jbsys_xl.jinbao.output import volume_table
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from tests.jinbao.support import DEMO, Formula, filled_list, write_xlsx
from tests.support import workbooks as wb

YEAR = 2024
STATS = ["经办机构", "业务事项", "月份", "业务量"]
# What an import into the demo rewrites; every other part keeps its content.
REWRITTEN = {"[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/worksheets/sheet6.xml"}


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), YEAR)


@pytest.fixture
def demo(tmp_path) -> Path:
    return Path(shutil.copy(DEMO, tmp_path / "demo.xlsm"))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def sheet_rows(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def money(path: Path) -> dict:
    outcome = run(path, YEAR)
    assert outcome.ok, [str(c) for c in outcome.errors]
    found = result_dict(outcome)
    return {"centers": found["centers"], "pools": found["pools"]}


def into(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the package ------------------------------------------------------------------------------

def test_only_the_volume_sheet_and_the_records_change_byte_for_byte(demo, exports, tmp_path, capsys):
    new = tmp_path / "导入后.xlsm"
    before = parts(demo)
    code, out, _ = into(capsys, "import", demo, *exports, "--year", YEAR, "--into", new)
    assert code == 0
    assert parts(demo) == before  # the input is never touched
    after = parts(new)
    added = sorted(set(after) - set(before))
    assert added == ["xl/worksheets/sheet18.xml", "xl/worksheets/sheet19.xml"]
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == REWRITTEN
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert after["customUI/customUI14.xml"] == before["customUI/customUI14.xml"]
    assert after["_rels/.rels"] == before["_rels/.rels"]  # still relates the ribbon
    assert b"ui/extensibility" in after["_rels/.rels"]
    assert b"vbaProject" in after["xl/_rels/workbook.xml.rels"]
    # the workbook part only gains the two sheets, at the end (localSheetId of names stay right)
    gained = re.findall(rb'<sheet name="[^"]*" sheetId="\d+" r:id="rId\d+"/>', after["xl/workbook.xml"])[-2:]
    assert after["xl/workbook.xml"].replace(b"".join(gained), b"") == before["xl/workbook.xml"]
    assert [re.search(rb'name="([^"]*)"', g).group(1).decode() for g in gained] == ["导入记录", "替换记录"]
    assert "以下来源" not in out and out.splitlines()[0] == "新增这次导入的 2,130 行。"
    assert out.rstrip().endswith(f"已写出导入后的工作簿：{new}（原工作簿未改动）")


def test_the_volume_rows_follow_the_plan_and_nothing_else_moves(demo, exports, tmp_path, capsys):
    """The demo's hand rows of every key the exports bring are replaced where they stood; no
    other row changes, and NEW passes validation with the import's own figures."""
    new = tmp_path / "导入后.xlsm"
    assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", new)[0] == 0
    result = run_import(demo, exports, YEAR)
    plan = p.plan_volumes(locate(read_source(demo, [contract.VOLUMES]),
                                 contract.SHEET_SPECS[contract.VOLUMES], Checks()), result)
    old, now = sheet_rows(demo, "业务量"), sheet_rows(new, "业务量")
    assert len(now) == len(old)
    replaced = set(plan.replaced_rows)
    imported = {(c, i, m): (v, s) for c, i, m, v, s in volume_table(result).rows}
    for number, (was, row) in enumerate(zip(old, now), start=1):
        if number not in replaced:
            assert row == was, number
        else:
            center, item, month, volume, source = row
            assert imported.pop((center, item, f"{month:%Y-%m}")) == (volume, source)
    assert not imported  # every imported row is in, each where its key's hand row stood
    assert run(new, YEAR).ok
    record = sheet_rows(new, "替换记录")
    assert record[1] == ["单元格", "中心", "事项", "月份", "原业务量", "原来源", "替换原因"]
    assert len(record) == 2 + 2130 and record[2][0] == f"业务量!D{plan.replaced_rows[0]}"


def test_a_partial_reimport_keeps_the_other_files_rows_and_the_money(demo, exports, tmp_path, capsys):
    """D1 of the review: the clerk re-imports one corrected export after all four. Its rows are
    replaced, the other three files' rows stay, and not a fen moves."""
    first, second = tmp_path / "一.xlsm", tmp_path / "二.xlsm"
    assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", first)[0] == 0
    code, out, _ = into(capsys, "import", first, exports[-1], "--year", YEAR, "--into", second)
    assert code == 0
    rows = {tuple(r[:3]): r for r in sheet_rows(first, "业务量")[2:]}
    again = {tuple(r[:3]): r for r in sheet_rows(second, "业务量")[2:]}
    others = {k: r for k, r in rows.items() if r[4] and not r[4].endswith(exports[-1].name)}
    assert others and all(again[k] == r for k, r in others.items())
    assert sum(1 for r in again.values() if r[4].endswith(exports[-1].name)) == \
        sum(1 for r in rows.values() if r[4].endswith(exports[-1].name))
    assert money(second) == money(first)
    kept = next(line for line in out.splitlines() if line.startswith("以下来源本次未选择"))
    assert all(e.name in kept for e in exports[:-1]) and exports[-1].name not in kept
    assert f"其 {len(others):,} 行保留" in kept


def test_a_record_sheet_with_a_formula_takes_the_calculation_chain_with_it(demo, exports, tmp_path, capsys):
    """Someone summed a column of the last 导入记录; Excel saved a calcChain naming that cell. The
    sheet is replaced, so the chain (which would point at a cell with no formula: Excel repairs
    the file) is dropped with its relationship and content type."""
    first = tmp_path / "first.xlsm"
    assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", first)[0] == 0
    with zipfile.ZipFile(first) as archive:
        record_part = sheet_parts(archive)["导入记录"]
    with_chain = tmp_path / "with_chain.xlsm"
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(with_chain, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == record_part:
                data = data.replace(b"</sheetData>", b'<row r="9999"><c r="A9999"><f>1+1</f><v>2</v></c></row></sheetData>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId999" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                                    b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            out.writestr(info, data)
        out.writestr("xl/calcChain.xml", b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                         b'main"><c r="A9999" i="1"/></calcChain>')
    again = tmp_path / "again.xlsm"
    assert into(capsys, "import", with_chain, *exports, "--year", YEAR, "--into", again)[0] == 0
    written = parts(again)
    assert "xl/calcChain.xml" not in written
    assert b"calcChain" not in written["xl/_rels/workbook.xml.rels"] + written["[Content_Types].xml"]
    assert b"<f>" not in written[record_part]


def test_the_same_inputs_give_the_same_bytes(demo, exports, tmp_path, capsys):
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    for target in (a, b):
        assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", target)[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_importing_into_its_own_output_again_changes_no_row(demo, exports, tmp_path, capsys):
    """An interrupted or repeated import: the rows of the same files are replaced where they
    stood, never doubled."""
    first, second = tmp_path / "一.xlsm", tmp_path / "二.xlsm"
    assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", first)[0] == 0
    assert into(capsys, "import", first, *exports, "--year", YEAR, "--into", second)[0] == 0
    assert sheet_rows(second, "业务量") == sheet_rows(first, "业务量")


# --- refusals: exit 2, nothing written, inputs untouched ----------------------------------------

def unchanged(paths: list[Path]):
    before = {path: path.read_bytes() for path in paths}
    return lambda: all(path.read_bytes() == data for path, data in before.items())


def nothing_beside(folder: Path, *expected: str) -> bool:
    return sorted(f.name for f in folder.iterdir()) == sorted(expected)


@pytest.mark.parametrize("target, reason", [
    ("demo.xlsm", "就是输入文件"),
    ("new.xlsx", "的扩展名应为 .xlsm，与原工作簿相同（否则宏和功能区会丢失）"),
])
def test_new_must_be_a_new_file_of_the_workbooks_kind(demo, exports, tmp_path, capsys, target, reason):
    check = unchanged([demo, *exports])
    code, _, err = into(capsys, "import", demo, *exports, "--into", tmp_path / target)
    assert code == 2 and reason in err and check()


def test_new_must_not_be_an_export(tmp_path, capsys):
    book = small(tmp_path, HAND)
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31]])
    check = unchanged([book, source])
    code, _, err = into(capsys, "import", book, source, "--into", source)
    assert code == 2 and "就是要导入的金保导出文件" in err and check()


def test_new_may_be_kept_among_the_exports_the_next_import_skips_it(demo, exports, tmp_path, capsys):
    """A clerk keeps the workbook in the exports folder: the .xlsm written there is an allocation
    workbook, which the next import of that folder skips (as it would an .xlsx of ours)."""
    folder = tmp_path / "导出"
    shutil.copytree(exports[0].parent, folder)
    new = folder / "导入后.xlsm"
    assert into(capsys, "import", demo, folder, "--year", YEAR, "--into", new)[0] == 0
    again = tmp_path / "again.xlsm"
    code, out, err = into(capsys, "import", new, folder, "--year", YEAR, "--into", again)
    assert code == 0 and "导入后.xlsm：这是" in out + err and "已跳过" in out + err
    assert sheet_rows(again, "业务量") == sheet_rows(new, "业务量")


def test_a_read_only_new_file_is_refused_before_anything_is_read(demo, exports, tmp_path, capsys):
    new = tmp_path / "new.xlsm"
    new.write_bytes(b"old")
    new.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, _, err = into(capsys, "import", demo, *exports, "--into", new)
    finally:
        new.chmod(0o644)
    assert code == 2 and "是只读文件" in err and new.read_bytes() == b"old"


@pytest.mark.parametrize("kind", ["xls", "ods", "csv"])
def test_xls_ods_and_csv_folders_are_refused_with_the_reason(tmp_path, exports, capsys, kind):
    if kind == "csv":
        workbook = tmp_path / "工作簿"
        workbook.mkdir()
    else:
        workbook = tmp_path / f"工作簿.{kind}"
        workbook.write_bytes(b"x")
    code, _, err = into(capsys, "import", workbook, *exports, "--into", tmp_path / "new.xlsx")
    assert code == 2 and NOT_A_PACKAGE in err and not (tmp_path / "new.xlsx").exists()


def small(tmp_path: Path, rows: list[list], dress=None, name="工作簿.xlsx") -> Path:
    """The base workbook with these 业务量 rows (中心, 事项, 月份, 业务量, 来源)."""
    sheets = wb.base()
    sheets["业务量"] = [["中心", "事项", "月份", "业务量", "来源"], *rows]
    return wb.write(tmp_path / name, sheets, dress)


def export(tmp_path: Path, rows: list[list], name="统计.xlsx") -> Path:
    return write_xlsx(tmp_path / name, {"统计": [STATS, *rows]})


HAND = [["C01", "失业登记", date(2024, 1, 1), 30, ""], ["C02", "失业登记", "2024-02", 10, ""],
        ["C03", "居保登记", "2024年3月", 20, ""], ["甲中心", "居民参保登记", "2024/04", 20, ""]]


def test_a_workbook_that_fails_validation_after_the_plan_is_not_written(tmp_path, capsys):
    """Two hand rows of a key the import does not bring stay two: NEW would not pass 校验."""
    book = small(tmp_path, HAND + [["C02", "失业登记", "2024-02", 3, ""]])
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31]])
    check = unchanged([book, source])
    code, out, err = into(capsys, "import", book, source, "--into", tmp_path / "new.xlsx")
    assert code == 2 and check()
    assert "错误 业务量!D6：C02“失业登记”2024-02 有 2 行业务量（D3、D6）" in err
    assert err.rstrip().endswith("发现 1 个错误，未写出导入后的工作簿：按计划导入后，工作簿的校验有以上错误；"
                                 "请在原工作簿中更正后重新导入。")
    assert out.startswith("新增这次导入的 1 行。")
    assert nothing_beside(tmp_path, book.name, source.name)


def as_table(total_row=False):
    def dress(book, sheet, name, rows):
        if name == "业务量":
            columns = [{"header": h} for h in rows[0]]
            if total_row:
                columns[0]["total_string"] = "汇总"
                columns[3]["total_function"] = "sum"
            sheet.add_table(0, 0, len(rows) - 1 + total_row, len(rows[0]) - 1,
                            {"columns": columns, "total_row": total_row, "name": "tblVolumes"})
    return dress


def test_a_totals_row_stays_last_and_the_table_follows_the_rows(tmp_path, capsys):
    book = small(tmp_path, HAND, as_table(total_row=True))
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31], ["C03", "失业登记", "2024-05", 7],
                               ["C02", "居民参保登记", "2024-06", 8]])
    new = tmp_path / "new.xlsx"
    assert into(capsys, "import", book, source, "--into", new)[0] == 0
    loaded = openpyxl.load_workbook(new)
    sheet = loaded["业务量"]
    assert sheet.tables["tblVolumes"].ref == "A1:E8"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[-1][0] == "汇总" and str(values[-1][3]).startswith("=SUBTOTAL(109")
    assert [v[:4] for v in values[:-1]] == [
        ["C01", "失业登记", datetime(2024, 1, 1), 31], ["C02", "失业登记", "2024-02", 10],
        ["C03", "居保登记", "2024年3月", 20], ["甲中心", "居民参保登记", "2024/04", 20],
        ["C02", "居民参保登记", "2024-06", 8], ["C03", "失业登记", "2024-05", 7]]
    outcome = run(new, YEAR)
    assert outcome.ok and outcome.dataset.volumes[("C03", "失业登记")] == 7


def test_empty_formatted_rows_at_the_end_are_written_over(tmp_path, capsys):
    """A table ending in empty, formatted rows (the template's insert row, rows cleared by
    hand): new rows start below the last filled one, in those rows' formats."""
    def dress(book, sheet, name, rows):
        if name == "业务量":
            text = book.add_format({"num_format": "@"})
            for r in (len(rows), len(rows) + 1):
                for c in range(5):
                    sheet.write_blank(r, c, None, text)
            sheet.add_table(0, 0, len(rows) + 1, 4, {"columns": [{"header": h} for h in rows[0]], "name": "T"})
    book = small(tmp_path, HAND, dress)
    new = tmp_path / "new.xlsx"
    assert into(capsys, "import", book, export(tmp_path, [["C03", "失业登记", "2024-05", 7]]), "--into", new)[0] == 0
    sheet = openpyxl.load_workbook(new)["业务量"]
    assert sheet.tables["T"].ref == "A1:E6" and sheet.max_row == 6
    assert [c.value for c in sheet[6]] == ["C03", "失业登记", "2024-05", 7, "统计.xlsx"]
    assert sheet["A6"].number_format == "@"


@pytest.mark.parametrize("dress, message", [
    (lambda book, sheet, name, rows: name == "业务量" and sheet.protect(), p.protected("业务量")),
    (lambda book, sheet, name, rows: name == "业务量" and sheet.merge_range("A3:B3", None),
     p.merged("业务量", 2, 3)),
    (lambda book, sheet, name, rows: name == "业务量" and sheet.write("H4", "核对：张"), p.beside("业务量", "H4")),
    (lambda book, sheet, name, rows: name == "业务量" and (
        sheet.autofilter(0, 0, len(rows) - 1, 4), sheet.filter_column(0, "x == C01"),
        sheet.set_row(2, None, None, {"hidden": True})), p.filtered("业务量")),
])
def test_the_preflight_refuses_in_the_excel_buttons_words(tmp_path, capsys, dress, message):
    book = small(tmp_path, HAND, dress)
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31]])
    check = unchanged([book, source])
    code, _, err = into(capsys, "import", book, source, "--into", tmp_path / "new.xlsx")
    assert code == 2 and check() and message in err
    assert nothing_beside(tmp_path, book.name, source.name)


def test_a_formula_in_the_rows_is_refused(tmp_path, capsys):
    sheets = wb.base()
    sheets["业务量"] = [["中心", "事项", "月份", "业务量", "来源"], *HAND,
                      ["C02", "居民参保登记", "2024-07", Formula("=2+3", 5), ""]]
    book = write_xlsx(tmp_path / "公式.xlsx", sheets)
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31]])
    code, _, err = into(capsys, "import", book, source, "--into", tmp_path / "new.xlsx")
    assert code == 2 and "“业务量”表的 D6 等单元格是公式" in err


def test_a_source_of_several_files_given_in_part_stops_the_import(tmp_path, capsys):
    book = small(tmp_path, HAND + [["C03", "失业登记", "2024-06", 4, "统计.xlsx；其他.xlsx"]])
    source = export(tmp_path, [["C01", "失业登记", "2024-01", 31]])
    code, _, err = into(capsys, "import", book, source, "--into", tmp_path / "new.xlsx")
    assert code == 2 and "请把 其他.xlsx 一并选择后重新导入" in err


# --- 回访 ------------------------------------------------------------------------------------------

def test_callback_results_into_replace_their_batch_and_keep_the_rest(demo, exports, tmp_path, capsys):
    filled_list(demo, exports, tmp_path, 4242, "不属实", datetime(2024, 12, 21))
    new = tmp_path / "new.xlsm"
    before = parts(demo)
    capsys.readouterr()
    code, out, _ = into(capsys, "callback-results", demo, tmp_path / "已回访.xlsx", "--year", YEAR, "--into", new)
    assert code == 0
    kept = len(sheet_rows(demo, "回访")) - 2  # the demo's own 回访 rows (other batches)
    assert f"同一抽取批次此前的 0 行换成这次的 23 行，保留其他 {kept} 行" in out
    after = parts(new)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {"xl/worksheets/sheet10.xml", "xl/tables/table9.xml",  # 回访 and its Table,
                       "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"}  # + 2 sheets
    rows = sheet_rows(new, "回访")
    assert rows[:2 + kept] == sheet_rows(demo, "回访")
    assert len(rows) == 2 + kept + 23 and rows[2 + kept][4] == "不属实" and rows[2 + kept][10] == "4242"
    record = sheet_rows(new, "回访导入记录")
    assert record[0][0].startswith("2024 年度 12333 回访结果：1 份清单，抽取 23 件")
    assert any(row[0] and "同一抽取批次此前的 0 行换成这次的 23 行" in str(row[0]) for row in record)
    assert sheet_rows(new, "回访替换记录")[1][:2] == ["单元格", "年度"] and len(sheet_rows(new, "回访替换记录")) == 2
    again = tmp_path / "again.xlsm"
    assert into(capsys, "callback-results", new, tmp_path / "已回访.xlsx", "--year", YEAR, "--into", again)[0] == 0
    assert sheet_rows(again, "回访") == rows  # the batch replaced where it stood, not doubled
    replaced = sheet_rows(again, "回访替换记录")  # the rows of that batch, as they stood before
    assert len(replaced) == 2 + 23 and {row[5] for row in replaced[2:]} <= {"不属实", ""}
    assert replaced[2][0] == f"回访!A{2 + kept + 1}" and replaced[2][-1] == "4242"


def test_callback_results_into_read_the_workbook_once(demo, exports, tmp_path, capsys, monkeypatch):
    """The lists are read against the workbook's sheets, and merged into those same sheets: the
    file (VBA and all) is not read a second time before the written one is checked."""
    from jbsys_xl.io import reader
    from jbsys_xl.jinbao import importer, into as into_module

    filled_list(demo, exports, tmp_path, 4242, "不属实", datetime(2024, 12, 21))
    reads = []

    def counted(path, *args, **kwargs):
        reads.append(Path(path).name)
        return reader.read_source(path, *args, **kwargs)

    monkeypatch.setattr(importer, "read_source", counted)
    monkeypatch.setattr(into_module, "read_source", counted)
    capsys.readouterr()
    assert into(capsys, "callback-results", demo, tmp_path / "已回访.xlsx", "--year", YEAR,
                "--into", tmp_path / "new.xlsm")[0] == 0
    assert reads.count(demo.name) == 1


def test_libreoffice_reads_the_rewritten_workbook_as_written(demo, exports, tmp_path, capsys):
    """An office suite that is not this program opens NEW and finds the same rows: inline text,
    moved rows, the table and the added sheets are well-formed for it."""
    from jbsys_xl.office import libreoffice

    try:
        libreoffice.find_soffice()
    except libreoffice.LibreOfficeMissing:
        if os.environ.get("CI"):
            pytest.fail("CI must run this test: LibreOffice is not installed")
        pytest.skip("LibreOffice is not installed")
    new = tmp_path / "导入后.xlsm"
    assert into(capsys, "import", demo, *exports, "--year", YEAR, "--into", new)[0] == 0
    saved = libreoffice.convert(new, "xlsx", tmp_path / "lo")
    for name in ("业务量", "导入记录", "替换记录"):
        assert sheet_rows(saved, name) == sheet_rows(new, name), name
