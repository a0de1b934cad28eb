"""Check demo.xlsm in real Excel on Windows and print a report to paste into the issue.

    python workbook\\verify_on_windows.py [workbook\\demo.xlsm] [--year 2024] [--medium]

Needs Windows with desktop Excel and JBSys-XL installed: install.bat of the offline bundle
(``make windows-bundle``), or, in a checkout (needed for --medium), the environment the
workbooks name (%LOCALAPPDATA%\\jbsys-xl\\venv) made by hand: ``py -3.12 -m venv
"%LOCALAPPDATA%\\jbsys-xl\\venv"``, its ``python -m pip install -e .`` and its ``python -m
jbsys_xl.cli excel-setup``; run this script with that python. LibreOffice for the 文书 checks. Works on copies; the originals are
never saved. Not run in CI (no Excel there); verify-on-windows.md lists the steps a person does
by hand (compiling the VBA project, the ribbon, Ctrl+Z, the dropdowns, running without the
add-in, OneDrive, a killed Python, 32-bit Excel, the offline install).

Two things about automation this script is built around (xlwings 0.37.8, cli.py and
_xlwindows.py): an Excel started by automation loads neither XLSTART files nor add-ins, so
xlwings.xlam is opened from ``app.startup_path`` explicitly; and every message box (ours, the
add-in's, a VBA error) is modal, so a watcher thread writes its text into the report and closes
it, and a step that still does not return is ended by killing Excel — the script never waits
for a click.
"""
from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STEP_SECONDS = 300.0  # the medium workbook's 生成分配 takes well under this
JB_CELLS = 300


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = False

    def add(self, tag: str, text: str) -> None:
        self.lines.append(f"{tag:<5} {text}")
        print(self.lines[-1], flush=True)

    def check(self, name: str, ok: bool, detail: object = "") -> bool:
        self.failed |= not ok
        self.add("PASS" if ok else "FAIL", f"{name}  {detail}".rstrip())
        return ok

    def note(self, text: str) -> None:
        self.add("INFO", text)

    def timing(self, name: str, seconds: float) -> None:
        self.add("TIME", f"{name}: {seconds:.2f} s")


class DialogWatch:
    """Closes every message box Excel or a Python it started puts up, after writing its title
    and text into the report (dialog class #32770, owned by or living in Excel's process).
    A step running longer than STEP_SECONDS gets Excel killed, so no call waits forever."""

    def __init__(self, app, report: Report) -> None:
        self.app, self.report = app, report
        self.hwnd, self.pid = app.hwnd, app.pid
        self.messages: list[str] = []
        self.deadline: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)

    @contextmanager
    def step(self, seconds: float = STEP_SECONDS):
        """Dialogs shown during the block are collected in ``messages`` (cleared first)."""
        self.messages.clear()
        self.deadline = time.monotonic() + seconds
        try:
            yield self.messages
        finally:
            self.deadline = None

    def _watch(self) -> None:
        import win32gui

        while not self._stop.wait(0.25):
            try:
                win32gui.EnumWindows(self._close_if_ours, None)
            except Exception:  # a window vanished while we looked: look again
                pass
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.report.check("a step finished in time", False,
                                  f"more than {STEP_SECONDS:.0f} s: Excel killed")
                subprocess.run(["taskkill", "/F", "/PID", str(self.pid)], capture_output=True)
                self.deadline = None

    def _close_if_ours(self, hwnd, _) -> bool:
        import win32con
        import win32gui
        import win32process

        if win32gui.GetClassName(hwnd) != "#32770" or not win32gui.IsWindowVisible(hwnd):
            return True
        owner = win32gui.GetWindow(hwnd, win32con.GW_OWNER)
        _, pid = win32process.GetWindowThreadProcessId(hwnd)
        if owner != self.hwnd and pid != self.pid:
            return True
        texts, buttons = [], []

        def child(handle, __):
            kind = win32gui.GetClassName(handle)
            text = win32gui.GetWindowText(handle)
            if kind == "Static" and text:
                texts.append(text)
            elif kind == "Button":
                buttons.append((handle, text.replace("&", "")))
            return True

        win32gui.EnumChildWindows(hwnd, child, None)
        message = f"{win32gui.GetWindowText(hwnd)}: {' '.join(texts)}"
        self.messages.append(message)
        self.report.note(f"message box closed: {message}")
        preferred = [h for h, text in buttons if text in ("OK", "确定", "End", "结束")]
        if preferred:
            win32gui.PostMessage(preferred[0], win32con.BM_CLICK, 0, 0)
        else:
            win32gui.PostMessage(hwnd, win32con.WM_CLOSE, 0, 0)
        return True


