"""The result workbook: reproducible bytes, every sheet, totals that match the JSON, and a
file LibreOffice opens."""
from __future__ import annotations

from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import __version__, contract
from jbsys_xl.cli import main
from jbsys_xl.office.libreoffice import convert
from jbsys_xl.pipeline import run
from jbsys_xl.report import tables as t
from jbsys_xl.report.json_result import result_dict
from jbsys_xl.report.attachment import BALANCE_SHEET, attachment_bytes
from jbsys_xl.report.result_workbook import (ABOUT_SHEET, CHARTS_SHEET, HEADER_ROW, NOTES_SHEET,
                                             result_workbook_bytes)
from tests.support import require_soffice

SHEETS = [contract.RESULT_SHEET, BALANCE_SHEET, contract.DETAIL_SHEET, contract.DISTRICT_SHEET,
          contract.CHECKS_SHEET, t.LINES_SHEET, ABOUT_SHEET, CHARTS_SHEET, NOTES_SHEET]


@pytest.fixture(scope="module")
def workbook(outcome, tmp_path_factory):
    path = tmp_path_factory.mktemp("result") / "result.xlsx"
    path.write_bytes(result_workbook_bytes(outcome))
    return path


def rows_of(path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_same_input_same_bytes(outcome, small_outcome):
    for result in (outcome, small_outcome):
        assert result_workbook_bytes(result) == result_workbook_bytes(result)
        assert attachment_bytes(result) == attachment_bytes(result)


def test_cli_allocate_writes_the_same_bytes(sample_path, outcome, tmp_path, capsys):
    target = tmp_path / "out.xlsx"
    assert main(["allocate", str(sample_path), "--year", "2024", "-o", str(target)]) == 0
    assert target.read_bytes() == result_workbook_bytes(outcome)
    assert str(target) in capsys.readouterr().out


def test_every_sheet_is_there(workbook, small_outcome, tmp_path):
    # The sample holds a valid 2023 too, so it gets 同比, and 12333 callbacks, so 回访汇总;
    # the one-year book has neither.
    assert CalamineWorkbook.from_path(str(workbook)).sheet_names == SHEETS + [t.COMPARISON_SHEET,
                                                                              t.CALLBACK_SHEET]
    small = tmp_path / "small.xlsx"
    small.write_bytes(result_workbook_bytes(small_outcome))
    assert CalamineWorkbook.from_path(str(small)).sheet_names == SHEETS


def test_result_sheet_is_the_attachment_and_matches_the_json(workbook, outcome):
    rows = rows_of(workbook, contract.RESULT_SHEET)
    assert rows[0][0] == "附件"
    assert rows[1][0] == "2024年度市本级人社基层平台建设考核结果及补助资金分配表（草案）"
    top = next(i for i, row in enumerate(rows) if row[0] == t.NUMBER_LABEL)  # 序号 first (v4)
    headers = [str(header).replace("\n", "") for header in rows[top]]  # broken between words
    rows = [[str(cell).replace("\n", "") if isinstance(cell, str) else cell for cell in row] for row in rows]
    code, name, total = (headers.index(dict(contract.CENTER_RESULT_COLUMNS)[k])
                         for k in ("code", "name", "total"))
    data = result_dict(outcome)
    grand = next(row for row in rows if row[name] == t.TOTAL)
    pools = data["pools"]
    assert Decimal(str(grand[total])).quantize(Decimal("0.01")) == \
        Decimal(pools["paid_total"]) - Decimal(pools["hardware_total"])
    by_code = {row[code]: row for row in rows[top + 1:] if row[code] and row[code] != t.TOTAL
               and isinstance(row[total], float)}
    assert {c["code"]: c["total"] for c in data["centers"]} == \
        {k: f"{row[total]:.2f}" for k, row in by_code.items()}
    assert sum(1 for row in rows if str(row[name]).endswith(t.SUBTOTAL)) == len(data["districts"])


def test_final_year_shows_the_approval_number(sample_path, tmp_path):
    """The sample's year before is 审定: the 附件 cites its 文号 (v4: not as its own, under the title)."""
    final = run(sample_path, 2023)
    assert final.ok and final.allocation.settings.status == contract.STATUS_FINAL
    path = tmp_path / "final.xlsx"
    path.write_bytes(result_workbook_bytes(final))
    rows = rows_of(path, contract.RESULT_SHEET)
    assert rows[1][0] == "2023年度市本级人社基层平台建设考核结果及补助资金分配表"
    assert rows[2][0] == "依据：常人社〔2023〕88号（2023年12月20日审定）"
    assert rows_of(path, contract.DETAIL_SHEET)[0][0].endswith("（审定 常人社〔2023〕88号 2023-12-20）")


def test_lines_sheet_has_a_signed_section_per_department(workbook, outcome):
    """条线汇总: each 考核部门 of the year's indicators, a 合计 per indicator, and a line for
    the department's 确认人 and date."""
    rows = rows_of(workbook, t.LINES_SHEET)
    departments = list(dict.fromkeys(i.department for i in outcome.allocation.indicators))
    titles = list(dict.fromkeys(row[0] for row in rows if str(row[0]).startswith("考核部门：")))
    assert [title.split("：")[1] for title in titles] == departments
    signs = [cell for row in rows for cell in row if str(cell).startswith("确认部门：")]
    assert [sign.split("：")[1].split()[0] for sign in signs] == departments
    first = outcome.allocation.indicators[0]
    row = next(row for row in rows if row[1] == first.name)
    assert row[-1] == float(outcome.allocation.indicator_totals[first.name])


def test_about_sheet_names_input_settings_and_version(workbook, outcome):
    text = "\n".join(" ".join(map(str, row)) for row in rows_of(workbook, ABOUT_SHEET))
    assert "草案" in text
    assert outcome.book.sha256 in text and outcome.book.label in text
    assert __version__ in text and "制表日期 2024-12-20" in text  # SOURCE_DATE_EPOCH (tests/conftest.py)
    for header in contract.SHEET_SPECS[contract.PARAMS].headers:
        assert header in text


def test_every_center_explained(workbook, outcome):
    text = "\n".join(" ".join(map(str, row)) for row in rows_of(workbook, NOTES_SHEET))
    for center in outcome.allocation.centers:
        assert f"{center.code} {center.name}" in text


def test_comparison_sheet_flags(workbook):
    rows = rows_of(workbook, t.COMPARISON_SHEET)
    headers = rows[HEADER_ROW]
    assert t.CHANGE_FLAG in headers
    assert {row[headers.index(t.CHANGE_FLAG)] for row in rows[HEADER_ROW + 1:]} <= {"是", "否"}


def test_libreoffice_opens_what_we_write(workbook, outcome, tmp_path):
    """A workbook Excel would have to repair does not convert; the round trip keeps the money."""
    require_soffice()
    printable = tmp_path / "printable.xlsx"
    printable.write_bytes(attachment_bytes(outcome)[0])
    for source in (workbook, printable):
        converted = convert(source, "xlsx", tmp_path / f"lo-{source.stem}")
        assert rows_of(converted, BALANCE_SHEET)[-1] == rows_of(source, BALANCE_SHEET)[-1]
    pdf = convert(workbook, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
