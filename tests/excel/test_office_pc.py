"""Excel on a real office PC (issue 29), on the xlwings stand-in with the template's VBA and
the add-in's own lookups (tests/support/excel_books.py, tests/support/xlwings_addin.py):
hundreds of JB* cells cost one read per input edit wherever they are and nothing while another
workbook is edited; the add-in finds every setting in the workbook; a SharePoint workbook works
without xlwings' mapper where no path is needed; an old template, a stray cell far right and a
protected 回访 sheet each get a Chinese message and nothing written."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jbsys_xl import __version__, contract
from jbsys_xl.excel import callback_buttons, data_buttons, document_buttons, macros, udf_service
from jbsys_xl.excel.book_source import READ_COLUMNS, FarContent, read_book
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from jbsys_xl.template.guide import MESSAGES
from tests.support import fake_win32
from tests.support import fake_xlwings as fake
from tests.support.excel_books import formula_cell, open_book, snapshot, udf_cell, vba_of
from tests.support.xlwings_addin import XlwingsAddin, xlpy_keys
import udfs.jbsys_udfs as U

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "workbook" / "demo.xlsm"
YEAR = 2024


@pytest.fixture
def book(tmp_path):
    udf_service.CACHE.__init__()
    return open_book(Path(shutil.copy(DEMO, tmp_path / "demo.xlsm")))


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> list[Path]:
    return write_sample_exports(tmp_path_factory.mktemp("exports"), YEAR)


def centers(book) -> list[str]:
    return [row[0] for row in udf_service.allocation_table(book, None, YEAR)[1:]]


def volume_cell(book) -> fake.Range:
    """A 业务量 cell of a row inside the 2024 period."""
    sheet = book.sheets[contract.VOLUMES]
    rows = sheet.range("A2").expand().value
    month, amount = rows[0].index("月份"), rows[0].index("业务量")
    row = next(i for i, r in enumerate(rows)
               if hasattr(r[month], "year") and r[month].year == YEAR and r[month].month < 12)
    return sheet.range((2 + row, amount + 1))


def reads_for(action) -> int:
    before = udf_service.CACHE.reads
    action()
    return udf_service.CACHE.reads - before


# --- S2: the cost of many JB* cells ---------------------------------------------------------

def test_jb_cells_on_an_input_sheet_read_once_per_input_edit_and_never_otherwise(book):
    """S2c: JBSCORE beside each row of 中心, the natural layout. Every recalculation raises
    中心's SheetCalculate; counting it read the tables twice per input edit, and once per edit
    anywhere else."""
    codes = centers(book)
    cells = [udf_cell(book, contract.CENTERS, f"Z{row}", U.JBSCORE, code, YEAR)
             for row, code in enumerate(codes, start=3)]
    amount = volume_cell(book)
    elsewhere = book.sheets[contract.RESULT_SHEET].range("Z1")
    for edit in range(3):
        assert reads_for(lambda: setattr(amount, "value", 200 + edit)) == 1
        assert reads_for(lambda: setattr(elsewhere, "value", f"备注{edit}")) == 0
    fresh = [udf_service.score(book, None, code, YEAR) for code in codes]
    assert [cell.value for cell in cells] == fresh  # current without F9
    typed = book.sheets[contract.CENTERS].range("B3")
    assert reads_for(lambda: setattr(typed, "value", typed.value)) == 1  # an edit of 中心 itself


def test_an_input_formula_that_changes_is_one_read_too(book):
    """An input that is a formula over another sheet: its SheetCalculate is the only sign of
    the change (the edit is on a sheet that is no input), and it is counted - once, however
    many input sheets show it."""
    amount = volume_cell(book)
    notes = book.sheets[contract.RESULT_SHEET].range("Z5")
    notes.value = 10
    formula_cell(book, contract.VOLUMES, (amount.row, amount.column),
                 lambda b: b.sheets[contract.RESULT_SHEET].range("Z5").value or 0)
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    assert reads_for(lambda: setattr(notes, "value", 999_999)) == 1
    assert score.value == udf_service.score(book, None, "TN01", YEAR)
    assert reads_for(lambda: setattr(notes, "value", 999_999)) == 0  # shows the same: no change


def test_300_cells_ask_the_addin_once_and_find_every_setting_in_the_workbook(book):
    """S2a/S5: the add-in's XLPy reads ~14 settings and loads its DLL; once per session now,
    not per cell, and every setting is on the xlwings.conf sheet: the user's global
    xlwings.conf is never opened."""
    addin = XlwingsAddin.of(book.app)
    codes = centers(book)
    for index in range(300):
        udf_cell(book, "使用说明", f"F{index + 1}", U.JBSUBSIDY, codes[index % len(codes)], YEAR)
    volume_cell(book).value = 123
    assert addin.activations == 1 and len(addin.servers) == 1
    assert addin.lookups == len([k for k in xlpy_keys() if k != "INTERPRETER"])
    assert addin.file_opens == addin.file_checks == 0
    assert vba_of(book).server == addin.servers[0]


def test_edits_in_another_workbook_cause_no_read_and_no_server(book):
    """S2b: every JB* is volatile, so an edit in any workbook recalculates them all; with the
    other workbook active xlwings would read its settings and start a second server (its
    command line holds ActiveWorkbook's name). The wrappers keep their values instead."""
    addin = XlwingsAddin.of(book.app)
    cells = [udf_cell(book, "使用说明", f"F{row}", U.JBSCORE, code, YEAR)
             for row, code in enumerate(centers(book), start=1)]
    shown = [cell.value for cell in cells]
    other = fake.Book(r"C:\Users\张三\Documents\预算.xlsx", ["Sheet1"], app=book.app)
    assert book.app.books.active is other
    recalculations = book.app.recalculations
    for value in range(5):
        assert reads_for(lambda: setattr(other.sheets[0].range("A1"), "value", value)) == 0
    assert book.app.recalculations == recalculations + 5  # Excel did recalculate them
    assert [cell.value for cell in cells] == shown
    assert addin.activations == 1 and len(addin.servers) == 1
    book.activate()
    assert reads_for(book.app.calculate) == 0  # nothing changed meanwhile


def test_an_input_that_changed_while_away_is_read_on_return(book):
    """An input formula reading the other workbook changes while that one is active: the
    JB* cells wait, and catch up when this workbook is active again (Workbook_Activate)."""
    other = fake.Book(r"C:\Users\张三\Documents\汇总.xlsx", ["Sheet1"], app=book.app)
    other.sheets[0].range("A1").value = 5
    amount = volume_cell(book)
    book.activate()
    formula_cell(book, contract.VOLUMES, (amount.row, amount.column),
                 lambda b: other.sheets[0].range("A1").value)
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    other.activate()
    assert reads_for(lambda: setattr(other.sheets[0].range("A1"), "value", 999_999)) == 0
    assert reads_for(book.activate) == 1
    assert score.value == udf_service.score(book, None, "TN01", YEAR)


def test_a_missing_python_shows_in_the_cell_and_the_button_in_chinese(book):
    """C7/bad input: the interpreter the xlwings.conf sheet names is not there (install.bat
    not run, or its folder deleted): the cell and the button say what to do, in Chinese."""
    vba = vba_of(book)
    vba.interpreter_present = False
    cell = udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    assert cell.value.startswith("找不到 JBSys-XL 的 Python") and "install.bat" in cell.value
    before = snapshot(book, book.sheet_names)
    vba.run_button("jbsys_xl.excel.macros.generate_allocation")
    assert book.app.alerts[-1][0].startswith("找不到 JBSys-XL 的 Python")
    assert snapshot(book, book.sheet_names) == before
    assert "{path}" in MESSAGES["JBSYS_MSG_NO_PYTHON"]


# --- S7: a workbook from another template -----------------------------------------------------

@pytest.mark.parametrize("entry, template, words", [
    ("jbsys_xl.excel.data_buttons.notices", __version__, "在已安装的 JBSys-XL"),  # 生成告知书, before b509faf
    ("jbsys_xl.excel.old_buttons.notices", __version__, "已不存在"),
    ("jbsys_xl.excel.macros.validate", None, "它的宏与已安装的"),  # no version: before this check
    ("jbsys_xl.excel.macros.validate", "0.0.9", "它的宏与已安装的"),
    ("jbsys_xl.excel.macros.validate", "9.0.0", "来自较新的模板"),
])
def test_a_workbook_of_another_template_is_told_in_chinese_and_nothing_runs(book, monkeypatch,
                                                                             entry, template, words):
    import xlwings

    monkeypatch.setattr(xlwings, "Book", fake.Book)
    monkeypatch.setattr(fake.Book, "_mock_caller", None)
    book.set_mock_caller()
    before = snapshot(book, book.sheet_names)
    assert macros.run_macro(entry, template) is None
    [(message, title)] = book.app.alerts
    assert words in message and title == macros.ALERT_TITLE
    assert "Traceback" not in message and "ValueError" not in message
    if "较新" not in words:
        assert "template.xlsm" in message and "升级" in message
    assert snapshot(book, book.sheet_names) == before


def test_the_current_template_runs():
    assert macros.template_refusal("jbsys_xl.excel.macros.validate", __version__) is None
    assert macros._version(macros.OLDEST_TEMPLATE) <= macros._version(__version__)


# --- S1: SharePoint without a synced copy -----------------------------------------------------

SITE = "https://intranet.example.cn/sites/kaohe/Shared Documents/考核/demo.xlsm"


@pytest.fixture
def site_book(book, monkeypatch, tmp_path):
    """The demo opened from a SharePoint site through the browser, on a PC with no OneDrive
    for Business: xlwings' mapper raises UnboundLocalError for it."""
    for name in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(name, raising=False)
    book._fullname = SITE
    with pytest.raises(UnboundLocalError):
        book.fullname  # what every button met before
    return book


def test_sharepoint_imports_and_functions_work_without_a_path(site_book, exports, monkeypatch, tmp_path):
    monkeypatch.setattr(fake.Book, "fullname", property(lambda self: pytest.fail("mapped the address")))
    fake_win32.install(monkeypatch)  # the import replaces hand rows: its confirmation is Windows' own box
    assert data_buttons.saved_path(site_book) is None
    site_book.app.api.picks.append(exports)
    site_book.app.answers.append("ok")
    assert data_buttons.import_jinbao(site_book).ok
    assert isinstance(udf_cell(site_book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR).value, float)
    assert not any("运行失败" in message for message, _ in site_book.app.alerts)


def test_sharepoint_documents_ask_for_a_synced_copy_in_chinese(site_book, tmp_path):
    before = sorted(tmp_path.rglob("*.pdf"))
    assert document_buttons.attachment(site_book) is None
    [(message, _)] = site_book.app.alerts
    assert message == data_buttons.NOT_SYNCED and "同步" in message
    assert sorted(tmp_path.rglob("*.pdf")) == before


# --- N7: a stray cell far right -----------------------------------------------------------------

def test_a_stray_value_far_right_is_named_and_nothing_is_written(book):
    volumes = book.sheets[contract.VOLUMES]
    volumes.range("XFD5").value = "x"
    before = snapshot(book, [contract.RESULT_SHEET])
    assert macros.generate_allocation(book) is None
    message = book.app.alerts[-1][0]
    assert message.startswith("未读取数据：业务量!XFD5：这里有“x”，离表格太远（第 16,384 列") and "Delete" in message
    checks = book.sheets[contract.CHECKS_SHEET].range("A3").options(ndim=2, expand="table").value
    assert checks[0][:3] == ["错误", contract.VOLUMES, "XFD5"]
    assert snapshot(book, [contract.RESULT_SHEET]) == before
    assert udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR).value.startswith("#JB! 业务量!XFD5：")


