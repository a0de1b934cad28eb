"""The ribbon's Python entry points, run by the template's VBA through xlwings ``RunPython``.

They only adapt: read the calling book's input sheets, run the same pipeline as the CLI, and
write the same result tables (:mod:`jbsys_xl.report.tables`) into the result sheets through
the one safe writer (:mod:`jbsys_xl.excel.writer`). Input sheets are never written. Every
table is computed before the first cell is written; on validation errors only 校验 is
rewritten, so the previous results stay as they were.

A ribbon button names its entry point in its ``tag`` (``package.module.function``); the VBA
runs :func:`run_macro` with it, which calls ``function(book)`` on the button's workbook.
"""
from __future__ import annotations

import functools
import importlib
import re
import sys

from .. import __version__, contract
from ..model import Check
from ..pipeline import Outcome, run
from ..report import tables as t
from .book_source import FarContent, read_book, requested_year
from .writer import TEXT, SheetContent, WriteFailed, describe, write_sheets

ALERT_TITLE = "JBSys-XL 人社考核"
NUMBER_FORMATS = {t.TEXT: TEXT, t.BOOL: TEXT, t.MONEY: "#,##0.00", t.SCORE: "0.000000",
                  t.PERCENT: "0.00%", t.INT: "0", t.NUMBER: "General"}
ENTRY = re.compile(r"jbsys_xl(\.[A-Za-z_]\w*)+")
NO_YEAR = Check("error", contract.PARAMS, "", "参数表中没有任何年度，请先填写本年度的参数行")
OLDEST_TEMPLATE = "0.1.0"
"""The oldest template (its JbVersion()) whose VBA this package works with. Raise it to the
new version when a release changes what the workbook's VBA, ribbon or xlwings.conf sheet
must do: older workbooks are then told to move their data into the new template. Templates
from before version checks pass no version at all and are refused too."""
OLD_TEMPLATE = (
    "此工作簿来自旧版本的 JBSys-XL 模板{found}：{why}。数据都还在，请把它移到新模板：打开安装包中的 "
    "template.xlsm 并另存为新文件，把本工作簿每张输入表的数据行复制、“选择性粘贴 → 数值”到新文件"
    "同名的表中（详见新模板“使用说明”的“升级”一节），以后使用新文件。")
MAC_DATA_BUTTONS = (
    "Mac 版 Excel 不能使用“数据”组和“文书”组的按钮（它们需要 Windows 版 Excel 的文件对话框，"
    "并在工作簿旁写文件）。请在“终端”中使用命令行 jbsys-xl import、callbacks、callback-results、"
    "documents 等（加 -h 查看用法），或运行 jbsys-xl serve 后在浏览器中打开本机页面操作。")
"""Said on a Mac instead of running a data button (here, and by the ribbon's VBA)."""


def run_macro(entry: str, template: str | None = None, *, book=None):
    """What every ribbon button runs: ``entry`` (e.g. ``jbsys_xl.excel.macros.validate``)
    called with the workbook that started it (xlwings' caller). Only functions of this
    package can be named. ``template``: the workbook's JbVersion(), which its VBA passes; a
    workbook whose template this package does not work with (older VBA, a button the package
    no longer has, a newer template than the package) is told so in Chinese, not with
    xlwings' English traceback, and nothing runs."""
    refusal = template_refusal(entry, template)
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    if refusal is not None:
        book.app.alert(refusal, title=ALERT_TITLE)
        return None
    return resolve(entry)(book)


def template_refusal(entry: str, template: str | None) -> str | None:
    """Why a button of a workbook built from template ``template`` cannot run ``entry`` with
    this package, or None."""
    if template is not None and _version(template) > _version(__version__):
        return (f"此工作簿来自较新的模板（{template}），本机安装的 JBSys-XL 是 {__version__}，"
                "按钮可能无法正确运行。请关闭 Excel，运行新版本离线安装包中的 install.bat 后重试。")
    found = f"（{template}）" if template else ""
    try:
        resolve(entry)
    except (ModuleNotFoundError, ValueError) as exc:
        if isinstance(exc, ModuleNotFoundError) and not (exc.name and entry.startswith(exc.name + ".")):
            raise  # a module of the installation is missing: not the workbook's fault
        return OLD_TEMPLATE.format(found=found, why=f"按钮调用的 {entry} 在已安装的 JBSys-XL {__version__} 中已不存在")
    if template is None or _version(template) < _version(OLDEST_TEMPLATE):
        return OLD_TEMPLATE.format(found=found, why=f"它的宏与已安装的 JBSys-XL {__version__} 不配套")
    return None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def resolve(entry: str):
    """The function a button's tag names; ValueError for anything else."""
    if not ENTRY.fullmatch(entry or ""):
        raise ValueError(f"not an entry point of jbsys_xl: {entry!r}")
    module, _, name = entry.rpartition(".")
    function = getattr(importlib.import_module(module), name, None)
    if not callable(function):
        raise ValueError(f"{module} has no function {name!r}")
    return function


def button(function=None, *, windows: bool = False, writes_inputs: bool = False):
    """A ribbon button's Python side: run on the calling workbook when none is given; a
    failure shows its cause (not a traceback) and gives None; the status bar is given back.
    ``windows``: the button opens Excel's Windows dialogs; on a Mac it says what to use.
    ``writes_inputs``: it writes input sheets (with Excel's events off), so its ribbon button
    is a JbInputButton, whose VBA counts an edit once Python is done (tests/template checks the
    ribbon against this flag)."""
    if function is None:
        return functools.partial(button, windows=windows, writes_inputs=writes_inputs)

    @functools.wraps(function)
    def run_button(book=None, *args, **kwargs):
        if book is None:
            import xlwings as xw

            book = xw.Book.caller()
        if windows and sys.platform == "darwin":
            book.app.alert(MAC_DATA_BUTTONS, title=ALERT_TITLE)
            return None
        try:
            return function(book, *args, **kwargs)
        except Exception as exc:
            book.app.alert(f"运行失败：{describe(exc)}", title=ALERT_TITLE)
            return None
        finally:
            book.app.status_bar = False
    run_button.writes_inputs = writes_inputs
    return run_button



