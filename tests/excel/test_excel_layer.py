"""The Excel doors (ribbon macros, UDFs) run the CLI's pipeline and agree with --json, on the
xlwings stand-in with the template's VBA behaviour (tests/support/excel_books.py)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from xlwings.utils import col_name

from jbsys_xl import __version__, contract
from jbsys_xl.excel import macros, udf_service, writer
from jbsys_xl.excel.book_source import COM_ERRORS, READ_ROWS, last_filled_row, read_book
from jbsys_xl.io.cell_errors import ERROR_CODES
from jbsys_xl.io.values import CellError
from jbsys_xl.pipeline import run
from jbsys_xl.report import tables as t
from jbsys_xl.report.json_result import result_dict
from tests.support import fake_xlwings as fake
from jbsys_xl.template.guide import MESSAGES
from tests.support.excel_books import TemplateVba, open_book, snapshot, udf_cell
from tests.support.fake_xlwings import FakeCaller
import udfs.jbsys_udfs as U

YEAR = 2024
INPUTS = [spec.name for spec in contract.INPUT_SHEETS]
RESULTS = [contract.RESULT_SHEET, contract.DETAIL_SHEET, contract.DISTRICT_SHEET]
REV = "test-revision"  # what JbRevision() would pass: one cached run for the direct calls


@pytest.fixture(scope="module")
def sample_path():
    """The template's demo workbook, as staff would open it in Excel."""
    return Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"


@pytest.fixture(scope="module")
def expected(sample_path):
    return result_dict(run(sample_path, YEAR))


@pytest.fixture
def book(sample_path):
    udf_service.CACHE.__init__()
    return open_book(sample_path)


def caller_in(book, address="A1"):
    return FakeCaller(book.sheets[0].range(address))


def sheet_rows(book, name, top):
    used = book.sheets[name].used_range
    values = used.options(ndim=2).value
    return values[top - used.row:]


def volume_row_in_period(book):
    """The sheet row of the first 业务量 row dated in the 2024 period, and the header."""
    rows = sheet_rows(book, contract.VOLUMES, 2)  # the sample's header is on row 2
    header = rows[0]
    month = header.index("月份")
    for offset, values in enumerate(rows[1:], start=3):
        if hasattr(values[month], "year") and values[month].year == YEAR and values[month].month < 12:
            return offset, header
    raise AssertionError("no 2024 volume row")


def volume_cell(book):
    """(center of, volume cell of) a 业务量 row inside the period."""
    row, header = volume_row_in_period(book)
    volumes = book.sheets[contract.VOLUMES]
    return (volumes.range((row, header.index("中心") + 1)).value,
            volumes.range((row, header.index("业务量") + 1)))


def fresh_score(book, center) -> float:
    """JBSCORE as a run over the book's current cells computes it (no cache)."""
    return udf_service.score(book, None, center, YEAR)


# --- the numbers ------------------------------------------------------------------------------

def test_macro_writes_the_cli_numbers_and_leaves_inputs_alone(book, expected):
    before = snapshot(book, INPUTS)
    outcome = macros.generate_allocation(book)
    assert outcome.ok
    assert snapshot(book, INPUTS) == before
    rows = sheet_rows(book, contract.RESULT_SHEET, 2)
    header = rows[0]
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:] if r[0]}
    labels = dict(contract.CENTER_RESULT_COLUMNS)
    for center in expected["centers"]:
        row = by_code[center["code"]]
        for key in contract.MONEY_KEYS:
            assert f"{row[labels[key]]:.2f}" == center[key], (center["code"], key)
        assert row[labels["score"]] == pytest.approx(center["score"], abs=1e-9)
    total = [r for r in rows[1:] if r[1] == "合计"][0]
    centers_paid = float(expected["pools"]["paid_total"]) - float(expected["pools"]["hardware_total"])
    assert total[header.index(labels["total"])] == pytest.approx(centers_paid, abs=0.001)
    districts = sheet_rows(book, contract.DISTRICT_SHEET, 2)
    assert [r[0] for r in districts[1:-1]] == [d["district"] for d in expected["districts"]]
    assert book.sheets[contract.RESULT_SHEET].range("A1").value == \
        t.TITLES[contract.RESULT_SHEET].format(year=YEAR) + "（草案）"
    assert book.sheets.active.name == contract.RESULT_SHEET
    assert book.app.status_bar is False
    assert any("正在" in str(s) for s in book.app.status_bar_history)


