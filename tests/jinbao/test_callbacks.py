"""12333 callbacks (金保 contract §7): eligibility, per-center counts, a draw that depends only on
the seed and the cases, masking, and the list workbook."""
from __future__ import annotations

import json
import random
import re
import zipfile
from collections import Counter

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl.cli import main
from jbsys_xl.jinbao.callbacks import (callback_dict, callback_workbook_bytes, draw_callbacks, has_phone,
                                       mask_id)
from tests.jinbao.support import DEMO, ITEM, ITEM2, TN02, demo_book, write_csv, write_xlsx

HEADERS = ["业务流水号", "经办机构", "业务事项", "受理时间", "办理状态", "姓名", "公民身份号码", "联系电话"]
CENTERS = ["TN01", "TN02", "TN03", "ZL01", "XB02"]


def cases(count: int, seed: int = 1) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        rows.append((f"C{n:05d}", rng.choice(CENTERS), rng.choice((ITEM, ITEM2)), f"2024-{rng.randint(1, 11):02d}-10",
                     "办结", f"张{n}", f"320402199001{n:06d}", f"139{n:08d}" if n % 4 else ""))
    return rows


def split_files(tmp_path, rows: list[tuple], parts: int, rng: random.Random | None = None) -> list:
    rows = list(rows)
    if rng:
        rng.shuffle(rows)
    chunks = [rows[i::parts] for i in range(parts)]
    paths = []
    for index, chunk in enumerate(chunks):
        path = tmp_path / f"f{index}.csv"
        write_csv(path, [HEADERS] + [list(r) for r in chunk])
        paths.append(path)
    if rng:
        rng.shuffle(paths)
    return paths


def drawn(draw) -> list[tuple]:
    return [(c.center, c.case_id, c.item) for c in draw.cases]


def test_same_seed_same_list_whatever_the_file_and_row_order(tmp_path):
    rows = cases(400)
    base = tmp_path / "a"
    base.mkdir()
    first = draw_callbacks(demo_book(), split_files(base, rows, 1), 2024, per_center=3, seed=42)
    assert first.ok and len(first.cases) == 15
    for attempt in range(3):
        folder = tmp_path / f"s{attempt}"
        folder.mkdir()
        again = draw_callbacks(demo_book(), split_files(folder, rows, 3, random.Random(attempt)), 2024,
                               per_center=3, seed=42)
        assert drawn(again) == drawn(first)
    other = draw_callbacks(demo_book(), [base], 2024, per_center=3, seed=43)
    assert drawn(other) != drawn(first)


def test_per_center_count_is_min_of_n_and_population(tmp_path):
    rows = cases(60)
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=10, seed=7)
    with_phone = Counter(r[1] for r in rows if r[7])
    by_code = {c.code: c for c in draw.centers}
    for code in CENTERS:
        assert by_code[code].population == with_phone[code]
        assert by_code[code].sampled == min(10, with_phone[code])
    assert Counter(c.center for c in draw.cases) == {code: min(10, with_phone[code]) for code in CENTERS}
    assert by_code["TN04"].population == by_code["TN04"].sampled == 0  # listed, with a warning
    assert any("中心 TN04 没有可回访的案件" in c.message for c in draw.checks)


def test_only_eligible_cases_are_drawn(tmp_path):
    eligible = [("OK1", TN02, ITEM, "2024-03-05", "办结", "甲", "320402199001011234", "13900000001"),
                ("OK2", TN02, ITEM, "2024-03-06", "", "乙", "320402199001011235", "13900000002")]
    rows = eligible + [
        ("X1", TN02, ITEM, "2024-03-05", "作废", "丙", "", "13900000003"),  # cancelled
        ("X2", TN02, ITEM, "2024-12-05", "办结", "丁", "", "13900000004"),  # after the period
        ("X3", TN02, "档案借阅", "2024-03-05", "办结", "戊", "", "13900000005"),  # not an item
        ("X4", TN02, ITEM, "2024-03-05", "办结", "己", "", "无"),  # no phone
        ("OK1", "TN03", ITEM, "2024-04-05", "办结", "庚", "", "13900000006"),  # seen before: not TN03's
        ("SB20240000003", TN02, ITEM, "2024-03-05", "办结", "辛", "", "13900000007"),  # in 回访 already
    ]
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=10, seed=1)
    assert sorted((c.center, c.case_id) for c in draw.cases) == [("TN02", "OK1"), ("TN02", "OK2")]
    assert {c.code: c.population for c in draw.centers}["TN03"] == 0


