"""Who may use the page: the per-run token, the served host, and POST for every change.

The page handles personal data (金保 exports) on a port that every program on the computer —
and with ``--host`` anyone on the network — can reach. So every request names the served host
in its Host header (a DNS-rebinding page names its own host), and carries the token printed at
start, or the session cookie its first valid visit sets; a request that changes something is a
POST with the token in its URL, not just a cookie a browser might attach.

Browsers send a 127.0.0.1 cookie to every port of 127.0.0.1, so the cookie must be worth nothing
elsewhere (documents.md §8, v4): its value is a session secret of its own, never the token, and
it is scoped to a random path prefix under which every page of this server lives (``root``).
The printed link ``/?token=…`` is answered by a redirect to the root, setting the cookie: the
address bar then holds no token. Another local service never receives the cookie, as it is
never asked for a path under the root; nor does anything outside the root reveal it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from starlette.datastructures import Headers, QueryParams
from starlette.responses import RedirectResponse

from . import pages

SAFE_METHODS = frozenset({"GET", "HEAD"})
TOKEN = "token"
COOKIE = "jbsys_session"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Access:
    token: str
    hosts: frozenset[str]  # Host header values served, lower case: "127.0.0.1:8765", …
    port: int
    plain_network: bool = False  # served beyond this computer, over plain http
    session: str = field(default_factory=new_token)  # the cookie's value
    root: str = field(default_factory=lambda: "/" + secrets.token_urlsafe(12))  # every page's prefix

    def valid(self, token: str | None) -> bool:
        return bool(token) and secrets.compare_digest(token.encode(), self.token.encode())

    def valid_session(self, value: str | None) -> bool:
        return bool(value) and secrets.compare_digest(value.encode(), self.session.encode())

    def origins(self) -> set[str]:
        return {f"http://{host}" for host in self.hosts}

    def cookie(self) -> str:
        return f"{COOKIE}={self.session}; Path={self.root}/; HttpOnly; SameSite=Strict"


class Guard:
    """ASGI middleware in front of the whole app (pure ASGI: uploads stream through untouched)."""

    def __init__(self, app, access: Access):
        self.app, self.access = app, access

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        query = QueryParams(scope.get("query_string", b""))
        access = self.access
        if headers.get("host", "").lower() not in access.hosts:
            return await self._refuse(scope, receive, send, "地址不符",
                                      "请求的主机名不是本程序的地址，已拒绝（防止其他网页冒用本程序）。"
                                      "请使用启动时显示的地址打开。")
        by_query = access.valid(query.get(TOKEN))
        changes = scope["method"] not in SAFE_METHODS
        path = scope["path"]
        if not (path == access.root or path.startswith(access.root + "/")):
            if by_query and not changes:  # the printed link: into the root, the cookie set
                rest = urlencode([(k, v) for k, v in query.multi_items() if k != TOKEN])
                response = RedirectResponse(access.root + path + (f"?{rest}" if rest else ""), 303)
                response.headers.update({k.decode(): v.decode() for k, v in SECURITY_HEADERS})
                response.headers["set-cookie"] = access.cookie()
                return await response(scope, receive, send)
            return await self._refuse(scope, receive, send, "需要访问口令", NO_TOKEN)
        by_cookie = access.valid_session(_cookie(headers, COOKIE))
        if not (by_query or (by_cookie and not changes)):
            return await self._refuse(scope, receive, send, "需要访问口令", NO_TOKEN)
        origin = headers.get("origin")
        if changes and origin is not None and origin not in access.origins():
            return await self._refuse(scope, receive, send, "来源不符", "来自其他网页的提交已拒绝。")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = list(message.get("headers", [])) + SECURITY_HEADERS
                if by_query and not by_cookie:
                    extra.append((b"set-cookie", access.cookie().encode()))
                message = {**message, "headers": extra}
            await send(message)

        site = pages.SITE.set(pages.Site(access.root, access.plain_network))
        try:  # the app's routes see their own paths; pages.url() puts the root back in links
            await self.app({**scope, "root_path": access.root}, receive, send_with_headers)
        finally:
            pages.SITE.reset(site)

    @staticmethod
    async def _refuse(scope, receive, send, title: str, text: str):
        response = pages.message(title, text, status_code=403)
        response.headers.update({k.decode(): v.decode() for k, v in SECURITY_HEADERS})
        await response(scope, receive, send)


NO_TOKEN = ("链接中缺少有效的访问口令（token），已拒绝。请复制启动 jbsys-xl serve 时显示的完整地址（含 ?token=…）"
            "在浏览器中打开；重新启动后口令会改变。")


def _cookie(headers: Headers, name: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no token, not a server error
        return None
    return cookie[name].value if name in cookie else None


SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),  # pages may show names of centers and exports: keep no copy
    (b"referrer-policy", b"same-origin"),  # the token is in URLs; and same-origin POSTs keep their Origin
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]
