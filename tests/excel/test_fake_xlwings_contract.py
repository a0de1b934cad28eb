"""The fake xlwings: every name it defines exists in xlwings 0.37.8 with compatible parameters,
the xlwings behaviour it copies is still there, and the fake itself behaves as documented."""
from __future__ import annotations

import ast
import datetime as dt
import inspect
import shutil
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
import xlwings
import xlwings.base_classes
import xlwings.main

from tests.support import fake_xlwings as fake
from tests.support.fake_xlwings import App, Book, ComError, FakeCaller, Range

PAIRS = {
    fake.App: xlwings.main.App,
    fake.Books: xlwings.main.Books,
    fake.Book: xlwings.main.Book,
    fake.Sheets: xlwings.main.Sheets,
    fake.Sheet: xlwings.main.Sheet,
    fake.Range: xlwings.main.Range,
    fake.Font: xlwings.main.Font,
    fake.Tables: xlwings.main.Tables,
    fake.Table: xlwings.main.Table,
    fake.Names: xlwings.main.Names,
    fake.Name: xlwings.main.Name,
}
DUNDERS = {"__getitem__", "__call__", "__contains__", "__iter__", "__len__"}
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
XLWINGS = Path(xlwings.__file__).parent
XLWINDOWS = XLWINGS / "_xlwindows.py"


def _members():
    for fake_cls, real_cls in PAIRS.items():
        for name in sorted(vars(fake_cls)):
            if not name.startswith("_") or name in DUNDERS:
                yield pytest.param(fake_cls, real_cls, name, id=f"{fake_cls.__name__}.{name}")


# --- contract --------------------------------------------------------------------------------

def test_every_fake_class_is_checked():
    classes = {obj for obj in vars(fake).values()
               if isinstance(obj, type) and obj.__module__ == fake.__name__}
    assert classes == set(PAIRS) | {ComError, FakeCaller, fake.Formula} | set(EXCEL_OBJECTS)


# Excel's own object model (VBA reference: Application.GetOpenFilename, GetSaveAsFilename,
# InputBox, Union, UserName; Workbook.FullName; Worksheet.ProtectContents, FilterMode, Cells, Range;
# Range.Row, Delete, Find; ListObject.AutoFilter; AutoFilter.FilterMode): xlwings does not
# wrap these, ``.api`` reaches them through pywin32. A method lists its parameters in Excel's
# order, None marks a read-only property.
EXCEL_OBJECTS = {
    fake.ComApplication: {
        "GetOpenFilename": ("FileFilter", "FilterIndex", "Title", "ButtonText", "MultiSelect"),
        "GetSaveAsFilename": ("InitialFileName", "FileFilter", "FilterIndex", "Title", "ButtonText"),
        "InputBox": ("Prompt", "Title", "Default", "Left", "Top", "HelpFile", "HelpContextID", "Type"),
        "Union": tuple(f"Arg{number}" for number in range(1, 31)),
        "UserName": None,
    },
    fake.ComWorkbook: {"FullName": None},
    fake.ComWorksheet: {"ProtectContents": None, "FilterMode": None, "Cells": None,
                        "Range": ("Cell1", "Cell2")},
    fake.ComRange: {"Row": None, "Column": None, "Value": None, "Delete": ("Shift",),
                    "Find": ("What", "After", "LookIn", "LookAt", "SearchOrder", "SearchDirection",
                             "MatchCase", "MatchByte", "SearchFormat")},
    fake.ComListObject: {"AutoFilter": None},
    fake.ComAutoFilter: {"FilterMode": None},
}


@pytest.mark.parametrize("com_class", list(EXCEL_OBJECTS), ids=lambda c: c.__name__)
def test_fake_com_objects_have_excels_members_with_excels_parameters(com_class):
    members = {name: member for name, member in vars(com_class).items() if not name.startswith("_")}
    expected = EXCEL_OBJECTS[com_class]
    assert set(members) == set(expected)
    for name, parameters in expected.items():
        if parameters is None:
            assert isinstance(members[name], property) and members[name].fset is None, name
        else:
            assert tuple(inspect.signature(members[name]).parameters)[1:] == parameters, name


