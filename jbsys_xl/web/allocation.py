"""Step ① on the page: choose the workbook, 校验数据 or 生成分配 — the pipeline's checks at their
cells, or the allocation table with each center's explanation and the documents to download.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import contract
from ..doors import PAGE
from ..model import month_text
from ..pipeline import Outcome, run
from ..report import attachment
from ..report import tables as t
from ..report.explain import UnknownCenter, explain, heading, sections
from . import pages
from . import state as web
from .documents import BY_KEY, DOCUMENTS, Document
from .forms import FormError, optional_int
from .jobs import Job, failure_text


@dataclass
class Run:
    outcome: Outcome
    check_only: bool  # 校验数据: the checks only, until 生成分配 is pressed
    files: dict[str, bytes] = field(default_factory=dict)  # slow documents made so far
    making: dict[str, str] = field(default_factory=dict)  # document → its job while being made
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_page(request: Request) -> Response:
    state = web.state_of(request)
    fields = ('<label for="workbook">分配工作簿</label>'
              '<input type="file" id="workbook" name="workbook" accept=".xlsx,.xlsm,.xls,.ods">'
              f'<p class="hint">Excel 或 WPS 保存的 .xlsx、.xlsm、.xls，或 .ods；须含参数、指标、中心、评定、'
              f'业务量、投诉、扣减、硬件八个工作表（“回访”可选）。{pages.limit_text(state.max_upload)}。</p>'
              + pages.year_field())
    buttons = ('<button name="action" value="check">校验数据</button>'
               '<button class="primary" name="action" value="allocate">生成分配</button>')
    body = ("<h1>校验数据、生成分配</h1><div class='row'><div class='card grow'>"
            + pages.upload_form(state.action("/runs"), state.max_upload, fields, buttons)
            + "</div><div class='card grow hint'><b>怎样用</b><ol>"
              "<li>每年 12 月填好工作簿（金保数据、12333 回访结果可在 ② 导入，下载导入后的工作簿使用）。</li>"
              "<li>选择工作簿，点“校验数据”：每个错误都指出工作表和单元格，如 业务量!D17。</li>"
              "<li>更正后点“生成分配”：显示各中心的补助资金，点中心名称看它的钱是怎样算出来的；"
              "下载分配结果工作簿和文书（附件、告知书、条线确认表、公示，审定后还有拨付明细）。</li></ol>"
              "<p>本页面只在这台电脑上运行：上传的文件处理完即删除，不保存、不外传。"
              "“审定文号”留空时所有结果标明“草案”。</p></div></div>")
    return pages.layout("校验与生成分配", body, step="/", script=pages.UPLOAD_SCRIPT)


async def create_run(request: Request) -> Response:
    state = web.state_of(request)
    received = await web.receive(request)
    if isinstance(received, Response):
        return received
    form, folder = received
    books = form.files.get("workbook", [])
    try:
        if not books:
            raise FormError("没有选择分配工作簿：请先点“选择文件”选中工作簿，再点“校验数据”或“生成分配”。")
        year = optional_int(form.fields, "year", "考核年度")
    except FormError as exc:
        web.remover(folder)()
        return pages.message("请检查所填内容", str(exc), 400)
    check_only = form.fields.get("action") != "allocate"
    return RedirectResponse(pages.url(f"/jobs/{start_run(state, books[0], year, check_only, web.remover(folder))}"),
                            303)


def start_run(state, path: Path, year: int | None, check_only: bool, cleanup) -> str:
    """校验数据 or 生成分配 of the workbook at ``path`` as a job (its id); ``cleanup`` removes the
    file afterwards. Also where step ② goes on with the workbook it wrote."""
    def work(job: Job) -> str:
        outcome, size = state.workers.call(read_workbook, path, year, what=f"“{path.name}”", progress=job.say)
        return f"/runs/{state.store.add(Run(outcome, check_only), size)}"

    return state.start(Job("校验数据" if check_only else "生成分配"), work, cleanup)


def read_workbook(path: Path, year: int | None, progress) -> Outcome:
    """The workbook's checks and allocation, as the CLI's check/allocate make them (in the
    child process that reads uploads: :mod:`.worker`)."""
    progress(f"正在读取和校验“{path.name}”……")
    return run(path, year, door=PAGE)


def _run(request: Request) -> tuple[str, Run] | Response:
    key = request.path_params["key"]
    found = web.state_of(request).store.get(Run, key)
    if found is None:
        return pages.message("结果已过期", "本程序只保留最近用过的结果和仍开着的页面上的结果，请重新选择工作簿。", 404)
    return key, found


def run_page(request: Request) -> Response:
    found = _run(request)
    if isinstance(found, Response):
        return found
    key, current = found
    outcome = current.outcome
    label = escape(outcome.book.label)
    again = f"<a class='button' href='{escape(pages.url('/'))}'>重新选择文件</a>"
    if not outcome.ok:
        what = "不能生成分配" if current.check_only else "无法生成分配结果"
        body = (f"<h1>数据校验结果：{label}</h1>" + pages.checks_html(outcome.checks, what)
                + f"<div class='buttons'>{again}</div>")
        return pages.layout("校验结果", body, step="/", keep=key)
    if current.check_only:
        allocate = (f"<form method='post' action='{escape(web.action(request, f'/runs/{key}/allocate'))}'>"
                    "<button class='primary'>生成分配</button></form>")
        body = (f"<h1>数据校验结果：{label}</h1><div class='ok'>{outcome.year} 年度校验通过："
                f"{outcome.warning_count:,} 个警告。</div><div class='buttons'>{allocate}{again}</div>"
                + pages.checks_html(outcome.checks, ""))
        return pages.layout("校验结果", body, step="/", keep=key)
    return _allocation_page(request, key, current)


def _allocation_page(request: Request, key: str, current: Run) -> Response:
    outcome = current.outcome
    allocation = outcome.allocation
    s = allocation.settings
    final = s.status == contract.STATUS_FINAL
    badge = f"<span class='badge {'final' if final else 'draft'}'>{escape(t.status_text(s))}</span>"
    links = "".join(_download_item(request, key, current, document) for document in DOCUMENTS
                    if document.refused(outcome) is None)
    refused = {document.kind: document.refused(outcome) for document in DOCUMENTS if document.refused(outcome)}
    links += "".join(f"<li class='refused'>{escape(kind)}：现在不能生成<span class='note bad'>{escape(why).replace(chr(10), '<br>')}</span></li>"
                     for kind, why in refused.items())  # its command would refuse: said once, not offered
    warnings = ""
    if outcome.warnings:
        warnings = (f"<details class='card noprint'><summary>校验警告 {outcome.warning_count:,} 个"
                    "（点击展开）"
                    f"</summary>{pages.checks_html(outcome.checks, '')}</details>")
    rows = attachment.allocation_table(allocation)
    last = len(rows.headers) - 1  # 合计, kept in view beside 中心名称 when the table scrolls sideways
    table = pages.table_html(rows, pin=(1, last),
                             links={1: lambda name: pages.url(f"/runs/{key}/centers/{quote(str(name), safe='')}")})
    grand_total = t.cell_text(rows.rows[max(rows.totals)][last], rows.kinds[last])
    pools = pages.table_html(attachment.balance_table(allocation))
    title = t.TITLES[contract.RESULT_SHEET].format(year=s.year)
    body = (f"<h1>{escape(title)}{badge}</h1>"
            f"<div class='total' id='total'>补助资金合计 <b>{escape(grand_total)}</b> 元"
            f"（{len(allocation.centers)} 个中心）</div>"
            f"<p class='hint'>工作簿：{escape(outcome.book.label)}；考核期 {month_text(s.period_start)} 至 "
            f"{month_text(s.period_end)}；{escape(s.method)}；金额单位：元。"
            "<span class='noprint'>点中心名称查看它的补助资金是怎样算出来的。</span></p>"
            "<div class='card noprint'><ul class='downloads' id='downloads'><li><b>下载：</b></li>"
            f"{links}</ul></div>"
            f"{warnings}<div class='pinned' id='allocation'>{table}</div>"
            f"<details class='card' id='balance'><summary>资金平衡</summary>{pools}</details>"
            "<div class='buttons'><button id='print'>打印本页</button>"
            f"<a class='button' href='{escape(pages.url('/'))}'>重新选择文件</a></div>")
    script = pages.POLL_SCRIPT + DOWNLOAD_SCRIPT
    return pages.layout("分配结果", body, step="/", script=script, keep=key)


def _download_item(request: Request, key: str, current: Run, document: Document) -> str:
    href = f"/runs/{key}/files/{document.key}"
    prepare = ""
    if document.slow and document.key not in current.files:
        prepare = f" data-prepare='{escape(web.action(request, href))}'"
    return (f"<li><a href='{escape(pages.url(href))}'{prepare}>下载 {escape(document.label)}</a>"
            f"<span class='note'></span></li>")


# Slow documents: made on request (POST) while the note beside the link shows the progress,
# then fetched by the link itself; a made document is a plain link.
DOWNLOAD_SCRIPT = """
document.getElementById('print').addEventListener('click', function(){ window.print(); });
var balance = document.getElementById('balance'), wasOpen = false;  // printed open
window.addEventListener('beforeprint', function(){ wasOpen = balance.open; balance.open = true; });
window.addEventListener('afterprint', function(){ balance.open = wasOpen; });
document.querySelectorAll('a[data-prepare]').forEach(function(link){
  link.addEventListener('click', function(event){
    if (!link.dataset.prepare) return;  // made already: the link fetches it
    event.preventDefault();
    if (link.dataset.busy) return;
    link.dataset.busy = '1';
    var note = link.parentNode.querySelector('.note');
    note.className = 'note';
    note.textContent = '正在生成……';
    function show(text){ note.textContent = text; }
    fetch(link.dataset.prepare, {method: 'POST', headers: {'Accept': 'application/json'},
                                 credentials: 'same-origin'})
      .then(function(r){ return r.json(); })
      .then(function(j){
        if (j.ready) { delete link.dataset.busy; window.location.href = link.href; return; }
        jbPoll(j.status, show, function(s){
          delete link.dataset.busy;
          if (s.failure) { note.className = 'note bad'; note.textContent = s.failure; return; }
          link.removeAttribute('data-prepare');
          note.textContent = '已生成（' + s.elapsed + ' 秒）';
          window.location.href = link.href;
        });
      }, function(){
        delete link.dataset.busy;
        note.className = 'note bad';
        note.textContent = '未能开始生成，请重试。';
      });
  });
});
"""


def allocate_run(request: Request) -> Response:
    """生成分配 after 校验数据: the same run shown as the allocation (the workbook was read once)."""
    found = _run(request)
    if isinstance(found, Response):
        return found
    key, current = found
    current.check_only = False
    return RedirectResponse(pages.url(f"/runs/{key}"), 303)


def center_page(request: Request) -> Response:
    found = _run(request)
    if isinstance(found, Response):
        return found
    key, current = found
    if not current.outcome.ok:
        return pages.message("没有分配结果", "数据有错误，没有分配结果。", 409, back=f"/runs/{key}")
    try:
        explanation = explain(current.outcome.allocation, request.path_params["center"])
    except UnknownCenter as exc:
        return pages.message("找不到中心", str(exc), 404, back=f"/runs/{key}")
    overview, scores, workload, *records, total = sections(explanation)

    def block(table: t.Table) -> str:
        return f"<div><h2>{escape(table.title)}</h2>{pages.table_html(table, wrap=(1,))}</div>"

    body = (f"<h1>{escape(heading(explanation))}</h1><div class='buttons noprint'>"
            f"<a class='button' href='{escape(pages.url(f'/runs/{key}'))}'>返回分配结果</a></div><div class='card'>"
            f"<div class='row'>{block(overview)}{block(total)}</div>"
            + "".join(block(table) for table in (workload, *records, scores))
            + "<p class='hint'>金额单位：元。</p></div>")
    return pages.layout(explanation.result.name, body, step="/", keep=key)


def _document(request: Request) -> tuple[str, Run, Document] | Response:
    found = _run(request)
    if isinstance(found, Response):
        return found
    key, current = found
    document = BY_KEY.get(request.path_params["document"])
    if document is None:
        return pages.message("找不到文件", "没有这种文件。", 404, back=f"/runs/{key}")
    if not current.outcome.ok:
        return pages.message("不能下载", "数据有错误，没有分配结果可下载；请更正后重新生成分配。", 409,
                             back=f"/runs/{key}")
    if why := document.refused(current.outcome):  # as its command would refuse it, before any work
        return pages.message(f"不能生成{document.label}", why, 409, back=f"/runs/{key}")
    return key, current, document


def download(request: Request) -> Response:
    found = _document(request)
    if isinstance(found, Response):
        return found
    key, current, document = found
    outcome = current.outcome
    data = current.files.get(document.key)
    if data is None and document.slow:  # only a page without script gets here
        form = (f"<form method='post' action='{escape(web.action(request, f'/runs/{key}/files/{document.key}'))}'>"
                f"<button class='primary'>生成{escape(document.label)}</button></form>")
        return pages.layout(document.label, f"<h1>{escape(document.label)}</h1><div class='card'>"
                            f"<p>这个文件需要先生成（用 LibreOffice，可能要一两分钟）。</p>{form}</div>")
    if data is None:
        try:
            data = document.produce(outcome)
        except Exception as exc:  # a document refused (e.g. one that needs the 审定文号) says why
            return pages.message(f"未能生成{document.label}", failure_text(exc), 409, back=f"/runs/{key}")
    return web.file_response(data, document.file_name(outcome))


def prepare(request: Request) -> Response:
    """Start making a slow document (or find it made or being made); the job's status URL."""
    found = _document(request)
    if isinstance(found, Response):
        return found
    key, current, document = found
    state = web.state_of(request)
    href = f"/runs/{key}/files/{document.key}"
    with current.lock:
        if document.key in current.files:
            return (JSONResponse({"ready": pages.url(href)}) if web.wants_json(request)
                    else RedirectResponse(pages.url(href), 303))
        job_key = current.making.get(document.key)
        if job_key is None:
            def work(job: Job) -> str:
                job.message = f"正在用 LibreOffice 生成{document.label}……"
                current.files[document.key] = document.produce(current.outcome)
                return href

            def done():
                current.making.pop(document.key, None)

            job = Job(f"生成{document.label}", download=f"下载 {document.label}", back=f"/runs/{key}")
            job_key = state.start(job, work, done)
            current.making[document.key] = job_key
    if web.wants_json(request):
        return JSONResponse({"status": pages.url(f"/jobs/{job_key}/status")})
    return RedirectResponse(pages.url(f"/jobs/{job_key}"), 303)


ROUTES = [
    Route("/", start_page),
    Route("/runs", create_run, methods=["POST"]),
    Route("/runs/{key}", run_page),
    Route("/runs/{key}/allocate", allocate_run, methods=["POST"]),
    Route("/runs/{key}/centers/{center:path}", center_page),
    Route("/runs/{key}/files/{document}", download),
    Route("/runs/{key}/files/{document}", prepare, methods=["POST"]),
]