def test_udfs_equal_the_json(book, expected):
    caller = caller_in(book)
    for center in expected["centers"]:
        code, name = center["code"], center["name"]
        assert U.JBSCORE(code, float(YEAR), REV, caller) == center["score"]
        assert U.JBSCORE(name, YEAR, REV, caller) == center["score"]
        assert U.JBGRADE(code, YEAR, REV, caller) == center["grade"]
        assert f"{U.JBAWARD(code, YEAR, REV, caller):.2f}" == center["basic_award"]
        assert f"{U.JBSUBSIDY(code, YEAR, None, REV, caller):.2f}" == center["total"]
        assert f"{U.JBSUBSIDY(code, YEAR, 'winner', REV, caller):.2f}" == center["winner_award"]
        assert f"{U.JBSUBSIDY(code, YEAR, '工作量', REV, caller):.2f}" == \
            f"{float(center['net_workload']) + float(center['redistributed']):.2f}"
    table = U.JBALLOCATION(YEAR, REV, caller)
    assert table[0] == [label for _, label in contract.CENTER_RESULT_COLUMNS]
    assert [row[0] for row in table[1:]] == [c["code"] for c in expected["centers"]]
    assert U.JBCHECK(YEAR, REV, caller) == "OK"
    scores = sorted((c["score"] for c in expected["centers"]), reverse=True)
    best = [c for c in expected["centers"] if c["score"] == scores[0]][0]
    assert U.JBRANK(best["code"], YEAR, REV, caller) == 1
    assert udf_service.CACHE.reads == 1


def test_factor_by_name_and_alias(book):
    caller = caller_in(book)
    first = run(book.fullname, YEAR)
    key, (volume, score) = next((k, v) for k, v in first.allocation.factors.items() if v[1])
    assert U.JBFACTOR(key[0], key[1], YEAR, REV, caller) == pytest.approx(float(score), abs=1e-6)
    alias_owner = next(i for i in first.allocation.indicators if i.aliases)
    assert U.JBFACTOR(key[0], alias_owner.aliases[0], YEAR, REV, caller) == \
        U.JBFACTOR(key[0], alias_owner.name, YEAR, REV, caller)


def test_bad_arguments_read_as_messages(book):
    caller = caller_in(book)
    assert U.JBSCORE("X", YEAR, REV, caller).startswith("#JB! 找不到中心“X”")
    assert U.JBFACTOR("TN01", "没有这个事项", YEAR, REV, caller) == "#JB! 未知事项：没有这个事项"
    assert U.JBSCORE("TN01", "明年", REV, caller) == "#JB! 年度“明年”不是数字"
    assert U.JBSUBSIDY("TN01", YEAR, "other", REV, caller).startswith("#JB! 未知部分：other")
    assert U.JBSCORE("TN01", 2031, REV, caller).startswith("#JB! 数据有误：参数!")
    assert U.JBCHECK(2031, REV, caller).startswith("参数!")


# --- item 9: JBALLOCATION without dynamic arrays ------------------------------------------------

def test_allocation_fills_a_legacy_array_range_and_pads_it(book):
    table = U.JBALLOCATION(YEAR, REV, caller_in(book))
    height, width = len(table) + 3, len(table[0]) + 2
    filled = U.JBALLOCATION(YEAR, REV, caller_in(book, f"A1:{col_name(width)}{height}"))
    assert len(filled) == height and {len(row) for row in filled} == {width}
    assert [row[:len(table[0])] for row in filled[:len(table)]] == table
    assert all(v == "" for row in filled[len(table):] for v in row)
    assert all(row[len(table[0]):] == ["", ""] for row in filled)


