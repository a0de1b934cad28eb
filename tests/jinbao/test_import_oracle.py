"""Random exports with known truth: cases in random formats, header synonyms, column orders,
name spellings, statuses and date forms, repeated across files; 统计 reports beside them. The
expected volumes come from a plain loop over the rules, written apart from the import.

The messy forms of issue 20 are drawn too: tab-separated and UTF-16 “Unicode 文本” under any
extension, ="…" cells, Excel Tables with a 汇总 row, headers deep in the sheet, 统计 sheets named
after their month, merged institution cells (xlsx merges, HTML rowspan), and a folder holding
the allocation workbook, our own output and the files Windows leaves."""
from __future__ import annotations

import random
import shutil
import unicodedata
from datetime import date, datetime, timedelta

import pytest
import xlsxwriter

from jbsys_xl import sample
from jbsys_xl.jinbao.headers import COUNTED_STATUSES, EXCLUDED_STATUSES, FIELD_HEADERS
from jbsys_xl.jinbao.output import import_workbook_bytes
from tests.jinbao.support import DEMO, imported, messages, volumes, write_csv, write_html, write_xlsx

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


def titles(rng: random.Random, text: str) -> list[list]:
    """Title lines above the header: none, one, or many (the header may sit in row 30)."""
    return [[text]] * rng.choice([0, 1, 1, 3, 29])


def write_text(path, rows: list[list], encoding: str, delimiter: str = "\t"):
    """Tab-separated text as Excel saves “文本文件（制表符分隔）” or “Unicode 文本” (UTF-16)."""
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows)
    path.write_bytes((text + "\r\n").encode(encoding))
    return path


