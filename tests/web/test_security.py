"""Who may use the page, checked with plain HTTP requests (a browser would not send a wrong Host
or a cross-site POST): the token on every request, the served host only, changes by POST with
the token in the URL, uploads limited in size."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.web.support import DEMO, SCREEN, job_done, multipart, serve

PAGES = ("/", "/jinbao", "/jobs/abc", "/jobs/abc/status", "/runs/abc", "/runs/abc/files/result",
         "/imports/abc/file", "/favicon.ico")


@pytest.mark.parametrize("path", PAGES)
def test_every_request_without_the_token_is_refused(served, path):
    for where in (path, served.root + path):  # outside the pages' root, and inside it
        for headers in ({}, {"Cookie": "jbsys_session=wrong-session-of-the-same-length-xxxxx"}):
            response = served.request("GET", where, headers)
            assert response.status == 403
            assert "访问口令" in response.body.decode()
        assert served.request("GET", f"{where}?token=wrong").status == 403


def test_the_link_leads_into_a_random_root_with_a_cookie_that_is_not_the_token(served, tmp_path):
    """Browsers send a 127.0.0.1 cookie to every port: it holds a session secret of its own,
    only for paths under a random root no other service is ever asked for."""
    first = served.request("GET", f"/?token={served.token}")
    assert first.status == 303
    root = first.getheader("Location")
    assert re.fullmatch(r"/[A-Za-z0-9_-]{16}/", root) and served.token not in root
    cookie = first.getheader("Set-Cookie")
    session = re.match(r"jbsys_session=([^;]+); Path=(/[^;]+/); HttpOnly; SameSite=Strict$", cookie)
    assert session and session[2] == root and session[1] != served.token and served.token not in cookie
    later = served.request("GET", root + "jinbao", {"Cookie": f"jbsys_session={session[1]}"})
    assert later.status == 200 and later.getheader("Set-Cookie") is None
    assert "导入金保数据" in later.body.decode()
    assert served.request("GET", "/jinbao", {"Cookie": f"jbsys_session={session[1]}"}).status == 403
    assert served.request("GET", root + "jinbao", {"Cookie": f"jbsys_session={served.token}"}).status == 403
    other = serve(tmp_path / "other")
    try:
        assert other.root != served.root and other.session != served.session
    finally:
        other.stop()


def test_a_foreign_host_header_is_refused(served):
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header shows it."""
    path = served.with_token("/")
    for host in ("evil.example", f"evil.example:{served.port}", f"127.0.0.1:{served.port + 1}", "127.0.0.1"):
        response = served.request("GET", path, host=host)
        assert response.status == 403, host
        assert "地址不符" in response.body.decode()
    assert served.request("GET", path, host=f"localhost:{served.port}").status == 200


def test_a_change_needs_post_with_the_token_in_its_url(served):
    headers, body = multipart({"action": "check"}, [("workbook", DEMO)])
    by_cookie = served.request("POST", served.root + "/runs", {**headers, **served.cookie()}, body)
    assert by_cookie.status == 403  # a cookie alone could have been sent by another page
    foreign = served.request("POST", served.with_token("/runs"), {**headers, "Origin": "http://evil.example"},
                             body)
    assert foreign.status == 403
    accepted = served.request("POST", served.with_token("/runs"),
                              {**headers, "Origin": f"http://127.0.0.1:{served.port}"}, body)
    assert accepted.status == 303 and accepted.getheader("Location").startswith(served.root + "/jobs/")
    assert served.request("GET", served.with_token("/runs")).status == 405  # no change by GET


def test_pages_ask_not_to_be_cached_and_load_nothing_from_elsewhere(served):
    response = served.request("GET", served.with_token("/"))
    assert response.getheader("Cache-Control") == "no-store"
    policy = response.getheader("Content-Security-Policy")
    assert "default-src 'none'" in policy and "http" not in policy
    page = response.body.decode()
    assert "http://" not in page and "https://" not in page and "<script src" not in page


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    server = serve(tmp_path_factory.mktemp("small"), "--max-upload", "1")
    yield server
    server.stop()


