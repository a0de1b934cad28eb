"""Output sized for people: the result workbook keeps 分中心说明 up to
contract.NOTES_MAX_CENTERS active centers; above, 说明 says how to get any center's explanation,
and 得分明细 still has a row per center × indicator."""
from __future__ import annotations

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import contract
from jbsys_xl.pipeline import run
from jbsys_xl.report.result_workbook import ABOUT_SHEET, NOTES_SHEET, result_workbook_bytes
from tests.support import workbooks as wb

YEAR = 2024


def book_with_centers(path, count: int):
    """The hand-made base book with ``count`` centers, each rated and with volumes."""
    sheets = wb.base()
    sheets["参数"][1][1:3] = [10_000_000, 7_000_000]  # enough for every center's A award
    codes = [f"C{n:03d}" for n in range(1, count + 1)]
    sheets["中心"][1:] = [[code, f"第{n}中心", ("天宁区", "钟楼区")[n % 2]]
                         for n, code in enumerate(codes, start=1)]
    rating_header = sheets["评定"][0]
    sheets["评定"][1:] = [[YEAR, code, "综合服务窗口", "是"] + [""] * (len(rating_header) - 4)
                         for code in codes]
    sheets["业务量"][1:] = [[code, item, date(2024, 3, 1), n % 7 + 1]
                           for n, code in enumerate(codes) for item in ("失业登记", "居民参保登记")]
    sheets["投诉"][1][1] = codes[0]
    sheets["扣减"][1][1] = codes[1]
    return wb.write(path, sheets)


@pytest.mark.parametrize("count", [contract.NOTES_MAX_CENTERS, contract.NOTES_MAX_CENTERS + 1])
def test_notes_sheet_up_to_the_threshold(tmp_path, count):
    outcome = run(book_with_centers(tmp_path / "book.xlsx", count), YEAR)
    assert outcome.ok, outcome.errors
    assert len(outcome.allocation.centers) == count
    path = tmp_path / "result.xlsx"
    path.write_bytes(result_workbook_bytes(outcome))
    book = CalamineWorkbook.from_path(str(path))
    about = "\n".join(" ".join(map(str, row))
                      for row in book.get_sheet_by_name(ABOUT_SHEET).to_python())
    detail = book.get_sheet_by_name(contract.DETAIL_SHEET).to_python()
    codes = [row[0] for row in detail[3:]]
    assert len(codes) == count * len(outcome.allocation.indicators)  # one row per center × indicator
    assert set(codes) == {c.code for c in outcome.allocation.centers}
    if count <= contract.NOTES_MAX_CENTERS:
        assert NOTES_SHEET in book.sheet_names
        assert "jbsys-xl explain" not in about
    else:
        assert NOTES_SHEET not in book.sheet_names
        assert f"共 {count} 个中心，超过 {contract.NOTES_MAX_CENTERS} 个" in about
        assert f"jbsys-xl explain <输入工作簿> --year {YEAR} --center" in about
        assert f"jbsys-xl notices <输入工作簿> --year {YEAR} -o" in about
