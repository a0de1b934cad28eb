"""Step ② on the page: 金保 exports → the allocation workbook with them in it (the CLI's
``import --into``), the 12333 回访清单 (``callbacks``), and filled-in lists → the workbook with
their 回访 rows (``callback-results --into``) — 金保 contract §6–§9. Nobody pastes anything: the
page shows the plan (what is added, replaced and kept), offers the workbook it wrote, and goes
on to 校验/生成分配 with it.

The exports and lists hold names, ID numbers and phones: they are deleted as soon as they are
read. What is kept is plain data (texts, tables, the workbooks' bytes): the import and the
results keep no personal field; the callback list is kept in memory only until it is
downloaded, once.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..doors import PAGE
from ..jinbao.callback_results import lists_table, read_results, summary
from ..jinbao.callbacks import CONFIDENTIAL, DEFAULT_PER_CENTER, callback_workbook_bytes, draw_callbacks
from ..jinbao.importer import run_import
from ..jinbao.into import Into, callbacks_into, import_into, into_bytes
from ..jinbao.output import import_workbook_bytes, record_table, title, unmatched_table
from ..model import Check
from ..report import tables as t
from . import pages
from . import state as web
from .allocation import start_run
from .forms import FormError, optional_int
from .jobs import Job

PERSONAL_NOTICE = ("回访清单含群众的姓名、证件号码（已部分隐去）和联系电话，属于个人信息："
                   "仅供 12333 回访使用，不要转发或上传到其他地方，回访后妥善保管或按规定销毁。"
                   "本程序不保存上传的文件，清单只能下载一次，下载后即从本程序中删除（同一随机种子可重新生成同一份清单）。")
CENTER_HEADERS = ("中心编码", "中心名称", "可回访案件数", "抽取件数")  # as the list's 抽样汇总


@dataclass
class Written:
    """A workbook step ② wrote (金保 import or 回访 results into it) as the page shows it —
    plain data (texts, tables, the files' bytes), which the child process reading the uploads
    hands back; no personal field."""

    stem: str  # the allocation workbook's name, for the files offered
    suffix: str  # its extension, kept by the workbook written
    what: str  # 导入金保数据 or 导入回访结果
    heading: str  # the import's or the results' summary line
    year: int | None
    ok: bool  # read without errors
    checks: list[Check]  # of the reading
    tables: list[t.Table]  # per file, unmatched names
    into: Into | None = None  # the plan carried out, or why not
    workbook: bytes | None = None  # the allocation workbook with the rows in it
    record: bytes | None = None  # the import's own workbook (业务量, 导入记录, 未匹配, 校验)

    @property
    def file_name(self) -> str:
        return f"{self.stem}-{'金保' if self.what == IMPORT else '回访'}导入后-{self.year}{self.suffix}"


IMPORT, RESULTS = "导入金保数据", "导入回访结果"


@dataclass
class Drawn:
    """A callback draw as the page shows it: no personal field, and the list's bytes until the
    one download."""

    stem: str
    ok: bool
    year: int | None
    seed: int
    per_center: int
    cases: int
    centers: t.Table
    checks: list[Check]
    workbook: bytes | None  # None once downloaded


def form_page(request: Request) -> Response:
    state = web.state_of(request)
    fields = ('<label for="workbook">分配工作簿</label>'
              '<input type="file" id="workbook" name="workbook" accept=".xlsx,.xlsm,.xls,.ods">'
              '<p class="hint">导入时写进它的副本（.xlsx 或 .xlsm；原文件不改动），并读取其中的参数、指标、中心和'
              '回访表（金保机构、金保事项的对应关系）。</p>'
              '<label for="exports">金保导出文件（可多选）</label>'
              '<input type="file" id="exports" name="exports" multiple '
              'accept=".xlsx,.xlsm,.xls,.csv,.htm,.html">'
              f'<p class="hint">明细或统计表：.xlsx、.xls、.csv，或网页系统导出的“xls”。'
              f'{pages.limit_text(state.max_upload)}。</p>' + pages.year_field()
              + '<fieldset class="card" style="margin-top:14px"><legend><b>12333 回访清单</b></legend>'
                f'<div class="notice">{escape(PERSONAL_NOTICE)}</div>'
                f'<label for="per_center">每个中心抽取件数</label><input type="number" id="per_center" '
                f'name="per_center" min="1" value="{DEFAULT_PER_CENTER}"> '
                '<label for="seed">随机种子</label><input type="number" id="seed" name="seed" min="0" '
                'placeholder="留空随机生成"> <span class="hint">同一种子、同样的案件得到同一份清单</span>'
                '<label for="operator">抽取人</label><input type="text" id="operator" name="operator" '
                'maxlength="40"> <span class="hint">写入清单的“抽取记录”</span>'
                '<label for="lists">12333 填好的回访清单（导入回访结果时选择，可多选）</label>'
                '<input type="file" id="lists" name="lists" multiple accept=".xlsx,.xlsm">'
                '</fieldset>')
    buttons = ('<button class="primary" name="action" value="import">导入金保数据</button>'
               f'<button formaction="{escape(state.action("/callbacks"))}">生成回访清单</button>'
               f'<button formaction="{escape(state.action("/results"))}">导入回访结果</button>')
    body = ("<h1>导入金保数据、回访清单和回访结果</h1><div class='card'>"
            + pages.upload_form(state.action("/imports"), state.max_upload, fields, buttons)
            + "<p class='hint'>导入金保数据：剔除作废、退回和考核期外的记录，按业务流水号去重，写进分配工作簿的"
              "副本——只替换本次导入的文件此前导入的行和同一中心、事项、月份的行，其他行保留；页面列出新增、替换和"
              "保留的行，下载导入后的工作簿即可使用，不需要复制粘贴。姓名、证件号码、电话不写入工作簿。"
              "导入回访结果：按抽取批次替换“回访”表中此前导入的行，已记录的处理决定保留。</p></div>")
    return pages.layout("导入金保数据", body, step="/jinbao", script=pages.UPLOAD_SCRIPT)


async def _upload(request: Request, field: str, label: str):
    """(workbook, files of ``field``, fields, folder), or the page saying what is missing."""
    received = await web.receive(request)
    if isinstance(received, Response):
        return received
    form, folder = received
    books, files = form.files.get("workbook", []), form.files.get(field, [])
    if not books or not files:
        web.remover(folder)()
        missing = "分配工作簿" if not books else label
        return pages.message("请选择文件", f"没有选择{missing}：请选中分配工作簿和{label}后再提交。",
                             400, back="/jinbao")
    return books[0], files, form.fields, folder


async def _start(request: Request, name: str, read, task, page: str, field: str = "exports",
                 label: str = "金保导出文件") -> Response:
    """Take the upload, read the form's options (``read(fields)``, FormError when one is
    wrong), then run ``task(workbook, files, options, progress)`` in the child process that
    reads uploads (:mod:`.worker`), as a job whose end removes the uploaded files; its result
    is kept and shown at ``page``/id. The page polls the job."""
    upload = await _upload(request, field, label)
    if isinstance(upload, Response):
        return upload
    workbook, files, fields, folder = upload
    try:
        options = read(fields)
    except FormError as exc:
        web.remover(folder)()
        return pages.message("请检查所填内容", str(exc), 400, back="/jinbao")
    state = web.state_of(request)
    what = f"“{workbook.name}”和 {len(files)} 个{label}"

    def work(job: Job) -> str:
        result, size = state.workers.call(task, workbook, files, options, what=what, progress=job.say)
        return f"{page}/{state.store.add(result, size)}"

    key = state.start(Job(name, back="/jinbao"), work, web.remover(folder))
    return RedirectResponse(pages.url(f"/jobs/{key}"), 303)


def _year(fields: dict[str, str]):
    return optional_int(fields, "year", "考核年度")


def import_exports(workbook: Path, exports: list[Path], year: int | None, progress) -> Written:
    """The CLI's ``import … --into`` of the uploads (in the child process that reads them): the
    workbook with the import in it, the plan, and the import's own workbook."""
    result = run_import(workbook, exports, year, progress=progress, door=PAGE)
    written = Written(workbook.stem, workbook.suffix.lower(), IMPORT, title(result) if result.period else "",
                      result.year, result.ok, result.checks,
                      [record_table(result)] + ([unmatched_table(result)] if result.unmatched else []))
    if result.ok:
        progress("正在写入导入后的工作簿……")
        written.record = import_workbook_bytes(result)
        written.into, written.workbook = into_bytes(lambda out: import_into(workbook, result, out, door=PAGE),
                                                    workbook.parent / written.file_name)
    return written


