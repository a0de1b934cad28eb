"""In-memory stand-in for the part of the xlwings object model the Excel layer uses.

There is no Excel here, so the layer is tested against this miniature of xlwings 0.37.8
driving Excel on Windows. Where the real thing surprises, the surprise is copied, not fixed:
numbers come back as float, text is parsed as if typed (numbers, dates, formulas) unless
the cell is formatted "@", error cells read as None unless ``err_to_str``, a missing sheet
raises a COM error rather than KeyError, ``"name" in book.sheets`` is always False, table
headers are text. What the miniature does not model raises instead of guessing.

Excel's order of work after a write is copied too: in automatic calculation the formula
cells are recalculated first, then the workbook's ``SheetChange`` handler runs (if events are
enabled). Formula cells hold Python callables (``Sheet._formulas``, fake-only), every one
volatile; a book's VBA event handlers and macros are Python callables in ``Book.events`` and
``Book.vba`` (fake-only), set by the test.
``tests/excel/test_fake_xlwings_contract.py`` keeps every name and signature here present in
the real classes.

Build a book with ``Book("C:/x/demo.xlsm", ["Sheet1"])``; cell values live in
``sheet._cells``, a dict keyed ``(row, column)``, 1-based. ``Book._mock_caller`` is class
state as in xlwings: tests that call ``set_mock_caller`` should first
``monkeypatch.setattr(Book, "_mock_caller", None)`` so it is undone afterwards.
``book_from_file(path)`` opens a workbook file as Excel shows it (``app.books.open`` does the
same). Dialogs are scripted: ``app.answers`` are the buttons pressed in message boxes,
``app.api.picks``, ``app.api.saves`` and ``app.api.inputs`` what the file pickers and the
input box return.

Where the layer goes below xlwings to Excel's own objects (``.api``), the stand-in offers only
the members it uses, under Excel's names and parameters (ComWorkbook, ComWorksheet, ComRange,
ComListObject, ComAutoFilter); the contract test lists them against Excel's object model. Sheet
state the xlwings API cannot set is fake-only: ``Sheet._protected`` (every cell locked: a
write raises Excel's COM error), ``Sheet._filtered`` and ``Table._filter``. A workbook on
OneDrive/SharePoint has a URL as Excel's FullName (``Book._fullname``); ``Book.fullname`` maps
it with xlwings' own function, so a synced copy is found the way xlwings finds it (the
OneDrive variables, the xlwings.conf sheet) and a missing one fails as there.
"""
from __future__ import annotations

import ast
import bisect
import datetime as dt
import ntpath
import re
from numbers import Number
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import python_calamine
import xlwings
import xlwings.main
from xlwings.constants import MAX_COLUMNS, MAX_ROWS
from xlwings.conversion import PandasDataFrameConverter
from xlwings.utils import a1_to_tuples, col_name, fullname_url_to_local_path, hex_to_rgb, int_to_rgb

STANDARD_COLUMN_WIDTH = 8.43  # Excel's default width, in characters of the default font
_FORMAT_DEFAULTS = {"number_format": "General", "color": None, "bold": False}
_OPTIONS = {"ndim", "expand", "header", "index", "err_to_str", "chunksize"}
_ROWS = re.compile(r"\$?(\d+):\$?(\d+)")  # an A1 address of whole rows, "3:5"
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_BY_COLUMNS, XL_NEXT, XL_PREVIOUS = -4123, 2, 1, 2, 1, 2  # Find
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PERCENT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)%")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?")
_MONTH_DAY = re.compile(r"(\d{1,2})[-/](\d{1,2})")
_MAX_CELLS = 1_000_000  # formats and fills are per cell: whole rows/columns are not modelled
ALERT_BUTTONS = {"ok": ("ok",), "ok_cancel": ("ok", "cancel"), "yes_no": ("yes", "no"),
                 "yes_no_cancel": ("yes", "no", "cancel")}  # xlwings' buttons → what alert returns


class ComError(Exception):
    """Stands in for ``pywintypes.com_error``: what Excel raises through xlwings on Windows."""


class App:
    """Excel application state the layer touches; ``status_bar_history`` is fake-only."""

    # The real context manager: it only reads and sets attributes, so it runs on the fake.
    properties = xlwings.main.App.properties
    _windows: dict[int, App] = {}  # fake-only: window handle → app (tests/support/fake_win32.py)

    def __init__(self) -> None:
        self._status_bar: str | bool = False
        self._screen_updating = True
        self._calculation = "automatic"
        self._enable_events = True
        self._books: list[Book] = []
        self._active: Book | None = None  # ActiveWorkbook: the one opened or activated last
        self.status_bar_history: list[str | bool] = []
        self.alerts: list[tuple[str, str | None]] = []  # fake-only: every message box shown
        self.answers: list[str] = []  # fake-only: buttons the user presses (see alert)
        self.recalculations = 0  # fake-only: how often formula cells were recalculated
        self.message_styles: list[int] = []  # fake-only: styles of win32api.MessageBox boxes
        self._api = ComApplication()
        App._windows[id(self)] = self

    @property
    def status_bar(self) -> str | bool:
        """False while Excel owns the status bar, as in xlwings."""
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._status_bar = value
        self.status_bar_history.append(value)

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = bool(value)

    @property
    def api(self) -> ComApplication:
        """Excel's Application COM object (fake: only its dialogs, see ComApplication)."""
        return self._api

    @property
    def hwnd(self) -> int:
        """Excel's main window handle (Application.Hwnd), which message boxes belong to."""
        return id(self)

    @property
    def books(self) -> Books:
        return Books(self)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok") -> str:
        """Records the message box instead of showing it. A box with one button returns
        "ok"; one with a choice returns the next of ``answers``, or its first button (OK, Yes)
        when none is left."""
        choices = ALERT_BUTTONS[buttons]  # KeyError for a kind xlwings does not know, as there
        self.alerts.append((prompt, title))
        if len(choices) == 1 or not self.answers:
            return choices[0]
        answer = self.answers.pop(0)
        if answer not in choices:
            raise ValueError(f"a {buttons} box has no button {answer!r}")
        return answer

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        if value not in ("automatic", "manual", "semiautomatic"):
            raise KeyError(value)  # xlwings' calculation_s2i lookup
        was, self._calculation = self._calculation, value
        if was == "manual" and value != "manual":
            self._recalculate()  # Excel catches up when calculation turns automatic again

    @property
    def enable_events(self) -> bool:
        return self._enable_events

    @enable_events.setter
    def enable_events(self, value: bool) -> None:
        self._enable_events = bool(value)

    def calculate(self) -> None:
        """F9: every formula cell of every open book (all of them count as volatile)."""
        self._recalculate()

    def _recalculate(self) -> None:
        self.recalculations += 1
        calculated = []
        for book in list(self._books):
            for sheet in book._sheets:
                if sheet._formulas:
                    for (row, column), formula in sorted(sheet._formulas.items()):
                        value = formula(FakeCaller(Range(sheet, row, column)))
                        sheet._cells[(row, column)] = _result(value)
                    calculated.append(sheet)
        if self._enable_events:
            for sheet in calculated:
                sheet._book._raise("SheetCalculate", sheet)

    def _after_edit(self, sheet: Sheet, target: Range) -> None:
        """What Excel does after a cell is written: recalculate, then raise the event."""
        if self._calculation != "manual":
            self._recalculate()
        if self._enable_events:
            sheet._book._raise("SheetChange", sheet, target)