def test_xlwings_hands_excels_objects_over_as_api():
    """Book, Sheet, Range and Table ``.api`` are the engine's COM objects (pywin32)."""
    for cls in ("Book", "Sheet", "Range", "Table"):
        engine = _class_def(XLWINDOWS, cls)
        api = next(node for node in engine.body if isinstance(node, ast.FunctionDef)
                   and node.name == "api")
        assert ast.unparse(api.body[-1]) == "return self.xl", cls
        assert isinstance(inspect.getattr_static(getattr(xlwings.main, cls), "api"), property)


def test_xlwings_app_api_is_the_com_object_and_passes_arguments_through():
    """app.api is the engine's raw Application (wrapped only to retry while Excel is busy),
    and the wrapper hands positional and keyword arguments to the COM method unchanged."""
    engine_app = _class_def(XLWINDOWS, "App")
    assert "api = xl" in [ast.unparse(node) for node in engine_app.body]
    assert "return self._xl" in ast.unparse(engine_app)  # the xl property's getter
    call = _methods(_class_def(XLWINDOWS, "COMRetryMethodWrapper"))["__call__"]
    assert ast.unparse(call.args) == "self, *args, **kwargs"
    assert "self.__method(*args, **kwargs)" in ast.unparse(call)
    alert = _methods(engine_app)["alert"]
    assert "{1: 'ok', 2: 'cancel', 6: 'yes', 7: 'no'}" in ast.unparse(alert)
    assert "'ok_cancel': win32con.MB_OKCANCEL" in ast.unparse(alert)
    assert set(fake.ALERT_BUTTONS) == {"ok", "ok_cancel", "yes_no", "yes_no_cancel"}
    # alert has no default button: the layer calls the MessageBox it calls, the same way
    # (tests/support/fake_win32.py), on the window App.hwnd names
    assert "win32api.MessageBox(self.hwnd," in ast.unparse(alert)
    assert "return self._hwnd" in ast.unparse(_methods(engine_app)["hwnd"])


def test_formula_marker_adds_nothing_to_str():
    assert issubclass(fake.Formula, str)
    assert [name for name in vars(fake.Formula) if not name.startswith("_")] == []


def test_fake_caller_is_a_range_and_adds_nothing():
    # xlwings hands a UDF's `caller` over as ComRange, a plain Range subclass.
    assert issubclass(FakeCaller, Range)
    assert [name for name in vars(FakeCaller) if not name.startswith("_")] == []


@pytest.mark.parametrize("fake_cls, real_cls, name", list(_members()))
def test_member_exists_in_xlwings(fake_cls, real_cls, name):
    fake_attr = inspect.getattr_static(fake_cls, name)
    real_attr = inspect.getattr_static(real_cls, name)  # AttributeError: the fake drifted
    if isinstance(fake_attr, property):
        assert isinstance(real_attr, property)
        assert fake_attr.fset is None or real_attr.fset is not None, "xlwings has no setter"
    elif isinstance(fake_attr, classmethod):
        assert isinstance(real_attr, classmethod)
        _check_parameters(fake_attr.__func__, real_attr.__func__)
    else:
        assert inspect.isfunction(real_attr)
        _check_parameters(fake_attr, real_attr)


def _check_parameters(fake_fn, real_fn):
    """Every parameter the fake takes is taken by xlwings, in the same position when
    positional and with the same default."""
    fake_params = list(inspect.signature(fake_fn).parameters.values())[1:]
    real_params = list(inspect.signature(real_fn).parameters.values())[1:]
    real = {p.name: p for p in real_params}
    real_positional = [p.name for p in real_params if p.kind in POSITIONAL]
    kinds = {p.kind for p in real_params}
    for index, param in enumerate(fake_params):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            assert param.kind in kinds, param
            continue
        if param.kind is inspect.Parameter.POSITIONAL_ONLY and param.name not in real:
            assert inspect.Parameter.VAR_POSITIONAL in kinds, param  # e.g. Range.__call__(*args)
            continue
        assert param.name in real, f"xlwings has no parameter {param.name!r}"
        if param.kind in POSITIONAL:
            assert real_positional[index:index + 1] == [param.name], f"{param.name} moved"
        if param.default is not param.empty:
            assert real[param.name].default == param.default


def _class_def(path: Path, name: str) -> ast.ClassDef:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}