def results_into(workbook: Path, lists: list[Path], year: int | None, progress) -> Written:
    """The CLI's ``callback-results … --into`` of the uploads (in the child process)."""
    progress("正在读取回访清单……")
    results = read_results(workbook, lists, year, door=PAGE)
    written = Written(workbook.stem, workbook.suffix.lower(), RESULTS, summary(results) if results.year else "",
                      results.year, results.ok, results.checks, [lists_table(results)])
    if results.ok:
        progress("正在写入导入回访结果后的工作簿……")
        written.into, written.workbook = into_bytes(lambda out: callbacks_into(workbook, results, out, door=PAGE),
                                                    workbook.parent / written.file_name)
    return written


async def create_import(request: Request) -> Response:
    return await _start(request, IMPORT, _year, import_exports, "/imports")


async def create_results(request: Request) -> Response:
    return await _start(request, RESULTS, _year, results_into, "/imports", "lists", "12333 填好的回访清单")


def import_page(request: Request) -> Response:
    key = request.path_params["key"]
    written = web.state_of(request).store.get(Written, key)
    if written is None:
        return pages.message("结果已过期", "本程序只保留最近几次的结果，请重新导入。", 404, back="/jinbao")
    into = written.into
    tables = "".join(f"<h2>{escape(table.title)}</h2><div class='scroll'>{pages.table_html(table)}</div>"
                     for table in written.tables if table.rows)
    record = (f"<li><a href='{escape(pages.url(f'/imports/{key}/record'))}'>下载导入结果（业务量、导入记录、未匹配）"
              "</a></li>" if written.record else "")
    if written.workbook is not None:
        go_on = "".join(
            f"<form method='post' action='{escape(web.action(request, f'/imports/{key}/runs'))}'>"
            f"<input type='hidden' name='action' value='{action}'>"
            f"<button{' class=primary' if action == 'allocate' else ''}>{label}</button></form>"
            for action, label in (("check", "用导入后的工作簿校验数据"), ("allocate", "用导入后的工作簿生成分配")))
        head = (f"<div class='ok'>{escape(written.heading)}</div><div class='card'>"
                f"<h2>导入后的工作簿</h2>{_plan(into)}<ul class='downloads'>"
                f"<li><a href='{escape(pages.url(f'/imports/{key}/file'))}'>下载导入后的分配工作簿"
                f"（{escape(written.file_name)}）</a></li>{record}</ul><p class='hint'>这是上传的分配工作簿的副本："
                f"只有“{'业务量' if written.what == IMPORT else '回访'}”表按上面的安排改变"
                f"{'，并写入“导入记录”“替换记录”两张表' if written.what == IMPORT else ''}；其他工作表、格式、"
                "宏和功能区都不变。以后请使用这个工作簿（原文件没有改动）。</p>"
                f"<div class='buttons'>{go_on}</div></div>")
        checks = pages.checks_html(written.checks, "")
    elif into is not None:
        what = "未生成导入后的工作簿" + ("：按安排导入后，工作簿的校验有以下错误，请在原工作簿中更正后重新导入"
                                        if into.invalid else "")
        head = (f"<div class='card'>{_plan(into)}<ul class='downloads'>{record}</ul></div>" if into.lines or record
                else "")
        checks = pages.checks_html(into.checks + written.checks, what)
    else:
        head, checks = "", pages.checks_html(written.checks, f"未{written.what}")
    body = (f"<h1>{escape(written.what)}</h1>{head}{tables}{checks}"
            f"<div class='buttons'><a class='button' href='{escape(pages.url('/jinbao'))}'>重新选择文件</a></div>")
    return pages.layout(written.what, body, step="/jinbao", keep=key)


