"""Open a workbook file in the fake Excel: cell values as Excel would hold them after opening
the file (text stays text, dates become datetimes, numbers floats), each sheet with its VBA
codename, and — for our template — its VBA event handlers and macros (:class:`TemplateVba`)."""
from __future__ import annotations

from pathlib import Path

from jbsys_xl.template import sheets as template_sheets
from jbsys_xl.template.guide import MESSAGES
from tests.support import fake_xlwings as fake


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
    """The template's VBA as the stand-in runs it: JbState.bas, the two event handlers of
    ThisWorkbook.bas and JbPython.JbRunPython, statement for statement. LibreOffice runs the
    real JbState on the same cases (tests/template/test_template_libreoffice.py), the builder
    fills the module's input codenames from the same list as :meth:`input_codenames`, and
    tests/template/test_build.py holds the VBA of JbRunPython to the steps copied here."""

    def __init__(self, book: fake.Book, session: str = "s") -> None:
        self.book = book
        self.session = session
        self.edits = 0
        self.asked = False
        self.recalculating = False
        book.events["SheetChange"] = lambda sheet, target: self.input_changed(sheet._codename)
        book.events["SheetCalculate"] = lambda sheet: self.input_changed(sheet._codename)
        book.vba["JbState.JbRevision"] = self.revision
        book.vba["JbState.JbInputsWritten"] = self.inputs_written
        book.vba["JbState.JbRefresh"] = self.refresh

    @staticmethod
    def input_codenames() -> set[str]:
        """What the builder puts into INPUT_CODENAMES (the template's input sheets)."""
        return {sheet.codename for sheet in template_sheets.INPUT_SHEETS}

    def revision(self) -> str:
        self.asked = True
        if self.book.app.enable_events:
            names = "".join(f"{name}/" for name in self.book.sheet_names)
            return f"{self.session}:{self.edits}:{names}"
        self.edits += 1
        return f"{self.session}:off{self.edits}"

    def input_changed(self, codename: str) -> None:
        if codename not in self.input_codenames():
            return
        self.edits += 1
        if self.recalculating or not self.asked:
            return
        if self.book.app.calculation == "manual":
            return
        self.asked = False
        self.recalculating = True
        try:
            self.book.app.calculate()
        finally:
            self.recalculating = False

    def inputs_written(self) -> None:
        self.edits += 1

    def run_python(self, run_python) -> None:
        """JbPython.JbRunPython around ``run_python``, which stands in for
        Application.Run("'xlwings.xlam'!RunPython", …): it returns RunPython's result (-1
        when Python failed or was killed) or raises as Application.Run does."""
        app = self.book.app
        events, calculation, updating = app.enable_events, app.calculation, app.screen_updating
        app.status_bar = MESSAGES["JBSYS_MSG_STARTING"]
        try:
            result = run_python()
        except Exception as exc:
            self.restore_state(events, calculation, updating)
            app.alert(MESSAGES["JBSYS_MSG_RUN_FAILED"] + "\r\n" + str(exc))
            return
        self.restore_state(events, calculation, updating)
        if result == -1:
            app.alert(MESSAGES["JBSYS_MSG_PYTHON_FAILED"])

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

    def refresh(self) -> None:
        """The ribbon's 刷新函数 (Application.CalculateFull; every formula here is volatile)."""
        self.edits += 1
        self.recalculating = True
        try:
            self.book.app.calculate()
        finally:
            self.recalculating = False


def udf_cell(book: fake.Book, sheet: str, address: str, function, *args) -> fake.Range:
    """Type a JB* formula into a cell: what its generated wrapper does on every
    recalculation — the arguments, the VBA's JbRevision() (when the book has our VBA), and
    the calling range."""
    cell = book.sheets[sheet].range(address)

    def formula(caller):
        run = book.vba.get("JbState.JbRevision")
        return function(*args, revision=run() if run else None, caller=caller)

    cell.sheet._formulas[(cell.row, cell.column)] = formula
    cell.sheet._book.app._after_edit(cell.sheet, cell)  # entering a formula calculates it
    return cell


def snapshot(book: fake.Book, sheet_names) -> dict:
    return {name: (dict(book.sheets[name]._cells), dict(book.sheets[name]._formats))
            for name in sheet_names if name in book.sheet_names}
