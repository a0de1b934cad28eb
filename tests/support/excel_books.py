"""Open a workbook file in the fake Excel: cell values as Excel would hold them after opening
the file (text stays text, dates become datetimes, numbers floats), each sheet with its VBA
codename, and — for our template — its VBA event handlers and macros (:class:`TemplateVba`)."""
from __future__ import annotations

from pathlib import Path

from jbsys_xl import __version__
from jbsys_xl.excel.setup import WORKBOOK_INTERPRETER
from jbsys_xl.template import sheets as template_sheets
from jbsys_xl.template.guide import MESSAGES
from tests.support import fake_xlwings as fake
from tests.support.xlwings_addin import XlwingsAddin


def open_book(path: Path, vba: bool = True, app: fake.App | None = None) -> fake.Book:
    """The file as Excel shows it after opening (:func:`fake.book_from_file`), each sheet with
    its VBA codename. ``vba``: the template's event handlers and macros run (what enabling
    macros does); without, the book behaves like any .xlsx. Unlike ``app.books.open``, a path
    already open is opened again as a second book."""
    book = fake.book_from_file(path, app)
    codenames = {plan.name: plan.codename for plan in template_sheets.SHEET_ORDER}
    for sheet in book.sheets:
        sheet._codename = codenames.get(sheet.name, "")
    if vba:
        TemplateVba(book)
    return book


class TemplateVba:
    """The template's VBA as the stand-in runs it, statement for statement: JbState.bas, the
    event handlers of ThisWorkbook.bas, JbPython.JbRunPython, and the xlwings_udfs wrappers as
    jbsys_xl/excel/udf_vba.workbook_udf_vba writes them (with JbCallUDF and JbKept of
    JbPython.bas), over the add-in's XLPy (:class:`XlwingsAddin`). LibreOffice runs the real
    JbState on the same cases (tests/template/test_template_libreoffice.py), the builder fills
    the module's input codenames from the same list as :meth:`input_codenames`, and
    tests/template/test_build.py holds the VBA to the steps copied here."""

    def __init__(self, book: fake.Book, session: str = "s") -> None:
        self.book = book
        self.session = f"{book.name}|{session}"
        self.edits = 0
        self.asked = False
        self.recalculating = False
        self.away = False
        self.caught_up = False
        self.shown: dict[str, tuple] = {}  # codename → what its own formulas showed
        self.server: str | None = None  # JbPython's mServer (here: the server's command line)
        self.interpreter_present = True  # fake-only: the Python the xlwings.conf sheet names
        book.events["SheetChange"] = lambda sheet, target: self.sheet_changed(sheet)
        book.events["SheetCalculate"] = self.sheet_calculated
        book.events["Activate"] = self.activated
        book.vba["JbState.JbRevision"] = self.revision
        book.vba["JbState.JbInputsWritten"] = self.inputs_written
        book.vba["JbState.JbRefresh"] = self.refresh
        book.vba["xlwings_udfs"] = self.call_udf

    @staticmethod
    def input_codenames() -> set[str]:
        """What the builder puts into INPUT_CODENAMES (the template's input sheets)."""
        return {sheet.codename for sheet in template_sheets.INPUT_SHEETS}

    # --- JbState -------------------------------------------------------------------------

    def revision(self) -> str:
        self.asked = True
        self.caught_up = False
        if self.book.app.enable_events:
            names = "".join(f"{name}/" for name in self.book.sheet_names)
            return f"{self.session}:{self.edits}:{names}"
        self.edits += 1
        return f"{self.session}:off{self.edits}"

    def sheet_changed(self, sheet: fake.Sheet) -> None:
        caught_up = self.caught_up and self.book.app.calculation != "manual"
        self.caught_up = False
        if caught_up:
            return
        self.input_changed(sheet._codename)

    def sheet_calculated(self, sheet: fake.Sheet) -> None:
        codename = sheet._codename
        if codename not in self.input_codenames():
            return
        shown = own_formulas(sheet)
        if shown == self.shown.get(codename, ()):
            return
        self.shown[codename] = shown
        if self.recalculating or self.caught_up:
            return
        self.caught_up = self.changed()

    def input_changed(self, codename: str) -> None:
        if codename in self.input_codenames():
            self.changed()

    def inputs_written(self) -> None:
        self.changed()

    def activated(self) -> None:
        if not self.away:
            return
        self.away = False
        if self.book.app.calculation == "manual":
            return
        self.recalculate()

    def changed(self) -> bool:
        self.edits += 1
        if self.recalculating or not self.asked:
            return False
        if self.book.app.books.active is not self.book:
            self.away = True
            return False
        if self.book.app.calculation == "manual":
            return False
        self.recalculate()
        return True

    def recalculate(self) -> None:
        self.asked = False
        self.recalculating = True
        try:
            self.book.app.calculate()
        finally:
            self.recalculating = False

    def refresh(self) -> None:
        """The ribbon's 刷新函数 (Application.CalculateFull; every formula here is volatile)."""
        self.edits += 1
        self.recalculating = True
        try:
            self.book.app.calculate()
        finally:
            self.recalculating = False

    # --- JbPython ------------------------------------------------------------------------

    def run_python(self, run_python, writes_inputs: bool = False) -> None:
        """JbPython.JbRunPython around ``run_python``, which stands in for
        Application.Run("'xlwings.xlam'!RunPython", …): it returns RunPython's result (-1
        when Python failed or was killed) or raises as Application.Run does."""
        app = self.book.app
        if not self.interpreter_present:
            app.alert(MESSAGES["JBSYS_MSG_NO_PYTHON"].replace("{path}", WORKBOOK_INTERPRETER))
            return
        events, calculation, updating = app.enable_events, app.calculation, app.screen_updating
        app.status_bar = MESSAGES["JBSYS_MSG_STARTING"]
        self.book.activate()
        try:
            result = run_python()
        except Exception as exc:
            self.restore_state(events, calculation, updating)
            if writes_inputs:
                self.inputs_written()
            app.alert(MESSAGES["JBSYS_MSG_RUN_FAILED"] + "\r\n" + str(exc))
            return
        self.restore_state(events, calculation, updating)
        if writes_inputs:
            self.inputs_written()
        if result == -1:
            app.alert(MESSAGES["JBSYS_MSG_PYTHON_FAILED"])

    def run_button(self, entry: str, writes_inputs: bool = False) -> None:
        """A ribbon button: RunPython with run_macro(entry, JbVersion()) on this book."""
        from jbsys_xl.excel import macros

        self.run_python(lambda: macros.run_macro(entry, __version__, book=self.book) and 0,
                        writes_inputs)

    def restore_state(self, events: bool, calculation: str, updating: bool) -> None:
        """JbPython.RestoreState: each setting on its own (On Error Resume Next)."""
        app = self.book.app
        for step in (lambda: setattr(app, "enable_events", events),
                     lambda: setattr(app, "screen_updating", updating),
                     lambda: app.calculation != calculation and setattr(app, "calculation", calculation),
                     lambda: setattr(app, "status_bar", False)):
            try:
                step()
            except Exception:
                pass

    def call_udf(self, function, args: tuple, caller: fake.Range):
        """A JB* wrapper: while another workbook is active, what its cell shows (JbKept);
        else the arguments with JbRevision(), then JbCallUDF - the add-in's XLPy asked only
        when this workbook has no server yet. A failure shows as the cell's text (the
        wrapper's ``failed:`` label)."""
        if self.book.app.books.active is not self.book:
            return kept(caller)
        revision = self.revision()
        try:
            if self.server is None:
                if not self.interpreter_present:
                    raise RuntimeError(MESSAGES["JBSYS_MSG_NO_PYTHON"].replace("{path}", WORKBOOK_INTERPRETER))
                self.server = XlwingsAddin.of(self.book.app).xlpy(self.book)
        except Exception as exc:
            return str(exc)
        return function(*args, revision=revision, caller=caller)