def _plan(into: Into | None) -> str:
    if into is None or not into.lines:
        return ""
    return "<ul class='plan'>" + "".join(f"<li>{escape(line.strip())}</li>" for line in into.lines) + "</ul>"


def _written(request: Request) -> Written | Response:
    written = web.state_of(request).store.get(Written, request.path_params["key"])
    if written is None or written.workbook is None:
        return pages.message("不能下载", "导入结果已过期或有错误，请重新导入。", 404, back="/jinbao")
    return written


def import_file(request: Request) -> Response:
    """The allocation workbook with the import (or the results) in it: ``--into``'s bytes."""
    written = _written(request)
    if isinstance(written, Response):
        return written
    return web.file_response(written.workbook, written.file_name)


def import_record(request: Request) -> Response:
    written = web.state_of(request).store.get(Written, request.path_params["key"])
    if written is None or written.record is None:
        return pages.message("不能下载", "导入结果已过期或有错误，请重新导入。", 404, back="/jinbao")
    return web.file_response(written.record, f"{written.stem}-金保导入-{written.year}.xlsx")


async def go_on(request: Request) -> Response:
    """校验数据 or 生成分配 with the workbook step ② wrote, as step ① does with an upload."""
    written = _written(request)
    if isinstance(written, Response):
        return written
    form = await request.form()
    state = web.state_of(request)
    folder = state.folder / secrets.token_hex(8)
    folder.mkdir(mode=0o700, parents=True)
    path = folder / written.file_name
    path.write_bytes(written.workbook)
    key = start_run(state, path, written.year, form.get("action") != "allocate", web.remover(folder))
    return RedirectResponse(pages.url(f"/jobs/{key}"), 303)