def test_allocation_says_when_the_selected_range_is_too_small(book):
    table = U.JBALLOCATION(YEAR, REV, caller_in(book))
    small = U.JBALLOCATION(YEAR, REV, caller_in(book, "A1:C4"))
    assert [len(row) for row in small] == [3] * 4
    assert small[0][0] == (f"#JB! 区域太小：分配表有 {len(table)} 行 {len(table[0])} 列，"
                           "请选中至少这么大的区域后输入公式，按 Ctrl+Shift+Enter")
    assert [v for row in small for v in row][1:] == [""] * 11
    assert U.JBALLOCATION(2031, REV, caller_in(book, "A1:B2"))[0][0].startswith("#JB! 数据有误")


# --- items 1 and 2: the cache key, current values after every edit ------------------------------

def test_one_read_per_edit_and_every_cell_current_without_f9(book):
    center, cell = volume_cell(book)
    scores = [udf_cell(book, "使用说明", f"F{row}", U.JBSCORE, center, YEAR) for row in range(1, 61)]
    grades = [udf_cell(book, "使用说明", f"G{row}", U.JBGRADE, center, YEAR) for row in range(1, 61)]
    cache = udf_service.CACHE
    assert cache.reads == 1
    before = scores[0].value
    book.app.calculate()  # F9 without an edit: answered from the cache
    assert cache.reads == 1
    cell.value = 999_999  # Excel recalculates, raises the change event, the VBA recalculates
    assert cache.reads == 2  # the pass before the event still had the old key: one read after
    book.app.calculate()
    assert cache.reads == 2
    after = fresh_score(book, center)
    assert after > before
    assert {s.value for s in scores} == {after}  # no F9 needed
    assert {g.value for g in grades} == {udf_service.grade(book, None, center, YEAR)}


def test_edits_outside_the_inputs_do_not_invalidate(book):
    udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    reads = udf_service.CACHE.reads
    book.sheets[contract.RESULT_SHEET].range("Z99").value = "note"
    book.sheets["使用说明"].range("H1").value = 5
    assert udf_service.CACHE.reads == reads


def test_formula_in_an_input_cell_reaching_outside_is_followed(book):
    """业务量!D… = a formula over a sheet the user keeps next to the inputs: an edit there
    changes no input cell the change event sees, but the input sheet recalculates."""
    center, cell = volume_cell(book)
    helper = book.sheets.add("原始数据", after=book.sheets[len(book.sheets) - 1])
    helper.range("A1").value = 10
    volumes = cell.sheet
    volumes._formulas[(cell.row, cell.column)] = lambda caller: helper.range("A1").value
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    helper.range("A1").value = 5e5
    assert cell.value == 5e5
    assert score.value == fresh_score(book, center)


def test_renaming_an_input_sheet_is_seen(book):
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    assert isinstance(score.value, float)
    book.sheets[contract.VOLUMES].name = "业务量（旧）"
    book.app.calculate()  # a rename raises no change event: the next recalculation sees it
    assert str(score.value).startswith("#JB! 数据有误：")


def test_edits_with_events_off_are_never_answered_from_the_cache(book):
    center, cell = volume_cell(book)
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    book.app.enable_events = False  # e.g. another add-in's macro that forgot to turn them on
    cell.value = 999_999
    assert score.value == fresh_score(book, center)


def test_book_without_the_vba_reads_every_time(sample_path):
    udf_service.CACHE.__init__()
    book = open_book(sample_path, vba=False)
    udf_cell(book, "使用说明", "F1", U.JBSCORE, "TN01", YEAR)
    book.app.calculate()
    assert udf_service.CACHE.reads == 2


