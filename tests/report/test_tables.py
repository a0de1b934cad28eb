"""The result tables add up: district subtotals, the grand total, and the money the JSON pays."""
from __future__ import annotations

import copy
from decimal import Decimal

from jbsys_xl import contract
from jbsys_xl.report import tables as t
from jbsys_xl.report.json_result import result_dict

LABEL = dict(contract.CENTER_RESULT_COLUMNS)


def summed_columns(table: t.Table) -> list[int]:
    return [i for i, kind in enumerate(table.kinds) if kind in t.SUMMED_KINDS]


def test_result_table_has_every_center_column_and_kinds(outcome):
    table = t.result_table(outcome.allocation)
    assert table.headers == tuple(label for _, label in contract.CENTER_RESULT_COLUMNS)
    assert all(table.kinds[table.headers.index(LABEL[key])] == t.MONEY for key in contract.MONEY_KEYS)
    center_rows = [row for i, row in enumerate(table.rows) if not table.is_summary(i)]
    codes = [row[0] for row in center_rows]
    assert sorted(codes) == [c.code for c in outcome.allocation.centers]


def test_subtotals_are_the_sums_of_their_district_rows(outcome):
    table = t.result_table(outcome.allocation)
    district_at = table.headers.index(LABEL["district"])
    group: list[tuple] = []
    seen = []
    for index, row in enumerate(table.rows):
        if index in table.subtotals:
            assert {r[district_at] for r in group} == {row[district_at]}
            for col in summed_columns(table):
                assert row[col] == sum(r[col] for r in group), (row[district_at], table.headers[col])
            seen.append(row[district_at])
            group = []
        elif index not in table.totals:
            group.append(row)
    assert seen == [d.district for d in outcome.allocation.districts]


def test_grand_total_is_the_money_paid_to_centers(outcome, small_outcome):
    for result in (outcome, small_outcome):
        table = t.result_table(result.allocation)
        (total_at,) = table.totals
        assert total_at == len(table.rows) - 1
        total, subtotals = table.rows[total_at], [table.rows[i] for i in table.subtotals]
        for col in summed_columns(table):
            assert total[col] == sum(row[col] for row in subtotals)
        pools = result.allocation.pools
        assert total[table.headers.index(LABEL["total"])] == pools.paid_total - pools.hardware_total


def test_rows_match_the_json_result(outcome):
    table = t.result_table(outcome.allocation)
    records = {r["code"]: r for r in result_dict(outcome)["centers"]}
    keys = [key for key, _ in contract.CENTER_RESULT_COLUMNS]
    for index, row in enumerate(table.rows):
        if table.is_summary(index):
            continue
        record = records[row[0]]
        for key, value, kind in zip(keys, row, table.kinds):
            expected = Decimal(record[key]) if kind == t.MONEY else record[key]
            assert value == expected, (row[0], key)


def test_district_table_adds_up_to_paid_total(outcome):
    table = t.district_table(outcome.allocation)
    assert table.headers[: 2] == ("所属区", "中心补助合计")
    assert t.HARDWARE_BUDGET in table.headers
    total = table.rows[-1]
    pools = outcome.allocation.pools
    assert table.totals == {len(table.rows) - 1}
    assert total[table.headers.index(dict(contract.DISTRICT_RESULT_COLUMNS)["total"])] == pools.paid_total
    assert total[table.headers.index(t.HARDWARE_BUDGET)] == pools.hardware_budget
    for col in summed_columns(table):
        assert total[col] == sum(row[col] for row in table.rows[:-1])


def test_detail_table_scores_sum_to_center_score(outcome):
    allocation = outcome.allocation
    table = t.detail_table(allocation)
    assert table.headers == ("中心编码", "中心名称", "序号", "事项名称", "指标权重", "业务量", "因素得分")
    assert len(table.rows) == len(allocation.centers) * len(allocation.indicators)
    for center in allocation.centers:
        scores = [row[-1] for row in table.rows if row[0] == center.code]
        assert abs(sum(scores) - float(center.score)) < 1e-6 * len(scores)


def test_checks_table_shows_levels_in_chinese_errors_first(outcome):
    table = t.checks_table(outcome.checks)
    assert table.headers == tuple(label for _, label in contract.CHECK_COLUMNS)
    assert len(table.rows) == len(outcome.checks)
    assert {row[0] for row in table.rows} <= set(contract.LEVEL_LABELS.values())


def test_booleans_read_yes_no():
    assert (t.cell_text(True, t.BOOL), t.cell_text(False, t.BOOL)) == ("是", "否")
    assert t.sheet_value(True, t.BOOL) == "是"
    assert t.cell_text(Decimal("1234567.5"), t.MONEY) == "1,234,567.50"


def test_comparison_flags_changes_beyond_thirty_percent(outcome):
    current = outcome.allocation
    previous = copy.deepcopy(current)
    first, second, third = previous.centers[:3]
    first.total = current.centers[0].total * Decimal("0.8")  # +25 %: no flag
    second.total = current.centers[1].total * Decimal("0.5")  # +100 %: flagged
    third.score = current.centers[2].score * 2  # score −50 %: flagged
    del previous.centers[3]  # new this year: no base, no flag
    table = t.comparison_table(current, previous)
    rows = {row[0]: dict(zip(table.headers, row)) for row in table.rows}
    flag, change = t.CHANGE_FLAG, "合计变动"
    assert flag == "变动超过±30%"
    assert [rows[c.code][flag] for c in current.centers[:4]] == [False, True, True, False]
    assert abs(rows[first.code][change] - 0.25) < 1e-12
    assert rows[current.centers[3].code]["上年合计"] is None
    assert not any(row[flag] for code, row in rows.items() if code not in
                   {c.code for c in current.centers[1:3]})


