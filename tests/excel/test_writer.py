"""The safe writer every macro shares: checked values, text as text, quiet Excel."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from jbsys_xl import contract
from jbsys_xl.excel import udf_service, writer
from tests.support import fake_xlwings as fake
from tests.support.excel_books import open_book, udf_cell, vba_of
import udfs.jbsys_udfs as U

DEMO = Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"


@pytest.fixture
def book():
    return fake.Book(r"C:\x\book.xlsm", ["Data"])


def content(rows, formats=("@", "0"), **extra):
    return writer.SheetContent("Out", "标题", ("编码", "数量"), rows, formats, **extra)


@pytest.mark.parametrize("rows, message", [
    ([["0101", "12"]], "text '12' in a column formatted '0'"),
    ([["0101", Decimal("1.5")]], "Decimal"),
    ([["0101"]], "row 0 has 1 values"),
])
def test_content_is_checked_before_anything_is_written(rows, message):
    with pytest.raises(ValueError, match=message):
        content(rows)


def test_text_columns_keep_what_excel_would_parse(book):
    texts = ["0101", "=1+1", "1-2", "320102199001011234", "5%", "TRUE", "2024-03"]
    writer.write_sheets(book, [content([[text, 1] for text in texts])])
    out = book.sheets["Out"]
    assert [out.range((3 + i, 1)).value for i in range(len(texts))] == texts
    assert out.range("B3").value == 1.0 and out.range("B3").number_format == "0"
    assert out.range("A1").value == "标题" and out.range("A2:B2").value == ["编码", "数量"]


def test_what_excel_would_have_made_of_the_same_text_without_the_format(book):
    """The stand-in's model of Excel's parsing: the reason for the "@" format."""
    sheet = book.sheets["Data"]
    sheet.range("A1").value = [["0101", "=1+1", "1-2", "2024-03", "5%"]]
    parsed = sheet.range("A1:E1").value
    assert parsed[0] == 101.0 and isinstance(parsed[1], fake.Formula)
    assert parsed[2] == dt.datetime(dt.date.today().year, 1, 2)
    assert parsed[3:] == [dt.datetime(2024, 3, 1), 0.05]


def test_a_created_sheet_gets_a_styled_header_and_the_unit(book):
    writer.write_sheets(book, [content([["a", 1]], unit="单位：元", bold=frozenset({0}),
                                       widths=(10, 99))])
    out = book.sheets["Out"]
    assert book.sheet_names == ["Data", "Out"]
    assert out.range("A2:B2").font.bold and out.range("A2:B2").color == writer.HEADER_COLOR
    assert out.range("B1").value == "单位：元" and out.range("A3:B3").font.bold
    assert out.range("A1").column_width == 10 and out.range("B1").column_width == writer.MAX_WIDTH


def test_rewriting_clears_old_rows_and_keeps_formats(book):
    writer.write_sheets(book, [content([["a", 1], ["b", 2], ["c", 3]], bold=frozenset({2}))])
    out = book.sheets["Out"]
    out.range("D9").color = (1, 2, 3)
    writer.write_sheets(book, [content([["x", 9]])])
    assert out.range("A3:B5").value == [["x", 9.0], [None, None], [None, None]]
    assert out.range("A5:B5").font.bold is False
    assert out.range("D9").color == (1, 2, 3)


def test_quiet_restores_events_before_calculation(book):
    app = book.app
    seen = []
    book.sheets["Data"]._formulas[(1, 1)] = lambda caller: seen.append(app.enable_events) or 1
    with writer.quiet(book):
        assert (app.enable_events, app.calculation, app.screen_updating) == (False, "manual", False)
        book.sheets["Data"].range("B1").value = 5
        assert seen == []  # no recalculation while writing
    assert seen == [True]  # one, with events on again
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "automatic", True)


def test_written_inputs_are_counted_by_the_vba_once_python_has_returned(monkeypatch):
    """C1: Python no longer calls back into Excel (Application.Run of JbInputsWritten while
    RunPython still waits, which Excel may refuse): the import buttons are JbInputButtons,
    whose VBA counts the edit after RunPython returned - and the JB* cells read once."""
    udf_service.CACHE.__init__()
    book = open_book(DEMO)
    vba = vba_of(book)
    volumes = book.sheets[contract.VOLUMES]
    rows = volumes.range("A2").expand().value
    month, amount = rows[0].index("月份"), rows[0].index("业务量")
    row = next(i for i, r in enumerate(rows) if isinstance(r[month], dt.datetime)
               and r[month].year == 2024 and r[month].month < 12)
    center = rows[row][0]
    score = udf_cell(book, "使用说明", "F1", U.JBSCORE, center, 2024)
    before = score.value
    monkeypatch.setattr(fake.Book, "macro", lambda self, name: pytest.fail(f"Python ran {name}"))
    reads = udf_service.CACHE.reads

    def import_rows():
        with writer.quiet(book):
            writer.put(volumes, 2 + row, amount + 1, [[999_999]], ["#,##0"])

    vba.run_python(import_rows, writes_inputs=True)
    assert score.value == udf_service.score(book, None, center, 2024) != before
    assert udf_service.CACHE.reads == reads + 2  # the cell's one read, and the check above
    assert book.app.alerts == []


def test_a_setting_excel_refuses_is_inside_the_try_and_the_others_come_back(book, monkeypatch):
    """Excel refuses Calculation while a cell is in edit mode: events and screen updating,
    already switched off, are switched on again, and the body never runs."""
    app = book.app
    original = fake.App.calculation.fset

    def refuse(self, value):
        if value == "manual":
            raise fake.ComError("Unable to set the Calculation property of the Application class")
        original(self, value)

    monkeypatch.setattr(fake.App, "calculation", property(fake.App.calculation.fget, refuse))
    ran = []
    with pytest.raises(fake.ComError, match="Calculation"):
        with writer.quiet(book):
            ran.append(True)
    assert ran == []
    assert (app.enable_events, app.calculation, app.screen_updating) == (True, "automatic", True)


def test_each_setting_is_restored_on_its_own(book, monkeypatch):
    """One refused restore does not leave the others off; the refusal is raised afterwards."""
    app = book.app
    original = fake.App.enable_events.fset

    def refuse_on(self, value):
        if value:
            raise fake.ComError("Excel is busy")
        original(self, value)

    monkeypatch.setattr(fake.App, "enable_events", property(fake.App.enable_events.fget, refuse_on))
    with pytest.raises(fake.ComError, match="busy"):
        with writer.quiet(book):
            pass
    assert (app.calculation, app.screen_updating) == ("automatic", True)
    assert app.enable_events is False  # the one Excel refused; the VBA gives it back (JbRunPython)


def test_a_failing_body_is_what_is_raised(book, monkeypatch):
    monkeypatch.setattr(fake.App, "screen_updating", property(
        fake.App.screen_updating.fget,
        lambda self, value: (_ for _ in ()).throw(fake.ComError("busy")) if value else None))
    with pytest.raises(RuntimeError, match="写入失败"):
        with writer.quiet(book):
            raise RuntimeError("写入失败")
    assert (book.app.enable_events, book.app.calculation) == (True, "automatic")


def test_describe_gives_excels_own_words_never_a_class_name():
    class ComError(Exception):  # pywintypes.com_error: (hresult, text, excepinfo, argerror)
        def __init__(self):
            super().__init__(-2147352567, "Exception occurred.", None, None)
            self.excepinfo = (0, "Microsoft Excel", "无法更改合并单元格的某一部分。", None, 0, -2146827284)

    assert writer.describe(ComError()) == "无法更改合并单元格的某一部分。"
    assert writer.describe(RuntimeError("磁盘已满")) == "磁盘已满"
    assert writer.describe(KeyError()) == "未知错误"