class ComApplication:
    """What ``app.api`` is on Windows: Excel's ``Application`` object through pywin32 (xlwings
    wraps it only to retry a busy call, passing positional and keyword arguments through).
    Only the dialogs the layer opens are modelled, with Excel's parameter names and order, and
    the user name Excel holds; the test plays the user: ``picks`` are what successive file
    pickers return (a list of paths, or False for 取消), ``inputs`` what successive input
    boxes return (False for 取消; when none is left the user accepts the default). ``dialogs``
    records (method, title, prompt or filter)."""

    def __init__(self) -> None:
        self.picks: list = []
        self.saves: list = []
        self.inputs: list = []
        self.dialogs: list[tuple[str, str | None, str | None]] = []
        self._user_name = "张三"  # File → Options → 用户名; fake-only: a test may change it

    @property
    def UserName(self) -> str:
        """The user name Excel's options hold (Office's, often the Windows account's)."""
        return self._user_name

    def GetOpenFilename(self, FileFilter=None, FilterIndex=None, Title=None, ButtonText=None,
                        MultiSelect=None):
        """A tuple of paths with MultiSelect (even for one file: Excel returns an array),
        else one path; False when cancelled. A filter is pairs "description,patterns"
        joined by commas; anything else makes Excel fail."""
        self.dialogs.append(("GetOpenFilename", Title, FileFilter))
        if FileFilter is not None and len(FileFilter.split(",")) % 2:
            raise ComError("GetOpenFilename method of Application class failed")
        if not self.picks:
            raise AssertionError("the test scripted no file picker answer (ComApplication.picks)")
        pick = self.picks.pop(0)
        if pick is False:
            return False
        paths = tuple(str(path) for path in pick)
        if MultiSelect:
            return paths
        if len(paths) != 1:
            raise ValueError("without MultiSelect the picker returns one file")
        return paths[0]

    def GetSaveAsFilename(self, InitialFileName=None, FileFilter=None, FilterIndex=None,
                          Title=None, ButtonText=None):
        """The path typed or chosen in Excel's save dialog (no file is written), False when
        cancelled. The test plays the user with ``saves``: a path, or True to accept
        ``InitialFileName`` as offered."""
        self.dialogs.append(("GetSaveAsFilename", Title, InitialFileName))
        if FileFilter is not None and len(FileFilter.split(",")) % 2:
            raise ComError("GetSaveAsFilename method of Application class failed")
        if not self.saves:
            raise AssertionError("the test scripted no save dialog answer (ComApplication.saves)")
        answer = self.saves.pop(0)
        if answer is False:
            return False
        return str(InitialFileName if answer is True else answer)

    def Union(self, Arg1, Arg2, Arg3=None, Arg4=None, Arg5=None, Arg6=None, Arg7=None, Arg8=None,
              Arg9=None, Arg10=None, Arg11=None, Arg12=None, Arg13=None, Arg14=None, Arg15=None,
              Arg16=None, Arg17=None, Arg18=None, Arg19=None, Arg20=None, Arg21=None,
              Arg22=None, Arg23=None, Arg24=None, Arg25=None, Arg26=None, Arg27=None,
              Arg28=None, Arg29=None, Arg30=None):
        """One range of the areas of 2 to 30 ranges of a sheet, as Application.Union."""
        given = [Arg1, Arg2, Arg3, Arg4, Arg5, Arg6, Arg7, Arg8, Arg9, Arg10, Arg11, Arg12,
                 Arg13, Arg14, Arg15, Arg16, Arg17, Arg18, Arg19, Arg20, Arg21, Arg22, Arg23,
                 Arg24, Arg25, Arg26, Arg27, Arg28, Arg29, Arg30]
        ranges = [r for r in given if r is not None]
        if any(not isinstance(r, ComRange) or r._sheet is not ranges[0]._sheet for r in ranges):
            raise ComError("Method 'Union' of object '_Application' failed")
        return ComRange(ranges[0]._sheet, [area for r in ranges for area in r._areas])

    def InputBox(self, Prompt, Title=None, Default=None, Left=None, Top=None, HelpFile=None,
                 HelpContextID=None, Type=None):
        """With Type=1 Excel accepts numbers only and returns a float; False when cancelled."""
        self.dialogs.append(("InputBox", Title, Prompt))
        answer = self.inputs.pop(0) if self.inputs else Default
        if answer is False:
            return False
        if Type == 1:
            if isinstance(answer, str) and not _NUMBER.fullmatch(answer.strip()):
                raise NotImplementedError("Excel asks again for a number: not modelled")
            return float(answer)
        if Type not in (None, 2):
            raise NotImplementedError(f"InputBox Type={Type!r} is not modelled")
        return "" if answer is None else str(answer)


class Books:
    """The open workbooks of an app."""

    def __init__(self, app: App) -> None:
        self._app = app

    def __len__(self) -> int:
        return len(self._app._books)

    def __iter__(self):
        return iter(list(self._app._books))

    @property
    def active(self) -> Book | None:
        """Excel's ActiveWorkbook: a workbook opened or created becomes active, as does one
        activated (``Book.activate``: the user clicks into its window)."""
        return self._app._active

    def open(self, fullname=None) -> Book:
        """As in xlwings: a missing file is FileNotFoundError; an open book of that name is
        returned as it is (ValueError if it is another file of the same name); otherwise the
        file is opened (see :func:`book_from_file`)."""
        if not Path(fullname).exists():
            raise FileNotFoundError("No such file: '%s'" % fullname)
        name = Path(fullname).name
        for book in self._app._books:
            if book.name.lower() == name.lower():
                if not Path(book.fullname).samefile(fullname):
                    raise ValueError(f"Cannot open two workbooks named '{name}'")
                return book
        return book_from_file(fullname, self._app)


