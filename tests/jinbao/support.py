"""Writing 金保 exports for the tests, and running the import on the demo workbook."""
from __future__ import annotations

import csv
import html
import io
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from jbsys_xl.io.reader import read_source
from jbsys_xl.jinbao.importer import run_import
from jbsys_xl.jinbao.output import import_dict

DEMO = Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"
YEAR = 2024
# Demo centers and items (jbsys_xl.sample): a name, a code and a 金保机构 alias.
TN01, TN02 = "雕庄街道人社服务中心（示例数据）", "TN02"
TN01_ALIAS = "天宁区雕庄街道劳动保障所"
ITEM, ITEM2, ITEM_ALIAS = "失业登记", "社会保障卡申请", "失业人员登记"  # 失业人员登记 → 失业登记
DETAIL_HEADERS = ["业务流水号", "经办机构", "业务事项", "受理时间", "办理状态"]


class Formula:
    """A formula cell with the cached result Excel would show (an error value, or none)."""

    def __init__(self, formula: str, value=None):
        self.formula, self.value = formula, value


_BOOK = None


def demo_book():
    """The demo workbook read once (the import takes a RawBook as well as a path)."""
    global _BOOK
    if _BOOK is None:
        _BOOK = read_source(DEMO)
    return _BOOK


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.formula, None, value.value)
                elif isinstance(value, (datetime, date)):
                    sheet.write_datetime(r, c, value, stamp)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([["" if v is None else str(v) for v in row] for row in rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_html(path: Path, rows: list[list], title: str | None = None, encoding: str = "utf-8") -> Path:
    lines = ["<html><head><meta charset='%s'></head><body>" % encoding]
    if title:
        lines.append(f"<p>{html.escape(title)}</p>")
    lines.append("<table>")
    for row in rows:
        lines.append("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>")
    lines.append("</table></body></html>")
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def detail(*cases, headers=DETAIL_HEADERS, title: str | None = "2024年业务明细") -> list[list]:
    """A 明细 sheet: a title line, the header, one row per case."""
    return ([[title]] if title else []) + [list(headers)] + [list(case) for case in cases]


def imported(sources, **kwargs):
    return run_import(demo_book(), [str(s) for s in sources], kwargs.pop("year", YEAR), **kwargs)


def volumes(result) -> dict[tuple[str, str, str], int]:
    return {(v["center"], v["item"], v["month"]): v["volume"] for v in import_dict(result)["volumes"]}


def messages(result, level: str | None = None) -> list[str]:
    return [str(c) for c in result.checks if level is None or c.level == level]


def personal_values(exports, masked: bool = True) -> set[str]:
    """Every name, ID number (whole, and ``masked`` as the list shows it) and phone of the
    counted cases of some exports: what must never reach an output other than the 回访清单
    (the callbacks' JSON names cases by their masked ID numbers)."""
    cases = run_import(demo_book(), [str(s) for s in exports], YEAR, personal=True).cases
    found = set()
    for key, column in cases.person.items():
        for value in column:
            value = value.strip() if isinstance(value, str) else ""
            if len(value) >= 2 and value != "无":
                found.add(value)
                if masked and key == "id_number" and len(value) > 10:
                    found.add(value[:6] + "*" * (len(value) - 10) + value[-4:])
    return found


def stored_text(path: Path) -> str:
    """Every string a file holds as stored: a workbook's XML parts, or the file's text."""
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                           if name.endswith(".xml"))
    return path.read_bytes().decode("utf-8", "replace")


def filled_list(workbook: Path, exports, folder: Path, seed: int, result: str, day=None) -> tuple[Path, Path]:
    """A 回访清单 of ``workbook`` drawn with ``seed`` (one case per center), and a copy whose first
    case got ``result`` (and ``day``): (drawn, filled)."""
    import openpyxl

    from jbsys_xl.cli import main

    drawn, filled = folder / "回访清单.xlsx", folder / "已回访.xlsx"
    assert main(["callbacks", str(workbook), *map(str, exports), "--seed", str(seed), "--per-center", "1",
                 "--operator", "抽取员", "-o", str(drawn)]) == 0
    book = openpyxl.load_workbook(drawn)
    sheet = book["回访清单"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "序号")
    column = {cell.value: cell.column for cell in header}
    sheet.cell(header[0].row + 1, column["回访结果"]).value = result
    if day is not None:
        sheet.cell(header[0].row + 1, column["回访日期"]).value = day
    book.save(filled)
    return drawn, filled