def test_xlwings_still_never_finds_a_name_in_book_sheets():
    """Copied by Sheets.__contains__: the Windows and Mac engines' Sheets have no
    __contains__, so Collection.__contains__ ends up comparing the name with sheet objects."""
    for engine in ("_xlwindows.py", "_xlmac.py"):
        sheets = _class_def(XLWINGS / engine, "Sheets")
        assert [ast.unparse(base) for base in sheets.bases] == ["base_classes.Sheets"]
        assert "__contains__" not in _methods(sheets)
    assert not hasattr(xlwings.base_classes.Sheets, "__contains__")

    class EngineSheets:  # what the engine offers: iteration over sheet objects
        def __iter__(self):
            yield object()

    assert "Sheet1" not in xlwings.main.Sheets(impl=EngineSheets())


def test_xlwings_tables_do_find_names():
    tables = _class_def(XLWINGS / "_xlwindows.py", "Tables")
    assert "Collection" in [ast.unparse(base) for base in tables.bases]
    assert "__contains__" in _methods(_class_def(XLWINGS / "_xlwindows.py", "Collection"))


def test_xlwings_lets_the_com_error_of_a_missing_sheet_through():
    call = _methods(_class_def(XLWINGS / "_xlwindows.py", "Sheets"))["__call__"]
    assert not any(isinstance(node, ast.Try) for node in ast.walk(call))


# --- behaviour: values -----------------------------------------------------------------------

@pytest.fixture
def book() -> Book:
    return Book(r"C:\work\demo.xlsm", ["Data", "Out"])


@pytest.fixture
def sheet(book):
    return book.sheets["Data"]


def test_cells_are_a_dict_keyed_row_column(sheet):
    sheet["B3"].value = "x"
    assert sheet._cells == {(3, 2): "x"}


def test_list_of_lists_expands_from_the_top_left_cell(sheet):
    sheet["B2:Z99"].value = [[1, 2, 3], [4, 5, 6]]
    assert sheet.used_range.address == "$B$2:$D$3"
    assert sheet["B2:D3"].value == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_flat_list_is_a_row_and_a_scalar_fills_the_range(sheet):
    sheet["A1"].value = ["a", "b"]
    sheet["A2:B3"].value = 0
    assert sheet["A1:B3"].value == [["a", "b"], [0.0, 0.0], [0.0, 0.0]]
    sheet["A2:B3"].value = None
    assert sheet.used_range.address == "$A$1:$B$1"


def test_empty_list_writes_nothing_and_jagged_lists_are_refused(sheet):
    sheet["A1"].value = []
    assert sheet._cells == {}
    with pytest.raises(Exception, match="same length"):
        sheet["A1"].value = [[1, 2], [3]]


def test_read_shape_follows_the_range_unless_ndim_2(sheet):
    sheet["A1"].value = [[1, 2], [3, 4]]
    assert sheet["A1"].value == 1.0
    assert sheet["A1:B1"].value == [1.0, 2.0]
    assert sheet["A1:A2"].value == [1.0, 3.0]
    assert sheet["A1:A2"].options(ndim=2).value == [[1.0], [3.0]]
    assert sheet["A1"].options(ndim=2).value == [[1.0]]


def test_what_excel_keeps(sheet):
    sheet["A1"].value = [[7, True, dt.date(2024, 5, 6), "", float("nan")]]
    assert sheet["A1:E1"].value == [7.0, True, dt.datetime(2024, 5, 6), None, None]
    assert isinstance(sheet["A1"].value, float)


def test_numeric_text_becomes_a_number_unless_formatted_as_text(sheet):
    sheet["A1"].value = ["00123", "320102199001011234", "'00123", "1e3", "12a"]
    assert sheet["A1:E1"].value == [123.0, 320102199001011000.0, "00123", 1000.0, "12a"]
    sheet["A2"].number_format = "@"
    sheet["A2"].value = "00123"
    assert sheet["A2"].value == "00123"


def test_dataframe_round_trip(sheet):
    df = pd.DataFrame({"地区": ["天宁", "钟楼"], "得分": [1, 2], "系数": [0.5, None]})
    sheet["B2"].options(index=False).value = df
    back = sheet["B2"].options(pd.DataFrame, header=1, index=False, expand="table").value
    pd.testing.assert_frame_equal(back, df.astype({"得分": float}), check_dtype=False)
    assert back["得分"].tolist() == [1.0, 2.0]


def test_dataframe_index_is_written_by_default(sheet):
    sheet["A1"].value = pd.DataFrame({"v": [5]}, index=pd.Index(["r"], name="k"))
    assert sheet["A1"].expand().value == [["k", "v"], ["r", 5.0]]