class Book:
    _mock_caller: Book | None = None

    def __init__(self, fullname: str = "Book1", sheet_names=("Sheet1",), app: App | None = None):
        self._fullname = fullname
        self._app = app or App()
        if len({name.lower() for name in sheet_names}) < len(sheet_names):
            raise ValueError(f"duplicate sheet names: {sheet_names}")
        for name in sheet_names:
            _check_sheet_name(name)
        self._sheets = [Sheet(self, name) for name in sheet_names]
        self._active = self._sheets[0]
        self._names: dict[str, Name] = {}
        self._app._books.append(self)
        self._app._active = self  # Excel activates a workbook it opens
        self.events: dict[str, object] = {}  # fake-only: "SheetChange" → handler(sheet, range)
        self.vba: dict[str, object] = {}  # fake-only: macro name → callable (Book.macro)

    @classmethod
    def caller(cls) -> Book:
        if Book._mock_caller is None:
            raise Exception("Book.caller() must not be called directly. Call through Excel "
                            "or set a mock caller first with Book.set_mock_caller().")
        return Book._mock_caller

    def set_mock_caller(self) -> None:
        Book._mock_caller = self

    @property
    def name(self) -> str:
        return ntpath.basename(self._fullname)

    @property
    def fullname(self) -> str:
        """As xlwings on Windows (``_xlwindows.Book.fullname``): Excel's FullName, but for a
        book on OneDrive/SharePoint (a URL) what the real
        ``xlwings.utils.fullname_url_to_local_path`` makes of it, given the book's
        xlwings.conf sheet — a synced file, or its exceptions (XlwingsError, and for a
        SharePoint site with nothing configured UnboundLocalError). The function is called
        without its lru_cache, so one test's mapping does not leak into the next."""
        if "://" not in self._fullname:
            return self._fullname
        config = self._config_sheet()
        return fullname_url_to_local_path.__wrapped__(
            url=self._fullname,
            sheet_onedrive_consumer_config=config.get("ONEDRIVE_CONSUMER_WIN"),
            sheet_onedrive_commercial_config=config.get("ONEDRIVE_COMMERCIAL_WIN"),
            sheet_sharepoint_config=config.get("SHAREPOINT_WIN"),
        )

    def _config_sheet(self) -> dict:
        """What ``xlwings.utils.read_config_sheet`` gives: the xlwings.conf sheet's A:B from
        A1 down to the first empty key, as written; {} without the sheet."""
        sheet = next((s for s in self._sheets if s.name == "xlwings.conf"), None)
        config, row = {}, 1
        while sheet is not None and sheet._cells.get((row, 1)) is not None:
            config[sheet._cells[(row, 1)]] = sheet._cells.get((row, 2))
            row += 1
        return config

    def activate(self, steal_focus: bool = False) -> None:
        """The user clicks into the book's window: it becomes ActiveWorkbook, and its
        Workbook_Activate handler runs (events on)."""
        if self._app._active is not self:
            self._app._active = self
            if self._app._enable_events:
                self._raise("Activate")

    @property
    def api(self) -> ComWorkbook:
        return ComWorkbook(self)

    @property
    def app(self) -> App:
        return self._app

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def names(self) -> Names:
        return Names(self)

    def macro(self, name: str):
        """A VBA macro of the book (fake: ``Book.vba``); like Excel, a missing one fails only
        when it is run."""
        def run(*args):
            if name not in self.vba:
                raise ComError(f"Cannot run the macro '{name}'")
            return self.vba[name](*args)
        return run

    def _raise(self, event: str, *args) -> None:
        handler = self.events.get(event)
        if handler is not None:
            handler(*args)

    @property
    def sheet_names(self) -> list[str]:
        """The way to ask whether a sheet exists (see ``Sheets.__contains__``)."""
        return [sheet.name for sheet in self._sheets]

    def __repr__(self) -> str:
        return f"<Book [{self.name}]>"


class Names:
    """Workbook-level defined names; a missing one raises like Excel does through COM."""

    def __init__(self, book: Book) -> None:
        self._book = book

    def __getitem__(self, item: str) -> Name:
        try:
            return self._book._names[item.lower()]
        except KeyError:
            raise ComError(f"no name {item!r}") from None

    def add(self, name: str, refers_to: str) -> Name:
        created = Name(self._book, name, refers_to)
        self._book._names[name.lower()] = created
        return created


class Name:
    def __init__(self, book: Book, name: str, refers_to: str) -> None:
        self._book, self._name, self._refers_to = book, name, refers_to

    @property
    def name(self) -> str:
        return self._name

    @property
    def refers_to(self) -> str:
        return self._refers_to

    @refers_to.setter
    def refers_to(self, value: str) -> None:
        self._refers_to = value

    @property
    def refers_to_range(self) -> Range:
        """Only names of the form =Sheet!$A$1 refer to a range, as in Excel."""
        target = self._refers_to.lstrip("=")
        if "!" not in target:
            raise ComError(f"{self._name} does not refer to a range")
        sheet, cell = target.rsplit("!", 1)
        return self._book.sheets[sheet.strip("'")].range(cell.replace("$", ""))


class Sheets:
    def __init__(self, book: Book) -> None:
        self._book = book

    @property
    def active(self) -> Sheet:
        return self._book._active

    def __len__(self) -> int:
        return len(self._book._sheets)

    def __iter__(self):
        return iter(list(self._book._sheets))

    def __getitem__(self, key: int | str) -> Sheet:
        sheets = self._book._sheets
        if isinstance(key, int):
            if not -len(sheets) <= key < len(sheets):
                raise IndexError(f"Index {key} out of range ({len(sheets)} elements)")
            return sheets[key]
        for sheet in sheets:
            if sheet.name.lower() == key.lower():  # Excel looks sheet names up caselessly
                return sheet
        raise ComError(f"no sheet named {key!r}")  # xlwings passes the COM error through

    def __contains__(self, key: str) -> bool:
        """Always False, as in xlwings 0.37.8: ``Collection.__contains__`` asks the engine's
        Sheets, which has no ``__contains__``, so Python compares the key with each sheet
        object. Use ``book.sheet_names``."""
        return False

    def add(self, name: str, before: Sheet | str | None = None,
            after: Sheet | str | None = None) -> Sheet:
        """Inserts before the active sheet by default, and activates the new sheet."""
        if name.lower() in (s.name.lower() for s in self):
            raise ValueError("Sheet named '%s' already present in workbook" % name)
        _check_sheet_name(name)
        sheets = self._book._sheets
        if before is not None:
            index = sheets.index(self._named(before))
        elif after is not None:
            index = sheets.index(self._named(after)) + 1
        else:
            index = sheets.index(self._book._active)
        sheet = Sheet(self._book, name)
        sheets.insert(index, sheet)
        self._book._active = sheet
        return sheet

    def _named(self, sheet: Sheet | str) -> Sheet:
        if isinstance(sheet, int):  # xlwings would take it as a 1-based COM index
            raise NotImplementedError("pass the Sheet or its name")
        return sheet if isinstance(sheet, Sheet) else self[sheet]


