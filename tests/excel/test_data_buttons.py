"""The ribbon's 数据 buttons (导入金保数据, 生成回访清单) on the xlwings stand-in: a copy
of the demo workbook with the template's VBA behaviour and its tables, the made-up 金保 exports
of the demo year, the user played through the stand-in's dialogs."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest
import xlwings

from jbsys_xl import contract
from jbsys_xl.excel import callback_buttons, data_buttons, macros, udf_service
from jbsys_xl.jinbao.output import RECORD_SHEET, record_table, volume_table
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.sample import sample_rows
from jbsys_xl.excel.book_source import read_book
from jbsys_xl.jinbao.plan import REPLACED_SHEET, beside, merged, totals_row
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from tests.support import fake_win32
from tests.support import fake_xlwings as fake
from tests.support.excel_books import open_book, snapshot, udf_cell
import udfs.jbsys_udfs as U

ROOT = Path(__file__).resolve().parents[2]
DEMO, TEMPLATE = ROOT / "workbook" / "demo.xlsm", ROOT / "workbook" / "template.xlsm"
YEAR = 2024
HEADER_ROW = 2  # of 业务量 in the template: a note above it
SOURCE = 4  # 来源, 0-based in a 业务量 row
SAMPLE = sample_rows(YEAR)
# The test's own reading of the demo's 中心 and 事项 cells (codes, names, 金保 aliases) and
# months (dates, 2024-03, 2024/03, 2024年3月), to check the import's overlap against.
CENTERS = {name: row["中心编码"] for row in SAMPLE[contract.CENTERS]
           for name in [row["中心编码"], row["中心名称"], *re.split("[;；]", row["金保机构"] or "")] if name}
ITEMS = {name: row["事项名称"] for row in SAMPLE[contract.INDICATORS]
         for name in [row["事项名称"], *re.split("[;；]", row["金保事项"] or "")] if name}


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), YEAR)


@pytest.fixture(autouse=True)
def win32(monkeypatch):
    fake_win32.install(monkeypatch)


@pytest.fixture
def book(tmp_path):
    udf_service.CACHE.__init__()
    return open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))


def confirmed(book, times: int = 1):
    """The user will press 确定 (the demo's hand rows are replaced: 取消 is the default)."""
    book.app.answers += ["ok"] * times


def money(book) -> dict:
    outcome = run(read_book(book), YEAR)
    assert outcome.ok, [str(c) for c in outcome.errors]
    return result_dict(outcome)["centers"]


def volume_rows(book) -> list[list]:
    sheet = book.sheets[contract.VOLUMES]
    used = sheet.used_range
    return sheet.range((HEADER_ROW + 1, 1), (used.row + used.shape[0] - 1, 5)).options(ndim=2).value


def in_period(month) -> bool:
    return (isinstance(month, dt.datetime) and (2023, 12) <= (month.year, month.month) <= (2024, 11))


def imported(result) -> list[list]:
    """The import's rows as the stand-in holds them once written (months as dates)."""
    return [[center, item, dt.datetime(*map(int, month.split("-")), 1), float(volume), source]
            for center, item, month, volume, source in volume_table(result).rows]


def key(row) -> tuple:
    """中心编码, 事项名称, (year, month) of a 业务量 row of the demo."""
    month = row[2]
    if isinstance(month, str):
        year, number = map(int, re.fullmatch(r"(\d{4})[-/年](\d{1,2})月?", month).groups())
    else:
        year, number = month.year, month.month
    return CENTERS.get(row[0], row[0]), ITEMS.get(row[1], row[1]), (year, number)


def everything(book) -> dict:
    return snapshot(book, book.sheet_names)


def checks_rows(book) -> list[list]:
    return book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value


# --- 导入金保数据 ---------------------------------------------------------------------------------

def test_import_replaces_the_hand_rows_it_would_double_and_keeps_other_files(book, exports):
    """The demo's hand-typed rows are what the sample exports were made from: every imported
    中心/事项/月份 has a hand row too — kept, they would count twice. They are listed with their
    cells, replaced once confirmed (取消 is the default button) and recorded in 替换记录; a row
    of another 来源 of another key, and every row outside the period, stay."""
    sheet = book.sheets[contract.VOLUMES]
    rows = volume_rows(book)
    other = next(i for i, row in enumerate(rows) if isinstance(row[2], dt.datetime) and row[2].year == 2022)
    sheet.range((HEADER_ROW + 1 + other, 5)).value = "2022年导出.xlsx"  # another period's: kept
    center = rows[0][0]
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    before, reads = score.value, udf_service.CACHE.reads
    book.app.api.picks.append(exports)
    confirmed(book)
    original = volume_rows(book)

    result = data_buttons.import_jinbao(book)

    assert result.ok and result.volumes
    new = {key(row) for row in imported(result)}
    hand = [i for i, row in enumerate(original) if (2023, 12) <= key(row)[2] <= (2024, 11) and key(row) in new]
    kept = [row for i, row in enumerate(original) if i not in hand]
    assert hand, "the demo's hand rows overlap the sample exports"
    after = volume_rows(book)
    assert after[:len(kept)] == kept  # every other row untouched, in its order
    assert after[len(kept):] == imported(result)
    assert not {key(row) for row in after if not row[SOURCE]} & new  # nothing counted twice
    table = sheet.tables["tblVolumes"]
    assert table.range.address == f"$A${HEADER_ROW}:$E${HEADER_ROW + len(after)}"
    first_new = HEADER_ROW + 1 + len(kept)
    assert [sheet.range((first_new, c)).number_format for c in range(1, 6)] == \
        ["@", "@", "yyyy-mm", "#,##0", "@"]
    confirmation, done = (prompt for prompt, _ in book.app.alerts)
    assert book.app.message_styles[0] & fake_win32.win32con.MB_DEFBUTTON2  # Enter means 取消
    for export in exports:
        assert export.name in confirmation
    assert "未匹配的经办机构“武进区湖塘镇劳动保障所”" in confirmation
    assert f"  手工填写的 {len(hand):,} 行（同一中心、事项和月份由本次导入提供）" in confirmation
    first = original[hand[0]]
    assert (f"    业务量!D{HEADER_ROW + 1 + hand[0]} {first[0]} {first[1]} {key(first)[2][0]}-{key(first)[2][1]:02d}："
            f"手工 {first[3]:g}，导入 ") in confirmation
    assert f"注意：{len(hand):,} 行手工录入的业务量将被删除，以导入的数据为准" in confirmation
    assert "以下来源本次未选择" not in confirmation
    assert done.startswith(f"已导入 {len(result.volumes):,} 行业务量（替换 {len(hand):,} 行，其中手工录入的 "
                           f"{len(hand):,} 行）")
    record = book.sheets[RECORD_SHEET]
    assert record.range("A1").value.startswith(f"{YEAR} 年度金保数据导入")
    assert record.range((3, 1), (2 + len(result.parts) + 1, 9)).options(ndim=2).value == [
        [float(v) if isinstance(v, int) else v for v in row] for row in record_table(result).rows]
    assert record.range((3 + len(result.parts) + 2, 1)).value == f"新增这次导入的 {len(result.volumes):,} 行。"
    replaced = book.sheets[REPLACED_SHEET]
    assert replaced.range((2, 1), (2, 7)).value == ["单元格", "中心", "事项", "月份", "原业务量", "原来源", "替换原因"]
    assert replaced.range((3, 1), (3, 6)).value == [f"业务量!D{HEADER_ROW + 1 + hand[0]}", first[0], first[1],
                                                    f"{key(first)[2][0]}-{key(first)[2][1]:02d}", first[3], "手工填写"]
    assert replaced.range((2 + len(hand), 1)).value is not None and replaced.range((3 + len(hand), 1)).value is None
    assert sum(row[0] == "警告" for row in checks_rows(book)) == len(result.warnings)
    assert book.sheets.active.name == RECORD_SHEET
    # an input edit for the worksheet functions: current without F9, read again once; the hand
    # rows the import would have doubled are gone, so the money is computed again, not refused
    now = score.value
    assert udf_service.CACHE.reads == reads + 1
    assert now == udf_service.score(book, None, center, YEAR) != before
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating, app.status_bar) == \
        (True, "automatic", True, False)