def write_table(path, name: str, rows: list[list], titles_above: int = 0):
    """An Excel Table with a 汇总 row (XlsxWriter ``total_row``), title lines above it."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet(name)
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r in range(titles_above):
        sheet.write_string(r, 0, "业务导出")
    columns = [{"header": h} for h in rows[0]]
    columns[0]["total_string"] = "汇总"
    columns[-1]["total_function"] = "count"
    sheet.add_table(titles_above, 0, titles_above + len(rows), len(rows[0]) - 1,
                    {"columns": columns, "total_row": True})
    for r, row in enumerate(rows[1:], start=titles_above + 1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    book.close()
    return path


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
    title = titles(rng, "业务明细导出")
    form = rng.choice(["xlsx", "table"] if fmt == "cell" else
                      ["xlsx", "table", "csv", "gbk", "html", "forced", "unicode", "tsv"])
    table = title + [headers] + rows
    if form == "xlsx":
        return write_xlsx(path_stem.with_suffix(".xlsx"), {"明细": table})
    if form == "table":
        return write_table(path_stem.with_suffix(".xlsx"), "明细", [headers] + rows, len(title))
    if form == "html":
        return write_html(path_stem.with_suffix(".xls"), [headers] + rows, title="业务明细")
    text = [[v if not isinstance(v, datetime) else f"{v:%Y-%m-%d %H:%M}" for v in row] for row in table]
    if form == "unicode":  # UTF-16 text under whatever name it was given
        return write_text(path_stem.with_suffix(rng.choice([".xls", ".csv", ".txt"])), text, "utf-16")
    if form == "tsv":
        return write_text(path_stem.with_suffix(".txt"), text, rng.choice(["gbk", "utf-8"]))
    if form == "forced":  # every text cell as ="…", the way many systems force text in a CSV
        text = [[f'="{v}"' if isinstance(v, str) and v else v for v in row] for row in text]
        return write_csv(path_stem.with_suffix(".csv"), text, "utf-8-sig")
    return write_csv(path_stem.with_suffix(".csv"), text, "gbk" if form == "gbk" else "utf-8")


MONTH_NAMES = (lambda y, m: f"{y}年{m}月", lambda y, m: f"{y}-{m:02d}", lambda y, m: f"{y}{m:02d}")


def write_stats(rng: random.Random, path_stem) -> tuple[list, dict]:
    """A 统计 report — long or wide, with a month column or one sheet (or web file) per month,
    institutions sometimes merged over their item rows — and the counts it holds."""
    months = [(2023, 11), (2023, 12), (2024, 5), (2024, 11), (2024, 12)]
    expected, rows = {}, []
    for code in rng.sample(list(ACTIVE), 6):
        for y, m in rng.sample(months, 2):
            counts = [rng.randrange(0, 30) for _ in STATS_ITEMS]
            rows.append([(y, m), spelling(rng, code), *counts])
            if date(y, m, 1) >= PERIOD[0] and date(y, m, 1) <= PERIOD[1]:
                for item, count in zip(STATS_ITEMS, counts):
                    if count:
                        expected[(code, item, f"{y}-{m:02d}")] = count
    wide = rng.random() < 0.5
    by_sheet = rng.random() < 0.5
    merged = not wide and rng.random() < 0.6
    html = rng.random() < 0.3

    def table(rows_of, with_month: bool) -> tuple[list[list], list[tuple[int, int]]]:
        month = [["所属期"]] if with_month else [[]]
        spans = []
        if wide:
            return [month[0] + ["经办机构", *STATS_ITEMS, "合计"]] + [
                ([f"{y}{m:02d}"] if with_month else []) + [inst, *counts, sum(counts)]
                for (y, m), inst, *counts in rows_of], spans
        out = [month[0] + ["服务机构", "业务名称", "笔数"]]
        for (y, m), inst, *counts in rows_of:
            if merged:
                spans.append((len(out), len(STATS_ITEMS)))
            for k, (item, count) in enumerate(zip(STATS_ITEMS, counts)):
                shown = inst if not merged or k == 0 else None
                out.append(([f"{y}{m:02d}"] if with_month else []) + [shown, item, count])
        return out, spans

    groups = {}
    for row in rows:
        groups.setdefault(row[0] if by_sheet else None, []).append(row)
    written = []
    for month, rows_of in groups.items():
        body, spans = table(rows_of, not by_sheet)
        col = 0 if by_sheet else 1
        name = rng.choice(MONTH_NAMES)(*month) if by_sheet else "统计"
        if html:
            written.append(_stats_html(path_stem.parent / f"{path_stem.name}-{name}.xls", body, spans, col))
        else:
            written.append((name, body, spans, col))
    if html:
        return written, expected
    return [_stats_xlsx(path_stem.with_suffix(".xlsx"), written)], expected


def _stats_xlsx(path, sheets):
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, body, spans, col in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(body):
            for c, value in enumerate(row):
                if value is not None:
                    (sheet.write_string if isinstance(value, str) else sheet.write_number)(r, c, value)
        for top, height in spans:
            sheet.merge_range(top, col, top + height - 1, col, body[top][col])
    book.close()
    return path


def _stats_html(path, body, spans, col):
    starts = dict(spans)
    covered = {top + k for top, height in spans for k in range(1, height)}
    lines = ["<html><body><table>"]
    for r, row in enumerate(body):
        cells = []
        for c, value in enumerate(row):
            if c == col and r in covered:
                continue  # under a rowspan, as a web system writes it
            span = f" rowspan='{starts[r]}'" if c == col and r in starts else ""
            cells.append(f"<td{span}>{'' if value is None else value}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table></body></html>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def litter(rng: random.Random, folder) -> list[str]:
    """What else lies in an exports folder: Windows' files (silent), and maybe the allocation
    workbook and an earlier import of ours (each skipped with a note)."""
    for name in rng.sample(["Thumbs.db", "desktop.ini", "~$d0.xlsx", ".DS_Store"], rng.randint(0, 4)):
        (folder / name).write_bytes(b"\0junk")
    notes = []
    if rng.random() < 0.3:
        shutil.copy(DEMO, folder / "考核工作簿.xlsm")
        notes.append("考核工作簿.xlsm：这是考核分配工作簿（有“参数”“指标”“中心”等工作表），不是金保导出，已跳过")
    if rng.random() < 0.3:
        (folder / "上次导入.xlsx").write_bytes(import_workbook_bytes(imported([])))
        notes.append("上次导入.xlsx：这是本程序（JBSys-XL）生成的文件，不是金保导出，已跳过")
    return notes


@pytest.mark.parametrize("seed", range(24))
def test_random_exports_give_the_true_volumes(tmp_path, seed):
    rng = random.Random(seed)
    cases = make_cases(rng)
    cuts = sorted(rng.sample(range(1, len(cases)), rng.randint(0, 3)))
    files = [cases[a:b] for a, b in zip([0] + cuts, cuts + [len(cases)])]
    if rng.random() < 0.5:  # an overlapping export repeats some cases
        files.append(rng.sample(cases, len(cases) // 4))
    folder = tmp_path / "exports"
    folder.mkdir()
    paths = [write_detail(rng, folder / f"d{i}", chunk) for i, chunk in enumerate(files)]
    stats = {}
    if rng.random() < 0.6:
        written, stats = write_stats(rng, folder / "s")
        for path in written:
            paths.insert(rng.randrange(len(paths) + 1), path)
    as_folder = rng.random() < 0.5
    notes = litter(rng, folder) if as_folder else []
    result = imported([folder] if as_folder else paths)
    assert result.ok, [str(c) for c in result.errors]
    assert volumes(result) == truth(files, stats)
    assert [m for m in messages(result, "warning") if "已跳过" in m] == [f"exports/{n}" for n in sorted(notes)]
