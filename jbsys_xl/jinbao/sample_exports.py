"""Made-up 金保 exports of the demo year, as staff get them in December (issue 11 item 4).

Four files in the forms the import reads, with what real exports carry: a 明细 .xlsx with a
title line, a GBK .csv with other header names, a web system's HTML ".xls", a wide 统计
report; cases repeated across files (one of them with another month), cancelled and pending
cases, an institution and items the workbook does not know, names in other widths, and
personal columns with invented names, ID numbers and phones. Same year and seed → same bytes.

    python -m jbsys_xl.jinbao.sample_exports --year 2024 -o build/金保导出
"""
from __future__ import annotations

import argparse
import csv
import html
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

from ..sample import CALLBACK_CASES, active_centers, case_id, center_name, jinbao_institution, period_months

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰红"
UNKNOWN_INSTITUTION = "武进区湖塘镇劳动保障所"  # another district's office: not a center of ours
UNKNOWN_ITEM = "人事档案借阅"
# (事项名称 or the 金保 name used, weight): 就业 lines in the .xlsx, 社保 in the .csv, 社保卡 in the .xls
EMPLOYMENT = (("失业登记", 5), ("失业人员登记", 2), ("失业保险待遇申领", 5), ("灵活就业社保补贴", 3),
              ("就业困难人员(含双零家庭)认定", 1), ("一次性开业补贴申请受理", 1), (UNKNOWN_ITEM, 1))
INSURANCE = (("城乡居民参保登记", 5), ("变更维护居民保险参保人员信息", 2), ("受理居民保险补收申请", 2))
CARDS = (("社保卡申领", 4), ("社会保障卡领卡、激活", 3), ("电子社保卡实名认证", 2))
STATS_ITEMS = ("人才监测实名制统计", "人才需求调查", "镇、街道劳动人事争议调解", "网格预警信息登记和突发事件登记")
STATUSES = (("办结", 90), ("作废", 4), ("退回", 3), ("审核中", 1), ("", 2))


def _person(rng: random.Random) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    born = date(1955, 1, 1) + timedelta(rng.randrange(365 * 45))
    body = f"3204{rng.randrange(1, 12):02d}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    phone = rng.choice(("", "无", f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                        f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                        f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"))
    return name, body + check, phone


class _Cases:
    """Case ids numbered across the 明细 files, so the demo's 回访 rows name real cases."""

    def __init__(self, year: int, rng: random.Random):
        self.year, self.rng, self.number = year, rng, 0
        self.forced = {number: code for code, number, _, _ in CALLBACK_CASES}
        self.centers = {code: (town, district) for code, town, district, *_ in active_centers()}
        first = date(*period_months(year)[0], 1) - timedelta(20)  # some cases before the period
        self.first, self.days = first, (date(year, 12, 20) - first).days  # and some after it

    def institution(self, code: str) -> str:
        town, district = self.centers[code]
        roll = self.rng.random()
        if roll < 0.7:
            return jinbao_institution(town, district)
        return center_name(town) if roll < 0.9 else code

    def next(self, items) -> dict:
        self.number += 1
        rng = self.rng
        code = self.forced.get(self.number) or rng.choice(list(self.centers))
        when = datetime.combine(self.first + timedelta(rng.randrange(self.days)), datetime.min.time()) \
            + timedelta(seconds=rng.randrange(8 * 3600, 17 * 3600))
        name, id_number, phone = _person(rng)
        institution = UNKNOWN_INSTITUTION if rng.random() < 0.02 else self.institution(code)
        names, weights = zip(*items)
        status = "办结" if self.number in self.forced else rng.choices(*zip(*STATUSES))[0]
        return {"id": case_id(self.year, self.number), "institution": institution,
                "item": rng.choices(names, weights)[0], "when": when, "done": when + timedelta(days=rng.randrange(3)),
                "status": status, "name": name, "id_number": id_number, "phone": phone}


def _detail_xlsx(path: Path, year: int, cases: list[dict]) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": datetime(year, 12, 1)})
    sheet = book.add_worksheet("业务明细")
    sheet.write_string(0, 0, f"常州市就业业务经办明细（导出时间 {year}-12-20）", book.add_format({"bold": True}))
    headers = ("序号", "业务流水号", "经办机构", "业务事项", "受理时间", "办结时间", "办理状态", "姓名",
               "公民身份号码", "联系电话")
    sheet.write_row(1, 0, headers, book.add_format({"bold": True, "bg_color": "#DDEBF7"}))
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for row, case in enumerate(cases, start=2):
        sheet.write_number(row, 0, row - 1)
        for col, key in ((1, "id"), (2, "institution"), (3, "item")):
            sheet.write_string(row, col, case[key])
        sheet.write_datetime(row, 4, case["when"], stamp)
        sheet.write_datetime(row, 5, case["done"], stamp)
        for col, key in ((6, "status"), (7, "name"), (8, "id_number"), (9, "phone")):
            sheet.write_string(row, col, case[key])
    sheet.write_string(len(cases) + 2, 0, "合计")
    sheet.write_string(len(cases) + 2, 1, f"{len(cases)} 条")
    sheet.set_column(0, 9, 18)
    book.add_worksheet("导出说明").write_string(0, 0, "本文件由金保系统导出，仅供内部使用")
    book.close()