def test_expand_table_stops_at_the_first_empty_cell(sheet):
    sheet["A1"].value = [["h1", "h2", None, "x"], [1, 2, None, None], [3, 4, None, None]]
    sheet["A5"].value = "after a gap"
    assert sheet["A1"].expand("table").address == "$A$1:$B$3"
    assert sheet["B2"].expand().address == "$B$2:$B$3"
    sheet["D5"].value = "alone"
    assert sheet["D5"].expand().address == "$D$5"


def test_end_moves_like_ctrl_arrow(sheet):
    sheet["A1"].value = [[1], [2], [3]]
    sheet["A10"].value = 4
    assert sheet["A1"].end("down").address == "$A$3"
    assert sheet["A3"].end("down").address == "$A$10"
    assert sheet["A10"].end("down").address == "$A$1048576"
    assert sheet["C1"].end("left").address == "$A$1"


def test_options_are_replaced_and_carried_by_resize_offset_last_cell(sheet):
    rng = sheet["A1"].options(ndim=2).options(expand="table")
    assert rng._options == {"convert": None, "expand": "table"}
    for moved in (rng.resize(2, 2), rng.offset(1, 1), rng.last_cell):
        assert moved._options == rng._options
    assert sheet["A1"].options(ndim=2).expand()._options == {}
    with pytest.raises(NotImplementedError):
        sheet["A1"].options(numbers=int)


def test_addresses_and_navigation(sheet):
    assert sheet.cells.address == "$1:$1048576"
    assert sheet["b:c"].address == "$B:$C"
    assert sheet.range((2, 3), (4, 1)).address == "$A$2:$C$4"
    assert sheet[1, 2].address == "$C$2"  # 0-based, as sheet[...] with a tuple is in xlwings
    rng = sheet["B2:D4"]
    assert (rng.row, rng.column, rng.shape) == (2, 2, (3, 3))
    assert rng(1, 1).address == "$B$2" and rng[-1, -1].address == "$D$4"
    assert rng.resize(1).address == "$B$2:$D$2" and rng.offset(1, 0).address == "$B$3:$D$5"
    assert rng.last_cell.address == "$D$4"
    assert sheet.range(sheet["A1"], sheet["C2"]) == sheet["A1:C2"]
    with pytest.raises(ComError):
        rng.offset(-2)


# --- behaviour: formats ----------------------------------------------------------------------

def test_formats_report_none_when_cells_differ(sheet):
    rng = sheet["A1:B1"]
    assert (rng.number_format, rng.color, rng.font.bold) == ("General", None, False)
    sheet["A1"].number_format = "0.00"
    sheet["A1"].color = "#ff0000"
    sheet["A1"].font.bold = True
    assert (rng.number_format, rng.color, rng.font.bold) == (None, None, None)
    assert sheet["A1"].color == (255, 0, 0)
    sheet["B1"].color = 255
    assert sheet["B1"].color == (255, 0, 0)


def test_column_width(sheet):
    assert sheet["A1"].column_width == fake.STANDARD_COLUMN_WIDTH
    sheet["A:B"].column_width = 20
    assert sheet["B7"].column_width == 20 and sheet["B1:C1"].column_width is None


def test_clear_contents_keeps_formats_clear_does_not(sheet):
    sheet["C3"].value = 1
    sheet["E5"].font.bold = True
    sheet.clear_contents()
    assert sheet._cells == {} and sheet.used_range.address == "$E$5"
    sheet.clear()
    assert sheet.used_range.address == "$A$1"


# --- behaviour: sheets, app, caller ----------------------------------------------------------

def test_sheet_lookup(book):
    assert book.sheets["data"] is book.sheets[0] is book.sheets[-2]
    with pytest.raises(ComError):  # not KeyError: `except KeyError` would not catch it in Excel
        book.sheets["Missing"]
    assert "Data" not in book.sheets and "Data" in book.sheet_names
    assert [s.name for s in book.sheets] == ["Data", "Out"] and len(book.sheets) == 2


def test_add_sheet(book):
    added = book.sheets.add("Result", after=book.sheets["Data"])
    assert book.sheet_names == ["Data", "Result", "Out"]
    assert book.sheets.active is added and added.book is book
    book.sheets["Out"].activate()
    book.sheets.add("Before")  # Excel's default place: before the active sheet
    assert book.sheet_names == ["Data", "Result", "Before", "Out"]
    with pytest.raises(ValueError):
        book.sheets.add("data")
    with pytest.raises(ComError):
        book.sheets.add("a/b")


