"""The page's HTML: one layout, the tables and the checks as every screen shows them.

Plain server-rendered HTML with a little inline script (progress, the size check before an
upload) and no file from anywhere else, so it works offline in the Chromium- and Firefox-based
browsers of 信创 systems. Values are escaped here, in one place.
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from ..console import WARNINGS_SHOWN
from ..model import Check, problem_count
from ..report import tables as t

@dataclass(frozen=True)
class Site:
    """What every page of the request's server shares (set by the guard for each request)."""

    root: str = ""  # the path prefix every page lives under (guard.Access.root)
    plain_network: bool = False  # served beyond this computer, over plain http


SITE: ContextVar[Site] = ContextVar("site", default=Site())


def url(path: str) -> str:
    """The URL the browser uses for the app's own ``path`` (``/runs/…``): under the root. Every
    link, form, redirect and script target goes through here."""
    return SITE.get().root + path


APP_TITLE = "JBSys-XL 人社基层平台考核与资金分配"
STEPS = (("/", "① 校验与生成分配"), ("/jinbao", "② 导入金保数据、回访清单"))
PLAIN_NETWORK = ("注意：本页面在网络上以未加密的 http 传输，同一网络中的其他人可能截获链接中的访问口令和上传、下载的"
                 "数据（含个人信息）。只在确有需要时这样使用，用完请在终端按 Ctrl+C 停止。")
MB = 1024 * 1024

STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",
"Microsoft YaHei",sans-serif;color:#1d2733;background:#f3f5f8}
header{background:#1f4e79;color:#fff;display:flex;align-items:center;gap:28px;padding:0 24px;height:48px}
header b{font-size:16px}
header nav a{color:#cfe0f1;text-decoration:none;padding:13px 12px;display:inline-block}
header nav a.on{color:#fff;border-bottom:3px solid #f0b429;font-weight:bold}
main{max-width:1320px;margin:0 auto;padding:14px 16px 32px}
h1{font-size:20px;margin:4px 0 10px}
h2{font-size:16px;margin:18px 0 8px}
.card{background:#fff;border:1px solid #d5dce4;border-radius:6px;padding:14px 18px;margin:0 0 14px}
.row{display:flex;gap:14px;align-items:flex-start;flex-wrap:wrap}
.grow{flex:1 1 420px}
label{display:block;margin:8px 0 4px;font-weight:bold}
input[type=file]{padding:8px;border:1px dashed #8aa1b8;border-radius:4px;width:100%;background:#fafcfe}
input[type=number]{padding:5px 8px;width:150px;border:1px solid #aab6c3;border-radius:4px}
button,.button{font:inherit;padding:7px 18px;border-radius:4px;border:1px solid #1f4e79;background:#fff;
color:#1f4e79;cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:#1f4e79;color:#fff}
button:hover,.button:hover{filter:brightness(0.93)}
.buttons{display:flex;gap:12px;align-items:center;margin-top:14px;flex-wrap:wrap}
.hint{color:#5b6b7c;font-size:13px}
.badge{display:inline-block;padding:1px 10px;border-radius:10px;font-size:13px;font-weight:bold;
vertical-align:2px;margin-left:8px}
.badge.draft{background:#fff1c2;color:#7a5200;border:1px solid #e3b341}
.badge.final{background:#d9f2df;color:#1a5e2a;border:1px solid #5cb270}
.notice{border-left:4px solid #c0392b;background:#fdf0ee;padding:10px 14px;margin:0 0 14px}
.ok{border-left:4px solid #2e8b57;background:#eef8f1;padding:10px 14px;margin:0 0 14px}
.checks{margin:0;padding:0;list-style:none}
.checks li{padding:3px 0 3px 10px;border-left:3px solid transparent}
.checks li.error{border-color:#c0392b}
.checks li.warning{border-color:#e3b341}
.where{font-weight:bold;margin-right:2px}
.error .where{color:#b03a2e}
.downloads{display:flex;flex-wrap:wrap;gap:8px 26px;margin:0;padding:0;list-style:none;align-items:baseline}
.downloads a{font-weight:bold}
.note{color:#5b6b7c;font-size:13px;margin-left:6px}
.note.bad{color:#b03a2e}
.scroll{display:inline-block;max-width:100%;overflow:auto;max-height:calc(100vh - 300px);
border:1px solid #d5dce4;background:#fff;vertical-align:top}
.scroll table{border:0}
.pinned{max-width:100%;overflow-x:auto;background:#fff;margin:0 0 14px}
.pinned table{border-collapse:separate;border-spacing:0;border:0}
.pinned th,.pinned td{border-width:0 1px 1px 0;padding:3px 5px}
.pinned tr>:first-child{border-left-width:1px}
.pinned thead th{border-top-width:1px;white-space:normal;vertical-align:bottom;min-width:3.5em}
.pinned td{background:#fff}
.pin-left,.pin-right{position:sticky;z-index:2}
th.pin-left,th.pin-right{z-index:3}
.pin-left{left:0;box-shadow:1px 0 0 #aab6c3}
.pin-right{right:0;box-shadow:-1px 0 0 #aab6c3}
.total{font-size:16px;margin:0 0 10px}
.total b{font-size:20px;color:#1f4e79}
table{border-collapse:collapse;font-size:13px;background:#fff}
th,td{border:1px solid #d5dce4;padding:3px 8px;white-space:nowrap}
th{background:#e8eef5;position:sticky;top:0;z-index:1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.wrap{white-space:normal;min-width:280px}
tr.subtotal td{background:#f1f4f8;font-weight:bold}
tr.total td{background:#dde6f0;font-weight:bold}
tbody tr:hover td{background:#fffbe6}
.progress{height:8px;background:#e1e7ee;border-radius:4px;overflow:hidden;margin:12px 0}
.progress div{height:100%;width:35%;background:#1f4e79;border-radius:4px;
animation:slide 1.4s infinite ease-in-out}
@keyframes slide{0%{margin-left:-35%}100%{margin-left:100%}}
details summary{cursor:pointer;color:#1f4e79}
@page{size:A4 landscape;margin:10mm}
@media print{header,.buttons,.noprint,form{display:none}.scroll,.pinned{max-height:none;overflow:visible;border:0}
body{background:#fff}main{max-width:none;padding:0}.card{border:0;padding:0}
.pinned table{font-size:10px}.pinned th,.pinned td{padding:1px 4px}
.pin-left,.pin-right,th{position:static;box-shadow:none}a{color:inherit;text-decoration:none}}
"""

# Before an upload: the size limit said in Chinese, and no second submit while one is on its way.
UPLOAD_SCRIPT = """
document.querySelectorAll('form[data-max]').forEach(function(form){
  form.addEventListener('submit', function(event){
    var max = +form.dataset.max, size = 0, status = form.querySelector('.status');
    form.querySelectorAll('input[type=file]').forEach(function(input){
      for (var i = 0; i < input.files.length; i++) size += input.files[i].size;
    });
    if (size > max) {
      event.preventDefault();
      status.className = 'status note bad';
      status.textContent = '所选文件共 ' + (size / 1048576).toFixed(1) + ' MB，超过上限 ' +
        (max / 1048576).toFixed(0) + ' MB，未上传。请分批选择，或用命令行 jbsys-xl 处理。';
      return;
    }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = '1';
    status.className = 'status note';
    status.textContent = '正在上传……';
  });
});
window.addEventListener('pageshow', function(){
  document.querySelectorAll('form[data-sent]').forEach(function(form){ delete form.dataset.sent; });
});
"""

# A job's progress: poll its status until done, then go to the page it names.
POLL_SCRIPT = """
function jbPoll(url, show, done) {
  fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function(r){ return r.json(); })
    .then(function(s){
      if (s.done) { done(s); return; }
      show(s.message + '（已用 ' + s.elapsed + ' 秒）');
      setTimeout(function(){ jbPoll(url, show, done); }, 600);
    }, function(){ setTimeout(function(){ jbPoll(url, show, done); }, 2000); });
}
"""


# A page showing a result asks for it every minute, so it is kept while the tab is open.
KEEP_SCRIPT = """
setInterval(function(){ fetch(%s, {cache: 'no-store', credentials: 'same-origin'}); }, 60000);
"""


def layout(title: str, body: str, step: str | None = None, script: str = "",
           status_code: int = 200, refresh: str = "", keep: str = "") -> HTMLResponse:
    """A whole page; ``script`` runs under a fresh nonce, the only script the page allows;
    ``keep`` is the id of the result it shows (kept while the page is open)."""
    if keep:
        script += KEEP_SCRIPT % json.dumps(url(f"/keep/{keep}"))
    nonce = secrets.token_urlsafe(12)
    nav = "".join(f'<a href="{escape(url(href))}"{" class=on" if href == step else ""}>{escape(label)}</a>'
                  for href, label in STEPS)
    if SITE.get().plain_network:
        body = f"<div class='notice noprint'>{escape(PLAIN_NETWORK)}</div>{body}"
    tag = f'<script nonce="{nonce}">{script}</script>' if script else ""
    reload = f'<noscript><meta http-equiv="refresh" content="{refresh}"></noscript>' if refresh else ""
    html = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{reload}'
            f"<title>{escape(title)} - JBSys-XL</title><style>{STYLE}</style></head><body>"
            f"<header><b>{APP_TITLE}</b><nav>{nav}</nav></header>"
            f"<main>{body}</main>{tag}</body></html>")
    policy = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
              "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
              "frame-ancestors 'none'")
    return HTMLResponse(html, status_code, headers={"content-security-policy": policy})


def message(title: str, text: str, status_code: int = 200, back: str = "/") -> HTMLResponse:
    """A page with one message and a way back (the app's path ``back``)."""
    body = (f"<h1>{escape(title)}</h1><div class='card'><p>{escape(text)}</p>"
            f"<p><a href='{escape(url(back))}'>返回</a></p></div>")
    return layout(title, body, status_code=status_code)


def cell_class(kind: str) -> str:
    return "" if kind in (t.TEXT, t.BOOL) else "num"


def table_html(table: t.Table, links: dict[int, Callable[[object], str]] | None = None,
               wrap: Sequence[int] = (), pin: tuple[int, int] | None = None) -> str:
    """A report table as the documents show it: 小计 and 合计 rows marked, numbers right-aligned
    in the same text as on paper (thousands separators); ``links`` turn a column's cells (not
    its 小计/合计) into links; ``wrap`` columns of long text wrap; ``pin`` (left, right) are the
    columns kept in view when the table scrolls sideways (in a ``.pinned`` box)."""
    links = links or {}
    pinned = {} if pin is None else {pin[0]: "pin-left", pin[1]: "pin-right"}
    # A pinned table's headers wrap to keep it narrow: “（应得）” then goes on a line of its own.
    names = [escape(h).replace("（", "<br>（") if pin else escape(h) for h in table.headers]
    head = "".join(f'<th class="{pinned[col]}">{name}</th>' if col in pinned else f"<th>{name}</th>"
                   for col, name in enumerate(names))
    rows = []
    for index, row in enumerate(table.rows):
        role = "total" if index in table.totals else "subtotal" if index in table.subtotals else ""
        cells = []
        for col, (value, kind) in enumerate(zip(row, table.kinds)):
            text = escape(_count(value) if kind == t.INT else t.cell_text(value, kind))
            if col in links and not role and value is not None:
                text = f'<a href="{escape(links[col](value))}">{text}</a>'
            classes = " ".join(c for c in (cell_class(kind), "wrap" if col in wrap else "", pinned.get(col, ""))
                               if c)
            cells.append(f'<td class="{classes}">{text}</td>' if classes else f"<td>{text}</td>")
        rows.append(f'<tr class="{role}">{"".join(cells)}</tr>' if role else f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _count(value) -> str:
    """A count on screen: thousands separated, as the page writes every count (2,201 行)."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else t.cell_text(value, t.INT)


def _check_items(checks: Sequence[Check]) -> str:
    return "".join(f'<li class="{c.level}"><span class="where">{escape(c.where)}</span>'
                   f'{"：" if c.where else ""}{escape(c.message)}</li>' for c in checks)


def checks_html(checks: Sequence[Check], what_failed: str) -> str:
    """Errors and warnings as the CLI prints them — each ``工作表!单元格`` (grouped:
    ``… 等 N 处``) and its message; errors first here, as they are what stops the work, then the
    first WARNINGS_SHOWN warnings with the rest folded away."""
    errors = [c for c in checks if c.level == "error"]
    warnings = [c for c in checks if c.level == "warning"]
    parts = []
    if errors:
        parts.append(f'<div class="notice"><b>发现 {problem_count(errors):,} 个错误，{escape(what_failed)}。'
                     f'</b>请在工作簿中按下列位置更正后重新选择文件。</div>'
                     f'<ul class="checks" id="errors">{_check_items(errors)}</ul>')
    if warnings:
        shown, rest = warnings[:WARNINGS_SHOWN], warnings[WARNINGS_SHOWN:]
        more = (f"<details><summary>另有 {len(rest):,} 条警告</summary>"
                f'<ul class="checks">{_check_items(rest)}</ul></details>' if rest else "")
        parts.append(f"<h2>警告 {problem_count(warnings):,} 个</h2>"
                     f'<ul class="checks" id="warnings">{_check_items(shown)}</ul>{more}')
    return "".join(parts)


def upload_form(action: str, max_upload: int, fields: str, buttons: str) -> str:
    """A multipart form posting to ``action`` (which carries the token), checked for size first."""
    return (f'<form method="post" enctype="multipart/form-data" action="{escape(action)}" '
            f'data-max="{max_upload}">{fields}<div class="buttons">{buttons}'
            f'<span class="status note"></span></div></form>')


def year_field() -> str:
    return ('<label for="year">考核年度</label><input type="number" id="year" name="year" min="2000" '
            'max="2100" placeholder="默认最新年度"> <span class="hint">留空：取“参数”表中最新的年度</span>')


def limit_text(max_upload: int) -> str:
    return f"一次上传合计不超过 {max_upload / MB:,.0f} MB"