def test_pressing_enter_on_a_confirmation_that_deletes_hand_rows_writes_nothing(book, exports):
    before = everything(book)
    book.app.api.picks.append(exports)
    assert data_buttons.import_jinbao(book) is None  # no answer scripted: the default button
    assert everything(book) == before
    assert book.app.message_styles == [fake_win32.win32con.MB_OKCANCEL | fake_win32.win32con.MB_ICONWARNING
                                       | fake_win32.win32con.MB_DEFBUTTON2]


def test_a_hand_row_is_matched_through_aliases_and_month_forms(book, exports):
    """金保机构 and 金保事项 aliases, a 2024年3月 text month: the same 中心/事项/月份 as the
    import's row, resolved as validation resolves it."""
    book.app.api.picks += [exports, exports]
    confirmed(book)
    first = data_buttons.import_jinbao(book)
    target = next(v for v in first.volumes if v.center == "TN01" and v.item == "失业登记")
    sheet = book.sheets[contract.VOLUMES]
    row = HEADER_ROW + 1 + len(volume_rows(book))
    sheet.range((row, 1)).value = [["天宁区雕庄街道劳动保障所", "失业登记（金保）",
                                    f"{target.month[0]}年{target.month[1]}月", 3]]
    confirmed(book)
    data_buttons.import_jinbao(book)
    confirmation = book.app.alerts[-2][0]
    assert "  手工填写的 1 行（同一中心、事项和月份由本次导入提供）" in confirmation
    assert (f"业务量!D{row} 天宁区雕庄街道劳动保障所 失业登记（金保） {target.month[0]}-{target.month[1]:02d}："
            f"手工 3，导入 {target.volume:,}") in confirmation
    assert [r[:2] for r in volume_rows(book) if r[0] == "天宁区雕庄街道劳动保障所"] == []