class Sheet:
    def __init__(self, book: Book, name: str) -> None:
        self._book = book
        self._name = name
        self._cells: dict[tuple[int, int], object] = {}
        self._formats: dict[tuple[int, int], dict[str, object]] = {}
        self._column_widths: dict[int, float] = {}
        self._tables: list[Table] = []
        self._formulas: dict[tuple[int, int], object] = {}  # (row, column) → f(caller)
        self._merged: list[tuple[int, int, int, int]] = []  # (top, left, bottom, right)
        self._codename = ""  # fake-only: VBA's Worksheet.CodeName, kept through renames
        self._protected = False  # fake-only: Review → Protect Sheet
        self._filtered = False  # fake-only: the sheet's own AutoFilter hides rows
        self._reads: list[str] = []  # fake-only: the address of every COM read of values

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        if value.lower() != self._name.lower() and value.lower() in (
                name.lower() for name in self._book.sheet_names):
            raise ComError(f"a sheet named {value!r} already exists")
        _check_sheet_name(value)
        self._name = value

    @property
    def book(self) -> Book:
        return self._book

    @property
    def api(self) -> ComWorksheet:
        return ComWorksheet(self)

    def range(self, cell1, cell2=None) -> Range:
        """A1 text (``"B2"``, ``"$A$1:$C$3"``, ``"A:C"``), a (row, column) tuple, or a Range."""
        corners = self._corners(cell1) + ([] if cell2 is None else self._corners(cell2))
        rows = [r for r, _ in corners]
        cols = [c for _, c in corners]
        return Range(self, min(rows), min(cols),
                     max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)

    def _corners(self, cell) -> list[tuple[int, int]]:
        if isinstance(cell, Range):
            if cell.sheet is not self:
                raise ValueError("Range is not on this sheet")
            return [(cell.row, cell.column), (cell._bottom, cell._right)]
        if isinstance(cell, tuple):
            return [cell]
        first, second = a1_to_tuples(cell)
        if first is None:
            raise NotImplementedError(f"named ranges are not modelled: {cell!r}")
        return [first] if second is None else [first, second]

    def __getitem__(self, item: str | tuple[int, int]) -> Range:
        return self.range(item) if isinstance(item, str) else self.cells[item]

    @property
    def cells(self) -> Range:
        return Range(self, 1, 1, MAX_ROWS, MAX_COLUMNS)

    @property
    def used_range(self) -> Range:
        """Bounding box of cells with a value or a format; ``$A$1`` on an empty sheet."""
        used = set(self._cells) | set(self._formats)
        if not used:
            return Range(self, 1, 1)
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return Range(self, min(rows), min(cols),
                     max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)

    @property
    def tables(self) -> Tables:
        return Tables(self)

    def clear_contents(self) -> None:
        self.cells.clear_contents()

    def clear(self) -> None:
        """Values, formulas, formats and tables go (Excel deletes a table whose whole range
        is cleared); column widths stay."""
        self._check_unlocked()
        self._cells.clear()
        self._formulas.clear()
        self._formats.clear()
        self._tables.clear()
        self._book._app._after_edit(self, self.cells)

    def activate(self) -> None:
        self._book._active = self

    def _store(self, row: int, column: int, x) -> None:
        fmt = self._formats.get((row, column), {}).get("number_format", "General")
        self._formulas.pop((row, column), None)
        value = _to_cell(x, fmt)
        if value is None:
            self._cells.pop((row, column), None)
        else:
            self._cells[(row, column)] = value

    def _check_unlocked(self) -> None:
        """What Excel answers a write, a format or a delete on a protected sheet (every cell
        locked, Excel's default)."""
        if self._protected:
            raise ComError("The cell or chart you're trying to change is on a protected sheet. "
                           "To make a change, unprotect the sheet.")

    def _after_write(self, written: Range) -> None:
        for table in self._tables:
            if _overlap(table.range, written):
                table._sync()
        self._book._app._after_edit(self, written)

    def select(self) -> None:
        self._book._active = self

    def __repr__(self) -> str:
        return f"<Sheet [{self._book.name}]{self._name}>"


