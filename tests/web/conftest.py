"""One server and one browser for the page's tests; a fresh page (1366×768) per test."""
from __future__ import annotations

import pytest

from tests.web.support import BROWSER_ARGS, SCREEN, browser_path, missing, serve


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    server = serve(tmp_path_factory.mktemp("served"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    path = browser_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport=SCREEN, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.goto(served.url)
    yield page
    context.close()