def test_importing_again_replaces_the_first_import(book, exports):
    book.app.api.picks += [exports, exports]
    confirmed(book)
    first = data_buttons.import_jinbao(book)
    rows = volume_rows(book)
    second = data_buttons.import_jinbao(book)  # no hand row goes: 确定 is the default
    assert volume_rows(book) == rows
    confirmation = book.app.alerts[2][0]
    assert f"替换“业务量”表中的 {len(first.volumes):,} 行：" in confirmation
    assert all(f"来源“{e.name}”" in confirmation for e in exports[1:])
    assert "手工填写的行" not in confirmation and "将被删除" not in confirmation
    assert len(second.volumes) == len(first.volumes)


def test_reimporting_one_file_keeps_the_other_files_rows_and_the_money(book, exports):
    """D1 of the review (appendix 1): the corrected statistic is imported alone after all four.
    Its rows are replaced; files 01–03 keep theirs, the confirmation says so, no fen moves."""
    book.app.api.picks += [exports, [exports[-1]]]
    confirmed(book)
    data_buttons.import_jinbao(book)
    rows, paid = volume_rows(book), money(book)
    data_buttons.import_jinbao(book)
    confirmation = book.app.alerts[-2][0]
    kept = next(line for line in confirmation.splitlines() if "以下来源本次未选择" in line)
    assert all(e.name in kept for e in exports[:-1]) and exports[-1].name not in kept
    assert sorted(volume_rows(book), key=str) == sorted(rows, key=str)
    assert money(book) == paid


def test_an_interrupted_reimport_is_stopped_by_validation_and_repaired_by_importing_again(book, exports,
                                                                                          monkeypatch):
    """D2 (appendix 2): the delete refused and the undo failing leave the old rows and the new
    block, both with the same 来源. 生成分配 refuses — nothing is summed — and importing again
    replaces both copies."""
    book.app.api.picks.append(exports)
    confirmed(book)
    data_buttons.import_jinbao(book)
    paid = money(book)
    with monkeypatch.context() as patch:
        patch.setattr(data_buttons, "delete_rows", lambda *args: (_ for _ in ()).throw(fake.ComError("busy")))
        patch.setattr(fake.Range, "clear_contents", lambda self: (_ for _ in ()).throw(fake.ComError("busy")))
        book.app.api.picks.append(exports)
        assert data_buttons.import_jinbao(book) is None
    assert "未能完全撤回" in book.app.alerts[-1][0]
    assert macros.generate_allocation(book).ok is False
    errors = [row for row in checks_rows(book) if row[0] == "错误"]
    assert errors and "各有两行或更多业务量" in errors[0][3] and "两行都是来源" in errors[0][3]
    book.app.api.picks.append(exports)
    data_buttons.import_jinbao(book)
    assert money(book) == paid