class Range:
    def __init__(self, sheet: Sheet, row: int, column: int, nrows: int = 1, ncols: int = 1,
                 options: dict | None = None) -> None:
        if not (1 <= row and row + nrows - 1 <= MAX_ROWS
                and 1 <= column and column + ncols - 1 <= MAX_COLUMNS):
            raise ComError(f"range outside the sheet: row {row}, column {column}, "
                           f"{nrows}x{ncols}")
        self._sheet = sheet
        self._row, self._column = row, column
        self._nrows, self._ncols = nrows, ncols
        self._options = dict(options or {})

    @property
    def _bottom(self) -> int:
        return self._row + self._nrows - 1

    @property
    def _right(self) -> int:
        return self._column + self._ncols - 1

    def _keys(self):
        return ((r, c) for r in range(self._row, self._bottom + 1)
                for c in range(self._column, self._right + 1))

    def _holds(self, key: tuple[int, int]) -> bool:
        r, c = key
        return self._row <= r <= self._bottom and self._column <= c <= self._right

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    @property
    def row(self) -> int:
        return self._row

    @property
    def column(self) -> int:
        return self._column

    @property
    def shape(self) -> tuple[int, int]:
        return self._nrows, self._ncols

    @property
    def address(self) -> str:
        if self._ncols == MAX_COLUMNS:
            return f"${self._row}:${self._bottom}"
        if self._nrows == MAX_ROWS:
            return f"${col_name(self._column)}:${col_name(self._right)}"
        first = f"${col_name(self._column)}${self._row}"
        if self.shape == (1, 1):
            return first
        return f"{first}:${col_name(self._right)}${self._bottom}"

    def options(self, convert=None, **options) -> Range:
        """Replaces (does not merge) the options, as xlwings does."""
        unknown = set(options) - _OPTIONS
        if unknown:
            raise NotImplementedError(f"options not modelled: {sorted(unknown)}")
        if convert not in (None, pd.DataFrame):
            raise NotImplementedError(f"converter not modelled: {convert!r}")
        if options.get("ndim") not in (None, 2):
            raise NotImplementedError(f"ndim={options['ndim']!r} is not modelled")
        if options.get("expand") not in (None, "table"):
            raise NotImplementedError(f"expand={options['expand']!r} is not modelled")
        return Range(self._sheet, self._row, self._column, self._nrows, self._ncols,
                     {"convert": convert, **options})

    @property
    def value(self):
        """Scalar, flat list for one row or column, else list of rows (see options)."""
        rng = self.expand() if self._options.get("expand") else self
        err_to_str = self._options.get("err_to_str", False)
        cells = self._sheet._cells
        chunk = self._options.get("chunksize") or rng._nrows
        for top in range(rng._row, rng._bottom + 1, chunk):  # one COM call per chunk
            self._sheet._reads.append(
                Range(self._sheet, top, rng._column, min(chunk, rng._bottom - top + 1),
                      rng._ncols).address)
        rows = [[_XLWINDOWS.clean(cells.get((r, c)), dt.datetime, None, None, err_to_str)
                 for c in range(rng._column, rng._right + 1)]
                for r in range(rng._row, rng._bottom + 1)]
        if self._options.get("convert") is pd.DataFrame:
            return PandasDataFrameConverter.read_value(rows, self._options)
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1:
            return rows[0][0] if len(rows[0]) == 1 else rows[0]
        return [row[0] for row in rows] if len(rows[0]) == 1 else rows

    @value.setter
    def value(self, data) -> None:
        self._sheet._check_unlocked()
        if isinstance(data, pd.DataFrame):
            data = PandasDataFrameConverter.write_value(data, dict(self._options))
        elif self._options.get("convert") is pd.DataFrame:
            raise TypeError("options(pd.DataFrame) needs a DataFrame to write")
        rows, scalar = _ensure_2d(data)
        if not rows:
            return  # xlwings writes nothing for an empty list
        if scalar:  # Excel fills the whole range with one value
            if self._nrows * self._ncols > _MAX_CELLS:
                raise NotImplementedError("filling whole rows or columns is not modelled")
            target = self
            rows = [[rows[0][0]] * self._ncols] * self._nrows
        else:
            target = self.resize(len(rows), len(rows[0]))
        for r, row in enumerate(rows, target._row):
            for c, item in enumerate(row, target._column):
                self._sheet._store(r, c, item)
        self._sheet._after_write(target)

    @property
    def api(self) -> ComRange:
        return ComRange(self._sheet, [(self._row, self._column, self._bottom, self._right)])

    @property
    def merge_cells(self) -> bool | None:
        """As Excel's MergeCells: True when the range is one merged area, None (Null) when it
        holds merged cells and others, False when none."""
        corners = (self._row, self._column, self._bottom, self._right)
        if corners in self._sheet._merged:
            return True
        return None if any(_meets(area, corners) for area in self._sheet._merged) else False

    def merge(self, across: bool = False) -> None:
        if across:
            raise NotImplementedError("merge(across=True) is not modelled")
        corners = (self._row, self._column, self._bottom, self._right)
        if any(_meets(area, corners) for area in self._sheet._merged):
            raise NotImplementedError("merging over merged cells is not modelled")
        self._sheet._merged.append(corners)

    def clear_contents(self) -> None:
        self._sheet._check_unlocked()
        self._sheet._cells = {k: v for k, v in self._sheet._cells.items() if not self._holds(k)}
        self._sheet._formulas = {k: v for k, v in self._sheet._formulas.items()
                                 if not self._holds(k)}
        self._sheet._after_write(self)

    def delete(self, shift: str | None = None) -> None:
        """Excel's Range.Delete, shifting up: the cells go and the cells below them, in the
        same columns, move up. A table whose columns all lie within the range loses the
        deleted rows of its body, or moves up when it is below them; a table the range cuts
        across refuses, as in Excel. Formulas and names referring to moved cells are not
        adjusted (not modelled), nor is deleting a table's header or all of its rows."""
        self._sheet._check_unlocked()
        if shift != "up":
            raise NotImplementedError("only Range.delete(shift='up') is modelled")
        sheet, count = self._sheet, self._nrows
        changes = []
        for table in sheet._tables:
            area = table.range
            if area._right < self._column or area.column > self._right or area._bottom < self._row:
                continue  # beside the columns, or above the deleted rows
            if not (self._column <= area.column and area._right <= self._right):
                raise ComError("This operation is not allowed. The operation is attempting "
                               "to shift cells in a table on your worksheet.")
            if area.row > self._bottom:
                changes.append((table, area.offset(-count)))
            elif area.row < self._row and self._bottom <= area._bottom:
                if area.shape[0] - 1 - count < 1:
                    raise NotImplementedError("deleting every data row of a table is not modelled")
                changes.append((table, area.resize(area.shape[0] - count)))
            else:
                raise NotImplementedError("deleting a table's header or rows past its end "
                                          "is not modelled")

        def shifted(store: dict) -> dict:
            kept = {}
            for (row, column), value in store.items():
                if self._column <= column <= self._right and row >= self._row:
                    if row <= self._bottom:
                        continue
                    row -= count
                kept[(row, column)] = value
            return kept

        if any(_meets(area, (self._row, self._column, MAX_ROWS, self._right))
               for area in sheet._merged):
            raise NotImplementedError("deleting or shifting merged cells is not modelled")
        sheet._cells = shifted(sheet._cells)
        sheet._formats = shifted(sheet._formats)
        sheet._formulas = shifted(sheet._formulas)
        for table, area in changes:
            table._range = area
        sheet._after_write(self)

    def __call__(self, row: int, column: int, /) -> Range:
        """1-based, relative to the top-left cell, and may reach outside the range."""
        return Range(self._sheet, self._row + row - 1, self._column + column - 1)

    def __getitem__(self, key: tuple[int, int]) -> Range:
        """0-based cell inside the range; slices are not modelled."""
        row, column = key
        if not (isinstance(row, int) and isinstance(column, int)):
            raise NotImplementedError("only integer indices are modelled")
        if not (-self._nrows <= row < self._nrows and -self._ncols <= column < self._ncols):
            raise IndexError(f"{key} outside a {self._nrows}x{self._ncols} range")
        return self(row % self._nrows + 1, column % self._ncols + 1)

    def end(self, direction: str) -> Range:
        """Ctrl+arrow from the top-left cell, as Excel's Range.End."""
        step = {"down": 1, "right": 1, "up": -1, "left": -1}[direction]
        vertical = direction in ("down", "up")
        fixed = self._column if vertical else self._row
        pos = self._row if vertical else self._column
        limit = MAX_ROWS if vertical else MAX_COLUMNS
        filled = {r if vertical else c for r, c in self._sheet._cells
                  if (c if vertical else r) == fixed}
        if pos in filled and pos + step in filled:
            while pos + step in filled:
                pos += step
        else:
            ahead = [p for p in filled if (p - pos) * step > 0]
            pos = (min(ahead, key=lambda p: abs(p - pos)) if ahead
                   else (limit if step > 0 else 1))
        return Range(self._sheet, *((pos, self._column) if vertical else (self._row, pos)))

    def expand(self, mode: str = "table") -> Range:
        """xlwings' TableExpander: down and right from the top-left cell, stopping at the
        first empty cell; one empty cell right below or beside the origin ends it there."""
        if mode != "table":
            raise NotImplementedError(f"expand({mode!r}) is not modelled")
        origin = self(1, 1)
        cells = self._sheet._cells

        def reach(direction: str, second: Range, third: Range) -> int:
            if (second.row, second.column) not in cells:
                return 0
            if (third.row, third.column) not in cells:
                return 1
            end = second.end(direction)
            return (end.row - origin.row) if direction == "down" else (end.column - origin.column)

        down = reach("down", origin(2, 1), origin(3, 1))
        right = reach("right", origin(1, 2), origin(1, 3))
        return Range(self._sheet, origin.row, origin.column, down + 1, right + 1)

    def resize(self, row_size: int | None = None, column_size: int | None = None) -> Range:
        if row_size is not None:
            assert row_size > 0
        if column_size is not None:
            assert column_size > 0
        return Range(self._sheet, self._row, self._column, row_size or self._nrows,
                     column_size or self._ncols, self._options)

    def offset(self, row_offset: int = 0, column_offset: int = 0) -> Range:
        return Range(self._sheet, self._row + row_offset, self._column + column_offset,
                     self._nrows, self._ncols, self._options)

    @property
    def last_cell(self) -> Range:
        return Range(self._sheet, self._bottom, self._right, options=self._options)

    @property
    def number_format(self) -> str | None:
        """None when the cells differ, as Excel reports it."""
        return self._format("number_format")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._set_format("number_format", value)

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self._format("color")

    @color.setter
    def color(self, color_or_rgb: tuple[int, int, int] | int | str | None) -> None:
        if isinstance(color_or_rgb, str):
            color_or_rgb = hex_to_rgb(color_or_rgb)
        elif isinstance(color_or_rgb, int):
            color_or_rgb = int_to_rgb(color_or_rgb)
        self._set_format("color", None if color_or_rgb is None else tuple(color_or_rgb))

    @property
    def font(self) -> Font:
        return Font(self)

    @property
    def column_width(self) -> float | None:
        widths = {self._sheet._column_widths.get(c, STANDARD_COLUMN_WIDTH)
                  for c in range(self._column, self._right + 1)}
        return widths.pop() if len(widths) == 1 else None

    @column_width.setter
    def column_width(self, value: float) -> None:
        for c in range(self._column, self._right + 1):
            self._sheet._column_widths[c] = value

    def _format(self, key: str):
        values = [f.get(key, _FORMAT_DEFAULTS[key])
                  for k, f in self._sheet._formats.items() if self._holds(k)]
        if len(values) < self._nrows * self._ncols:
            values.append(_FORMAT_DEFAULTS[key])
        return values[0] if all(v == values[0] for v in values) else None

    def _set_format(self, key: str, value) -> None:
        self._sheet._check_unlocked()
        if self._nrows * self._ncols > _MAX_CELLS:
            raise NotImplementedError("formatting whole rows or columns is not modelled")
        formats = self._sheet._formats
        for k in self._keys():
            cell = formats.setdefault(k, {})
            if value == _FORMAT_DEFAULTS[key]:
                cell.pop(key, None)
            else:
                cell[key] = value
            if not cell:
                del formats[k]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Range) and self._sheet is other._sheet
                and (self.row, self.column, self.shape) == (other.row, other.column, other.shape))

    def __hash__(self) -> int:
        return hash((id(self._sheet), self.row, self.column, self.shape))

    def __repr__(self) -> str:
        return f"<Range [{self._sheet.book.name}]{self._sheet.name}!{self.address}>"