def test_app_status_bar_and_properties(book):
    app = book.app
    with app.properties(status_bar="计算中…", screen_updating=False, calculation="manual"):
        assert (app.screen_updating, app.calculation) == (False, "manual")
    assert app.status_bar_history == ["计算中…", False]
    assert (app.status_bar, app.screen_updating, app.calculation) == (False, True, "automatic")
    with pytest.raises(KeyError):
        app.calculation = "sometimes"


def test_book_caller(book, monkeypatch):
    monkeypatch.setattr(Book, "_mock_caller", None)
    with pytest.raises(Exception, match="must not be called directly"):
        Book.caller()
    book.set_mock_caller()
    assert Book.caller() is book
    assert (book.name, book.fullname) == ("demo.xlsm", r"C:\work\demo.xlsm")
    assert isinstance(book.app, App)


def test_fake_caller_reaches_the_calling_book(book):
    caller = FakeCaller(book.sheets["Out"]["B2:B3"])
    assert caller.sheet.book is book and caller.address == "$B$2:$B$3"


# --- behaviour: tables -----------------------------------------------------------------------

@pytest.fixture
def table(sheet):
    sheet["A1"].value = [["名称", 2024], ["a", 1], ["b", 2]]
    return sheet.tables.add(sheet["A1"].expand(), name="Scores")


def test_table_lookup(sheet, table):
    assert sheet.tables["scores"] is table is sheet.tables[0]
    assert "SCORES" in sheet.tables and len(sheet.tables) == 1
    assert [t.name for t in sheet.tables] == ["Scores"] and table.parent is sheet
    with pytest.raises(KeyError):
        sheet.tables["Other"]


def test_table_ranges_and_text_headers(table):
    assert table.range.address == "$A$1:$B$3"
    assert table.header_row_range.value == ["名称", "2024"]  # Excel keeps headers as text
    assert table.data_body_range.value == [["a", 1.0], ["b", 2.0]]


def test_table_headers_stay_text_and_cleared_ones_become_column_n(sheet, table):
    sheet["B1"].value = 2025
    assert sheet["B1"].value == "2025"
    sheet["A1"].clear_contents()
    assert table.header_row_range.value == ["Column1", "2025"]
    with pytest.raises(NotImplementedError):
        sheet["B1"].value = "column1"


@pytest.mark.parametrize("name", ["FY2024", "my table", "R1C1", "2024年"])
def test_table_names_excel_refuses(book, name):
    out = book.sheets["Out"]
    with pytest.raises(ComError):
        out.tables.add(out["A1:B2"], name=name)


def test_table_names_are_unique_in_the_book_and_tables_do_not_overlap(book, table):
    out = book.sheets["Out"]
    with pytest.raises(ComError):
        out.tables.add(out["A1:B2"], name="scores")
    data = book.sheets["Data"]
    with pytest.raises(ComError):
        data.tables.add(data["B3:C5"], name="Other")


def test_header_only_table_has_an_insert_row_and_no_body(sheet):
    sheet["D1"].value = ["x", "y"]
    table = sheet.tables.add(sheet["D1:E1"], name="Empty")
    assert table.range.address == "$D$1:$E$2" and table.data_body_range is None
    sheet["D2"].value = 1
    sheet["D2"].clear_contents()  # the insert row has become a data row, and stays one
    assert table.data_body_range.address == "$D$2:$E$2"


def test_table_resize(sheet, table):
    sheet["C1"].value = None
    table.resize(sheet["A1:C4"])
    assert table.header_row_range.value == ["名称", "2024", "Column3"]
    with pytest.raises(ComError):
        table.resize(sheet["A2:C4"])


def test_sheet_clear_removes_tables(sheet, table):
    sheet.clear()
    assert len(sheet.tables) == 0


# --- behaviour: error cells, parsing, calculation and events --------------------------------

def test_error_cells_go_through_xlwings_own_reader(sheet):
    assert fake._XLWINDOWS.clean.__code__.co_filename.endswith("_xlwindows.py")
    for number, code in fake._XLWINDOWS.cell_errors.items():  # the seven xlwings names
        assert fake.error_value(code) == number
    sheet._cells.update({(1, 1): fake.error_value("#N/A"), (1, 2): fake.error_value("#SPILL!")})
    assert sheet["A1:B1"].value == [None, fake.error_value("#SPILL!")]
    assert sheet["A1:B1"].options(err_to_str=True).value == ["#N/A", fake.error_value("#SPILL!")]