def test_rows_that_moved_after_the_confirmation_are_not_deleted(book, exports, monkeypatch):
    """Between the read and the delete a co-author edits the rows the plan would delete: they
    are read again before deleting, and the import is undone instead of deleting other data."""
    (cells, formats), table = sheet_state(book)[0][contract.VOLUMES], sheet_state(book)[1]
    sheet = book.sheets[contract.VOLUMES]
    real_put = data_buttons.put
    edits = {}

    def put_and_edit(target, *args):
        real_put(target, *args)
        for number, row in enumerate(volume_rows(book), start=HEADER_ROW + 1):
            if not row[SOURCE] and (2023, 12) <= key(row)[2] <= (2024, 11):
                edits[(number, 4)] = sheet._cells[(number, 4)] = 999.0  # typed by someone else meanwhile

    monkeypatch.setattr(data_buttons, "put", put_and_edit)
    book.app.api.picks.append(exports)
    confirmed(book)
    assert data_buttons.import_jinbao(book) is None
    message = book.app.alerts[-1][0]
    assert "在确认之后有了变化" in message and "未删除任何行" in message and "已撤回" in message
    assert sheet_state(book) == ({contract.VOLUMES: (cells | edits, formats)}, table)
    assert sheet._reads  # the rows were read again


def test_a_table_showing_its_totals_row_is_refused(book, exports):
    """D3 (appendix 3): the block would be written into the 汇总 row, where no reader counts it."""
    book.sheets[contract.VOLUMES].tables["tblVolumes"].show_totals = True
    before = everything(book)
    book.app.api.picks.append(exports)
    confirmed(book)
    result = data_buttons.import_jinbao(book)
    assert result.ok and everything(book) == before | {contract.CHECKS_SHEET: everything(book)[contract.CHECKS_SHEET]}
    [(message, _)] = book.app.alerts
    assert message == f"未写入任何数据：{totals_row(contract.VOLUMES, 'tblVolumes')}"


def sheet_state(book) -> tuple:
    """Everything of 业务量 the import may touch: cells, formats, the table's range."""
    sheet = book.sheets[contract.VOLUMES]
    return snapshot(book, [contract.VOLUMES]), sheet.tables["tblVolumes"].range.address


def test_a_refused_delete_leaves_the_sheet_byte_for_byte_as_before(book, exports, monkeypatch):
    """The rows are appended first, the table grown over them, then the replaced rows deleted
    in one Excel operation: refused, the appended rows and formats are taken out again."""
    before = sheet_state(book)

    def refuse(self, Shift=None):
        raise fake.ComError("This operation is not allowed.")

    with monkeypatch.context() as patch:
        patch.setattr(fake.ComRange, "Delete", refuse)
        book.app.api.picks.append(exports)
        confirmed(book)
        assert data_buttons.import_jinbao(book) is None
    assert sheet_state(book) == before
    message = book.app.alerts[-1][0]
    assert message.startswith(f"写入“{contract.VOLUMES}”时失败，已撤回，“{contract.VOLUMES}”表与导入前相同")
    assert "This operation is not allowed." in message and "重新点击“导入金保数据”" in message
    assert "ComError" not in message
    assert any(row[:2] == ["错误", contract.VOLUMES] and "已撤回" in row[3] for row in checks_rows(book))
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "automatic", True)

    book.app.api.picks.append(exports)
    confirmed(book)
    result = data_buttons.import_jinbao(book)
    assert result.ok and volume_rows(book)[-len(result.volumes):] == imported(result)


def test_a_refused_write_is_undone_too(book, exports, monkeypatch):
    before = sheet_state(book)
    volumes = book.sheets[contract.VOLUMES]
    original = fake.Range.value.fset

    def busy(self, data):
        if self.sheet is volumes:
            raise fake.ComError("Excel is busy")
        original(self, data)

    monkeypatch.setattr(fake.Range, "value", property(fake.Range.value.fget, busy))
    book.app.api.picks.append(exports)
    confirmed(book)
    assert data_buttons.import_jinbao(book) is None
    assert sheet_state(book) == before
    assert "已撤回" in book.app.alerts[-1][0]


