"""Random exports with known truth: cases in random formats, header synonyms, column orders,
name spellings, statuses and date forms, repeated across files; 统计 reports beside them. The
expected volumes come from a plain loop over the rules, written apart from the import."""
from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta

import pytest

from jbsys_xl import sample
from jbsys_xl.jinbao.headers import COUNTED_STATUSES, EXCLUDED_STATUSES, FIELD_HEADERS
from tests.jinbao.support import imported, volumes, write_csv, write_html, write_xlsx

PERIOD = (date(2023, 12, 1), date(2024, 11, 30))
ACTIVE = {code: (town, district) for code, town, district, *_ in sample.active_centers()}
INACTIVE = ("ZL06", "XB10")
DETAIL_ITEMS = {"失业登记": ["失业登记", "失业人员登记", "失业登记（金保）", "失业登记(金保)"],
                "社会保障卡申请": ["社会保障卡申请", "社保卡申领", " 社保卡申领 "],
                "办理居民保险参保登记业务": ["城乡居民参保登记", "办理居民保险参保登记业务"]}
STATS_ITEMS = ("人才需求调查", "电子社保卡实名认证")  # disjoint from the 明细 items: no double count
UNKNOWN_ITEMS = ("档案借阅", "失业登记表")


def spelling(rng: random.Random, code: str) -> str:
    town, district = ACTIVE.get(code, ("", ""))
    options = [code, sample.center_name(town), sample.jinbao_institution(town, district),
               unicodedata.normalize("NFKC", sample.center_name(town)).replace("(", "（") + " ",
               "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() and ch.isascii() else ch for ch in code)]
    return rng.choice(options if town else [code])


def date_cell(rng: random.Random, day: date, fmt: str):
    stamp = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(1440))
    return {"cell": stamp, "iso": day.isoformat(), "slash": f"{day.year}/{day.month}/{day.day}",
            "stamp": f"{stamp:%Y-%m-%d %H:%M:%S}", "compact": f"{day:%Y%m%d}",
            "cn": f"{day.year}年{day.month}月{day.day}日"}[fmt]


def make_cases(rng: random.Random) -> list[dict]:
    cases, ids = [], [f"J{n:04d}" for n in range(rng.randint(30, 150))]
    for _ in range(rng.randint(40, 220)):
        roll = rng.random()
        code = (rng.choice(INACTIVE) if roll < 0.05 else "外区某所" if roll < 0.1 else rng.choice(list(ACTIVE)))
        item = rng.choice(UNKNOWN_ITEMS) if rng.random() < 0.07 else rng.choice(list(DETAIL_ITEMS))
        day = date(2023, 10, 1) + timedelta(rng.randrange(480))
        status = rng.choice(sorted(COUNTED_STATUSES) * 3 + sorted(EXCLUDED_STATUSES) + ["审核中", ""])
        cases.append({"id": rng.choice(ids), "code": code, "item": item, "day": day, "status": status})
    return cases


def truth(files: list[list[dict]], stats: dict) -> dict:
    """The rules, written as a loop: counted status, in the period, a known active center and a
    known item; the first occurrence of (item, case id) counts; 统计 counts add."""
    expected, seen = dict(stats), set()
    for cases in files:
        for case in cases:
            if case["status"] not in COUNTED_STATUSES and case["status"] != "":
                continue
            if not PERIOD[0] <= case["day"] <= PERIOD[1]:
                continue
            if case["code"] not in ACTIVE or case["item"] not in DETAIL_ITEMS:
                continue
            if (case["item"], case["id"]) in seen:
                continue
            seen.add((case["item"], case["id"]))
            key = (case["code"], case["item"], f"{case['day']:%Y-%m}")
            expected[key] = expected.get(key, 0) + 1
    return expected


def write_detail(rng: random.Random, path_stem, cases: list[dict]):
    fields = ["case_id", "institution", "item", "date", "status"] + rng.sample(["name", "phone"], rng.randint(0, 2))
    rng.shuffle(fields)
    headers = [rng.choice(FIELD_HEADERS[f][:3] if f == "date" else FIELD_HEADERS[f]) for f in fields]
    fmt = rng.choice(["cell", "iso", "slash", "stamp", "compact", "cn"])
    rows = []
    for case in cases:
        value = {"case_id": case["id"], "institution": spelling(rng, case["code"]),
                 "item": rng.choice(DETAIL_ITEMS.get(case["item"], [case["item"]])),
                 "date": date_cell(rng, case["day"], fmt), "status": case["status"], "name": "某人",
                 "phone": "13900000000"}
        rows.append([value[f] for f in fields])
    title = [["业务明细导出"]] if rng.random() < 0.5 else []
    form = rng.choice(["xlsx", "csv", "gbk", "html"] if fmt != "cell" else ["xlsx"])
    table = title + [headers] + rows
    if form == "xlsx":
        return write_xlsx(path_stem.with_suffix(".xlsx"), {"明细": table})
    if form == "html":
        return write_html(path_stem.with_suffix(".xls"), [headers] + rows, title="业务明细")
    text = [[v if not isinstance(v, datetime) else f"{v:%Y-%m-%d %H:%M}" for v in row] for row in table]
    return write_csv(path_stem.with_suffix(".csv"), text, "gbk" if form == "gbk" else "utf-8")


def write_stats(rng: random.Random, path_stem) -> tuple:
    months = [(2023, 11), (2023, 12), (2024, 5), (2024, 11), (2024, 12)]
    expected, rows = {}, []
    for code in rng.sample(list(ACTIVE), 6):
        for y, m in rng.sample(months, 2):
            counts = [rng.randrange(0, 30) for _ in STATS_ITEMS]
            rows.append([f"{y}{m:02d}", spelling(rng, code), *counts])
            if date(y, m, 1) >= PERIOD[0] and date(y, m, 1) <= PERIOD[1]:
                for item, count in zip(STATS_ITEMS, counts):
                    if count:
                        expected[(code, item, f"{y}-{m:02d}")] = count
    if rng.random() < 0.5:  # wide
        table = [["所属期", "经办机构", *STATS_ITEMS, "合计"]] + [row + [sum(row[2:])] for row in rows]
    else:  # long
        table = [["统计期", "服务机构", "业务名称", "笔数"]] + [
            [row[0], row[1], item, count] for row in rows for item, count in zip(STATS_ITEMS, row[2:])]
    return write_xlsx(path_stem.with_suffix(".xlsx"), {"统计": table}), expected


@pytest.mark.parametrize("seed", range(16))
def test_random_exports_give_the_true_volumes(tmp_path, seed):
    rng = random.Random(seed)
    cases = make_cases(rng)
    cuts = sorted(rng.sample(range(1, len(cases)), rng.randint(0, 3)))
    files = [cases[a:b] for a, b in zip([0] + cuts, cuts + [len(cases)])]
    if rng.random() < 0.5:  # an overlapping export repeats some cases
        files.append(rng.sample(cases, len(cases) // 4))
    paths = [write_detail(rng, tmp_path / f"d{i}", chunk) for i, chunk in enumerate(files)]
    stats = {}
    if rng.random() < 0.6:
        path, stats = write_stats(rng, tmp_path / "s")
        paths.insert(rng.randrange(len(paths) + 1), path)
    result = imported(paths)
    assert result.ok, [str(c) for c in result.errors]
    assert volumes(result) == truth(files, stats)