def test_text_is_parsed_as_typed_unless_formatted_as_text(sheet):
    sheet["A1"].value = [["=A2", "5%", "true", "2024/3", "2024-13", "1-2"]]
    values = sheet["A1:F1"].value
    assert isinstance(values[0], fake.Formula) and values[0] == "=A2"
    assert values[1:5] == [0.05, True, dt.datetime(2024, 3, 1), "2024-13"]
    assert values[5] == dt.datetime(dt.date.today().year, 1, 2)
    sheet["A2:F2"].number_format = "@"
    sheet["A2"].value = [["=A2", "5%", "true", "2024/3", "2024-13", "1-2"]]
    assert sheet["A2:F2"].value == ["=A2", "5%", "true", "2024/3", "2024-13", "1-2"]


def test_a_write_recalculates_then_raises_the_change_event(book, sheet):
    order = []
    sheet._formulas[(1, 1)] = lambda caller: order.append("calc") or len(order)
    book.events["SheetChange"] = lambda s, target: order.append(("change", s.name, target.address))
    sheet["B2"].value = 1
    assert order == ["calc", ("change", "Data", "$B$2")] and sheet["A1"].value == 1.0
    book.app.enable_events = False
    sheet["B2"].value = 2
    assert order[2:] == ["calc"]
    book.app.calculation = "manual"
    sheet["B2"].value = 3
    assert order[3:] == []
    book.app.calculation = "automatic"  # Excel catches up
    assert order[3:] == ["calc"]
    book.app.calculate()
    assert order[4:] == ["calc"] and book.app.recalculations == 4


def test_sheet_calculate_is_raised_for_sheets_with_formulas(book, sheet):
    seen = []
    book.events["SheetCalculate"] = lambda s: seen.append(s.name)
    sheet._formulas[(1, 1)] = lambda caller: 1
    book.app.calculate()
    assert seen == ["Data"]


def test_writing_a_value_replaces_a_formula(sheet):
    sheet._formulas[(1, 1)] = lambda caller: 1
    sheet["A1"].value = 5
    assert sheet._formulas == {} and sheet["A1"].value == 5.0


def test_a_missing_macro_fails_when_run(book):
    run = book.macro("Module1.Missing")
    with pytest.raises(ComError, match="Cannot run the macro"):
        run()
    book.vba["Module1.Twice"] = lambda x: 2 * x
    assert book.macro("Module1.Twice")(4) == 8


def test_rename_a_sheet(book, sheet):
    sheet.name = "Daten"
    assert book.sheet_names == ["Daten", "Out"]
    with pytest.raises(ComError):
        sheet.name = "out"


# --- behaviour: deleting cells, dialogs, opening files ----------------------------------------

def test_delete_shifts_the_cells_below_up_in_the_same_columns(sheet):
    sheet["A1"].value = [[1, "a", "x"], [2, "b", "y"], [3, "c", "z"], [4, "d", "w"]]
    sheet["A2"].number_format = "@"
    sheet["A3"].font.bold = True
    sheet["A2:B3"].delete(shift="up")
    assert sheet["A1:C4"].value == [[1.0, "a", "x"], [4.0, "d", "y"], [None, None, "z"],
                                    [None, None, "w"]]
    assert sheet["A2"].number_format == "General" and sheet["A2"].font.bold is False
    with pytest.raises(NotImplementedError):
        sheet["A1"].delete()


def test_delete_shrinks_moves_or_refuses_tables(book, sheet):
    sheet["A1"].value = [["名称", "值"], ["a", 1], ["b", 2], ["c", 3]]
    table = sheet.tables.add(sheet["A1:B4"], name="Upper")
    sheet["A7"].value = [["键"], ["k"]]
    lower = sheet.tables.add(sheet["A7:A8"], name="Lower")
    sheet["A2:C3"].delete(shift="up")  # the table's whole width, and more: rows of the table go
    assert table.range.address == "$A$1:$B$2" and table.data_body_range.value == ["c", 3.0]
    assert lower.range.address == "$A$5:$A$6" and sheet["A5"].value == "键"
    with pytest.raises(ComError, match="shift cells in a table"):
        sheet["B2"].delete(shift="up")  # part of a table's width
    with pytest.raises(NotImplementedError):
        sheet["A2:B2"].delete(shift="up")  # its last data row