def test_each_book_keeps_only_its_current_revision(book, sample_path):
    """The revision names its workbook (JbState.Session: the workbook's name and a random
    part), so answers are kept per book without asking Excel for any name."""
    other = open_book(sample_path, app=book.app)
    caller, other_caller = caller_in(book), caller_in(other)
    U.JBSCORE("TN01", YEAR, "demo.xlsm|1:1:", caller)
    U.JBSCORE("TN01", YEAR - 1, "demo.xlsm|1:1:", caller)
    U.JBSCORE("TN01", YEAR, "demo.xlsm|2:1:", other_caller)
    U.JBSCORE("TN01", YEAR, "demo.xlsm|1:2:", caller)
    assert {key[0] for key in udf_service.CACHE._entries} == {"demo.xlsm|1:2:", "demo.xlsm|2:1:"}
    assert udf_service.CACHE.reads == 4
    U.JBSCORE("TN01", YEAR, "demo.xlsm|2:1:", other_caller)
    assert udf_service.CACHE.reads == 4


def test_an_answer_from_the_cache_asks_excel_nothing(book, monkeypatch):
    """S2b: the calling cell's sheet and book are COM calls into Excel; a cached answer needs
    neither (xlwings' own call_udf still makes its few)."""
    caller = caller_in(book)
    U.JBSCORE("TN01", YEAR, "r", caller)
    monkeypatch.setattr(FakeCaller, "sheet", property(lambda self: pytest.fail("asked Excel")))
    assert isinstance(U.JBSCORE("TN01", YEAR, "r", caller), float)
    assert U.JBSUBSIDY("TN01", YEAR, None, "r", caller) > 0


# --- item 4: quiet while writing ---------------------------------------------------------------

def test_generate_recalculates_once_with_many_jb_cells(book):
    for row in range(1, 301):
        udf_cell(book, "使用说明", f"F{row}", U.JBSUBSIDY, "TN01", YEAR)
    app = book.app
    recalculations, reads = app.recalculations, udf_service.CACHE.reads
    changes = []
    book.events["SheetChange"] = lambda sheet, target: changes.append(sheet.name)
    assert macros.generate_allocation(book).ok
    assert app.recalculations == recalculations + 1  # restoring automatic calculation
    assert changes == []  # no change event per write
    assert udf_service.CACHE.reads == reads  # results are no input: the cache still holds
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "automatic", True)


def test_settings_come_back_after_a_failure_and_keep_what_the_user_had(book, monkeypatch):
    app = book.app
    app.calculation = "manual"
    app.screen_updating = False

    def broken(*_):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(writer, "_replace", broken)
    assert macros.generate_allocation(book) is None
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "manual", False)


# --- item 5: compute first, keep styles, never a half table without a note ----------------------

def test_nothing_is_written_when_computing_fails(book, monkeypatch):
    before = snapshot(book, book.sheet_names)

    def boom(_):
        raise RuntimeError("意外")

    monkeypatch.setattr(t, "detail_table", boom)
    assert macros.generate_allocation(book) is None
    assert snapshot(book, book.sheet_names) == before
    assert book.app.alerts[-1][0] == "运行失败：意外"


def test_a_failed_write_is_reported_in_the_checks_and_on_the_sheet(book, monkeypatch):
    macros.generate_allocation(book)
    detail = book.sheets[contract.DETAIL_SHEET]
    original = fake.Range.value.fset

    def refuse(self, data):
        if self.sheet is detail and self.row > 2:
            raise fake.ComError("Excel is busy")
        original(self, data)

    monkeypatch.setattr(fake.Range, "value", property(fake.Range.value.fget, refuse))
    assert macros.generate_allocation(book) is None
    assert detail.range("A1").value == writer.INCOMPLETE
    assert book.sheets[contract.RESULT_SHEET].range("A1").value == \
        t.TITLES[contract.RESULT_SHEET].format(year=YEAR) + "（草案）"
    checks = sheet_rows(book, contract.CHECKS_SHEET, 2)
    failure = [row for row in checks[1:] if row[1] == contract.DETAIL_SHEET]
    assert failure and failure[0][0] == "错误" and "该表内容不完整" in failure[0][3]
    assert "Excel is busy" in failure[0][3]
    assert book.app.alerts[-1][0].startswith(f"写入“{contract.DETAIL_SHEET}”时失败")