# --- reference and helpers -------------------------------------------------------------------

def expected_result(book: Path, year: int, folder: Path) -> dict:
    """What the command line computes from the same file: the reference for Excel."""
    target = folder / f"{book.stem}.json"
    subprocess.run([sys.executable, "-m", "jbsys_xl.cli", "allocate", str(book), "--year",
                    str(year), "--json", str(target), "-o", str(folder / f"{book.stem}.xlsx")],
                   check=True, capture_output=True)
    return json.loads(target.read_text("utf-8"))


def result_totals(sheet, codes: set[str]) -> dict[str, float]:
    """中心编码 → 合计 from the result sheet the button wrote (first and last column)."""
    rows = sheet.used_range.options(ndim=2).value
    return {row[0]: row[-1] for row in rows if row and row[0] in codes}


def volume_cell(book, year: int, center: str | None = None):
    """(中心, the 业务量 cell) of a row in the period (a month of ``year`` before December)."""
    from datetime import datetime

    from jbsys_xl.contract import VOLUMES

    used = book.sheets[VOLUMES].used_range
    rows = used.options(ndim=2).value
    top = next(i for i, row in enumerate(rows) if "业务量" in row)
    header = rows[top]
    for index, row in enumerate(rows[top + 1:], start=top + 1):
        month = row[header.index("月份")]
        if (isinstance(month, datetime) and month.year == year and month.month < 12
                and (center is None or row[header.index("中心")] == center)):
            return row[header.index("中心")], used[index, header.index("业务量")]
    raise LookupError("no 业务量 row inside the period")


