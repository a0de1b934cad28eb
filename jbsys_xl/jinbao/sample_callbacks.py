"""The demo's 12333 side of the loop (``make demo``): a drawn 回访清单 filled in the way the
callers would (the results then go into the workbook through ``callback-results --into``).

``fill`` writes 回访结果, 回访日期 (from the day of the draw on), 说明, 回访人 and 工单号 into a copy
of a list — decided by a hash of each case id, so the same list is always filled the same way:
most cases 属实, some 无法联系, a few 不属实, a few not reached yet (未回访); one 说明 repeats
the person's name, which ``callback-results`` must keep out of its result.

    python -m jbsys_xl.jinbao.sample_callbacks fill 回访清单.xlsx -o 回访清单-已回访.xlsx
"""
from __future__ import annotations

import argparse
import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

from .callbacks import COLUMNS, MOMENT_FORMAT, MOMENT_LABEL, RECORD_SHEET, SHEET

NOT_REACHED, REFUTED = "三次未接通", "当事人称未在该中心办理此业务"


def _roll(case_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(case_id.encode(), digest_size=4).digest(), "big")


def fill(list_path: str | Path, out: str | Path) -> int:
    """A filled copy of the list; returns how many cases were given a result."""
    book = openpyxl.load_workbook(list_path)
    record = book[RECORD_SHEET]
    labels = {row[0].value: row[1].value for row in record.iter_rows(min_col=1, max_col=2)}
    drawn = datetime.strptime(labels[MOMENT_LABEL], MOMENT_FORMAT)
    sheet = book[SHEET]
    header = next(row for row in sheet.iter_rows() if [c.value for c in row[:len(COLUMNS)]] == list(COLUMNS))
    col = {cell.value: cell.column for cell in header}
    called, named = 0, False
    for number in range(header[0].row + 1, sheet.max_row + 1):
        if not isinstance(sheet.cell(number, 1).value, (int, float)):
            continue
        case_id = sheet.cell(number, col["业务流水号"]).value
        roll = _roll(case_id)
        share = roll % 100
        if share < 6:
            continue  # not reached yet: 未回访
        result, note = (("无法联系", NOT_REACHED) if share < 15 else ("不属实", REFUTED) if share < 18 else ("属实", ""))
        if result == "属实" and not named:  # a caller's habit the results must not carry
            note, named = f"已与{sheet.cell(number, col['姓名']).value}本人核实", True
        cells = {"回访结果": result, "回访日期": drawn + timedelta(days=roll % 5), "说明": note or None,
                 "回访人": f"12333坐席{roll % 9 + 1:02d}", "工单号": f"GD{drawn:%Y%m%d}{number:04d}"}
        for name, value in cells.items():
            sheet.cell(number, col[name]).value = value
        sheet.cell(number, col["回访日期"]).number_format = "yyyy-mm-dd"
        called += 1
    book.save(out)
    return called


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jbsys_xl.jinbao.sample_callbacks",
                                     description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    filling = commands.add_parser("fill", help="fill a drawn list as 12333 would")
    filling.add_argument("list")
    filling.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    print(f"{args.output}：{fill(args.list, args.output)} 件已回访")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