def test_template_styles_stay_and_old_summary_rows_lose_their_bold(book):
    result = book.sheets[contract.RESULT_SHEET]
    result.range("A2:Q2").color = (217, 217, 217)  # the template's header fill
    result.range("A2").column_width = 33
    result.range("A40:Q40").font.bold = True  # a 小计 row of an earlier, longer run
    result.range("A40").value = "旧数据"
    macros.generate_allocation(book)
    assert result.range("A2:Q2").color == (217, 217, 217)
    assert result.range("A40").value is None and result.range("A40:Q40").font.bold is False
    rows = sheet_rows(book, contract.RESULT_SHEET, 2)
    total = next(i for i, r in enumerate(rows) if r[1] == "合计") + 2
    assert result.range((total, 1), (total, 17)).font.bold is True
    money = rows[0].index("合计") + 1
    assert result.range((3, money)).number_format == "#,##0.00"


def test_validation_errors_keep_previous_results(book):
    macros.generate_allocation(book)
    results = snapshot(book, RESULTS)
    row, header = volume_row_in_period(book)
    book.sheets[contract.VOLUMES].range((row, header.index("业务量") + 1)).value = "十二"
    outcome = macros.generate_allocation(book)
    assert not outcome.ok
    assert snapshot(book, RESULTS) == results
    checks = sheet_rows(book, contract.CHECKS_SHEET, 2)
    assert checks[1][:3] == ["错误", "业务量", f"D{row}"]
    assert book.sheets.active.name == contract.CHECKS_SHEET
    assert "1 个错误" in book.app.alerts[-1][0]
    assert book.app.status_bar is False


def test_unexpected_failure_is_a_message_and_resets_the_status_bar(book, monkeypatch):
    def boom(*_):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(macros, "run", boom)
    assert macros.generate_allocation(book) is None
    assert book.app.alerts[-1][0] == "运行失败：磁盘已满"
    assert book.app.status_bar is False and book.app.screen_updating is True


def test_validate_writes_only_the_checks(book):
    untouched = [n for n in book.sheet_names if n != contract.CHECKS_SHEET]
    before = snapshot(book, untouched)
    outcome = macros.validate(book)
    assert outcome.ok
    assert snapshot(book, untouched) == before
    assert "校验通过" in book.app.alerts[-1][0]
    rows = sheet_rows(book, contract.CHECKS_SHEET, 2)
    assert rows[0] == [label for _, label in contract.CHECK_COLUMNS]
    assert all(r[0] == "警告" for r in rows[1:])


# --- item 3: text arrives as text ---------------------------------------------------------------

def replace_everywhere(book, old: str, new: str) -> None:
    """Rename a code, name or district in every input cell that holds it (as staff would)."""
    for name in INPUTS:
        cells = book.sheets[name]._cells
        for key, value in cells.items():
            if value == old:
                cells[key] = new


def test_codes_names_and_districts_stay_text_in_the_results(book):
    replace_everywhere(book, "TN01", "0101")
    replace_everywhere(book, "雕庄街道人社服务中心（示例数据）", '=HYPERLINK("http://x","雕庄")')
    replace_everywhere(book, "天宁区", "1-2")
    assert macros.generate_allocation(book).ok
    rows = sheet_rows(book, contract.RESULT_SHEET, 2)
    row = next(r for r in rows if r[0] == "0101")
    assert row[1:3] == ['=HYPERLINK("http://x","雕庄")', "1-2"]
    assert not isinstance(row[1], fake.Formula)
    detail = sheet_rows(book, contract.DETAIL_SHEET, 2)
    assert {r[0] for r in detail[1:]} >= {"0101"}
    districts = sheet_rows(book, contract.DISTRICT_SHEET, 2)
    assert "1-2" in [r[0] for r in districts[1:]]


