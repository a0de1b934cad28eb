"""The Excel doors (ribbon macros, UDFs) run the CLI's pipeline and agree with --json."""
from __future__ import annotations

from pathlib import Path

import pytest

from jbsys_xl import contract
from jbsys_xl.excel import macros, udf_service
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict
from tests.support.excel_books import bump_revision, open_book, snapshot
from tests.support.fake_xlwings import FakeCaller
import udfs.jbsys_udfs as U

YEAR = 2024
INPUTS = [spec.name for spec in contract.INPUT_SHEETS]


@pytest.fixture(scope="module")
def sample_path():
    """The template's demo workbook, as staff would open it in Excel."""
    return Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"


@pytest.fixture(scope="module")
def expected(sample_path):
    return result_dict(run(sample_path, YEAR))


@pytest.fixture
def book(sample_path):
    udf_service.CACHE.__init__()
    return open_book(sample_path)


def caller_in(book):
    return FakeCaller(book.sheets[0].range("A1"))


def sheet_rows(book, name, top):
    used = book.sheets[name].used_range
    values = used.options(ndim=2).value
    return values[top - used.row:]


def volume_row_in_period(book):
    """The sheet row of the first 业务量 row dated in the 2024 period, and the header."""
    rows = sheet_rows(book, contract.VOLUMES, 2)  # the sample's header is on row 2
    header = rows[0]
    month = header.index("月份")
    for offset, values in enumerate(rows[1:], start=3):
        if hasattr(values[month], "year") and values[month].year == YEAR and values[month].month < 12:
            return offset, header
    raise AssertionError("no 2024 volume row")


def test_macro_writes_the_cli_numbers_and_leaves_inputs_alone(book, expected):
    before = snapshot(book, INPUTS)
    outcome = macros.generate_allocation(book)
    assert outcome.ok
    assert snapshot(book, INPUTS) == before
    rows = sheet_rows(book, contract.RESULT_SHEET, 2)
    header = rows[0]
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:] if r[0]}
    labels = dict(contract.CENTER_RESULT_COLUMNS)
    for center in expected["centers"]:
        row = by_code[center["code"]]
        for key in contract.MONEY_KEYS:
            assert f"{row[labels[key]]:.2f}" == center[key], (center["code"], key)
        assert row[labels["score"]] == pytest.approx(center["score"], abs=1e-9)
    total = [r for r in rows[1:] if r[1] == "合计"][0]
    centers_paid = float(expected["pools"]["paid_total"]) - float(expected["pools"]["hardware_total"])
    assert total[header.index(labels["total"])] == pytest.approx(centers_paid, abs=0.001)
    districts = sheet_rows(book, contract.DISTRICT_SHEET, 2)
    assert [r[0] for r in districts[1:-1]] == [d["district"] for d in expected["districts"]]
    assert book.sheets.active.name == contract.RESULT_SHEET
    assert book.app.status_bar is False
    assert any("正在" in str(s) for s in book.app.status_bar_history)


def test_udfs_equal_the_json(book, expected):
    caller = caller_in(book)
    for center in expected["centers"]:
        code, name = center["code"], center["name"]
        assert U.JBSCORE(code, float(YEAR), caller) == center["score"]
        assert U.JBSCORE(name, YEAR, caller) == center["score"]
        assert U.JBGRADE(code, YEAR, caller) == center["grade"]
        assert f"{U.JBAWARD(code, YEAR, caller):.2f}" == center["basic_award"]
        assert f"{U.JBSUBSIDY(code, YEAR, None, caller):.2f}" == center["total"]
        assert f"{U.JBSUBSIDY(code, YEAR, 'winner', caller):.2f}" == center["winner_award"]
        assert f"{U.JBSUBSIDY(code, YEAR, '工作量', caller):.2f}" == \
            f"{float(center['net_workload']) + float(center['redistributed']):.2f}"
    table = U.JBALLOCATION(YEAR, caller)
    assert table[0] == [label for _, label in contract.CENTER_RESULT_COLUMNS]
    assert [row[0] for row in table[1:]] == [c["code"] for c in expected["centers"]]
    assert U.JBCHECK(YEAR, caller) == "OK"
    scores = sorted((c["score"] for c in expected["centers"]), reverse=True)
    best = [c for c in expected["centers"] if c["score"] == scores[0]][0]
    assert U.JBRANK(best["code"], YEAR, caller) == 1