def timed(action) -> tuple[object, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


# --- the checks ------------------------------------------------------------------------------

def load_addin(app, report: Report) -> bool:
    """Automation starts Excel without XLSTART: open the add-in where excel-setup put it."""
    addin = Path(app.startup_path) / "xlwings.xlam"
    if not addin.is_file():
        return report.check("xlwings.xlam in XLSTART", False,
                            f"{addin} missing: run jbsys-xl excel-setup")
    app.books.open(str(addin))
    return report.check("xlwings.xlam in XLSTART, opened", True, str(addin))


def check_revision(book, year: int, report: Report) -> None:
    """Items 1 and 2: only input edits change JbRevision(), and nothing is written to count."""
    from jbsys_xl.contract import RESULT_SHEET

    revision = book.macro("JbState.JbRevision")
    first = revision()
    names = [name.name for name in book.names]
    book.sheets[RESULT_SHEET].range("Z1").value = "x"
    book.sheets[RESULT_SHEET].range("Z1").clear_contents()
    report.check("an edit of a result sheet keeps JbRevision()", revision() == first)
    _, cell = volume_cell(book, year)
    old = cell.value
    cell.value = (old or 0) + 1
    changed = revision()
    cell.value = old
    report.check("an edit of 业务量 changes JbRevision()", changed != first, f"{first} -> {changed}")
    report.check("counting edits adds no workbook name", [n.name for n in book.names] == names)


def check_udf_current(book, scratch, year: int, report: Report) -> None:
    """Item 2: after an input edit every JB* cell is current without F9."""
    center, cell = volume_cell(book, year)
    scratch["B1"].formula = f'=JBSCORE("{center}",{year})'
    before = scratch["B1"].value
    if not isinstance(before, float):
        report.check("=JBSCORE answers", False, repr(before))
        return
    old = cell.value
    _, seconds = timed(lambda: setattr(cell, "value", (old or 0) + 5000))
    without_f9 = scratch["B1"].value
    book.app.calculate()
    after_f9 = scratch["B1"].value
    report.check("JBSCORE is current after an edit, without F9",
                 without_f9 == after_f9 != before, f"{before} -> {without_f9} (F9: {after_f9})")
    report.timing("one 业务量 edit with one JB* cell", seconds)
    cell.value = old


def check_state(app, report: Report, after: str) -> None:
    """Issue 21: events, automatic calculation, screen updating and the status bar are Excel's
    again after a button (JbRunPython restores what it saved, whatever Python did)."""
    state = (app.enable_events, app.calculation, app.screen_updating, app.status_bar)
    report.check(f"Excel's settings given back after {after}",
                 state == (True, "automatic", True, False), repr(state))


def check_generate(book, expected: dict, watch: DialogWatch, report: Report) -> None:
    from jbsys_xl.contract import RESULT_SHEET

    with watch.step() as messages:
        _, seconds = timed(book.macro("JbRibbon.GenerateAllocation"))
    check_state(book.app, report, "生成分配")
    centers = {c["code"]: c for c in expected["centers"]}
    written = result_totals(book.sheets[RESULT_SHEET], set(centers))
    wrong = [code for code, center in centers.items()
             if abs(float(center["total"]) - float(written.get(code) or -1)) > 0.005]
    report.check("生成分配 writes the command line's totals", bool(written) and not wrong,
                 f"{len(written)} centers, mismatched: {wrong}, messages: {messages}")
    report.timing("生成分配", seconds)


def check_refresh(book, scratch, year: int, report: Report) -> None:
    """Issue 21: an edit made while another program had events off is counted by 刷新函数
    (RefreshFunctions), and answered afresh on the next recalculation anyway."""
    center, cell = volume_cell(book, year)
    scratch["C1"].formula = f'=JBSCORE("{center}",{year})'
    before, old = scratch["C1"].value, cell.value
    app = book.app
    app.enable_events = False
    app.calculation = "manual"
    cell.value = (old or 0) + 7000
    app.enable_events = True
    app.calculation = "automatic"
    book.macro("JbRibbon.RefreshFunctions")()
    refreshed = scratch["C1"].value
    app.calculate()
    report.check("刷新函数 counts an edit made with events off", refreshed == scratch["C1"].value != before,
                 f"{before} -> {refreshed}")
    cell.value = old


def check_legacy_array(book, scratch, year: int, expected: dict, report: Report) -> None:
    """Item 9: =JBALLOCATION entered over a range with Ctrl+Shift+Enter (FormulaArray)."""
    try:
        book.app.api.WorksheetFunction.Unique("x")
        report.note("this Excel has dynamic arrays (=JBALLOCATION spills from one cell)")
    except Exception:
        report.note("this Excel has no dynamic arrays: Ctrl+Shift+Enter over a range")
    rows = len(expected["centers"]) + 3
    target = scratch.range((1, 5), (rows, 30))
    target.api.FormulaArray = f"=JBALLOCATION({year})"
    values = target.value
    report.check("=JBALLOCATION as a legacy array formula fills the range",
                 values[0][0] == "中心编码" and values[-1][0] in ("", None)
                 and [row[0] for row in values[1:-2]] == [c["code"] for c in expected["centers"]],
                 f"first row {values[0][:3]}")


def check_error_keeps_results(book, year: int, watch: DialogWatch, report: Report) -> None:
    """Item 5: 生成分配 on data with an error rewrites 校验 only."""
    from jbsys_xl.contract import CHECKS_SHEET, DETAIL_SHEET, DISTRICT_SHEET, RESULT_SHEET

    results = {name: book.sheets[name].used_range.value
               for name in (RESULT_SHEET, DETAIL_SHEET, DISTRICT_SHEET)}
    _, cell = volume_cell(book, year)
    old = cell.value
    cell.value = "十二"
    with watch.step() as messages:
        book.macro("JbRibbon.GenerateAllocation")()
    cell.value = old
    kept = all(book.sheets[name].used_range.value == value for name, value in results.items())
    checks = book.sheets[CHECKS_SHEET].used_range.options(ndim=2).value
    named = any(row[1] == "业务量" and row[2] == cell.address.replace("$", "") for row in checks)
    report.check("生成分配 with an error keeps the results and names the cell",
                 kept and named and any("个错误" in m for m in messages), f"messages: {messages}")


def check_text_stays_text(book, year: int, watch: DialogWatch, report: Report) -> None:
    """Item 3: a center coded 0101 and named =… reaches the results as typed."""
    from jbsys_xl.contract import CENTERS, RESULT_SHEET

    centers = book.sheets[CENTERS]
    used = centers.used_range
    row = used.row + used.shape[0]
    name = '=HYPERLINK("http://example.invalid","测试中心")'
    district = centers.range((used.row + 1, 3)).value
    # 中心编码 is formatted "@"; the apostrophe keeps the name literal text in a General cell,
    # as it arrives from an import, not as a formula a user typed
    centers.range((row, 1)).value = ["0101", "'" + name, district]
    typed = centers.range((row, 1), (row, 2)).value
    report.check("0101 and =… typed into 中心 stay text", typed == ["0101", name], repr(typed))
    with watch.step() as messages:
        book.macro("JbRibbon.GenerateAllocation")()
    rows = book.sheets[RESULT_SHEET].used_range.options(ndim=2).value
    found = [r[:2] for r in rows if r[0] == "0101"]
    report.check("0101 and =… arrive as text in 分配结果", found == [["0101", name]],
                 f"{found} {messages}")
    centers.range((row, 1), (row, 3)).clear_contents()


def check_other_workbook_active(app, book, watch: DialogWatch, report: Report) -> None:
    """Item 8: a macro run while another workbook is active acts on its own workbook."""
    from jbsys_xl.contract import CHECKS_SHEET

    other = app.books.add()
    other.activate()
    before = [sheet.name for sheet in other.sheets]
    book.sheets[CHECKS_SHEET].range("A1").clear_contents()
    with watch.step() as messages:
        book.macro("JbRibbon.ValidateData")()
    untouched = [sheet.name for sheet in other.sheets] == before and \
        other.sheets[0].used_range.value is None
    report.check("ValidateData started from another active workbook acts on its own",
                 untouched and bool(book.sheets[CHECKS_SHEET].range("A1").value),
                 f"messages: {messages}")
    other.close()


def check_lists_after_delete(book, report: Report) -> None:
    """Item 6: deleting a 中心 row leaves the dropdown's list whole (the 列表 formulas)."""
    from jbsys_xl.contract import CENTERS
    from jbsys_xl.template.sheets import LISTS_SHEET

    centers = book.sheets[CENTERS]
    deleted = centers.range("B3").value
    centers.range("3:3").api.Delete()
    book.app.calculate()
    listed = [v for v in book.sheets[LISTS_SHEET].range("C2:C60").value if v]
    report.check("after deleting a 中心 row the center list has no #REF! and not the center",
                 deleted not in listed and not any("#REF" in str(v) for v in listed),
                 f"{len(listed)} entries")


def check_data_buttons(app, book, year: int, watch: DialogWatch, report: Report,
                       folder: Path) -> None:
    """The 数据 buttons' Python, called with the files a person would pick: the sample 金保
    exports. The watcher presses OK on every confirmation and closes (cancels) the file picker;
    Excel's InputBox is no standard dialog it can close, so the count is passed directly."""
    from jbsys_xl.contract import VOLUMES
    from jbsys_xl.excel import data_buttons
    from jbsys_xl.excel.book_source import read_book
    from jbsys_xl.jinbao.importer import run_import
    from jbsys_xl.jinbao.sample_exports import write_sample_exports

    exports = [str(path) for path in write_sample_exports(folder / "exports", year)]
    with watch.step() as messages:
        picked = data_buttons.pick_files(book, "verify: this picker is closed by the script")
    report.check("GetOpenFilename through app.api (keyword arguments), closed = cancelled",
                 picked == [] and bool(messages), f"messages: {messages}")

    check_document_buttons(book, year, watch, report)

    target = folder / "回访清单.xlsx"
    with watch.step() as messages:
        draw = data_buttons.write_callback_list(book, exports, 3, target=target, operator="verify")
    opened = [b for b in app.books if b.name == target.name]
    report.check("生成回访清单 writes the list where it is told and opens it",
                 draw is not None and len(opened) == 1, f"messages: {messages}")
    for other in opened:
        other.close()
    if draw is not None:
        check_callback_results(book, draw, target, watch, report)
    with watch.step() as messages:
        data_buttons.ask_list_path(book, year)
    report.check("the callback list's save dialog (GetSaveAsFilename) opens, closed = cancelled",
                 bool(messages), f"messages: {messages}")

    check_import_refused(book, exports, watch, report)
    table = book.sheets[VOLUMES].tables["tblVolumes"]
    before = table.data_body_range.options(ndim=2).value
    raw = read_book(book)
    plan = data_buttons.plan_volumes(book, raw, run_import(raw, exports, year))
    header_row = table.range.row
    kept = [row for index, row in enumerate(before, start=header_row + 1) if index not in plan.deleted]
    with watch.step() as messages:
        result, seconds = timed(lambda: data_buttons.import_files(book, exports))
    body = table.data_body_range.options(ndim=2).value
    count = len(result.volumes) if result else 0
    new = body[len(kept):]
    report.check("导入金保数据 replaces the hand rows it would double (once confirmed), keeps the "
                 "others, grows the table over the import, codes as text",
                 count > 0 and body[:len(kept)] == kept and len(new) == count
                 and all(isinstance(row[0], str) and row[4] for row in new),
                 f"{count} rows, {len(plan.overlaps)} hand rows replaced, messages: {messages}")
    report.timing(f"导入金保数据 (demo, 4 sample exports, {len(plan.deleted)} rows deleted in one "
                  "operation)", seconds)
    check_state(app, report, "导入金保数据")
    with watch.step() as messages:
        data_buttons.import_files(book, exports)
    report.check("a second 导入金保数据 replaces the first (one multi-area Delete of whole rows)",
                 table.data_body_range.options(ndim=2).value == body, f"messages: {messages}")


def check_document_buttons(book, year: int, watch: DialogWatch, report: Report) -> None:
    """The 文书 group: each button's PDF beside the workbook copy (a second click a new name,
    never over the first), 拨付明细 refused in the draft at 参数 审定文号, 全部文书 a folder."""
    from jbsys_xl.excel import document_buttons as d

    for name, button in (("附件", d.attachment), ("告知书", d.notices), ("条线确认表", d.confirmations),
                         ("公示", d.publicity)):
        with watch.step() as messages:
            pdf = button(book)
        if any("未找到 LibreOffice" in message for message in messages):
            report.note(f"{name}: LibreOffice is not installed here, the button says so")
            return
        expected = Path(book.fullname).with_name(f"{Path(book.fullname).stem}-{name}-{year}.pdf")
        report.check(f"文书 {name} writes <workbook>-{name}-<year>.pdf beside the workbook",
                     pdf == expected and pdf.is_file(), f"{pdf} messages: {messages}")
    with watch.step() as messages:
        again = d.publicity(book)
    report.check("文书 公示 clicked again writes a new file, never over the first",
                 again is not None and again.name.endswith(" (2).pdf"), f"{again} messages: {messages}")
    with watch.step() as messages:
        refused = d.payments(book)
    report.check("文书 拨付明细 is refused in the draft at 参数 审定文号",
                 refused is None and any("无法生成拨付明细：参数!" in m for m in messages), f"messages: {messages}")
    with watch.step() as messages:
        folder = d.all_documents(book)
    report.check("文书 全部文书 writes the set into a new folder beside the workbook",
                 folder is not None and len(list(folder.glob("*.pdf"))) >= 5, f"{folder} messages: {messages}")


def check_callback_results(book, draw, listed: Path, watch: DialogWatch, report: Report) -> None:
    """导入回访结果: the list drawn above, filled in as 12333 would, read back into 回访 (the
    watcher confirms); a second import of the same list replaces its batch."""
    from jbsys_xl.contract import CALLBACKS
    from jbsys_xl.excel import callback_buttons
    from jbsys_xl.jinbao.sample_callbacks import fill

    filled = listed.with_name("回访清单-已回访.xlsx")
    fill(listed, filled)

    def batch_rows() -> int:
        table = book.sheets[CALLBACKS].tables["tblCallbacks"]
        header = table.header_row_range.value
        body = table.data_body_range.options(ndim=2).value if table.data_body_range else []
        return sum(1 for row in body if str(row[header.index("抽取批次")]) == str(draw.seed))

    for attempt in ("first", "second"):
        with watch.step() as messages:
            read = callback_buttons.import_result_files(book, [str(filled)])
        report.check(f"导入回访结果 ({attempt} time) writes one 回访 row per drawn case of the batch",
                     read is not None and read.ok and batch_rows() == len(draw.cases),
                     f"{batch_rows()} rows of {len(draw.cases)}, messages: {messages}")


def check_import_refused(book, exports, watch: DialogWatch, report: Report) -> None:
    """Issue 21: a filtered table and a protected sheet are refused with the reason, before
    anything changes."""
    from jbsys_xl.contract import VOLUMES
    from jbsys_xl.excel import data_buttons

    sheet = book.sheets[VOLUMES]
    table = sheet.tables["tblVolumes"]
    before = table.range.options(ndim=2).value
    first_center = table.data_body_range[0, 0].value
    for name, setup, undo, reason in (
            ("filtered", lambda: table.autofilter.apply_values(1, [first_center]),
             lambda: table.autofilter.clear(), "正在筛选"),
            ("protected", lambda: sheet.api.Protect(), lambda: sheet.api.Unprotect(), "受保护")):
        setup()
        try:
            with watch.step() as messages:
                data_buttons.import_files(book, exports)
        finally:
            undo()
        report.check(f"导入金保数据 into a {name} 业务量 is refused, nothing written",
                     table.range.options(ndim=2).value == before
                     and any(reason in message for message in messages), f"messages: {messages}")


def time_jb_cells(book, codes: list[str], year: int, label: str, watch: DialogWatch,
                  report: Report):
    """JB_CELLS JB* formulas on a new sheet, timed as they are entered and through one 业务量
    edit. The sheet, the edited cell and its value before."""
    sheet = book.sheets.add(f"JB{JB_CELLS}", after=book.sheets[-1])
    kinds = ("JBSCORE", "JBSUBSIDY", "JBGRADE")
    formulas = [[f'={kinds[i % 3]}("{codes[i % len(codes)]}",{year})'] for i in range(JB_CELLS)]
    with watch.step():
        _, seconds = timed(lambda: setattr(sheet.range((1, 1), (JB_CELLS, 1)), "formula", formulas))
    report.timing(f"{label}: entering {JB_CELLS} JB* formulas", seconds)
    _, cell = volume_cell(book, year)
    old = cell.value
    with watch.step():
        _, seconds = timed(lambda: setattr(cell, "value", (old or 0) + 1))
    report.timing(f"{label}: one 业务量 edit with {JB_CELLS} JB* cells", seconds)
    return sheet, cell, old


def pythonw_count() -> int:
    """UDF servers (and other windowless Pythons) running now."""
    done = subprocess.run(["tasklist", "/FI", "IMAGENAME eq pythonw.exe", "/NH", "/FO", "CSV"],
                          capture_output=True, text=True, errors="replace")
    return done.stdout.upper().count('"PYTHONW.EXE"')


def check_office_pc(app, book, year: int, watch: DialogWatch, report: Report) -> None:
    """Issue 29: 300 JB* cells cost one read per input edit, nothing while another workbook
    is edited (no second UDF server), and the same with JB* cells beside 中心's rows; the
    user's global xlwings.conf holds nothing of ours."""
    import os

    from jbsys_xl.contract import CENTERS, RESULT_SHEET
    from jbsys_xl.excel.setup import Places

    places = Places.of(Path.home(), os.environ)
    config = places.user_config
    ours = config.is_file() and "jbsys-xl\\venv" in config.read_text("mbcs", "replace").lower()
    report.check("global xlwings.conf holds no JBSys-XL line", not ours, str(config))
    codes = [c["code"] for c in expected_result(Path(book.fullname), year, Path(book.fullname).parent)["centers"]]
    sheet, cell, old = time_jb_cells(book, codes, year, "demo", watch, report)
    servers = pythonw_count()
    other = app.books.add()
    with watch.step():
        _, seconds = timed(lambda: [setattr(other.sheets[0].range((row, 1)), "value", row)
                                    for row in range(1, 11)])
    report.timing("10 edits in another workbook", seconds)
    report.check("no second UDF server for another workbook's edits", pythonw_count() == servers,
                 f"pythonw.exe {servers} -> {pythonw_count()}")
    other.close()
    book.activate()
    centers = book.sheets[CENTERS]
    centers.range("Z3").formula = "=JBSCORE(A3,%d)" % year
    centers.range("Z3").api.AutoFill(centers.range((3, 26), (2 + len(codes), 26)).api)
    with watch.step():
        _, seconds = timed(lambda: setattr(cell, "value", (old or 0) + 2))
    report.timing("demo: one 业务量 edit with JB* cells beside 中心's rows too", seconds)
    with watch.step():
        _, seconds = timed(lambda: setattr(book.sheets[RESULT_SHEET].range("Z1"), "value", "x"))
    report.timing("demo: an edit outside the inputs (expected: no read, well under 1 s)", seconds)
    book.sheets[RESULT_SHEET].range("Z1").clear_contents()
    centers.range((3, 26), (2 + len(codes), 26)).clear_contents()
    cell.value = old
    sheet.delete()


def check_medium(app, year: int, watch: DialogWatch, report: Report, folder: Path) -> None:
    """Timing on the medium bench workbook (129,600 业务量 rows) with 300 JB* cells."""
    sys.path.insert(0, str(ROOT))
    from bench.udf_recalc import medium_workbook

    path = Path(shutil.copy(medium_workbook(), folder / "medium.xlsm"))
    book = app.books.open(str(path))
    codes = [c["code"] for c in expected_result(path, year, folder)["centers"]]
    time_jb_cells(book, codes, year, "medium", watch, report)
    with watch.step() as messages:
        _, seconds = timed(book.macro("JbRibbon.GenerateAllocation"))
    report.timing(f"medium: 生成分配 with {JB_CELLS} JB* cells", seconds)
    if messages:
        report.note(f"medium messages: {messages}")
    book.close()


def verify(book_path: Path, year: int, medium: bool, report: Report) -> None:
    import xlwings as xw

    import jbsys_xl

    folder = Path(tempfile.mkdtemp(prefix="jbsys-verify-"))
    copy = Path(shutil.copy(book_path, folder / book_path.name))
    expected = expected_result(copy, year, folder)
    report.check("command line allocates the workbook", expected["ok"])
    exe = sys.executable
    report.note(f"Python {sys.version.split()[0]} at {exe} (non-ASCII: {not exe.isascii()}, "
                f"spaces: {' ' in exe})")
    app = xw.App(visible=True, add_book=False)
    app.display_alerts = False
    report.note(f"Excel {app.version}, xlwings {xw.__version__}, jbsys_xl {jbsys_xl.__version__}")
    report.note(f"Excel in {app.path} ({'32-bit' if '(x86)' in app.path else '64-bit or 32-bit'} "
                f"Office), Python {8 * struct.calcsize('P')}-bit")
    try:
        with DialogWatch(app, report) as watch:
            addin = load_addin(app, report)
            book = app.books.open(str(copy))
            report.check("JbInfo.JbVersion (VBA, no xlwings)",
                         book.macro("JbInfo.JbVersion")() == jbsys_xl.__version__)
            try:
                modules = sorted(c.Name for c in book.api.VBProject.VBComponents)
                report.note(f"VBA modules: {', '.join(modules)}")
            except Exception:
                report.note("VBA modules not listed: allow 'Trust access to the VBA project "
                            "object model' in the Trust Center to see them")
            check_revision(book, year, report)
            if not addin:
                return
            scratch = book.sheets.add("verify", after=book.sheets[-1])
            with watch.step() as messages:
                check_udf_current(book, scratch, year, report)
            if messages:
                report.note(f"UDF messages: {messages}")
            check_generate(book, expected, watch, report)
            with watch.step():
                check_refresh(book, scratch, year, report)
            with watch.step():
                check_legacy_array(book, scratch, year, expected, report)
            check_other_workbook_active(app, book, watch, report)
            check_error_keeps_results(book, year, watch, report)
            check_text_stays_text(book, year, watch, report)
            check_data_buttons(app, book, year, watch, report, folder)
            check_office_pc(app, book, year, watch, report)
            check_lists_after_delete(book, report)
            if medium:
                check_medium(app, year, watch, report, folder)
    finally:
        for book in list(app.books):
            try:
                book.close()
            except Exception:
                pass
        try:
            app.quit()
        except Exception:
            app.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, default=HERE / "demo.xlsm")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--medium", action="store_true",
                        help="also time an edit and 生成分配 on the medium bench workbook")
    args = parser.parse_args()
    if sys.platform != "win32":
        print("Run this on Windows with Excel installed.")
        return 2
    report = Report()
    try:
        verify(args.book.resolve(), args.year, args.medium, report)
    except Exception as exc:  # keep the partial report
        report.check("verification ran to the end", False, f"{type(exc).__name__}: {exc}")
    out = Path.cwd() / "verify-report.txt"
    out.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    print(f"\nReport written to {out}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