def test_phone_and_id_masking():
    assert mask_id("320402199001011234") == "320402********1234"
    assert mask_id("32040219900101123") == "320402*******1123"
    assert mask_id("1234567890") == "**********"
    assert mask_id("") == ""
    assert has_phone("13900000001") and has_phone("0519-8888888") and has_phone("１３９００００００００")
    assert not has_phone("无") and not has_phone("-") and not has_phone("0") and not has_phone(None)


def test_json_has_no_names_or_phones_and_the_seed(tmp_path):
    rows = cases(40)
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=2, seed=99)
    text = json.dumps(callback_dict(draw), ensure_ascii=False)
    data = json.loads(text)
    assert data["seed"] == 99 and data["per_center"] == 2 and data["ok"] is True
    assert set(data["cases"][0]) == {"center", "case_id", "item", "date", "id_number_masked"}
    assert sum(c["sampled"] for c in data["centers"]) == len(data["cases"])
    for _, _, _, _, _, name, id_number, phone in rows:
        assert name not in text and id_number not in text
        assert not phone or phone not in text
    assert all(re.fullmatch(r"320402\*{8}\d{4}", c["id_number_masked"]) for c in data["cases"])


def test_list_workbook(tmp_path):
    rows = cases(40)
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=2, seed=5)
    data = callback_workbook_bytes(draw)
    assert data == callback_workbook_bytes(draw)  # same draw, same bytes
    out = tmp_path / "list.xlsx"
    out.write_bytes(data)
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("回访清单").to_python()
    assert "随机种子 5" in sheet[1][0] and "内部资料 注意保密" in sheet[2][0]
    header = sheet[3]
    assert header[:9] == ["序号", "中心编码", "中心名称", "业务流水号", "业务事项", "经办日期", "姓名", "证件号码", "联系电话"]
    assert header[9:] == ["回访结果", "回访日期", "说明"]
    body = [r for r in sheet[4:] if r[0] != ""]
    assert len(body) == len(draw.cases) == 10
    phones = {r[0]: r[7] for r in rows}
    for row in body:
        assert re.fullmatch(r"320402\*{8}\d{4}", row[7]) and row[8] == phones[row[3]]
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert '<dataValidation type="list"' in xml and "属实,不属实,无法联系" in xml
    assert 'orientation="landscape"' in xml and 'paperSize="9"' in xml
    assert "&amp;P" in xml and "内部资料 注意保密" in xml  # page numbers and the mark on every page


def test_cli_prints_a_drawn_seed_and_reuses_a_given_one(tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in cases(30)])
    out, report = tmp_path / "list.xlsx", tmp_path / "cb.json"
    assert main(["callbacks", str(DEMO), str(path), "-o", str(out), "--json", str(report)]) == 0
    seed = json.loads(report.read_text("utf-8"))["seed"]
    assert f"随机种子：{seed}" in capsys.readouterr().out
    first = json.loads(report.read_text("utf-8"))["cases"]
    assert main(["callbacks", str(DEMO), str(path), "-o", str(out), "--json", str(report),
                 "--seed", str(seed)]) == 0
    assert json.loads(report.read_text("utf-8"))["cases"] == first


def test_cli_errors_write_only_the_json(tmp_path, capsys):
    bad = write_xlsx(tmp_path / "bad.xlsx", {"S": [HEADERS, ["A1", TN02, ITEM, "不详", "办结", "甲", "", "139"]]})
    out, report = tmp_path / "list.xlsx", tmp_path / "cb.json"
    assert main(["callbacks", str(DEMO), str(bad), "-o", str(out), "--json", str(report), "--seed", "1"]) == 2
    assert not out.exists() and json.loads(report.read_text("utf-8"))["ok"] is False
    assert "bad.xlsx!S!D2：受理时间“不详”不是有效日期" in capsys.readouterr().err


@pytest.mark.parametrize("n", [1, 3])
def test_drawn_cases_are_a_prefix_of_larger_draws(tmp_path, n):
    """The draw is an order: a larger N extends the list (same seed), it never reshuffles it."""
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in cases(80)])
    small = draw_callbacks(demo_book(), [path], 2024, per_center=n, seed=11)
    large = draw_callbacks(demo_book(), [path], 2024, per_center=n + 2, seed=11)
    for code in CENTERS:
        assert [c.case_id for c in small.cases if c.center == code] == \
               [c.case_id for c in large.cases if c.center == code][:n]