def test_factor_by_name_and_alias(book):
    caller = caller_in(book)
    first = run(book.fullname, YEAR)
    key, (volume, score) = next((k, v) for k, v in first.allocation.factors.items() if v[1])
    assert U.JBFACTOR(key[0], key[1], YEAR, caller) == pytest.approx(float(score), abs=1e-6)
    alias_owner = next(i for i in first.allocation.indicators if i.aliases)
    assert U.JBFACTOR(key[0], alias_owner.aliases[0], YEAR, caller) == \
        U.JBFACTOR(key[0], alias_owner.name, YEAR, caller)


def test_bad_arguments_read_as_messages(book):
    caller = caller_in(book)
    assert U.JBSCORE("X", YEAR, caller) == "#JB! 未知中心：X"
    assert U.JBFACTOR("TN01", "没有这个事项", YEAR, caller) == "#JB! 未知事项：没有这个事项"
    assert U.JBSCORE("TN01", "明年", caller) == "#JB! 年度“明年”不是数字"
    assert U.JBSUBSIDY("TN01", YEAR, "other", caller).startswith("#JB! 未知部分：other")
    assert U.JBSCORE("TN01", 2031, caller).startswith("#JB! 数据有误：参数!")
    assert U.JBCHECK(2031, caller).startswith("参数!")


def test_one_read_per_edit_and_edits_invalidate(book):
    caller = caller_in(book)
    cache = udf_service.CACHE
    for _ in range(50):
        U.JBSCORE("TN01", YEAR, caller)
        U.JBSUBSIDY("TN02", YEAR, None, caller)
    assert cache.reads == 1
    row, header = volume_row_in_period(book)
    volumes = book.sheets[contract.VOLUMES]
    center = volumes.range((row, header.index("中心") + 1)).value
    before = U.JBSCORE(center, YEAR, caller)
    volumes.range((row, header.index("业务量") + 1)).value = 1e6
    assert U.JBSCORE(center, YEAR, caller) == before  # the VBA has not bumped the revision yet
    bump_revision(book)
    assert U.JBSCORE(center, YEAR, caller) > before
    assert cache.reads == 2
    for _ in range(50):
        U.JBGRADE(center, YEAR, caller)
    assert cache.reads == 2


def test_book_without_revision_name_reads_every_time(sample_path):
    udf_service.CACHE.__init__()
    book = open_book(sample_path, revision=False)
    caller = caller_in(book)
    U.JBSCORE("TN01", YEAR, caller)
    U.JBSCORE("TN01", YEAR, caller)
    assert udf_service.CACHE.reads == 2


def test_validation_errors_keep_previous_results(book):
    macros.generate_allocation(book)
    results = snapshot(book, [contract.RESULT_SHEET, contract.DETAIL_SHEET, contract.DISTRICT_SHEET])
    row, header = volume_row_in_period(book)
    book.sheets[contract.VOLUMES].range((row, header.index("业务量") + 1)).value = "十二"
    outcome = macros.generate_allocation(book)
    assert not outcome.ok
    assert snapshot(book, [contract.RESULT_SHEET, contract.DETAIL_SHEET, contract.DISTRICT_SHEET]) == results
    checks = sheet_rows(book, contract.CHECKS_SHEET, 2)
    assert checks[1][:3] == ["错误", "业务量", f"D{row}"]
    assert book.sheets.active.name == contract.CHECKS_SHEET
    assert "1 个错误" in book.app.alerts[-1][0]
    assert book.app.status_bar is False


def test_unexpected_failure_is_a_message_and_resets_the_status_bar(book, monkeypatch):
    def boom(*_):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(macros, "run", boom)
    assert macros.generate_allocation(book) is None
    assert book.app.alerts[-1][0] == "运行失败：RuntimeError: 磁盘已满"
    assert book.app.status_bar is False and book.app.screen_updating is True


def test_validate_writes_only_the_checks(book):
    untouched = [n for n in book.sheet_names if n != contract.CHECKS_SHEET]
    before = snapshot(book, untouched)
    outcome = macros.validate(book)
    assert outcome.ok
    assert snapshot(book, untouched) == before
    assert "校验通过" in book.app.alerts[-1][0]
    rows = sheet_rows(book, contract.CHECKS_SHEET, 2)
    assert rows[0] == [label for _, label in contract.CHECK_COLUMNS]
    assert all(r[0] == "警告" for r in rows[1:])
