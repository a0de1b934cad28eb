"""The page as an ASGI app: the two steps' routes, the jobs' progress, all behind the Guard."""
from __future__ import annotations

from html import escape

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import allocation, jinbao, pages
from .guard import Guard
from .jobs import Job
from .state import State, state_of

# --- jobs ----------------------------------------------------------------------------------------

def job_page(request: Request) -> Response:
    key = request.path_params["key"]
    job = state_of(request).store.get(Job, key)
    if job is None:
        return pages.message("找不到任务", "这项任务已过期（本程序只保留最近的任务）。"
                             "请重新选择文件。", 404)
    back = escape(pages.url(job.back))
    if job.done and job.failure:
        return pages.layout(job.title, f"<h1>{escape(job.title)}：未完成</h1><div class='notice'>"
                            f"{escape(job.failure)}</div><p><a href='{back}'>返回</a></p>")
    if job.done and job.download:  # a page without script comes here: the file is a link
        return pages.layout(job.title, f"<h1>{escape(job.title)}</h1><div class='ok'>已生成："
                            f"<a href='{escape(pages.url(job.target))}'>{escape(job.download)}</a></div>"
                            f"<div class='buttons'><a class='button' href='{back}'>返回</a>"
                            "</div>")
    if job.done:
        return RedirectResponse(pages.url(job.target), 303)
    status = pages.url(f"/jobs/{key}/status")
    body = (f"<h1>{escape(job.title)}</h1><div class='card'><div id='message'>{escape(job.message)}</div>"
            "<div class='progress'><div></div></div><p class='hint'>请稍候，完成后自动显示结果。"
            "大的工作簿或生成 PDF 可能需要几分钟。</p></div>")
    script = (pages.POLL_SCRIPT + f"jbPoll({status!r}, function(text){{document.getElementById('message')"
              ".textContent = text;}, function(s){ location.replace(s.target); });")
    return pages.layout(job.title, body, script=script, refresh="2")


def job_status(request: Request) -> Response:
    job = state_of(request).store.get(Job, request.path_params["key"])
    if job is None:
        return JSONResponse({"done": True, "failure": "任务已过期，请重新选择文件。", "target": pages.url("/")},
                            404)
    return JSONResponse({**job.status(), "target": pages.url(job.target) if job.target else ""})


def keep(request: Request) -> Response:
    """A tab showing a result says it still does: the result is kept (jobs.Store)."""
    return Response(status_code=204 if state_of(request).store.touch(request.path_params["key"]) else 404)


def not_found(request: Request, exc) -> Response:
    return pages.message("找不到页面", "没有这个页面。", 404)


def wrong_method(request: Request, exc) -> Response:
    return pages.message("请从页面上操作", "请用页面上的按钮提交，不要直接打开这个地址。", 405)


def create_app(state: State) -> Starlette:
    routes = [
        Route("/jobs/{key}", job_page),
        Route("/jobs/{key}/status", job_status),
        Route("/keep/{key}", keep),
        *allocation.ROUTES,
        *jinbao.ROUTES,
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, access=state.access)],
                    exception_handlers={404: not_found, 405: wrong_method})
    app.state.jbsys = state
    return app