def draw_list(workbook: Path, exports: list[Path], options: tuple, progress) -> Drawn:
    """The CLI's ``callbacks`` draw of the uploads (in the child process that reads them): the
    list's bytes, and what the page shows — no personal field."""
    year, per_center, seed, operator = options
    draw = draw_callbacks(workbook, exports, year, per_center, seed, progress=progress,
                          operator=operator, door=PAGE)
    rows = [(c.code, c.name, c.population, c.sampled) for c in draw.centers]
    centers = t.Table("抽样汇总", CENTER_HEADERS, (t.TEXT, t.TEXT, t.INT, t.INT), rows)
    return Drawn(Path(workbook.name).stem, draw.ok, draw.year, draw.seed, draw.per_center,
                 len(draw.cases), centers, draw.checks,
                 callback_workbook_bytes(draw) if draw.ok else None)


async def create_callbacks(request: Request) -> Response:
    def read(fields: dict[str, str]) -> tuple:
        return (optional_int(fields, "year", "考核年度"),
                optional_int(fields, "per_center", "每个中心抽取件数", minimum=1) or DEFAULT_PER_CENTER,
                optional_int(fields, "seed", "随机种子", minimum=0),
                (fields.get("operator") or "").strip() or None)

    return await _start(request, "生成回访清单", read, draw_list, "/callbacks")


def callbacks_page(request: Request) -> Response:
    key = request.path_params["key"]
    drawn = web.state_of(request).store.get(Drawn, key)
    if drawn is None:
        return pages.message("结果已过期", "回访清单已过期，请重新生成。", 404, back="/jinbao")
    if drawn.ok and drawn.workbook is None:
        head = (f"<div class='notice'>回访清单已经下载过，已从本程序中删除。如需再次下载，请重新选择文件，"
                f"随机种子填 {drawn.seed}，即得到同一份清单。</div>")
        checks = table = ""
    elif drawn.ok:
        form = (f"<form method='post' action='{escape(web.action(request, f'/callbacks/{key}/file'))}'>"
                f"<button class='primary'>下载回访清单（{CONFIDENTIAL}）</button></form>")
        head = (f"<div class='ok'>{drawn.year} 年度 12333 回访：{len(drawn.centers.rows)} 个中心，"
                f"抽取 {drawn.cases:,} 件（每个中心至多 {drawn.per_center} 件）。"
                f"随机种子：<b>{drawn.seed}</b>（填入“随机种子”可重新得到同一份清单）。</div>"
                f"<div class='notice'>{escape(PERSONAL_NOTICE)}</div>"
                f"<div class='buttons'>{form}</div>")
        checks = pages.checks_html(drawn.checks, "")
        table = f"<h2>各中心抽取情况</h2><div class='scroll'>{pages.table_html(drawn.centers)}</div>"
    else:
        head, checks, table = "", pages.checks_html(drawn.checks, "未生成回访清单"), ""
    body = (f"<h1>12333 回访清单</h1>{head}{table}{checks}"
            f"<div class='buttons'><a class='button' href='{escape(pages.url('/jinbao'))}'>重新选择文件</a></div>")
    return pages.layout("回访清单", body, step="/jinbao", keep=key)


def callbacks_file(request: Request) -> Response:
    """The list, once: its bytes leave memory as they are sent."""
    drawn = web.state_of(request).store.get(Drawn, request.path_params["key"])
    data = drawn.workbook if drawn is not None else None
    if data is None:
        return pages.message("清单已删除", "回访清单已经下载过（或已过期），已从本程序中删除。如需再次下载，"
                             "请用同一随机种子重新生成。", 410, back="/jinbao")
    drawn.workbook = None
    return web.file_response(data, f"{drawn.stem}-回访清单-{drawn.year}.xlsx")


ROUTES = [
    Route("/jinbao", form_page),
    Route("/imports", create_import, methods=["POST"]),
    Route("/results", create_results, methods=["POST"]),
    Route("/imports/{key}", import_page),
    Route("/imports/{key}/file", import_file),
    Route("/imports/{key}/record", import_record),
    Route("/imports/{key}/runs", go_on, methods=["POST"]),
    Route("/callbacks", create_callbacks, methods=["POST"]),
    Route("/callbacks/{key}", callbacks_page),
    Route("/callbacks/{key}/file", callbacks_file, methods=["POST"]),
]