def _detail_csv(path: Path, cases: list[dict]) -> None:
    """Other header names, full-width digits in some institutions, GBK as Chinese Excel saves."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(("经办流水号", "经办网点", "业务名称", "经办日期", "业务状态", "参保人姓名", "身份证号码", "手机号码"))
    for case in cases:
        writer.writerow((case["id"], case["institution"], case["item"], f"{case['when']:%Y/%m/%d}",
                         {"办结": "已办结", "作废": "已撤销"}.get(case["status"], case["status"]),
                         case["name"], case["id_number"], case["phone"]))
    path.write_bytes(out.getvalue().encode("gbk"))


def _detail_html(path: Path, year: int, cases: list[dict]) -> None:
    """A web system's "xls": an HTML table, a heading above it."""
    lines = ['<html><head><meta charset="utf-8"><title>社保卡业务</title></head><body>',
             f"<h3>社会保障卡业务办件清单（{year}年）</h3>", '<table border="1">',
             "<tr><th>办件编号</th><th>服务机构</th><th>事项名称</th><th>受理日期</th><th>状态</th>"
             "<th>姓名</th><th>证件号码</th><th>联系电话</th></tr>"]
    for case in cases:
        cells = (case["id"], case["institution"], case["item"], f"{case['when'].year}年{case['when'].month}月{case['when'].day}日",
                 {"办结": "完成"}.get(case["status"], case["status"]), case["name"], case["id_number"],
                 case["phone"])
        lines.append("<tr>" + "".join(f"<td>{html.escape(value)}</td>" for value in cells) + "</tr>")
    lines.append("</table></body></html>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _stats_xlsx(path: Path, year: int, rng: random.Random) -> None:
    """Wide: one column per item, one row per institution and month, a 合计 row per month."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": datetime(year, 12, 1)})
    sheet = book.add_worksheet("月度统计")
    sheet.write_string(0, 0, f"{year}年度人才与劳动关系业务量统计")
    headers = ("序号", "统计月份", "经办机构", *STATS_ITEMS, "就业见习", "合计")
    sheet.write_row(1, 0, headers)
    row = 2
    for y, m in period_months(year):
        totals = [0] * (len(STATS_ITEMS) + 1)
        for number, (code, town, district, *_) in enumerate(active_centers(), start=1):
            counts = [rng.randrange(0, 12) for _ in totals]
            totals = [a + b for a, b in zip(totals, counts)]
            sheet.write_row(row, 0, (number, f"{y}{m:02d}", jinbao_institution(town, district), *counts, sum(counts)))
            row += 1
        sheet.write_row(row, 0, ("合计", f"{y}{m:02d}", "", *totals, sum(totals)))
        row += 1
    book.close()


def write_sample_exports(folder: str | Path, year: int = 2024, seed: int = 11) -> list[Path]:
    """The four exports into ``folder``; returns their paths in name order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cases = _Cases(year, rng)
    employment = [cases.next(EMPLOYMENT) for _ in range(900)]
    insurance = [cases.next(INSURANCE) for _ in range(600)]
    cards = [cases.next(CARDS) for _ in range(400)]
    overlap = rng.sample(employment, 25)  # a cross-line export repeats cases of the first file
    moved = dict(overlap[0], when=overlap[0]["when"] + timedelta(days=45))  # …one with another date
    paths = [folder / f"01-就业业务明细-{year}.xlsx", folder / f"02-社保业务明细-{year}.csv",
             folder / f"03-社保卡办件-{year}.xls", folder / f"04-人才劳动关系统计-{year}.xlsx"]
    _detail_xlsx(paths[0], year, employment)
    _detail_csv(paths[1], insurance + overlap[1:] + [moved])
    _detail_html(paths[2], year, cards)
    _stats_xlsx(paths[3], year, rng)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jbsys_xl.jinbao.sample_exports",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("-o", "--output", required=True, help="folder to write the exports into")
    args = parser.parse_args(argv)
    for path in write_sample_exports(args.output, args.year, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
