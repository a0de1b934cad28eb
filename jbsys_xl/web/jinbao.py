"""Step ② on the page: 金保 exports → the 业务量 to paste (counts per file, unmatched names), and
the 12333 回访清单 — the CLI's ``import`` and ``callbacks`` (金保 contract §6–§7).

The exports hold names, ID numbers and phones: they are deleted as soon as they are read. The
import keeps no personal field; the callback list is kept in memory only until it is
downloaded, once.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..doors import PAGE
from ..jinbao.callbacks import CONFIDENTIAL, DEFAULT_PER_CENTER, callback_workbook_bytes, draw_callbacks
from ..jinbao.importer import ImportResult, run_import
from ..jinbao.output import import_workbook_bytes, record_table, title, unmatched_table
from ..model import Check
from ..report import tables as t
from . import pages
from . import state as web
from .forms import FormError, optional_int
from .jobs import Job

PERSONAL_NOTICE = ("回访清单含群众的姓名、证件号码（已部分隐去）和联系电话，属于个人信息："
                   "仅供 12333 回访使用，不要转发或上传到其他地方，回访后妥善保管或按规定销毁。"
                   "本程序不保存上传的文件，清单只能下载一次，下载后即从本程序中删除（同一随机种子可重新生成同一份清单）。")
CENTER_HEADERS = ("中心编码", "中心名称", "可回访案件数", "抽取件数")  # as the list's 抽样汇总


@dataclass
class Imported:
    stem: str  # the allocation workbook's name, for the file offered
    result: ImportResult  # holds no personal field (personal=False)


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
              '<p class="hint">读取其中的参数、指标、中心和回访表（金保机构、金保事项的对应关系）。</p>'
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
                '</fieldset>')
    buttons = ('<button class="primary" name="action" value="import">导入金保数据</button>'
               f'<button formaction="{escape(state.action("/callbacks"))}">生成回访清单</button>')
    body = ("<h1>导入金保数据、生成回访清单</h1><div class='card'>"
            + pages.upload_form(state.action("/imports"), state.max_upload, fields, buttons)
            + "<p class='hint'>导入：整理成可以直接粘贴的“业务量”表，剔除作废、退回和考核期外的记录，"
              "按业务流水号去重；姓名、证件号码、电话不写入导入结果。</p></div>")
    return pages.layout("导入金保数据", body, step="/jinbao", script=pages.UPLOAD_SCRIPT)


async def _upload(request: Request):
    """(workbook, exports, fields, folder), or the page saying what is missing."""
    received = await web.receive(request)
    if isinstance(received, Response):
        return received
    form, folder = received
    books, exports = form.files.get("workbook", []), form.files.get("exports", [])
    if not books or not exports:
        web.remover(folder)()
        missing = "分配工作簿" if not books else "金保导出文件"
        return pages.message("请选择文件", f"没有选择{missing}：请选中分配工作簿和金保导出文件后再提交。",
                             400, back="/jinbao")
    return books[0], exports, form.fields, folder


async def _start(request: Request, name: str, read, task, page: str) -> Response:
    """Take the upload, read the form's options (``read(fields)``, FormError when one is
    wrong), then run ``task(workbook, exports, options, progress)`` in the child process that
    reads uploads (:mod:`.worker`), as a job whose end removes the uploaded files; its result
    is kept and shown at ``page``/id. The page polls the job."""
    upload = await _upload(request)
    if isinstance(upload, Response):
        return upload
    workbook, exports, fields, folder = upload
    try:
        options = read(fields)
    except FormError as exc:
        web.remover(folder)()
        return pages.message("请检查所填内容", str(exc), 400, back="/jinbao")
    state = web.state_of(request)
    what = f"“{workbook.name}”和 {len(exports)} 个金保导出文件"

    def work(job: Job) -> str:
        result, size = state.workers.call(task, workbook, exports, options, what=what, progress=job.say)
        return f"{page}/{state.store.add(result, size)}"

    key = state.start(Job(name, back="/jinbao"), work, web.remover(folder))
    return RedirectResponse(pages.url(f"/jobs/{key}"), 303)


def import_exports(workbook: Path, exports: list[Path], year: int | None, progress) -> Imported:
    """The CLI's ``import`` of the uploads (in the child process that reads them)."""
    result = run_import(workbook, exports, year, progress=progress, door=PAGE)
    return Imported(Path(workbook.name).stem, result)


async def create_import(request: Request) -> Response:
    return await _start(request, "导入金保数据", lambda fields: optional_int(fields, "year", "考核年度"),
                        import_exports, "/imports")


def import_page(request: Request) -> Response:
    key = request.path_params["key"]
    imported = web.state_of(request).store.get(Imported, key)
    if imported is None:
        return pages.message("结果已过期", "本程序只保留最近几次的结果，请重新导入。", 404, back="/jinbao")
    result = imported.result
    files = pages.table_html(record_table(result)) if result.parts else ""
    unmatched = (f"<h2>未匹配的名称</h2><p class='hint'>这些经办机构或业务事项在工作簿的“中心”表（金保机构）"
                 f"或“指标”表（金保事项）中找不到，对应的记录没有计入。</p>"
                 f"<div class='scroll'>{pages.table_html(unmatched_table(result))}</div>"
                 if result.unmatched else "")
    if result.ok:
        href = escape(pages.url(f"/imports/{key}/file"))
        head = (f"<div class='ok'>{escape(title(result))}</div><div class='card'><ul class='downloads'>"
                f"<li><a href='{href}'>下载 业务量 工作簿（金保导入）</a></li></ul><p class='hint'>"
                "把其中“业务量”表的数据粘贴到分配工作簿的“业务量”表，再到 ① 校验与生成分配。</p></div>")
        checks = pages.checks_html(result.checks, "")
    else:
        head, checks = "", pages.checks_html(result.checks, "未生成导入结果")
    body = (f"<h1>金保数据导入</h1>{head}<h2>各文件读取情况</h2>{files}{unmatched}{checks}"
            f"<div class='buttons'><a class='button' href='{escape(pages.url('/jinbao'))}'>重新选择文件</a></div>")
    return pages.layout("金保数据导入", body, step="/jinbao", keep=key)


def import_file(request: Request) -> Response:
    imported = web.state_of(request).store.get(Imported, request.path_params["key"])
    if imported is None or not imported.result.ok:
        return pages.message("不能下载", "导入结果已过期或有错误，请重新导入。", 404, back="/jinbao")
    result = imported.result
    return web.file_response(import_workbook_bytes(result), f"{imported.stem}-金保导入-{result.year}.xlsx")


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
    Route("/imports/{key}", import_page),
    Route("/imports/{key}/file", import_file),
    Route("/callbacks", create_callbacks, methods=["POST"]),
    Route("/callbacks/{key}", callbacks_page),
    Route("/callbacks/{key}/file", callbacks_file, methods=["POST"]),
]