class Font:
    def __init__(self, rng: Range) -> None:
        self._range = rng

    @property
    def bold(self) -> bool | None:
        return self._range._format("bold")

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range._set_format("bold", bool(value))


class Tables:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def __len__(self) -> int:
        return len(self._sheet._tables)

    def __iter__(self):
        return iter(list(self._sheet._tables))

    def __getitem__(self, key: int | str) -> Table:
        if isinstance(key, int):
            return self._sheet._tables[key]
        for table in self._sheet._tables:
            if table.name.lower() == key.lower():
                return table
        raise KeyError(key)

    def __contains__(self, key: str) -> bool:
        return any(table.name.lower() == key.lower() for table in self._sheet._tables)

    def add(self, source: Range, name: str) -> Table:
        """A table with headers over ``source``. ``name`` is required here: Excel's own
        names depend on the UI language (Table1, 表1)."""
        if not isinstance(source, Range):
            raise TypeError(f"'source' must be a Range, not {type(source).__name__}.")
        if source.sheet is not self._sheet:
            raise ValueError("source is not on this sheet")
        if source.shape == (1, 1):
            raise NotImplementedError("Excel grows a one-cell source to its current region; "
                                      "pass the whole range")
        _check_table_name(self._sheet.book, name)
        table = Table(self._sheet, name, source)
        self._sheet._tables.append(table)
        return table


class Table:
    """A header row, then data rows. Made from a header-only range, Excel adds an empty
    insert row and ``data_body_range`` is None until a value is written there. Writing next
    to a table does not grow it here (Excel's AutoCorrect may): resize explicitly."""

    def __init__(self, sheet: Sheet, name: str, source: Range) -> None:
        self._sheet = sheet
        self._name = name
        self._filter: bool | None = False  # fake-only: filtering; None when no filter buttons
        self._totals = False
        self._place(source)

    def _place(self, rng: Range) -> None:
        insert_row = rng.shape[0] == 1
        rng = rng.resize(rng.shape[0] + insert_row).options()
        for other in self._sheet._tables:
            if other is not self and _overlap(other.range, rng):
                raise ComError(f"{rng.address} overlaps table {other.name}")
        self._insert_row, self._range = insert_row, rng
        self._sync()

    def _sync(self) -> None:
        """After a write: a value in the insert row makes it a data row; headers stay text."""
        cells = self._sheet._cells
        if self._insert_row:
            insert_row = self._range(2, 1).resize(1, self._range.shape[1])
            self._insert_row = not any(insert_row._holds(k) for k in cells)
        row = self._range.row
        texts = [_header_text(cells.get((row, c)), j)
                 for j, c in enumerate(range(self._range.column, self._range._right + 1), 1)]
        if len({t.lower() for t in texts}) < len(texts):
            raise NotImplementedError(f"duplicate headers {texts}: Excel renames them, "
                                      "the fake does not")
        for c, text in enumerate(texts, self._range.column):
            cells[(row, c)] = text

    @property
    def name(self) -> str:
        return self._name

    @property
    def parent(self) -> Sheet:
        return self._sheet

    @property
    def api(self) -> ComListObject:
        return ComListObject(self)

    @property
    def range(self) -> Range:
        return self._range

    @property
    def header_row_range(self) -> Range:
        return self._range.resize(1)

    @property
    def data_body_range(self) -> Range | None:
        if self._insert_row:
            return None
        return self._range.offset(1).resize(self._range.shape[0] - 1 - self._totals)

    @property
    def show_totals(self) -> bool:
        return self._totals

    @show_totals.setter
    def show_totals(self, value: bool) -> None:
        """Excel adds the 汇总 row below the data (the table grows by it) or takes it away."""
        value = bool(value)
        if value != self._totals:
            rows = self._range.shape[0] + (1 if value else -1)
            self._totals = value
            self._place(self._range.resize(rows))

    @property
    def totals_row_range(self) -> Range | None:
        if not self._totals:
            return None
        return self._range.offset(self._range.shape[0] - 1).resize(1)

    def resize(self, range: Range) -> None:
        """Excel keeps the header row where it is and wants the new range to overlap."""
        self._sheet._check_unlocked()
        if range.sheet is not self._sheet or range.row != self._range.row:
            raise ComError("a table's header row must stay in place")
        if not _overlap(range, self._range):
            raise ComError("the new range must overlap the table")
        self._place(range)

    def __repr__(self) -> str:
        return f"<Table '{self._name}' in {self._sheet.name}>"


class FakeCaller(Range):
    """What a UDF's ``caller`` argument is: xlwings wraps the calling cells in ``ComRange``,
    a Range subclass, so ``caller.sheet.book`` reaches the calling workbook."""

    def __init__(self, rng: Range) -> None:
        super().__init__(rng.sheet, rng.row, rng.column, *rng.shape)


