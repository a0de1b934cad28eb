"""The 业务量 sheet read column-wise: values that hash alike but read differently, and the
parsed columns reused when the year before is run over the same book (the 同比 sheet)."""
from __future__ import annotations

import pytest

from jbsys_xl import sample
from jbsys_xl.io.reader import read_source
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import to_json
from tests.support import workbooks as wb


@pytest.mark.parametrize("first,second", [(True, 1), (1, True)], ids=["TRUE-first", "1-first"])
def test_a_yes_no_cell_is_not_the_number_one(tmp_path, first, second):
    sheets = wb.set_cell(wb.base(), "业务量", 2, "业务量", first)
    sheets = wb.set_cell(sheets, "业务量", 3, "业务量", second)
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    bool_cell = "D2" if first is True else "D3"
    assert [(c.sheet, c.cell) for c in outcome.errors] == [("业务量", bool_cell)]
    assert "不是数字" in outcome.errors[0].message


def test_false_next_to_zero_is_reported_too(tmp_path):
    sheets = wb.set_cell(wb.base(), "业务量", 2, "业务量", 0)
    sheets = wb.set_cell(sheets, "业务量", 4, "业务量", False)
    outcome = run(wb.write(tmp_path / "in.xlsx", sheets), 2024)
    assert [(c.sheet, c.cell) for c in outcome.errors] == [("业务量", "D4")]


def test_the_year_before_over_the_same_book_matches_a_fresh_read(tmp_path):
    path = sample.write_sample_workbook(tmp_path / "sample.xlsx", 2024)
    book = read_source(path)
    assert run(book, 2024).ok
    again = run(book, 2023)  # reuses the columns parsed for 2024
    fresh = run(read_source(path), 2023)
    assert again.ok and fresh.ok
    assert to_json(again) == to_json(fresh)
