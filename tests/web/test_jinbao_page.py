"""Step ② in a real browser: 金保 exports → counts per file, unmatched names, the plan and the
allocation workbook with the import in it — no pasting — and on to 生成分配 with it; the 12333
回访清单 behind its personal-data notice, downloadable once; filled-in lists → the workbook with
their 回访 rows. Every file equals the CLI's for the same inputs."""
from __future__ import annotations

import json
import re

import openpyxl
import pytest

from jbsys_xl.cli import main
from jbsys_xl.jinbao.sample_exports import UNKNOWN_INSTITUTION, UNKNOWN_ITEM, write_sample_exports
from tests.jinbao.support import filled_list
from tests.web.support import DEMO, EPOCH

ROWS = "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_sample_exports(tmp_path_factory.mktemp("exports") / "金保导出", 2024)


@pytest.fixture(autouse=True)
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def submit(page, served, exports, button: str, seed: str = "", operator: str = "") -> None:
    page.goto(served.base + "/jinbao")
    page.set_input_files("#workbook", str(DEMO))
    page.set_input_files("#exports", [str(path) for path in exports])
    if seed:
        page.fill("#seed", seed)
    if operator:
        page.fill("#operator", operator)
    page.get_by_role("button", name=button).click()


def test_the_import_shows_the_plan_and_gives_the_workbook_of_import_into(page, served, exports, tmp_path):
    submit(page, served, exports, "导入金保数据")
    page.locator(".ok").wait_for(timeout=120_000)
    cli_file, cli_json, cli_into = tmp_path / "导入.xlsx", tmp_path / "导入.json", tmp_path / "导入后.xlsm"
    assert main(["import", str(DEMO), *map(str, exports), "-o", str(cli_file), "--json", str(cli_json),
                 "--into", str(cli_into)]) == 0
    result = json.loads(cli_json.read_text("utf-8"))
    shown = page.eval_on_selector_all("table >> nth=0 >> tbody tr", ROWS)
    expected = [[f["file"], f["sheet"], f"{f['rows']:,}", f"{f['counted']:,}", f"{f['duplicates']:,}"]
                for f in result["files"]]
    assert [[row[0], row[1], row[3], row[4], row[5]] for row in shown[:-1]] == expected
    rows = sum(f["rows"] for f in result["files"])
    assert shown[-1][0] == "合计" and f"{rows:,}" in shown[-1] and rows >= 1000  # counts as the page writes them
    unmatched = page.eval_on_selector_all("table >> nth=1 >> tbody tr", ROWS)
    assert {row[1] for row in unmatched} == {u["value"] for u in result["unmatched"]} >= {
        UNKNOWN_INSTITUTION, UNKNOWN_ITEM}
    plan = page.locator(".plan li").all_inner_texts()
    assert plan[0] == "新增这次导入的 2,130 行。" and "手工填写的 2,130 行（同一中心、事项和月份由本次导入提供）" in plan
    assert "粘贴" not in page.content()
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("下载导入后的分配工作簿")).click()
    assert started.value.suggested_filename == "demo-金保导入后-2024.xlsm"
    assert open(started.value.path(), "rb").read() == cli_into.read_bytes()
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("下载导入结果")).click()
    assert started.value.suggested_filename == "demo-金保导入-2024.xlsx"
    assert open(started.value.path(), "rb").read() == cli_file.read_bytes()
    page.get_by_role("button", name="用导入后的工作簿生成分配").click()
    page.locator("#allocation").wait_for(timeout=120_000)
    assert "工作簿：demo-金保导入后-2024.xlsm" in page.locator("main").inner_text()


def test_a_plan_the_workbook_cannot_take_is_shown_with_its_reason(page, served, exports, tmp_path):
    """An .xls workbook cannot be written into: the page says how to go on, offers no workbook."""
    book = tmp_path / "工作簿.xls"
    book.write_bytes(DEMO.read_bytes())
    page.goto(served.base + "/jinbao")
    page.set_input_files("#workbook", str(book))
    page.set_input_files("#exports", [str(path) for path in exports])
    page.get_by_role("button", name="导入金保数据").click()
    page.locator("#errors").wait_for(timeout=120_000)
    assert "只能用于 .xlsx 或 .xlsm 工作簿" in page.locator("#errors").inner_text()
    assert page.get_by_role("link", name=re.compile("下载导入后的分配工作簿")).count() == 0


def personal(callback_list) -> set[str]:
    """The names and phones in a 回访清单 (header on its 4th row)."""
    sheet = openpyxl.load_workbook(callback_list, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    columns = [rows[0].index(name) for name in ("姓名", "联系电话")]
    return {row[c] for row in rows[1:] for c in columns if isinstance(row[c], str) and len(row[c]) >= 2}


def test_the_callback_list_is_behind_a_notice_equals_the_clis_and_downloads_once(
        page, served, exports, tmp_path):
    submit(page, served, exports, "生成回访清单", seed="2024", operator="就业处 王")
    button = page.get_by_role("button", name=re.compile("下载回访清单"))
    button.wait_for(timeout=120_000)
    assert "个人信息" in page.locator(".notice").inner_text()
    assert "随机种子：2024" in page.locator(".ok").inner_text()
    shown = page.content()
    with page.expect_download() as started:
        button.click()
    got = started.value
    cli_file = tmp_path / "回访清单.xlsx"
    assert main(["callbacks", str(DEMO), *map(str, exports), "--seed", "2024", "--operator", "就业处 王",
                 "-o", str(cli_file)]) == 0
    assert got.suggested_filename == "demo-回访清单-2024.xlsx"
    data = open(got.path(), "rb").read()
    assert data == cli_file.read_bytes()
    people = personal(cli_file)
    assert len(people) > 100
    assert [value for value in people if value in shown] == []  # the page shows counts, not people
    again = page.request.post(served.with_token(page.url + "/file"))
    assert again.status == 410 and "已经下载过" in again.text()
    page.reload()
    assert "已从本程序中删除" in page.locator(".notice").inner_text()


def test_callback_results_go_into_the_workbook_as_callback_results_into_writes_it(page, served, exports,
                                                                                  tmp_path):
    drawn, filled = filled_list(DEMO, exports, tmp_path, 77, "属实")
    cli_into = tmp_path / "回访后.xlsm"
    assert main(["callback-results", str(DEMO), str(filled), "--into", str(cli_into)]) == 0
    page.goto(served.base + "/jinbao")
    page.set_input_files("#workbook", str(DEMO))
    page.set_input_files("#lists", [str(filled)])
    page.get_by_role("button", name="导入回访结果", exact=True).click()
    page.locator(".ok").wait_for(timeout=120_000)
    assert "抽取 23 件，已回访 1 件" in page.locator(".ok").inner_text()
    assert "同一抽取批次此前的 0 行换成这次的 23 行，保留其他 6 行" in page.locator(".plan").inner_text()
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("下载导入后的分配工作簿")).click()
    assert started.value.suggested_filename == "demo-回访导入后-2024.xlsm"
    assert open(started.value.path(), "rb").read() == cli_into.read_bytes()
    assert not [value for value in personal(drawn) if value in page.content()]