def test_messages_quoting_cells_stay_text_in_the_checks(book):
    row, header = volume_row_in_period(book)
    book.sheets[contract.VOLUMES].range((row, header.index("业务量") + 1)).value = "'=1+1"
    macros.validate(book)
    checks = sheet_rows(book, contract.CHECKS_SHEET, 2)
    assert checks[1][2] == f"D{row}" and "=1+1" in checks[1][3]
    assert all(isinstance(v, str) or v is None for r in checks for v in r)


# --- issue 9 item 1 on the Excel path: error cells are errors ----------------------------------

def test_error_cells_are_read_as_errors_never_as_blanks(book):
    row, header = volume_row_in_period(book)
    volumes = book.sheets[contract.VOLUMES]
    volumes._cells[(row, header.index("业务量") + 1)] = fake.error_value("#N/A")
    volumes._cells[(row + 1, header.index("业务量") + 1)] = fake.error_value("#SPILL!")
    raw = read_book(book).sheets[contract.VOLUMES]
    column = header.index("业务量") - raw.first_col
    assert raw.rows[row - 1 - raw.first_row][column] == CellError("#N/A")
    assert raw.rows[row - raw.first_row][column] == CellError("#SPILL!")
    outcome = macros.validate(book)
    assert [(c.sheet, c.cell) for c in outcome.errors] == [
        (contract.VOLUMES, f"D{row}"), (contract.VOLUMES, f"D{row + 1}")]
    assert "#N/A" in outcome.errors[0].message and "#SPILL!" in outcome.errors[1].message


def test_every_excel_error_value_has_its_com_number():
    """All but #BUSY!, which the XlCVError enumeration does not list (a cell still waiting
    for an asynchronous result)."""
    numbered = set(ERROR_CODES) - {"#BUSY!"}
    assert set(COM_ERRORS.values()) == numbered
    for number, code in fake._XLWINDOWS.cell_errors.items():  # xlwings' own names agree
        assert COM_ERRORS[number] == code
    for code in numbered:
        assert COM_ERRORS[fake.error_value(code)] == code


# --- the ribbon's entry points ---------------------------------------------------------------

def test_a_button_tag_runs_its_function_on_the_calling_book(book, monkeypatch):
    import xlwings

    monkeypatch.setattr(xlwings, "Book", fake.Book)  # xw.Book.caller(): the stand-in's
    monkeypatch.setattr(fake.Book, "_mock_caller", None)
    book.set_mock_caller()
    outcome = macros.run_macro("jbsys_xl.excel.macros.validate", __version__)
    assert outcome.ok and "校验通过" in book.app.alerts[-1][0]


@pytest.mark.parametrize("entry", ["os.system", "jbsys_xl.excel.macros.nothing", "jbsys_xl",
                                   "jbsys_xl.excel.macros.validate()", ""])
def test_only_functions_of_the_package_can_be_named(entry):
    with pytest.raises(ValueError):
        macros.resolve(entry)


def test_months_and_dates_are_written_as_dates_not_text(book):
    content = writer.SheetContent("回访清单", "t", ("日期",), [[dt.date(2024, 3, 5)]], ("yyyy-mm-dd",))
    writer.write_sheets(book, [content])
    assert book.sheets["回访清单"].range("A3").value == dt.datetime(2024, 3, 5)


def test_result_titles_say_draft_until_approved(book):
    """A 草案 must never pass for the final table: the macro's titles carry the status."""
    macros.generate_allocation(book)
    for name in RESULTS + [contract.CHECKS_SHEET]:
        title = book.sheets[name].range("A1").value
        assert title.endswith("（草案）"), (name, title)


# --- issue 21: Excel never left broken, functions never stale -----------------------------------

def killed_mid_write(book):
    """A Python that switched Excel off for writing and died before switching it on again
    (killed in the task manager, out of memory): RunPython then gives -1."""
    def run():
        app = book.app
        app.enable_events, app.screen_updating, app.calculation = False, False, "manual"
        book.sheets[contract.RESULT_SHEET].range("A3").value = "写到一半"
        return -1
    return run