def test_alert_answers_are_scripted(book):
    app = book.app
    app.answers += ["cancel", "no"]
    assert app.alert("只有确定") == "ok"  # a box with one button takes no answer
    assert app.alert("继续？", buttons="ok_cancel") == "cancel"
    assert app.alert("保存？", buttons="yes_no") == "no"
    assert app.alert("继续？", buttons="ok_cancel") == "ok"  # none left: the first button
    assert len(app.alerts) == 4
    with pytest.raises(KeyError):
        app.alert("?", buttons="maybe")


def test_a_scripted_answer_must_be_a_button_of_the_box(book):
    book.app.answers.append("no")
    with pytest.raises(ValueError, match="has no button 'no'"):
        book.app.alert("继续？", buttons="ok_cancel")


def test_dialogs_of_app_api(book):
    api = book.app.api
    api.picks += [["C:/a.xlsx", "C:/b.csv"], False]
    assert api.GetOpenFilename("表格 (*.xlsx),*.xlsx", Title="选", MultiSelect=True) == \
        ("C:/a.xlsx", "C:/b.csv")
    assert api.GetOpenFilename(FileFilter="表格 (*.xlsx),*.xlsx", MultiSelect=True) is False
    with pytest.raises(ComError):
        api.GetOpenFilename(FileFilter="表格 (*.xlsx)")  # a description without patterns
    api.inputs += ["7", False]
    assert api.InputBox("几件？", "标题", 5, Type=1) == 7.0
    assert api.InputBox("几件？", Default=5, Type=1) is False
    assert api.InputBox("几件？", Default=5, Type=1) == 5.0  # OK on the default
    assert [d[0] for d in api.dialogs] == ["GetOpenFilename"] * 3 + ["InputBox"] * 3


def test_books_open_reads_a_file_once(tmp_path):
    """And finds an open book by its name, as xlwings does (Books.open)."""
    path = tmp_path / "清单.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("回访")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["编号", "日期"])
    sheet.write_string(1, 0, "0101")
    sheet.write_number(2, 0, 7)
    sheet.write_column(1, 1, [dt.date(2024, 3, 5), dt.date(2024, 3, 6)], day)
    sheet.add_table(0, 0, 2, 1, {"name": "tblList", "columns": [{"header": "编号"}, {"header": "日期"}]})
    workbook.close()
    app = App()
    opened = app.books.open(str(path))
    assert opened.sheets["回访"]["A1:B3"].value == [
        ["编号", "日期"], ["0101", dt.datetime(2024, 3, 5)], [7.0, dt.datetime(2024, 3, 6)]]
    assert opened.sheets["回访"].tables["tblList"].range.address == "$A$1:$B$3"
    assert app.books.open(str(path)) is opened and len(app.books) == 1
    with pytest.raises(FileNotFoundError):
        app.books.open(str(tmp_path / "missing.xlsx"))
    (tmp_path / "other").mkdir()
    twin = Path(shutil.copy(path, tmp_path / "other" / path.name))
    with pytest.raises(ValueError, match="Cannot open two workbooks named"):
        app.books.open(str(twin))
    source = ast.unparse(next(n for n in _class_def(XLWINGS / "main.py", "Books").body
                              if isinstance(n, ast.FunctionDef) and n.name == "open"))
    assert "impl = self.impl(name)" in source and "os.path.samefile(impl.fullname, fullname)" in source
    assert "raise FileNotFoundError" in source


# --- behaviour: what the layer reaches below xlwings ------------------------------------------

