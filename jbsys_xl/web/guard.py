"""Who may use the page: the per-run token, the served host, and POST for every change.

The page handles personal data (金保 exports) on a port that every program on the computer —
and with ``--host`` anyone on the network — can reach. So every request carries the token
printed at start (in the query, or in the cookie the first valid visit sets), names the served
host in its Host header (a DNS-rebinding page names its own host), and a request that changes
something is a POST with the token in its URL, not just a cookie a browser might attach.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie

from starlette.datastructures import Headers, QueryParams

from . import pages

SAFE_METHODS = frozenset({"GET", "HEAD"})
TOKEN = "token"


@dataclass(frozen=True)
class Access:
    token: str
    hosts: frozenset[str]  # Host header values served, lower case: "127.0.0.1:8765", …
    port: int

    @property
    def cookie(self) -> str:
        """Cookies ignore the port: two servers on one computer must not overwrite each other's."""
        return f"jbsys_token_{self.port}"

    def valid(self, token: str | None) -> bool:
        return bool(token) and secrets.compare_digest(token.encode(), self.token.encode())

    def origins(self) -> set[str]:
        return {f"http://{host}" for host in self.hosts}


def new_token() -> str:
    return secrets.token_urlsafe(24)


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
        by_cookie = access.valid(_cookie(headers, access.cookie))
        changes = scope["method"] not in SAFE_METHODS
        if not (by_query or (by_cookie and not changes)):
            return await self._refuse(scope, receive, send, "需要访问口令",
                                      "链接中缺少有效的访问口令（token），已拒绝。"
                                      "请复制启动 jbsys-xl serve 时显示的完整地址（含 ?token=…）"
                                      "在浏览器中打开；重新启动后口令会改变。")
        origin = headers.get("origin")
        if changes and origin is not None and origin not in access.origins():
            return await self._refuse(scope, receive, send, "来源不符", "来自其他网页的提交已拒绝。")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = list(message.get("headers", [])) + SECURITY_HEADERS
                if by_query and not by_cookie:
                    extra.append((b"set-cookie", (f"{access.cookie}={access.token}; Path=/; HttpOnly; "
                                                  "SameSite=Strict").encode()))
                message = {**message, "headers": extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _refuse(scope, receive, send, title: str, text: str):
        response = pages.message(title, text, status_code=403)
        response.headers.update({k.decode(): v.decode() for k, v in SECURITY_HEADERS})
        await response(scope, receive, send)


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