def vba_of(book: fake.Book) -> TemplateVba:
    """The TemplateVba that :func:`open_book` gave ``book``."""
    return book.vba["xlwings_udfs"].__self__


def own_formulas(sheet: fake.Sheet) -> tuple:
    """JbState.OwnFormulas: the sheet's formula cells that are no JB* cell, with what they
    show; () for none."""
    return tuple((cell, sheet._cells.get(cell)) for cell, formula in sorted(sheet._formulas.items())
                 if not getattr(formula, "jb", False))


def kept(caller: fake.Range):
    """JbPython.JbKept: what the calling cells show now."""
    values = [[caller.sheet._cells.get((row, column))
               for column in range(caller.column, caller.column + caller.shape[1])]
              for row in range(caller.row, caller.row + caller.shape[0])]
    return values[0][0] if caller.shape == (1, 1) else values


def udf_cell(book: fake.Book, sheet: str, address: str, function, *args) -> fake.Range:
    """Type a JB* formula into a cell: what its generated wrapper does on every
    recalculation (TemplateVba.call_udf when the book has our VBA; else the function with no
    revision, as a wrapper that passes none)."""
    cell = book.sheets[sheet].range(address)

    def formula(caller):
        wrapper = book.vba.get("xlwings_udfs")
        if wrapper is None:
            return function(*args, revision=None, caller=caller)
        return wrapper(function, args, caller)

    formula.jb = True  # what JbState.CallsJb sees in the formula's text
    cell.sheet._formulas[(cell.row, cell.column)] = formula
    cell.sheet._book.app._after_edit(cell.sheet, cell)  # entering a formula calculates it
    return cell


def formula_cell(book: fake.Book, sheet: str, address: str, compute) -> fake.Range:
    """Type an ordinary formula (no JB* function) into a cell: ``compute(book)`` is what it
    shows after each recalculation, e.g. the value of a cell on another sheet."""
    cell = book.sheets[sheet].range(address)
    cell.sheet._formulas[(cell.row, cell.column)] = lambda caller: compute(book)
    cell.sheet._book.app._after_edit(cell.sheet, cell)
    return cell


def snapshot(book: fake.Book, sheet_names) -> dict:
    return {name: (dict(book.sheets[name]._cells), dict(book.sheets[name]._formats))
            for name in sheet_names if name in book.sheet_names}
