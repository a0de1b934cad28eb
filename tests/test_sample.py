"""The demo sample: deterministic, complete against the contract, and carrying its special cases."""
from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl import sample
from jbsys_xl.contract import (ALIAS_SEPARATORS, CENTERS, COMPLAINTS, DEDUCTIONS, HARDWARE,
                               HEADER_SEARCH_ROWS, INDICATORS, INPUT_SHEETS, PARAMS, RATINGS,
                               SHEET_SPECS, VERDICTS, VOLUMES)

YEAR = 2024
MONTH_TEXT = {"dash": r"\d{4}-\d{2}", "slash": r"\d{4}/\d{2}", "cn": r"\d{4}年\d{1,2}月"}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    return sample.write_sample_workbook(tmp_path_factory.mktemp("sample") / "sample.xlsx", YEAR)


def read_table(path, sheet: str) -> tuple[int, list[dict]]:
    """(header row index, rows as header → value), finding the header the way spec §1 says."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [str(cell).strip() for cell in row]
        if set(SHEET_SPECS[sheet].required) <= set(headers):
            body = [r for r in rows[index + 1:] if any(cell != "" for cell in r)]
            return index, [dict(zip(headers, r)) for r in body]
    raise AssertionError(f"{sheet}: no header row")


def month_of(value) -> tuple[int, int]:
    if isinstance(value, date):
        return value.year, value.month
    year, month = re.fullmatch(r"(\d{4})\s*[-/年]\s*(\d{1,2})月?", value.strip()).groups()
    return int(year), int(month)


def test_two_writes_give_the_same_bytes(tmp_path):
    first = sample.write_sample_workbook(tmp_path / "a.xlsx", YEAR, seed=3).read_bytes()
    assert sample.write_sample_workbook(tmp_path / "b.xlsx", YEAR, seed=3).read_bytes() == first
    assert sample.write_sample_workbook(tmp_path / "c.xlsx", YEAR, seed=4).read_bytes() != first


def test_cli_writes_the_default_workbook(tmp_path):
    assert sample.main(["--year", str(YEAR), "-o", str(tmp_path / "cli.xlsx")]) == 0
    expected = sample.write_sample_workbook(tmp_path / "api.xlsx", YEAR).read_bytes()
    assert (tmp_path / "cli.xlsx").read_bytes() == expected


def test_every_sheet_with_its_headers_in_contract_order(workbook):
    data = sample.sample_rows(YEAR)
    names = [spec.name for spec in INPUT_SHEETS]
    assert CalamineWorkbook.from_path(str(workbook)).sheet_names == names == list(data)
    for spec in INPUT_SHEETS:
        header_row, rows = read_table(workbook, spec.name)
        assert header_row == (1 if spec.name in sample.TITLED else 0)  # as the template's notes
        assert len(rows) == len(data[spec.name]) > 0
        assert len({tuple(row) for row in data[spec.name]}) == 1  # same keys in every row


def test_period_covered_with_rows_outside(workbook):
    _, rows = read_table(workbook, VOLUMES)
    month = SHEET_SPECS[VOLUMES].required[2]
    months = {month_of(row[month]) for row in rows}
    period = sample.period_months(YEAR)
    assert period == [(YEAR - 1, 12)] + [(YEAR, m) for m in range(1, 12)]
    assert set(period) <= months
    assert months - set(period) == set(sample.period_months(YEAR - 1)) | {(YEAR, 12)}


@pytest.mark.parametrize("year", [YEAR - 1, YEAR])
def test_weights_sum_to_exactly_100(workbook, year):
    year_h, _, _, _, weight_h, *_ = SHEET_SPECS[INDICATORS].headers
    _, rows = read_table(workbook, INDICATORS)
    weights = [Decimal(str(row[weight_h])) for row in rows if row[year_h] == year]
    assert len(weights) == 54 and sum(weights) == 100


def test_totals_keep_the_fund_validations():
    data = sample.sample_rows(YEAR)
    year_h, fund_h, performance_h, _, _, _, count_h, award_h, *_ = SHEET_SPECS[PARAMS].headers
    params = next(row for row in data[PARAMS] if row[year_h] == YEAR)
    fund = Decimal(params[fund_h])
    performance = fund * Decimal("0.70") if params[performance_h] is None else params[performance_h]
    _, _, budget_h, *_ = SHEET_SPECS[HARDWARE].headers
    budgets = sum(Decimal(row[budget_h]) for row in data[HARDWARE])
    _, _, venue_h, sink_h, *_ = SHEET_SPECS[RATINGS].headers
    basic = sum(12_000 if row[venue_h] == "独立服务大厅" else 10_000 for row in data[RATINGS]
                if row[sink_h] == "是" and row[venue_h] != "无")
    assert budgets <= fund * Decimal("0.30") and performance + budgets <= fund
    assert basic + params[count_h] * params[award_h] < performance


def test_special_cases():
    data = sample.sample_rows(YEAR)
    code_h, name_h, _, start_h, stop_h, *_ = SHEET_SPECS[CENTERS].headers
    names = {row[code_h]: row[name_h] for row in data[CENTERS]}
    assert len(names) == 25 and all("示例数据" in name for name in names.values())
    assert [row[code_h] for row in data[CENTERS] if row[start_h] == YEAR + 1] == ["XB10"]
    assert [row[code_h] for row in data[CENTERS] if row[stop_h] == YEAR - 1] == ["ZL06"]

    year_h, center_h, _, _, recommend_h, winner_h, veto_h, reason_h, grade_h, *_ = \
        SHEET_SPECS[RATINGS].headers
    for year, absent in ((YEAR, {"XB10", "ZL06"}), (YEAR - 1, {"XB10"})):
        # every center active in the year has its 评定 row (§2), and only those
        rated = [row[center_h] for row in data[RATINGS] if row[year_h] == year]
        assert sorted(rated) == sorted(names[c] for c in names if c not in absent)
    vetoed = [row for row in data[RATINGS] if row[veto_h] == "是"]
    assert [row[center_h] for row in vetoed] == [names["XB04"]] and vetoed[0][reason_h]
    this_year = [row for row in data[RATINGS] if row[year_h] == YEAR]
    assert sum(row[recommend_h] == "是" for row in this_year) == 8
    assert all(row[winner_h] is None for row in this_year)  # the draft year: proposed
    assert [(row[center_h], row[grade_h]) for row in data[RATINGS] if row[grade_h]] == \
        [(names["ZL08"], "A")]  # graded below its ceiling A+
    last_year = [row[center_h] for row in data[RATINGS] if row[year_h] == YEAR - 1 and row[winner_h]]
    assert last_year == [names[c] for c in sample.LAST_YEAR_WINNERS]

    day_h, complaint_center_h, verdict_h, source_h, _, _, number_h, *_ = SHEET_SPECS[COMPLAINTS].headers
    assert {row[verdict_h] for row in data[COMPLAINTS]} == set(VERDICTS)
    numbers = [row[number_h] for row in data[COMPLAINTS]]
    assert all(numbers) and len(numbers) - len(set(numbers)) == 1
    twice = [row for row in data[COMPLAINTS] if numbers.count(row[number_h]) == 2]
    assert twice[0][verdict_h] == "有理" and twice[0][source_h] != twice[1][source_h]
    assert {k: v for k, v in twice[0].items() if k != source_h} == \
        {k: v for k, v in twice[1].items() if k != source_h}
    _, _, _, amount_h, rate_h = SHEET_SPECS[DEDUCTIONS].headers
    assert sorted((row[amount_h] is None, row[rate_h] is None) for row in data[DEDUCTIONS]) == [
        (False, False), (False, True), (True, False)]


@pytest.mark.parametrize("seed", [7, 1, 2024])
def test_volume_rows_are_typed_as_users_type_them(seed):
    data = sample.sample_rows(YEAR, seed)
    center_h, item_h, month_h, volume_h = SHEET_SPECS[VOLUMES].required
    rows = data[VOLUMES]
    months = [row[month_h] for row in rows]
    for name, pattern in MONTH_TEXT.items():
        assert any(isinstance(m, str) and re.fullmatch(pattern, m) for m in months), name
    assert any(isinstance(m, date) and m.day != 1 for m in months)
    assert all(isinstance(row[volume_h], int) and row[volume_h] >= 0 for row in rows)
    assert any(row[volume_h] == 0 for row in rows)
    year_h, _, _, name_h, *_, alias_h = SHEET_SPECS[INDICATORS].headers
    aliases = {alias for row in data[INDICATORS] if row[year_h] == YEAR and row[alias_h]
               for alias in re.split(f"[{''.join(ALIAS_SEPARATORS)}]", row[alias_h])}
    assert any(row[item_h] in aliases for row in rows)
    codes = {row[SHEET_SPECS[CENTERS].required[0]] for row in data[CENTERS]}
    assert any(row[center_h] in codes for row in rows)
    keys = [(row[center_h], row[item_h], month_of(row[month_h])) for row in rows]
    assert len(keys) == len(set(keys))  # no row pasted twice: an error since spec v4
    # 24 centers last year (ZL06 still open), 23 this year; 3 rows after the period
    assert len(rows) == 12 * 54 * (24 + 23) + 3


def test_parameters_last_year_final_this_year_draft():
    data = sample.sample_rows(YEAR)
    by_year = {row["年度"]: row for row in data[PARAMS]}
    assert by_year[YEAR - 1]["审定文号"] == "常人社〔2023〕88号"
    assert by_year[YEAR - 1]["审定日期"] == date(YEAR - 1, 12, 20)
    assert by_year[YEAR]["审定文号"] is None and by_year[YEAR]["审定日期"] is None
    assert len({tuple(row) for row in data[PARAMS]}) == 1


def test_hardware_capped_by_spending_and_filed_late():
    data = sample.sample_rows(YEAR)
    _, district_h, budget_h, planned_h, actual_h, filed_h, filed_on_h, *_ = SHEET_SPECS[HARDWARE].headers
    capped = [row for row in data[HARDWARE] if row[filed_h] == "是"
              and row[budget_h] * min(1, row[actual_h] / row[planned_h]) > row[actual_h]]
    assert len(capped) == 1 and capped[0][filed_on_h] > date(YEAR, 3, 31)
    assert all(row[filed_on_h] is None for row in data[HARDWARE] if row[filed_h] == "否")


def test_csv_holds_the_same_rows(tmp_path):
    folder = sample.write_sample_csv(tmp_path / "csv", YEAR)
    data = sample.sample_rows(YEAR)
    for spec in INPUT_SHEETS:
        with open(folder / f"{spec.name}.csv", encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        assert set(spec.required) <= set(header) and len(rows) == len(data[spec.name])
    month_h = SHEET_SPECS[VOLUMES].required[2]
    with open(folder / f"{VOLUMES}.csv", encoding="utf-8", newline="") as handle:
        months = {month_of(row[month_h]) for row in csv.DictReader(handle)}
    assert set(sample.period_months(YEAR)) <= months


def test_demo_year_is_a_draft_with_its_cases_and_last_year_is_final(workbook):
    """The sample runs without errors: the capped hardware pays what was spent, the complaint
    entered twice counts once, and last year passes the final run's stricter checks."""
    from jbsys_xl.pipeline import run

    outcome = run(workbook, YEAR)
    assert outcome.ok, outcome.errors
    assert outcome.allocation.settings.status == "草案"
    xinbei = next(d for d in outcome.allocation.districts if d.district == "新北区")
    assert xinbei.hardware_subsidy == Decimal("45000.00")  # budget 50 000, spent 45 000
    warnings = [c.message for c in outcome.warnings]
    assert any("按同一件投诉只计一次" in m for m in warnings)
    # the late project is paid by the 工作小组's recorded decision; the unfiled one is still open
    assert not any("晚于 2024 年3月31日" in m for m in warnings)
    assert any("未备案（已备案为“否”），尚无工作小组的处理决定" in m for m in warnings)
    assert any("未确定综合优胜单位" in m for m in warnings)
    last = run(workbook, YEAR - 1)
    assert last.ok, last.errors
    assert last.allocation.settings.status == "审定"
    assert sorted(c.code for c in last.allocation.centers if c.winner_status == "确定") == \
        sorted(sample.LAST_YEAR_WINNERS)