def test_an_undo_that_fails_names_the_rows_and_importing_again_repairs_it(book, exports, monkeypatch):
    rows = volume_rows(book)
    with monkeypatch.context() as patch:
        patch.setattr(fake.ComRange, "Delete", lambda self, Shift=None: (_ for _ in ()).throw(
            fake.ComError("Excel is busy")))
        patch.setattr(fake.Range, "clear_contents", lambda self: (_ for _ in ()).throw(
            fake.ComError("Excel is busy")))
        book.app.api.picks.append(exports)
        confirmed(book)
        assert data_buttons.import_jinbao(book) is None
    appended = volume_rows(book)[len(rows):]
    first, last = HEADER_ROW + 1 + len(rows), HEADER_ROW + len(rows) + len(appended)
    message = book.app.alerts[-1][0]
    assert f"未能完全撤回：第 {first}–{last} 行是这次追加的行（“来源”已填写，再次导入会替换它们）" in message
    assert appended and all(row[SOURCE] for row in appended)  # 来源 in the same write

    book.app.api.picks.append(exports)
    confirmed(book)
    result = data_buttons.import_jinbao(book)
    assert volume_rows(book)[-len(result.volumes):] == imported(result)
    assert len(volume_rows(book)) < len(rows) + len(result.volumes)  # the first block replaced


def protect(book):
    book.sheets[contract.VOLUMES]._protected = True


def filter_sheet(book):
    book.sheets[contract.VOLUMES]._filtered = True


def filter_table(book):
    book.sheets[contract.VOLUMES].tables["tblVolumes"]._filter = True


def merge_a_row(book):
    book.sheets[contract.VOLUMES].range("A40:B40").merge()


def another_table(book):
    sheet = book.sheets[contract.VOLUMES]
    sheet.range("H3").value = [["备注"], ["x"]]
    sheet.tables.add(sheet.range("H3:H4"), name="tblNotes")


def note_beside(book):
    book.sheets[contract.VOLUMES].range("G100").value = "核对人：张三"


@pytest.mark.parametrize("change, reason, cell", [
    (protect, "受保护，无法写入。请先点击“审阅 → 撤消工作表保护”", "A2"),
    (filter_sheet, "正在筛选，有的行被隐藏", "A2"),
    (filter_table, "正在筛选，有的行被隐藏", "A2"),
    (merge_a_row, merged(contract.VOLUMES, 3, 30461 + 2130), "A2"),
    (another_table, "中还有另一个表格“tblNotes”（H3:H4）", "A2"),
    (note_beside, beside(contract.VOLUMES, "G100"), "G100"),
], ids=["protected", "sheet-filter", "table-filter", "merged", "table", "content"])
def test_the_preflight_refuses_before_anything_changes(book, exports, change, reason, cell):
    change(book)
    before = snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET])
    book.app.api.picks.append(exports)
    result = data_buttons.import_jinbao(book)
    assert result.ok  # the import itself was fine; the sheet cannot take it
    assert snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET]) == before
    [(message, _)] = book.app.alerts  # no confirmation was asked
    assert message.startswith(f"未写入任何数据：“{contract.VOLUMES}”表") and reason in message
    assert ["错误", contract.VOLUMES, cell] in [row[:3] for row in checks_rows(book)]


def test_a_table_filter_without_hidden_rows_is_no_reason_to_refuse(book, exports):
    book.sheets[contract.VOLUMES].tables["tblVolumes"]._filter = None  # no filter buttons at all
    book.app.api.picks.append(exports)
    confirmed(book)
    assert data_buttons.import_jinbao(book).ok
    assert book.app.alerts[-1][0].startswith("已导入")


def test_many_scattered_rows_go_in_one_delete_of_few_addresses(book, exports, monkeypatch):
    """1,177 runs of rows: Range() takes at most 255 characters, Union at most 30 ranges."""
    calls = []
    real_range, real_union = fake.ComWorksheet.Range, fake.ComApplication.Union
    monkeypatch.setattr(fake.ComWorksheet, "Range", lambda self, Cell1, Cell2=None: (
        calls.append(("Range", len(Cell1))) or real_range(self, Cell1, Cell2)))
    monkeypatch.setattr(fake.ComApplication, "Union", lambda self, *ranges: (
        calls.append(("Union", len(ranges))) or real_union(self, *ranges)))
    deletes = []
    real_delete = fake.ComRange.Delete
    monkeypatch.setattr(fake.ComRange, "Delete", lambda self, Shift=None: (
        deletes.append(len(self._areas)) or real_delete(self, Shift)))
    book.app.api.picks.append(exports)
    confirmed(book)
    assert data_buttons.import_jinbao(book).ok
    ranges = [size for name, size in calls if name == "Range"]
    assert len(deletes) == 1 and deletes[0] > 1000
    assert all(size <= data_buttons.MAX_ADDRESS for size in ranges) and len(ranges) > 30
    assert all(size <= data_buttons.UNION_ARGUMENTS for name, size in calls if name == "Union")


