"""12333 callbacks (金保 contract §7): eligibility, per-center counts, a draw that depends only on
the seed and the cases, masking, and the list workbook."""
from __future__ import annotations

import hashlib
import json
import random
import re
import zipfile
from collections import Counter

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl.cli import main
from jbsys_xl.io.reader import read_source
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
    assert {"counted", "with_phone", "called", "population", "sampled"} <= set(data["centers"][0])
    assert isinstance(data["checks"], list)
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
    assert header[9:] == ["回访结果", "回访日期", "说明", "回访人", "工单号"]
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


# --- v3: the list as a record, the 台账抽查 -----------------------------------------------------------

STATS_HEADERS = ["统计月份", "经办机构", "人才监测实名制统计", "镇、街道劳动人事争议调解", "人才需求调查"]


def stats_rows(seed: int = 3) -> list[list]:
    rng = random.Random(seed)
    return [[f"2024{m:02d}", code, rng.randint(0, 9), rng.randint(1, 9), rng.randint(0, 3)]
            for m in range(1, 12) for code in CENTERS]


def test_record_sheet_states_seed_moment_operator_files_and_counts(tmp_path):
    rows = cases(120)
    detail = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    stats = write_xlsx(tmp_path / "s.xlsx", {"S": [STATS_HEADERS] + stats_rows()})
    draw = draw_callbacks(demo_book(), [detail, stats], 2024, per_center=2, seed=8, operator="李四")
    assert draw.ok and draw.operator == "李四"
    assert draw.drawn_at.isoformat() == "2024-12-20T10:00:00+08:00"  # SOURCE_DATE_EPOCH, Beijing time
    out = tmp_path / "list.xlsx"
    out.write_bytes(callback_workbook_bytes(draw))
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["回访清单", "台账抽查", "抽取记录"]
    record = book.get_sheet_by_name("抽取记录").to_python()
    lines = {r[0]: r[1] for r in record if r[0]}
    assert lines["年度"] == "2024" and lines["随机种子"] == "8" and lines["抽取人"] == "李四"
    assert lines["抽取时间（北京时间）"] == "2024-12-20 10:00:00"
    files = {r[1]: r[2] for r in record if isinstance(r[0], float) and len(str(r[2])) == 64}
    assert files == {"c.csv": hashlib.sha256(detail.read_bytes()).hexdigest(),
                     "s.xlsx": hashlib.sha256(stats.read_bytes()).hexdigest()}
    header = next(i for i, r in enumerate(record) if r[0] == "中心编码")
    assert record[header][:10] == ["中心编码", "中心名称", "计入明细", "有电话", "电话覆盖率", "已回访", "可回访",
                                  "抽取", "统计条数", "台账抽查"]
    by_code = {r[0]: r for r in record[header + 1:] if r[0] in CENTERS}
    counted = Counter(r[1] for r in rows)
    with_phone = Counter(r[1] for r in rows if r[7])
    for code in CENTERS:
        line = by_code[code]
        assert line[2:4] == [counted[code], with_phone[code]]
        assert line[4] == pytest.approx(with_phone[code] / counted[code])
        assert line[5] == 0 and line[6] == with_phone[code] and line[7] == min(2, with_phone[code])
    assert [c.sha256 for c in draw.sources] == [files["c.csv"], files["s.xlsx"]]


def test_json_centers_carry_counted_and_with_phone(tmp_path):
    rows = cases(60) + [("SB20240000003", TN02, ITEM, "2024-03-05", "办结", "王", "", "13900000007")]  # in 回访
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    data = callback_dict(draw_callbacks(demo_book(), [path], 2024, per_center=3, seed=1, operator="甲"))
    tn02 = next(c for c in data["centers"] if c["code"] == "TN02")
    assert tn02["counted"] == sum(1 for r in rows if r[1] in (TN02, "TN02"))
    assert tn02["with_phone"] == tn02["called"] + tn02["population"] and tn02["called"] == 1
    assert data["operator"] == "甲" and data["drawn_at"] == "2024-12-20T10:00:00+08:00"
    assert [s["file"] for s in data["sources"]] == ["c.csv"]


def test_a_center_with_few_phones_and_a_missing_operator_are_warned(tmp_path):
    rows = [(f"P{n}", "TN03", ITEM, "2024-03-05", "办结", "甲", "", "13900000001" if n < 4 else "")
            for n in range(10)] + [(f"Q{n}", "TN02", ITEM, "2024-03-05", "办结", "乙", "", "13900000002")
                                   for n in range(10)]
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=3, seed=1)
    messages = [c.message for c in draw.checks if c.level == "warning"]
    assert any(m.startswith("中心 TN03 计入的 10 件明细业务中只有 4 件留有联系电话（电话覆盖率 40.0%")
               for m in messages)
    assert not any(m.startswith("中心 TN02 计入") for m in messages)
    assert any(m.startswith("未填写抽取人") for m in messages)