def test_a_stray_value_far_right_is_read_once_per_revision_not_once_per_cell(book):
    """300 JB* cells over a workbook with a stray far value: the read that stops at it is kept
    for the revision like any outcome, so the cells do not each read the sheets up to it."""
    book.sheets[contract.VOLUMES].range("XFD5").value = "x"
    udf_service.CACHE.__init__()
    answers = {udf_service.answer(udf_service.score, book, "demo.xlsm|1:1:", "TN01", YEAR) for _ in range(300)}
    assert udf_service.CACHE.reads == 1
    assert len(answers) == 1 and answers.pop().startswith("#JB! 业务量!XFD5：这里有“x”，离表格太远")


def test_formats_far_right_widen_no_read(book):
    """A format alone (a filled row, a border) reaches the used range but holds nothing."""
    volumes = book.sheets[contract.VOLUMES]
    volumes.range("XFD5").number_format = "@"
    assert volumes.used_range.shape[1] == 16_384
    volumes._reads.clear()
    read_book(book)
    assert volumes._reads and all(":$E$" in address for address in volumes._reads), volumes._reads


def test_a_chunk_is_bounded_in_cells_too(book):
    volumes = book.sheets[contract.VOLUMES]
    volumes.range((4, READ_COLUMNS)).value = "最右一列"  # as wide as is read: 256 columns
    volumes._reads.clear()
    raw = read_book(book)
    rows = len(raw.sheets[contract.VOLUMES].rows)
    assert len(volumes._reads) == -(-rows // (200_000 // READ_COLUMNS))
    volumes.range((4, READ_COLUMNS + 1)).value = "再右一列"
    with pytest.raises(FarContent):
        read_book(book)


# --- C2: a protected 回访 sheet ----------------------------------------------------------------

def test_a_protected_callback_sheet_reports_no_rows_it_never_wrote(book, tmp_path, exports):
    from jbsys_xl.cli import main

    listed = tmp_path / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), *map(str, exports), "--seed", "5", "--per-center", "1",
                 "--operator", "抽取员", "-o", str(listed)]) == 0
    sheet = book.sheets[contract.CALLBACKS]
    sheet._protected = True
    before = snapshot(book, [contract.CALLBACKS])
    book.app.api.picks.append([listed])
    callback_buttons.import_callback_results(book)  # refused by the preflight, before any write
    message = book.app.alerts[-1][0]
    assert "未能完全撤回" not in message and "这次追加的行" not in message
    assert message.startswith("未写入任何数据：“回访”表受保护")
    assert snapshot(book, [contract.CALLBACKS]) == before


def test_rows_left_after_a_failed_undo_are_the_only_rows_named():
    undone = data_buttons.RowsUndone("回访", RuntimeError("Excel 正忙"), (40, 44), complete=False)
    assert undone.outcome("“抽取批次”已填写") == "未能完全撤回：第 40–44 行是这次追加的行（“抽取批次”已填写）"
    nothing = data_buttons.RowsUndone("回访", RuntimeError("protected"), None, complete=True)
    assert nothing.outcome("x") == "已撤回，“回访”表与导入前相同"
    formats = data_buttons.RowsUndone("回访", RuntimeError("busy"), None, complete=False)
    assert "没有留下这次的任何行" in formats.outcome("x")