def test_codes_arrive_as_text(book, exports):
    for name in [spec.name for spec in contract.INPUT_SHEETS]:
        cells = book.sheets[name]._cells
        for key, value in cells.items():
            if value == "TN01":
                cells[key] = "0101"
    book.app.api.picks.append(exports)
    confirmed(book)
    result = data_buttons.import_jinbao(book)
    ours = [row for row in volume_rows(book) if row[SOURCE] and row[0] in ("0101", 101.0)]
    assert ours and len(ours) == sum(v.center == "0101" for v in result.volumes)
    assert {row[0] for row in ours} == {"0101"}


def test_an_import_with_errors_writes_nothing_but_the_checks(book, exports, tmp_path):
    copy = Path(shutil.copy(exports[-1], tmp_path / "统计副本.xlsx"))  # counts the year twice
    before = snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET])
    book.app.api.picks.append([*exports, copy])
    result = data_buttons.import_jinbao(book)
    assert not result.ok
    assert snapshot(book, [n for n in book.sheet_names if n != contract.CHECKS_SHEET]) == before
    assert RECORD_SHEET not in book.sheet_names
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    errors = [row for row in checks if row[0] == "错误"]
    assert errors and errors[0][1].startswith(copy.name) and "重复" in errors[0][3]
    [(message, _)] = book.app.alerts  # no confirmation was asked
    assert message.startswith(f"导入发现 {len(result.errors)} 个错误，未写入任何数据")
    assert book.sheets.active.name == contract.CHECKS_SHEET


def test_declining_the_confirmation_writes_nothing(book, exports):
    before = everything(book)
    book.app.api.picks.append(exports)
    book.app.answers.append("cancel")
    assert data_buttons.import_jinbao(book) is None
    assert everything(book) == before
    assert len(book.app.alerts) == 1 and "取消则不写入任何内容" in book.app.alerts[0][0]


def test_a_cancelled_picker_does_nothing(book):
    before = everything(book)
    book.app.api.picks.append(False)
    assert data_buttons.import_jinbao(book) is None
    assert everything(book) == before and book.app.alerts == []
    [(method, title, file_filter)] = book.app.api.dialogs
    assert method == "GetOpenFilename" and "导入金保数据" in title
    assert file_filter == data_buttons.FILE_FILTER and "*.csv" in file_filter


def test_the_open_workbook_is_never_read_as_an_export(book, exports):
    book.app.api.picks.append([book.fullname, *exports])
    confirmed(book)
    result = data_buttons.import_jinbao(book)  # read as an export, its 指标 sheet is an error
    assert result.ok and not any(check.sheet.startswith("demo.xlsm") for check in result.checks)


def test_a_volume_sheet_without_the_source_column_is_refused(book, exports):
    sheet = book.sheets[contract.VOLUMES]
    sheet.range((HEADER_ROW, 5)).value = "备注"
    before = snapshot(book, [contract.VOLUMES])
    book.app.api.picks.append(exports)
    data_buttons.import_jinbao(book)
    assert snapshot(book, [contract.VOLUMES]) == before
    assert "没有“来源”列" in book.app.alerts[-1][0]
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert ["错误", contract.VOLUMES, "D2"] in [row[:3] for row in checks]


def test_a_workbook_without_a_year_says_so(tmp_path, exports):
    book = open_book(Path(shutil.copy(TEMPLATE, tmp_path / "template.xlsm")))
    book.app.api.picks.append(exports)
    assert data_buttons.import_jinbao(book) is None
    checks = book.sheets[contract.CHECKS_SHEET].used_range.options(ndim=2).value
    assert checks[2][3] == macros.NO_YEAR.message


def test_an_import_into_the_empty_template_fills_its_table(tmp_path, exports):
    """The template's table has one blank row: the import starts there and grows the table."""
    book = open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))
    sheet = book.sheets[contract.VOLUMES]
    table = sheet.tables["tblVolumes"]
    body = table.data_body_range
    sheet.range((body.row + 1, 1), (body.row + body.shape[0] - 1, 5)).delete(shift="up")
    sheet.range((body.row, 1), (body.row, 5)).clear_contents()
    book.app.api.picks.append(exports)
    result = data_buttons.import_jinbao(book)
    assert volume_rows(book) == imported(result)
    assert table.range.address == f"$A${HEADER_ROW}:$E${HEADER_ROW + len(result.volumes)}"