def test_a_python_killed_mid_write_leaves_excel_as_it_was(book):
    vba = TemplateVba(book)
    vba.run_python(killed_mid_write(book))
    app = book.app
    assert (app.enable_events, app.calculation, app.screen_updating, app.status_bar) == \
        (True, "automatic", True, False)
    assert app.status_bar_history[0] == MESSAGES["JBSYS_MSG_STARTING"]
    assert app.alerts[-1][0] == MESSAGES["JBSYS_MSG_PYTHON_FAILED"]


def test_python_that_cannot_start_leaves_the_users_own_settings(book):
    app = book.app
    app.calculation = "manual"  # the user's choice, kept
    app.screen_updating = False

    def cannot_start():
        raise fake.ComError("Could not find Interpreter!")

    TemplateVba(book).run_python(cannot_start)
    assert (app.enable_events, app.calculation, app.screen_updating, app.status_bar) == \
        (True, "manual", False, False)
    assert app.alerts[-1][0].startswith(MESSAGES["JBSYS_MSG_RUN_FAILED"])


def test_a_button_run_through_the_vba_gives_the_status_bar_back(book, monkeypatch):
    monkeypatch.setattr(fake.Book, "_mock_caller", None)
    book.set_mock_caller()
    import xlwings

    monkeypatch.setattr(xlwings, "Book", fake.Book)
    TemplateVba(book).run_button("jbsys_xl.excel.macros.validate")
    assert book.app.status_bar is False and "校验通过" in book.app.alerts[-1][0]


def test_edits_made_while_events_were_off_are_not_answered_from_the_cache_later(book):
    """Another program turns events off, edits, turns them on: once events are back, F9 and
    any recalculation must not fall back to the answer cached before the edit."""
    center, cell = volume_cell(book)
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    before = score.value
    book.app.enable_events = False
    cell.value = 999_999
    book.app.enable_events = True
    book.app.calculate()  # F9
    assert score.value == fresh_score(book, center) != before


def test_refresh_counts_what_another_program_changed_unseen(book):
    """With events off and calculation manual, nothing at all is seen; once both are on
    again the old answer stays (the cache key did not move) until 刷新函数."""
    center, cell = volume_cell(book)
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, YEAR)
    before = score.value
    app = book.app
    app.enable_events, app.calculation = False, "manual"
    cell.value = 999_998
    app.enable_events = True
    app.calculation = "automatic"  # Excel recalculates with events on: the cached answer
    assert score.value == before
    reads = udf_service.CACHE.reads
    book.macro("JbState.JbRefresh")()
    assert udf_service.CACHE.reads == reads + 1  # one read for every JB* cell
    assert score.value == fresh_score(book, center) != before


def test_reads_stop_at_the_last_filled_row_in_chunks(book):
    """A format far below the data widens Excel's used range, not the read; a large sheet
    is read in chunks of READ_ROWS rows (one COM call each)."""
    volumes = book.sheets[contract.VOLUMES]
    last = volumes.used_range.row + volumes.used_range.shape[0] - 1
    volumes.range((900_000, 1)).number_format = "@"
    volumes._reads.clear()
    raw = read_book(book).sheets[contract.VOLUMES]
    assert raw.first_row + len(raw.rows) == last
    rows = [int(address.split(":")[1].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            - int(address.split(":")[0].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + 1
            for address in volumes._reads]
    assert len(rows) == -(-last // READ_ROWS) and max(rows) == READ_ROWS
    assert volumes._reads[-1].endswith(f"${last}")
    empty = book.sheets.add("空表")
    assert last_filled_row(empty, empty.used_range) is None


def test_a_tables_totals_row_is_no_data(book, expected):
    """Staff switch on a Table's 汇总 row (Table Design → Total Row): its sums must not be read
    as one more center's volumes — the same money as without it."""
    table = book.sheets[contract.VOLUMES].tables["tblVolumes"]
    table.show_totals = True
    totals = table.totals_row_range
    totals[0, 0].value = "汇总"
    totals[0, 3].value = 123456
    outcome = run(read_book(book), YEAR)
    assert outcome.ok and result_dict(outcome) == expected