def test_ledger_draws_the_stats_tallies_of_the_files_by_a_keyed_rule(tmp_path):
    rows = stats_rows()
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [STATS_HEADERS] + rows})
    draw = draw_callbacks(demo_book(), [path], 2024, per_center=5, seed=21, ledger_per_center=3)
    assert draw.ok and not draw.cases
    tallies = Counter()
    for month, code, *counts in rows:
        tallies[code] += sum(1 for c in counts if c > 0)
    assert Counter(x.center for x in draw.ledger) == {code: 3 for code in CENTERS}
    assert {c.code: c.tallies for c in draw.centers if c.code in CENTERS} == dict(tallies)
    for tally in draw.ledger:  # the values and cells of the file, never the workbook's 业务量
        row = int(tally.where.rsplit("!", 1)[1][1:]) - 1
        column = "ABCDE".index(tally.where.rsplit("!", 1)[1][0])
        assert rows[row - 1][column] == tally.volume and STATS_HEADERS[column] == tally.item
        assert tally.volume > 0 and tally.month == (2024, int(rows[row - 1][0][4:]))
    # a larger K extends the list, another seed draws others
    more = draw_callbacks(demo_book(), [path], 2024, per_center=5, seed=21, ledger_per_center=5)
    for code in CENTERS:
        assert [x for x in draw.ledger if x.center == code] == [x for x in more.ledger if x.center == code][:3]
    other = draw_callbacks(demo_book(), [path], 2024, per_center=5, seed=22, ledger_per_center=3)
    assert {(x.center, x.item, x.month) for x in other.ledger} != {(x.center, x.item, x.month) for x in draw.ledger}


def test_ledger_is_the_same_whatever_the_file_and_row_order(tmp_path):
    rows = stats_rows(5)
    whole = write_xlsx(tmp_path / "all.xlsx", {"S": [STATS_HEADERS] + rows})
    first = draw_callbacks(demo_book(), [whole], 2024, seed=4)
    key = [(x.center, x.item, x.month, x.volume) for x in first.ledger]
    for attempt in range(3):
        shuffled = list(rows)
        random.Random(attempt).shuffle(shuffled)
        parts = [write_csv(tmp_path / f"p{attempt}-{i}.csv", [STATS_HEADERS] + shuffled[i::3]) for i in range(3)]
        random.Random(attempt).shuffle(parts)
        again = draw_callbacks(demo_book(), parts, 2024, seed=4)
        assert [(x.center, x.item, x.month, x.volume) for x in again.ledger] == key


def test_ledger_sheet(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [STATS_HEADERS] + stats_rows()})
    draw = draw_callbacks(demo_book(), [path], 2024, seed=2, ledger_per_center=2, operator="甲")
    out = tmp_path / "list.xlsx"
    out.write_bytes(callback_workbook_bytes(draw))
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("台账抽查").to_python()
    header = next(i for i, r in enumerate(sheet) if r[0] == "序号")
    assert sheet[header] == ["序号", "中心编码", "中心名称", "事项", "月份", "业务量", "来源", "核查结果", "核查人", "说明"]
    body = sheet[header + 1:]
    assert len(body) == len(draw.ledger) == 2 * len(CENTERS)
    assert [(r[1], r[3], r[4], r[5]) for r in body] == \
        [(x.center, x.item, f"{x.month[0]}-{x.month[1]:02d}", float(x.volume)) for x in draw.ledger]
    assert all(r[6].startswith("s.xlsx!S!") and r[7:] == ["", "", ""] for r in body)
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet2.xml").decode()
    assert '<dataValidation type="list"' in xml and "相符,不符" in xml


def test_a_seed_redraws_its_own_list_after_its_results_came_back(tmp_path):
    """Rows of the seed's own 抽取批次 in 回访 do not take cases out of the draw: the same seed
    re-draws the same list (as the record promises); other batches' cases are never drawn again."""
    rows = cases(80)
    path = write_csv(tmp_path / "c.csv", [HEADERS] + [list(r) for r in rows])
    first = draw_callbacks(demo_book(), [path], 2024, per_center=2, seed=31)
    book = read_source(DEMO)
    table = book.sheets["回访"]
    header = table.rows[1]
    for case in first.cases[:3]:
        values = {"年度": 2024, "中心": case.center, "业务流水号": case.case_id, "回访结果": "属实",
                  "回访日期": "2024-12-21", "抽取批次": "31"}
        table.rows.append([values.get(h) for h in header])
    same = draw_callbacks(book, [path], 2024, per_center=2, seed=31)
    assert drawn(same) == drawn(first)
    other = draw_callbacks(book, [path], 2024, per_center=2, seed=32)
    assert not {c.case_id for c in first.cases[:3]} & {c.case_id for c in other.cases}