# --- Excel's own objects, as ``.api`` hands them over (the members the layer uses) ------------

class ComWorkbook:
    def __init__(self, book: Book) -> None:
        self._book = book

    @property
    def FullName(self) -> str:
        """What Excel says: a local path, or the web address of a OneDrive/SharePoint file."""
        return self._book._fullname


class ComWorksheet:
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    @property
    def ProtectContents(self) -> bool:
        return self._sheet._protected

    @property
    def FilterMode(self) -> bool:
        return self._sheet._filtered

    @property
    def Cells(self) -> ComRange:
        return ComRange(self._sheet, [(1, 1, MAX_ROWS, MAX_COLUMNS)])

    def Range(self, Cell1, Cell2=None) -> ComRange:
        """Only addresses of whole rows are modelled: "3:5" or several, "3:5,9:9"."""
        if Cell2 is not None:
            raise NotImplementedError("Range(Cell1, Cell2) is not modelled")
        if len(Cell1) > 255:
            raise ComError("Method 'Range' of object '_Worksheet' failed")  # Excel's limit
        areas = []
        for part in Cell1.split(","):
            match = _ROWS.fullmatch(part.strip())
            if match is None:
                raise NotImplementedError(f"only whole-row addresses are modelled: {part!r}")
            top, bottom = sorted(map(int, match.groups()))
            areas.append((top, 1, bottom, MAX_COLUMNS))
        return ComRange(self._sheet, areas)


class ComRange:
    """Areas (top, left, bottom, right) of one sheet."""

    def __init__(self, sheet: Sheet, areas: list[tuple[int, int, int, int]]) -> None:
        self._sheet, self._areas = sheet, areas

    @property
    def Row(self) -> int:
        return self._areas[0][0]

    @property
    def Column(self) -> int:
        return self._areas[0][1]

    @property
    def Value(self):
        """A one-cell range's value as Excel holds it (others are not modelled)."""
        top, left, bottom, right = self._areas[0]
        if len(self._areas) != 1 or (top, left) != (bottom, right):
            raise NotImplementedError("only one cell's Value is modelled")
        return self._sheet._cells.get((top, left))

    def Delete(self, Shift=None):
        """Whole rows only, every area in one operation, which Excel completes or refuses as
        a whole: the rows go, the rows below move up, tables shrink or move with them.
        Deleting a table's header or all its rows, or rows at or above merged cells, is not
        modelled."""
        self._sheet._check_unlocked()
        if any((left, right) != (1, MAX_COLUMNS) for _, left, _, right in self._areas):
            raise NotImplementedError("only deleting whole rows is modelled")
        sheet = self._sheet
        deleted = sorted({row for top, _, bottom, _ in self._areas for row in range(top, bottom + 1)})
        gone = set(deleted)
        if any(area[2] >= deleted[0] for area in sheet._merged):
            raise NotImplementedError("deleting rows at or above merged cells is not modelled")

        def up(row: int) -> int:
            return row - bisect.bisect_left(deleted, row)

        moved_tables = []
        for table in sheet._tables:
            area = table.range
            inside = sum(1 for row in deleted if area.row <= row <= area._bottom)
            if area.row in gone or inside >= area.shape[0] - 1 > 0:
                raise NotImplementedError("deleting a table's header or every data row is not modelled")
            moved_tables.append((table, Range(sheet, up(area.row), area.column,
                                              area.shape[0] - inside, area.shape[1])))

        def moved(store: dict) -> dict:
            return {(up(row), column): value for (row, column), value in store.items() if row not in gone}

        sheet._cells, sheet._formats, sheet._formulas = \
            moved(sheet._cells), moved(sheet._formats), moved(sheet._formulas)
        for table, area in moved_tables:
            table._range = area
        sheet._after_write(Range(sheet, deleted[0], 1, deleted[-1] - deleted[0] + 1, MAX_COLUMNS))
        return True

    def Find(self, What, After=None, LookIn=None, LookAt=None, SearchOrder=None,
             SearchDirection=None, MatchCase=None, MatchByte=None, SearchFormat=None):
        """Only the search for any cell holding a value or formula (hidden rows too):
        What="*", LookIn=xlFormulas, LookAt=xlPart, by rows or by columns, forwards or
        backwards. As in Excel the search starts after ``After`` (default: the range's
        top-left cell) and wraps around, so backwards from the top-left cell finds the last
        filled row (by rows) or column (by columns). None when the range is empty."""
        if (What, LookIn, LookAt) != ("*", XL_FORMULAS, XL_PART) or len(self._areas) != 1 \
                or SearchOrder not in (XL_BY_ROWS, XL_BY_COLUMNS) \
                or SearchDirection not in (XL_NEXT, XL_PREVIOUS):
            raise NotImplementedError("only the search for any filled cell is modelled")
        top, left, bottom, right = self._areas[0]
        by_rows = SearchOrder == XL_BY_ROWS

        def order(cell: tuple[int, int]) -> tuple[int, int]:
            return cell if by_rows else (cell[1], cell[0])

        filled = sorted((cell for cell in set(self._sheet._cells) | set(self._sheet._formulas)
                         if top <= cell[0] <= bottom and left <= cell[1] <= right), key=order)
        if not filled:
            return None
        start = (top, left) if After is None else (After.Row, After.Column)
        if not (top <= start[0] <= bottom and left <= start[1] <= right):
            raise ComError("Find: After must be a cell of the range")
        if SearchDirection == XL_NEXT:
            found = next((cell for cell in filled if order(cell) > order(start)), filled[0])
        else:
            found = next((cell for cell in reversed(filled) if order(cell) < order(start)), filled[-1])
        return ComRange(self._sheet, [(found[0], found[1], found[0], found[1])])


class ComListObject:
    def __init__(self, table: Table) -> None:
        self._table = table

    @property
    def AutoFilter(self) -> ComAutoFilter | None:
        """Nothing when the table shows no filter buttons."""
        return None if self._table._filter is None else ComAutoFilter(self._table._filter)


class ComAutoFilter:
    def __init__(self, filtering: bool) -> None:
        self._filtering = filtering

    @property
    def FilterMode(self) -> bool:
        return self._filtering


# --- what xlwings' Windows engine does with a cell's COM value --------------------------------