def test_a_onedrive_book_has_a_url_in_excel_and_xlwings_maps_it_or_fails(tmp_path, monkeypatch):
    """Book.fullname of xlwings on Windows: Excel's FullName, mapped to the synced file when
    it is a URL (xlwings.utils.fullname_url_to_local_path, called by the stand-in itself),
    which raises when there is none - for a SharePoint site nobody configured, even
    UnboundLocalError (S1 of the review of 2026-12-06)."""
    fullname = _methods(_class_def(XLWINDOWS, "Book"))["fullname"]
    assert "fullname_url_to_local_path" in ast.unparse(fullname)
    assert "read_config_sheet" in ast.unparse(fullname)  # a sheet read on every call
    for name in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/OneDrive either
    book = Book("https://d.docs.live.net/1a2b/人社/demo.xlsm", ["Sheet1"])
    assert book.name == "demo.xlsm" and book.api.FullName.startswith("https://")
    with pytest.raises(xlwings.XlwingsError):
        book.fullname
    synced = tmp_path / "OneDrive" / "人社" / "demo.xlsm"
    synced.parent.mkdir(parents=True)
    synced.write_bytes(b"x")
    monkeypatch.setenv("OneDrive", str(tmp_path / "OneDrive"))
    assert book.fullname == str(synced)
    site = Book("https://intranet.example.cn/sites/kaohe/Shared Documents/考核/demo.xlsm", ["Sheet1"])
    with pytest.raises(UnboundLocalError):
        site.fullname


def test_merge_cells_is_excels_tristate(sheet):
    merge = _methods(_class_def(XLWINDOWS, "Range"))["merge_cells"]
    assert ast.unparse(merge.body[-1]) == "return self.xl.MergeCells"
    sheet["B3:C3"].merge()
    assert sheet["B3:C3"].merge_cells is True
    assert sheet["A1:D9"].merge_cells is None and sheet["A1:D2"].merge_cells is False


def test_union_of_whole_rows_is_deleted_in_one_step(book, sheet):
    sheet["A1"].value = [[1], [2], [3], [4], [5], [6]]
    rows = sheet.api.Range("2:2,4:5")
    book.app.api.Union(rows, sheet.api.Range("6:6")).Delete()
    assert sheet["A1:A3"].value == [1.0, 3.0, None]
    sheet["A1"].value = [[1], [2], [3]]
    sheet["B1:C1"].merge()
    with pytest.raises(NotImplementedError):  # one area refused: none is deleted
        book.app.api.Union(sheet.api.Range("3:3"), sheet.api.Range("1:1")).Delete()
    assert sheet["A1:A3"].value == [1.0, 2.0, 3.0]
    with pytest.raises(ComError):
        sheet.api.Range(",".join(f"{n}:{n}" for n in range(1, 80)))  # over 255 characters


def test_find_the_last_filled_row_and_chunked_reads(sheet):
    assert sheet.api.Cells.Find("*", LookIn=fake.XL_FORMULAS, LookAt=fake.XL_PART,
                                SearchOrder=fake.XL_BY_ROWS, SearchDirection=fake.XL_PREVIOUS) is None
    sheet["B7"].value = "x"
    sheet["D900"].number_format = "@"  # a format alone: in the used range, not found
    found = sheet.api.Cells.Find("*", LookIn=fake.XL_FORMULAS, LookAt=fake.XL_PART,
                                 SearchOrder=fake.XL_BY_ROWS, SearchDirection=fake.XL_PREVIOUS)
    assert found.Row == 7 and sheet.used_range.address == "$B$7:$D$900"
    sheet._reads.clear()
    assert sheet["A1:B5"].options(ndim=2, chunksize=2).value == [[None, None]] * 5
    assert sheet._reads == ["$A$1:$B$2", "$A$3:$B$4", "$A$5:$B$5"]
    standard = (XLWINGS / "conversion" / "standard.py").read_text(encoding="utf-8")
    assert 'chunksize = options.get("chunksize", _MISSING)' in standard


def test_protection_and_filters_as_excel_reports_them(book, sheet):
    assert sheet.api.ProtectContents is False and sheet.api.FilterMode is False
    sheet["A1"].value = [["h"], [1]]
    table = sheet.tables.add(sheet["A1:A2"], name="T")
    assert table.api.AutoFilter.FilterMode is False
    table._filter = None  # no filter buttons: Excel's ListObject.AutoFilter is Nothing
    assert table.api.AutoFilter is None


def test_the_save_dialog_is_scripted(book):
    api = book.app.api
    api.saves += [True, "D:/清单.xlsx", False]
    assert api.GetSaveAsFilename("C:/x/a.xlsx", "Excel 工作簿 (*.xlsx),*.xlsx", Title="t") == "C:/x/a.xlsx"
    assert api.GetSaveAsFilename(InitialFileName="C:/x/a.xlsx") == "D:/清单.xlsx"
    assert api.GetSaveAsFilename(InitialFileName="C:/x/a.xlsx") is False
