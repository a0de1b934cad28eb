"""Who may use the page, checked with plain HTTP requests (a browser would not send a wrong Host
or a cross-site POST): the token on every request, the served host only, changes by POST with
the token in the URL, uploads limited in size."""
from __future__ import annotations

import pytest

from tests.web.support import DEMO, SCREEN, multipart, serve

PAGES = ("/", "/jinbao", "/jobs/abc", "/jobs/abc/status", "/runs/abc", "/runs/abc/files/result",
         "/imports/abc/file", "/favicon.ico")


@pytest.mark.parametrize("path", PAGES)
def test_every_request_without_the_token_is_refused(served, path):
    for headers in ({}, {"Cookie": f"jbsys_token_{served.port}=wrong-token-of-the-same-length-xx"}):
        response = served.request("GET", path, headers)
        assert response.status == 403
        assert "访问口令" in response.body.decode()
    assert served.request("GET", f"{path}?token=wrong").status == 403


def test_the_link_sets_a_strict_cookie_that_later_pages_use(served):
    first = served.request("GET", served.with_token("/"))
    assert first.status == 200
    cookie = first.getheader("Set-Cookie")
    assert cookie.startswith(f"jbsys_token_{served.port}={served.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    later = served.request("GET", "/jinbao", served.cookie())
    assert later.status == 200 and later.getheader("Set-Cookie") is None
    assert "导入金保数据" in later.body.decode()


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
    by_cookie = served.request("POST", "/runs", {**headers, **served.cookie()}, body)
    assert by_cookie.status == 403  # a cookie alone could have been sent by another page
    foreign = served.request("POST", served.with_token("/runs"), {**headers, "Origin": "http://evil.example"},
                             body)
    assert foreign.status == 403
    accepted = served.request("POST", served.with_token("/runs"),
                              {**headers, "Origin": f"http://127.0.0.1:{served.port}"}, body)
    assert accepted.status == 303 and accepted.getheader("Location").startswith("/jobs/")
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
    assert page.url == small.url
    context.close()