# --- 生成回访清单 ---------------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """The user's home with a Documents folder; no OneDrive."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    for variable in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        monkeypatch.delenv(variable, raising=False)
    return folder


def test_callback_list_goes_where_the_user_saves_it_never_over_a_file_and_opens(book, exports, home):
    documents = home / "Documents"
    earlier = documents / f"demo-回访清单-{YEAR}.xlsx"
    earlier.write_bytes(b"an earlier list, filled in")
    inputs = snapshot(book, [spec.name for spec in contract.INPUT_SHEETS])
    book.app.api.picks.append(exports)
    book.app.api.inputs.append(3)
    book.app.api.saves.append(True)  # the user takes the suggested name and folder

    draw = data_buttons.callback_list(book)

    target = documents / f"demo-回访清单-{YEAR} (2).xlsx"
    assert target.is_file() and earlier.read_bytes() == b"an earlier list, filled in"
    assert not list(Path(book.fullname).parent.glob("*回访清单*"))  # not beside the workbook
    opened = [b for b in book.app.books if b.fullname == str(target)]
    assert opened and "回访清单" in opened[0].sheet_names
    assert draw.per_center == 3 and draw.cases
    assert all(c.sampled == min(3, c.population) for c in draw.centers)
    listed = [v for v in opened[0].sheets["回访清单"].used_range.options(ndim=2).value
              if isinstance(v[0], float)]  # numbered rows: the drawn cases
    assert [row[3] for row in listed] == [case.case_id for case in draw.cases]
    assert snapshot(book, [spec.name for spec in contract.INPUT_SHEETS]) == inputs
    message = book.app.alerts[-1][0]
    assert str(target) in message and f"随机种子：{draw.seed}" in message
    assert data_buttons.CONFIDENTIAL in message
    (_, _, _), (method, _, prompt), (asked, _, who), (save, title, offered) = book.app.api.dialogs
    assert method == "InputBox" and "每个中心" in prompt
    assert asked == "InputBox" and "抽取人" in who
    assert draw.operator == "张三"  # Excel's user name, accepted as offered
    assert not [c for c in draw.checks if "抽取人" in c.message]  # no 'who drew' warning any more
    assert save == "GetSaveAsFilename" and title == data_buttons.SAVE_TITLE and "姓名和电话" in title
    assert offered == str(target)


def test_a_shared_or_synced_folder_is_questioned(book, exports, home, monkeypatch):
    onedrive = home / "OneDrive - 常州市人社局"
    onedrive.mkdir()
    monkeypatch.setenv("OneDriveCommercial", str(onedrive))
    chosen = onedrive / "回访.xlsx"
    book.app.api.picks += [exports, exports]
    book.app.api.saves += [str(chosen), str(chosen)]
    book.app.answers += ["no", "yes"]
    assert data_buttons.write_callback_list(book, exports, 2) is None
    assert not chosen.exists()
    warning = book.app.alerts[-1][0]
    assert f"“{onedrive}”是OneDrive/SharePoint 同步文件夹" in warning and "姓名和电话" in warning
    assert data_buttons.write_callback_list(book, exports, 2) is not None
    assert chosen.is_file()


def test_the_save_dialog_starts_outside_onedrive(home, monkeypatch):
    from jbsys_xl.excel.locations import private_folder, shared_or_synced

    assert private_folder() == home / "Documents"
    monkeypatch.setenv("OneDrive", str(home / "Documents"))  # Documents moved into OneDrive
    (home / "Desktop").mkdir()
    assert private_folder() == home / "Desktop"
    assert shared_or_synced(r"\\fileserver\就业处\回访.xlsx") == "网络共享文件夹"
    assert shared_or_synced(r"Z:\回访.xlsx", remote_drive=lambda path: path.drive == "Z:") == \
        "映射的网络驱动器"
    assert shared_or_synced(r"C:\Users\张三\OneDrive - 单位\回访.xlsx", environ={}) == \
        "OneDrive/SharePoint 同步文件夹"
    assert shared_or_synced(r"C:\Users\张三\Documents\回访.xlsx", environ={}) is None


def test_the_operator_is_asked_with_excels_user_name_filled_in(book, exports, home):
    book.app.api._user_name = "Administrator"  # a shared PC's generic name: the clerk corrects it
    book.app.api.picks.append(exports)
    book.app.api.inputs += [2, "李四"]
    book.app.api.saves.append(True)
    draw = data_buttons.callback_list(book)
    assert draw.operator == "李四"
    [written] = (home / "Documents").iterdir()
    record = fake.book_from_file(written).sheets["抽取记录"].used_range.options(ndim=2).value
    assert ["抽取人", "李四"] in [row[:2] for row in record]


