"""Step ② in a real browser: 金保 exports → counts per file, unmatched names and the 业务量 to
paste; the 12333 回访清单 behind its personal-data notice, downloadable once. Both files equal
the CLI's for the same inputs."""
from __future__ import annotations

import json
import re

import openpyxl
import pytest

from jbsys_xl.cli import main
from jbsys_xl.jinbao.sample_exports import UNKNOWN_INSTITUTION, UNKNOWN_ITEM, write_sample_exports
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


def test_the_import_shows_counts_per_file_and_unmatched_names_and_gives_the_clis_workbook(
        page, served, exports, tmp_path):
    submit(page, served, exports, "导入金保数据")
    page.locator(".ok").wait_for(timeout=120_000)
    cli_file, cli_json = tmp_path / "导入.xlsx", tmp_path / "导入.json"
    assert main(["import", str(DEMO), *map(str, exports), "-o", str(cli_file), "--json", str(cli_json)]) == 0
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
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile("业务量")).click()
    assert started.value.suggested_filename == "demo-金保导入-2024.xlsx"
    assert open(started.value.path(), "rb").read() == cli_file.read_bytes()


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