@button
def generate_allocation(book) -> Outcome | None:
    """生成分配: validate, compute and write 分配结果, 得分明细, 区汇总 and 校验."""
    return _run(book, write_results=True)


@button
def validate(book) -> Outcome | None:
    """校验数据: validate and compute, write only 校验."""
    return _run(book, write_results=False)


def _run(book, write_results: bool) -> Outcome | None:
    app = book.app
    if (found := read_with_year(book)) is None:
        return None
    raw, year = found
    app.status_bar = f"JBSys：正在校验并计算 {year} 年度分配……"
    outcome = run(raw, year)
    settings = outcome.allocation.settings if outcome.ok else None
    contents = [sheet_content(t.checks_table(outcome.checks), year, settings)]
    if outcome.ok and write_results:
        allocation = outcome.allocation
        contents += [sheet_content(table, year, settings) for table in (
            t.result_table(allocation), t.detail_table(allocation), t.district_table(allocation))]
    app.status_bar = "JBSys：正在写入结果……"
    if not write_contents(book, contents, outcome.checks, year):
        return None
    if not outcome.ok:
        _select(book, contract.CHECKS_SHEET)
        app.alert(f"发现 {outcome.error_count:,} 个错误，未生成分配结果。请查看“{contract.CHECKS_SHEET}”表。",
                  title=ALERT_TITLE)
    elif write_results:
        _select(book, contract.RESULT_SHEET)
    else:
        _select(book, contract.CHECKS_SHEET)
        app.alert(f"校验通过：{year} 年度数据没有错误，{outcome.warning_count:,} 个警告。", title=ALERT_TITLE)
    return outcome


def write_contents(book, contents: list[SheetContent], checks: list[Check],
                   year: int | None = None) -> bool:
    """Write the sheets; if one fails, say so in 校验 (and in a message) and return False.
    The failed sheet keeps the writer's 'incomplete' note in A1, so no half table passes for
    a whole one."""
    try:
        write_sheets(book, contents)
        return True
    except WriteFailed as failure:
        report_write_failure(book, failure, checks, year)
        return False


def report_write_failure(book, failure: WriteFailed, checks: list[Check], year: int | None,
                         advice: str = "请关闭正在编辑单元格的窗口或其他占用 Excel 的程序后重新运行。",
                         outcome: str = "该表内容不完整") -> None:
    """Tell the user (in 校验 and in a message) which sheet could not be written, why, and
    what that left (``outcome``)."""
    cause = describe(failure.cause)
    note = Check("error", failure.sheet, "", f"写入“{failure.sheet}”时失败（{cause}），{outcome}。{advice}")
    try:
        write_sheets(book, [sheet_content(t.checks_table(checks + [note]), year)])
    except WriteFailed:
        pass  # the message below still tells the user
    book.app.alert(f"写入“{failure.sheet}”时失败，{outcome}：{cause}\n{advice}", title=ALERT_TITLE)


def read_with_year(book):
    """The open book's input sheets and the year to compute, or None — with the reason in
    校验 — when 参数 names no year or a sheet cannot be read whole (FarContent). Every button
    starts so."""
    book.app.status_bar = "JBSys：正在读取数据……"
    try:
        raw = read_book(book)
    except FarContent as far:
        show_checks(book, [far.check], None)
        book.app.alert(f"未读取数据：{far}", title=ALERT_TITLE)
        return None
    year = requested_year(book, raw)
    if year is None:
        show_checks(book, [NO_YEAR], None)
        return None
    return raw, year


def show_checks(book, checks: list[Check], year: int | None) -> bool:
    """Rewrite 校验 with ``checks`` and select it; False when it could not be written."""
    if not write_contents(book, [sheet_content(t.checks_table(checks), year)], checks, year):
        return False
    _select(book, contract.CHECKS_SHEET)
    return True


def _select(book, name: str) -> None:
    book.sheets[name].activate()


def sheet_content(table: t.Table, year: int | None, settings=None) -> SheetContent:
    """A result table as the sheet shows it — title on row 1 (units at its right end; with the
    草案/审定 status once the year's settings are known), header on row 2 as in the template —
    with text columns as text and column widths that fit."""
    formats = tuple(NUMBER_FORMATS[kind] for kind in table.kinds)
    rows = [[_cell(value, kind) for value, kind in zip(row, table.kinds)] for row in table.rows]
    widths = tuple(
        max([t.display_width(header)] + [t.display_width(t.cell_text(row[col], table.kinds[col]))
                                         for row in table.rows[:500]]) + 2
        for col, header in enumerate(table.headers))
    return SheetContent(
        name=table.title,
        title=(t.sheet_title(table.title, settings) if settings is not None else
               t.TITLES.get(table.title, table.title).format(year=year if year else "")),
        header=tuple(table.headers), rows=rows, formats=formats,
        unit=t.UNIT_LINE if t.MONEY in table.kinds and len(table.headers) > 1 else "",
        bold=frozenset(table.subtotals | table.totals), widths=widths)


def _cell(value, kind: str):
    value = t.sheet_value(value, kind)
    if NUMBER_FORMATS[kind] == TEXT and value is not None and not isinstance(value, str):
        return str(value)
    return value
