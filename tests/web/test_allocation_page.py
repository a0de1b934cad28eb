"""Step ① in a real browser: the workbook in, the checks at their cells or the allocation table
out, and downloads equal to the CLI's files for the same input and SOURCE_DATE_EPOCH."""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import pytest

from jbsys_xl.cli import default_output, main
from jbsys_xl.pipeline import run
from jbsys_xl.report import tables as t
from jbsys_xl.report.explain import explain, heading
from jbsys_xl.web.documents import DOCUMENTS
from tests.support import require_soffice
from tests.support import workbooks as wb
from tests.support.approved import write_approved_demo, write_publicity_demo
from tests.web.support import DEMO, EPOCH, pdf_without_metadata

ROWS = "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))"


@pytest.fixture(scope="module")
def outcome():
    result = run(DEMO)
    assert result.ok, result.errors
    return result


@pytest.fixture
def epoch(monkeypatch):
    """The CLI run in this process dates its outputs as the server does."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def choose(page, workbook, button: str) -> None:
    """The first file input of the start page takes the allocation workbook (documents.md §8)."""
    page.locator("input[type=file]").first.set_input_files(str(workbook))
    page.get_by_role("button", name=button, exact=True).click()


def allocation_rows(page) -> list[list[str]]:
    page.locator("#allocation table").wait_for(timeout=60_000)
    return page.eval_on_selector_all("#allocation tbody tr", ROWS)


def download(page, link, timeout: float = 30_000):
    with page.expect_download(timeout=timeout) as started:
        link.click()
    return started.value


def test_the_table_shows_every_centers_total_the_district_subtotals_and_the_status(page, outcome):
    choose(page, DEMO, "生成分配")
    rows = allocation_rows(page)
    allocation = outcome.allocation
    money = [(row[1], row[-1]) for row in rows]  # 中心编码, 中心名称 (小计, 合计), …, 合计
    expected = []
    for district in allocation.districts:
        centers = [c for c in allocation.centers if c.district == district.district]
        expected += [(c.name, f"{c.total:,.2f}") for c in centers]
        expected.append((f"{district.district} {t.SUBTOTAL}", f"{sum(c.total for c in centers):,.2f}"))
    expected.append((t.TOTAL, f"{sum(c.total for c in allocation.centers):,.2f}"))
    assert money == expected
    assert any("," in total for _, total in money)  # thousands separators, as in the documents
    assert page.locator("h1 .badge").inner_text() == t.status_text(allocation.settings) == "草案"
    offered = page.locator("#downloads a").all_inner_texts()
    assert offered == [f"下载 {document.label}" for document in DOCUMENTS  # one link per entry …
                       if document.kind not in ("公示", "拨付明细")]  # … but those the stage refuses


def test_the_result_workbook_downloaded_equals_the_clis(page, outcome, tmp_path, epoch):
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    link = page.locator("#downloads a", has_text="分配结果")
    assert link.count() == 1
    got = download(page, link)
    cli_file = tmp_path / "cli.xlsx"
    assert main(["allocate", str(DEMO), "-o", str(cli_file)]) == 0
    assert got.suggested_filename == default_output(DEMO, outcome.year).name
    assert open(got.path(), "rb").read() == cli_file.read_bytes()


def test_the_pdfs_downloaded_equal_the_clis_but_for_the_conversion_stamp(page, tmp_path, epoch):
    require_soffice()
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    cli_attachment, cli_notices = tmp_path / "附件.pdf", tmp_path / "告知书.pdf"
    assert main(["report", str(DEMO), "--pdf", str(cli_attachment)]) == 0
    assert main(["notices", str(DEMO), "-o", str(cli_notices)]) == 0
    for label, cli_file in (("附件", cli_attachment), ("告知书", cli_notices)):
        item = page.locator("#downloads li", has_text=label)
        got = download(page, item.locator("a"), timeout=240_000)
        assert got.suggested_filename.endswith(".pdf")
        data = open(got.path(), "rb").read()
        assert data.startswith(b"%PDF")
        assert pdf_without_metadata(data) == pdf_without_metadata(cli_file.read_bytes())
        assert re.fullmatch(r"已生成（\d+ 秒）", item.locator(".note").inner_text())
        # made once: the link now fetches the same file without making it again
        assert item.locator("a").get_attribute("data-prepare") is None
        assert open(download(page, item.locator("a")).path(), "rb").read() == data


def test_a_click_on_a_center_explains_its_money(page, outcome):
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    center = outcome.allocation.centers[2]
    page.locator("#allocation a", has_text=center.name).click()
    explanation = explain(outcome.allocation, center.code)
    assert page.locator("h1").inner_text() == heading(explanation)
    total_row = page.locator("tr", has_text="基础达标奖励 + ").inner_text()
    assert f"{center.total:,.2f}" in total_row
    page.get_by_role("link", name="返回分配结果").click()
    assert allocation_rows(page)


def test_a_planted_bad_cell_is_shown_at_its_cell_and_nothing_can_be_downloaded(page, served, tmp_path):
    sheets = wb.base()
    wb.set_cell(sheets, "业务量", 3, "业务量", "十二")
    for row in (2, 4, 5):  # one message on three cells: one line, as the CLI groups it
        wb.set_cell(sheets, "业务量", row, "月份", "")
    book = wb.write(tmp_path / "有错.xlsx", sheets)
    expected = [str(check) for check in run(book).errors]
    assert "业务量!D3：业务量“十二”不是数字" in expected
    assert any("等 3 处" in line for line in expected)
    for button in ("校验数据", "生成分配"):
        page.goto(served.base + "/")
        choose(page, book, button)
        errors = page.locator("#errors li")
        errors.first.wait_for(timeout=60_000)
        assert errors.all_inner_texts() == expected
        assert page.locator("a", has_text="分配结果").count() == 0
        assert page.locator("#downloads").count() == 0
        refused = page.request.get(page.url + "/files/result")
        assert refused.status == 409 and "有错误" in refused.text()


def test_check_first_then_allocate_the_same_reading(page, outcome):
    choose(page, DEMO, "校验数据")
    passed = page.locator(".ok")
    passed.wait_for(timeout=60_000)
    assert passed.inner_text() == f"{outcome.year} 年度校验通过：{outcome.warning_count:,} 个警告。"
    assert page.locator("#downloads").count() == 0
    page.get_by_role("button", name="生成分配").click()
    allocation = outcome.allocation
    assert len(allocation_rows(page)) == len(allocation.centers) + len(allocation.districts) + 1


def test_without_script_a_pdf_is_made_by_a_button_and_then_offered_as_a_link(browser, served, page, tmp_path,
                                                                               epoch):
    """Progress needs no script: the job page reloads itself (meta refresh in <noscript>)."""
    require_soffice()
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    run_page = page.url
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    plain = context.new_page()
    plain.goto(served.url)
    plain.goto(run_page + "/files/attachment")
    plain.get_by_role("button", name=re.compile("生成附件")).click()
    link = plain.locator(".ok a")
    link.wait_for(timeout=120_000)
    assert link.inner_text().startswith("下载 附件")
    got = download(plain, link)
    cli_file = tmp_path / "附件.pdf"
    assert main(["report", str(DEMO), "--pdf", str(cli_file)]) == 0
    assert pdf_without_metadata(open(got.path(), "rb").read()) == pdf_without_metadata(cli_file.read_bytes())
    context.close()


def made(page, label: str, timeout: float = 240_000) -> bytes:
    """The download whose link text holds ``label``, made on the way if it is slow."""
    item = page.locator("#downloads li", has_text=label)
    got = download(page, item.locator("a"), timeout=timeout)
    return open(got.path(), "rb").read()


def test_the_other_documents_equal_the_clis_files(page, tmp_path, epoch):
    """条线确认表, 公示 (PDF and xlsx) and the whole set as a zip of the demo walked to its 公示:
    the files the CLI writes."""
    require_soffice()
    book = write_publicity_demo(tmp_path / "公示前.xlsx")
    choose(page, book, "生成分配")
    allocation_rows(page)
    cli = {"条线确认表": tmp_path / "条线确认表.pdf", "公示（PDF）": tmp_path / "公示.pdf",
           "公示（Excel/WPS）": tmp_path / "公示.xlsx"}
    assert main(["report", str(book), "--confirmations", str(cli["条线确认表"])]) == 0
    assert main(["publicity", str(book), "-o", str(cli["公示（PDF）"])]) == 0
    assert main(["publicity", str(book), "-o", str(cli["公示（Excel/WPS）"])]) == 0
    assert main(["documents", str(book), "-o", str(tmp_path / "文书")]) == 0
    for label, cli_file in cli.items():
        data = made(page, label)
        if cli_file.suffix == ".xlsx":
            assert data == cli_file.read_bytes(), label
        else:
            assert pdf_without_metadata(data) == pdf_without_metadata(cli_file.read_bytes()), label
    archive = zipfile.ZipFile(io.BytesIO(made(page, "全部文书")))
    folder = {path.name: path.read_bytes() for path in (tmp_path / "文书").iterdir()}
    assert sorted(archive.namelist()) == sorted(folder)
    for name, data in folder.items():
        strip = pdf_without_metadata if name.endswith(".pdf") else bytes
        assert strip(archive.read(name)) == strip(data), name


def test_a_draft_says_why_there_is_no_payment_list_and_no_publicity(page, outcome):
    """The page offers each document exactly when its command would make it (documents.md §8):
    the demo is a draft with matters that move money still open."""
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    refused = page.locator("#downloads li.refused")
    assert refused.count() == 2  # each said once for its PDF and its Excel file
    publicity, payments = refused.all_inner_texts()
    assert publicity.startswith("公示：现在不能生成") and "投诉!C5：公示前须处理" in publicity
    assert "回访!G7：公示前须处理" in publicity and "评定!J39：公示前须处理" in publicity
    assert payments.startswith("拨付明细：现在不能生成") and "参数!P3：2024 年度的审定文号为空" in payments
    assert refused.locator("a").count() == 0
    asked = page.request.get(page.url + "/files/payments-xlsx")
    assert asked.status == 409 and "参数!P3：2024 年度的审定文号为空" in asked.text()
    asked = page.request.get(page.url + "/files/publicity")
    assert asked.status == 409 and "投诉!C5：公示前须处理" in asked.text()


def test_an_approved_workbooks_payment_list_equals_the_clis(page, tmp_path, epoch):
    require_soffice()
    book = write_approved_demo(tmp_path / "审定.xlsx")
    choose(page, book, "生成分配")
    allocation_rows(page)
    [refused] = page.locator("#downloads li.refused").all_inner_texts()  # the 公示 came before
    assert refused.startswith("公示：现在不能生成") and "公示在审定之前" in refused
    for label, target in (("拨付明细（PDF", tmp_path / "拨付明细.pdf"), ("拨付明细（Excel", tmp_path / "拨付明细.xlsx")):
        assert main(["payments", str(book), "-o", str(target)]) == 0
        data = made(page, label)
        if target.suffix == ".xlsx":
            assert data == target.read_bytes()
        else:
            assert pdf_without_metadata(data) == pdf_without_metadata(target.read_bytes())


SCREENS = {"1366×768": ({"width": 1366, "height": 768}, 1),
           "150 % of 1920×1080": ({"width": 911, "height": 512}, 1.5)}  # as the browser's zoom gives it
BOXES = """() => {
  const box = cell => { const r = cell.getBoundingClientRect(); return [r.left, r.right]; };
  const rows = [...document.querySelectorAll('#allocation tr')];
  return rows.map(row => [box(row.cells[1]), box(row.cells[row.cells.length - 1])]);
}"""


def allocation_at(browser, served, screen):
    viewport, scale = SCREENS[screen]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN")
    page = context.new_page()
    page.goto(served.url)
    choose(page, DEMO, "生成分配")
    allocation_rows(page)
    return context, page, viewport


@pytest.mark.parametrize("screen", SCREENS)
def test_every_centers_name_and_money_are_in_view_without_sideways_scrolling(browser, served, outcome, screen):
    context, page, viewport = allocation_at(browser, served, screen)
    try:
        width = viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page never scrolls sideways
        box = page.locator("#allocation")
        assert box.evaluate("b => b.scrollHeight <= b.clientHeight")  # no box of a few rows: the page scrolls
        total = page.locator("#total")
        assert total.inner_text() == (f"补助资金合计 {sum(c.total for c in outcome.allocation.centers):,.2f} 元"
                                      f"（{len(outcome.allocation.centers)} 个中心）")
        top = total.bounding_box()
        assert top["y"] + top["height"] <= viewport["height"]  # the grand total on the first screen
        for scrolled in ("start", "end"):  # and wherever the table is scrolled sideways
            box.evaluate("(b, end) => { b.scrollLeft = end ? b.scrollWidth : 0; }", scrolled == "end")
            rows = page.evaluate(BOXES)
            assert len(rows) == len(outcome.allocation.centers) + len(outcome.allocation.districts) + 2
            for (name_left, name_right), (money_left, money_right) in rows:
                assert 0 <= name_left and name_right <= money_left and money_right <= width, scrolled
    finally:
        context.close()


def test_print_gives_every_column_on_a4_landscape(browser, served, outcome):
    from pypdf import PdfReader

    context, page, _ = allocation_at(browser, served, "1366×768")
    try:
        page.emulate_media(media="print")
        printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    finally:
        context.close()
    for sheet in printed.pages:  # A4 across: 297 × 210 mm
        assert abs(float(sheet.mediabox.width) - 841.9) < 2 and abs(float(sheet.mediabox.height) - 595.3) < 2
    text = unicodedata.normalize("NFKC", "".join(sheet.extract_text() for sheet in printed.pages))
    assert "资金平衡" in text and "下载" not in text  # the page as it reads, not its controls
    lines = {line.split(" ")[0]: line for line in text.splitlines()}
    for center in outcome.allocation.centers:  # the last column, for every center (names: the
        assert lines[center.code].endswith(f" {center.total:,.2f}")  # PDF's glyphs map to radicals)