def test_an_upload_over_the_limit_is_refused_in_chinese_and_nothing_is_kept(small, tmp_path):
    big = tmp_path / "大.xlsx"
    big.write_bytes(b"0" * (1024 * 1024 + 1))
    headers, body = multipart({"action": "check"}, [("workbook", big)])
    response = small.request("POST", small.with_token("/runs"), headers, body)
    assert response.status == 413
    assert "上传的文件太大" in response.body.decode() and "1 MB" in response.body.decode()
    chunked = small.request("POST", small.with_token("/runs"),
                            {**headers, "Transfer-Encoding": "chunked"},
                            b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert chunked.status == 413  # no length given: counted as it arrives
    assert [p for p in small.tmp.rglob("*") if p.is_file()] == []


def test_the_page_says_the_limit_before_uploading(browser, small, tmp_path):
    big = tmp_path / "大.xlsx"
    big.write_bytes(b"0" * (2 * 1024 * 1024))
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.goto(small.url)
    page.locator("input[type=file]").first.set_input_files(str(big))
    page.get_by_role("button", name="校验数据").click()
    status = page.locator("form .status")
    assert "超过上限 1 MB，未上传" in status.inner_text()
    assert page.url == small.base + "/"  # still the start page: nothing was sent
    context.close()


def test_the_browser_holds_one_cookie_for_this_servers_root_and_other_local_services_get_none(
        browser, served):
    """What the security trial did: the tool's page, then another service on 127.0.0.1 in the
    same browser; that service used to receive the token as a cookie."""
    seen = []

    class Other(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Cookie")))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write("<p>另一个本机服务</p>".encode())

        def log_message(self, *args):
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    context = browser.new_context(viewport=SCREEN)
    try:
        page = context.new_page()
        page.goto(served.url)
        assert page.url == served.base + "/"  # the address bar holds no token
        cookies = context.cookies()
        assert [(c["name"], c["path"], c["httpOnly"], c["sameSite"]) for c in cookies] == [
            ("jbsys_session", served.root + "/", True, "Strict")]
        assert served.token not in cookies[0]["value"]
        for path in ("/", "/other-local-app", "/jinbao"):
            page.goto(f"http://127.0.0.1:{other.server_port}{path}")
        assert len(seen) == 3 and [cookie for _, cookie in seen] == [None, None, None]
        page.goto(served.base + "/jinbao")  # this server's pages still open with the cookie
        assert page.locator("h1").inner_text() == "导入金保数据、回访清单和回访结果"
    finally:
        context.close()
        other.shutdown()


LINK = re.compile(r"""\b(?:href|action|formaction|data-prepare)=['"]([^'"]*)['"]|fetch\((".*?")""")


def test_every_link_form_and_script_target_stays_under_the_root(served):
    """A link outside the root would lose the cookie (a 403 on the next click): every page's
    links, forms and script targets go through pages.url."""
    headers, body = multipart({"action": "allocate"}, [("workbook", DEMO)])
    job = served.request("POST", served.with_token("/runs"), headers, body).getheader("Location")
    run = job_done(served, job)
    center = re.search(r"<a href=\"([^\"]+/centers/[^\"]+)\"", served.request("GET", run, served.cookie())
                       .body.decode())[1]
    shown = [served.root + path for path in ("/", "/jinbao", "/nowhere", "/runs/expired")] + [job, run, center]
    found = 0
    for path in shown:
        page = served.request("GET", path, served.cookie()).body.decode()
        for link, script in LINK.findall(page):
            target = link or json.loads(script)
            assert target.startswith(served.root + "/"), (path, target)
            found += 1
    assert found > 30


def test_a_name_longer_than_the_file_system_allows_is_cut_by_bytes_not_refused(served):
    """81 emoji are 324 bytes: more than any file system takes, fewer than 200 characters."""
    name = "😀" * 70 + "." + "😀" * 10 + ".xlsm"
    boundary = "jbsys-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\ncheck\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + DEMO.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    response = served.request("POST", served.with_token("/runs"),
                              {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body)
    assert response.status == 303
    page = served.request("GET", job_done(served, response.getheader("Location")), served.cookie()).body.decode()
    shown = re.search(r"<h1>数据校验结果：(.+?)</h1>", page)[1]
    assert shown.endswith(".xlsm") and shown.startswith("😀" * 10) and len(shown.encode()) <= 200
    assert "年度校验通过" in page


def test_the_browser_is_started_on_a_private_file_not_on_the_tokened_link(browser, tmp_path):
    """A process's command line is readable by every local user and a browser keeps it for its
    whole life: the server starts the browser on a 0600 file that forwards to the link."""
    seen = tmp_path / "browser-argv"
    command = tmp_path / "browser.sh"
    command.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n')
    command.chmod(0o755)
    served = serve(tmp_path / "server", browser=f"{command} %s")
    try:
        for _ in range(100):
            if seen.exists() and seen.read_text():
                break
            time.sleep(0.1)
        started_on = seen.read_text()
        assert started_on.startswith("file://") and served.token not in started_on
        entry = Path(urllib.parse.unquote(urllib.parse.urlparse(started_on).path))
        assert entry.stat().st_mode & 0o777 == 0o600 and served.tmp in entry.parents
        context = browser.new_context(viewport=SCREEN, locale="zh-CN")
        page = context.new_page()
        page.goto(started_on)
        page.wait_for_url(f"http://127.0.0.1:{served.port}{served.root}/")  # the address bar holds no token
        assert "生成分配" in page.content()
        context.close()
    finally:
        served.stop()
    assert not entry.exists()  # gone with the private folder