def _xlwindows_reader():
    """``cell_errors`` and ``_clean_value_data_element`` of the installed xlwings/_xlwindows.py,
    compiled from its source: that module imports pywin32, which Linux lacks. Excel hands an
    error cell over as an int (the HRESULT of the error); this turns it into None, or with
    ``err_to_str`` into "#N/A" etc. — and leaves errors it has no name for as the int."""
    path = Path(xlwings.__file__).with_name("_xlwindows.py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wanted = {"cell_errors", "_clean_value_data_element", "_com_time_to_datetime"}
    nodes = [node for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in wanted
             or isinstance(node, ast.Assign)
             and {getattr(t, "id", None) for t in node.targets} & wanted]
    namespace = {"time_types": (dt.date, dt.datetime)}  # pywintypes.TimeType is a datetime
    exec(compile(ast.Module(nodes, []), str(path), "exec"), namespace)
    found = {name for name in wanted if name in namespace}
    if found != wanted:
        raise RuntimeError(f"{path} no longer defines {sorted(wanted - found)}")
    return SimpleNamespace(cell_errors=namespace["cell_errors"],
                           clean=namespace["_clean_value_data_element"])


_XLWINDOWS = _xlwindows_reader()
XL_ERROR_BASE = -2146828288  # 0x800A0000 as a signed int: Excel's error HRESULTs are this + xlErr
XL_ERRORS = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029,
             "#NUM!": 2036, "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045,
             "#CONNECT!": 2046, "#BLOCKED!": 2047, "#UNKNOWN!": 2048, "#FIELD!": 2049,
             "#CALC!": 2050}  # Excel's XlCVError numbers


def error_value(code: str) -> int:
    """What a cell showing ``code`` holds as Excel hands it to Python (put it in ``_cells``)."""
    return XL_ERROR_BASE + XL_ERRORS[code]


class Formula(str):
    """A cell that became a formula because text beginning with "=" was written into a cell
    not formatted "@" (what Excel would then calculate is not modelled)."""


# --- opening a file ---------------------------------------------------------------------------

def excel_value(value):
    """A value read from a file as the cell holds it once Excel has opened the file."""
    if value == "" or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def book_from_file(path, app: App | None = None) -> Book:
    """A new Book holding the file's sheets, cell values (text stays text, dates become
    datetimes, numbers floats) and tables (ListObjects), read with python-calamine. Formats,
    formulas, defined names and VBA are not read."""
    source = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    book = Book(str(path), sheet_names=tuple(source.sheet_names), app=app)
    for name in source.sheet_names:
        sheet = source.get_sheet_by_name(name)
        top, left = sheet.start or (0, 0)
        target = book.sheets[name]
        for r, row in enumerate(sheet.to_python(skip_empty_area=True)):
            for c, value in enumerate(row):
                value = excel_value(value)
                if value is not None:
                    target._cells[(top + r + 1, left + c + 1)] = value
    for name in source.table_names:
        table = source.get_table_by_name(name)
        (first, left), (last, right) = table.start, table.end  # 0-based, data rows only
        sheet = book.sheets[table.sheet]
        sheet.tables.add(sheet.range((first, left + 1), (last + 1, right + 1)), name=name)
    return book


# --- helpers ---------------------------------------------------------------------------------

def _result(value):
    """A formula's result as the cell holds it: numbers as float, text not parsed."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Number):
        return float(value)
    raise NotImplementedError(f"a formula result of type {type(value).__name__} is not modelled")


def _ensure_2d(data) -> tuple[list, bool]:
    """xlwings' Ensure2DStage and jagged-list check: (rows, is_scalar)."""
    if not isinstance(data, (list, tuple)):
        return [[data]], True
    if data and not isinstance(data[0], (list, tuple)):
        data = [data]
    rows = [list(row) for row in data]
    if any(len(row) != len(rows[0]) for row in rows):
        raise Exception("All elements of a 2d list or tuple must be of the same length")
    return rows, False


def _to_cell(x, number_format: str):
    """What Excel holds after xlwings writes ``x``: numbers as float, dates as datetime,
    None/""/NaN as empty. xlwings sets ``Range.Value``, so Excel parses text as if typed
    unless the cell is formatted "@": "=…" becomes a formula, "0101" the number 101 (kept to
    15 significant digits), "5%" 0.05, "TRUE" a boolean, "2024-03" and "1-2" dates (month and
    day first, as on Chinese Windows). A leading apostrophe keeps text and is dropped (xlwings
    issues 1269, 2248). Thousands separators and currency are not modelled."""
    if isinstance(x, str):
        if x == "":
            return None
        if x.startswith("'"):
            return x[1:]
        if number_format == "@":
            return x
        return _parsed(x)
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if x is None or pd.isna(x):
        return None
    if isinstance(x, dt.datetime):
        if x.tzinfo is not None:
            raise NotImplementedError("timezone-aware datetimes are not modelled")
        return dt.datetime(x.year, x.month, x.day, x.hour, x.minute, x.second, x.microsecond)
    if isinstance(x, dt.date):
        return dt.datetime(x.year, x.month, x.day)
    if isinstance(x, Number):
        return float(x)
    raise TypeError(f"Excel cannot hold a {type(x).__name__}")


def _parsed(text: str):
    """Text typed into a cell that is not formatted "@"."""
    if text.startswith("=") and len(text) > 1:
        return Formula(text)
    if _NUMBER.fullmatch(text):
        return float(f"{float(text):.15g}")
    if _PERCENT.fullmatch(text):
        return float(f"{float(text[:-1]) / 100:.15g}")
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    try:
        if match := _YEAR_MONTH_DAY.fullmatch(text):
            year, month, day = match.groups()
            return dt.datetime(int(year), int(month), int(day or 1))
        if match := _MONTH_DAY.fullmatch(text):
            return dt.datetime(dt.date.today().year, *map(int, match.groups()))
    except ValueError:  # 2024-13 is text to Excel as well
        pass
    return text


def _header_text(x, position: int) -> str:
    """Excel keeps table headers as text and names empty ones ColumnN."""
    if x is None:
        return f"Column{position}"
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float):
        return f"{x:.15g}"
    if isinstance(x, str):
        return x
    raise NotImplementedError(f"a {type(x).__name__} table header is not modelled")


def _meets(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two (top, left, bottom, right) areas share a cell."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _overlap(a: Range, b: Range) -> bool:
    return (a.sheet is b.sheet and a.row <= b._bottom and b.row <= a._bottom
            and a.column <= b._right and b.column <= a._right)


def _check_sheet_name(name: str) -> None:
    if (not 1 <= len(name) <= 31 or re.search(r"[:\\/?*\[\]]", name)
            or name.startswith("'") or name.endswith("'")):
        raise ComError(f"Excel does not accept the sheet name {name!r}")


def _check_table_name(book: Book, name: str) -> None:
    """Excel's rules: no spaces, not a cell reference (A1 or R1C1), unique in the book."""
    cell = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", name)
    looks_like_cell = (cell is not None and a1_to_tuples(name)[0][1] <= MAX_COLUMNS
                       and int(cell.group(2)) <= MAX_ROWS)
    if (not re.fullmatch(r"[^\W\d][\w.]*", name) or looks_like_cell
            or re.fullmatch(r"[RrCc]|[Rr]\d*[Cc]\d*", name)):
        raise ComError(f"Excel does not accept the table name {name!r}")
    for sheet in book._sheets:
        if name.lower() in (t.name.lower() for t in sheet._tables):
            raise ComError(f"a table named {name!r} already exists in the book")