@pytest.mark.parametrize("answer, message", [(False, None), ("  ", "没有填写抽取人")])
def test_an_operator_cancelled_or_left_empty_writes_nothing(book, exports, home, answer, message):
    book.app.api.picks.append(exports)
    book.app.api.inputs += [2, answer]
    assert data_buttons.callback_list(book) is None
    assert list((home / "Documents").iterdir()) == []
    assert [m for m, _ in book.app.alerts] == ([] if message is None else [data_buttons.NO_OPERATOR])


def test_callback_count_defaults_to_five(book, exports, home):
    book.app.api.picks.append(exports)
    book.app.api.saves.append(True)
    draw = data_buttons.callback_list(book)  # the user accepts the input box's default
    assert draw.per_center == 5


@pytest.mark.parametrize("answer, message", [(False, None), (0, "正整数"), (2.5, "正整数")])
def test_callback_count_cancelled_or_invalid_writes_nothing(book, exports, home, answer, message):
    book.app.api.picks.append(exports)
    book.app.api.inputs.append(answer)
    assert data_buttons.callback_list(book) is None
    assert list((home / "Documents").iterdir()) == []
    if message is None:
        assert book.app.alerts == []
    else:
        [(shown, _)] = book.app.alerts
        assert message in shown


def test_a_cancelled_save_dialog_writes_nothing(book, exports, home):
    book.app.api.picks.append(exports)
    book.app.api.saves.append(False)
    assert data_buttons.callback_list(book) is None
    assert list((home / "Documents").iterdir()) == [] and book.app.alerts == []


# --- OneDrive / SharePoint ----------------------------------------------------------------------

@pytest.fixture
def cloud_book(tmp_path):
    """The demo opened from OneDrive and not synced here: Excel's FullName is a web address,
    xlwings' Book.fullname fails."""
    udf_service.CACHE.__init__()
    app = fake.App()
    book = open_book(DEMO, app=app)
    book._fullname = "https://d.docs.live.net/1a2b3c/人社考核/demo.xlsm"
    return book


def test_a_workbook_on_onedrive_computes_imports_and_answers_functions(cloud_book, exports, home):
    with pytest.raises(xlwings.XlwingsError):  # what every button and function met before
        cloud_book.fullname
    assert macros.generate_allocation(cloud_book).ok
    score = udf_cell(cloud_book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    assert isinstance(score.value, float)
    assert len(udf_service.CACHE._entries) == 1  # cached without mapping the address
    cloud_book.app.api.picks.append(exports)
    confirmed(cloud_book)
    assert data_buttons.import_jinbao(cloud_book).ok
    cloud_book.app.api.picks.append(exports)
    cloud_book.app.api.saves.append(True)  # the list is saved where the user says
    assert data_buttons.callback_list(cloud_book) is not None
    assert not any("Error" in message for message, _ in cloud_book.app.alerts)


def test_a_synced_onedrive_workbook_is_found_on_this_pc(cloud_book, tmp_path, monkeypatch):
    """Found as xlwings finds it (the OneDrive folder it is synced to), for the buttons that
    write beside it; the import needs no path and never asks xlwings' mapper."""
    from jbsys_xl.excel.document_buttons import local_path

    local = tmp_path / "OneDrive" / "人社考核" / "demo.xlsm"
    local.parent.mkdir(parents=True)
    shutil.copy(DEMO, local)
    monkeypatch.setenv("OneDrive", str(tmp_path / "OneDrive"))
    assert local_path(cloud_book) == local
    assert data_buttons.saved_path(cloud_book) is None


# --- Excel for Mac ------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", [data_buttons.import_jinbao, data_buttons.callback_list,
                                   callback_buttons.import_callback_results])
def test_on_a_mac_the_data_buttons_say_what_to_use_instead(book, monkeypatch, entry):
    monkeypatch.setattr(sys, "platform", "darwin")
    before = everything(book)
    assert entry(book) is None
    [(message, _)] = book.app.alerts
    assert message == macros.MAC_DATA_BUTTONS and "jbsys-xl import" in message
    assert "jbsys-xl serve" in message
    assert book.app.api.dialogs == [] and everything(book) == before
