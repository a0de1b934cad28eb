"""The run's date (documents.md §0): Beijing time whatever the machine's zone, fixed by
SOURCE_DATE_EPOCH; a workbook's properties carry the same moment."""
from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest

from jbsys_xl import clock
from jbsys_xl.pipeline import run
from jbsys_xl.report.result_workbook import result_workbook_bytes


def test_the_fixed_moment_is_read_in_beijing_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1734624000")  # 2024-12-19 16:00 UTC
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert clock.run_moment() == datetime(2024, 12, 20, 0, 0, tzinfo=clock.BEIJING)
        assert clock.run_date() == date(2024, 12, 20)
        assert clock.chinese_date(clock.run_date()) == "2024年12月20日"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_without_the_variable_it_is_today_in_beijing(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    now = datetime.now(timezone(timedelta(hours=8)))
    assert abs(clock.run_moment() - now) < timedelta(seconds=5)


@pytest.mark.parametrize("value", ["2024-12-20", "1.5e9", "now"])
def test_a_malformed_value_is_refused_in_words(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(clock.ClockError, match="不是整数秒数"):
        clock.run_moment()


def test_the_result_workbook_states_the_run_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 08:00 Beijing
    data = result_workbook_bytes(run("workbook/demo.xlsm", 2024))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        core = book.read("docProps/core.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z</dcterms:created>" in core
    assert "2026-01-01" in strings and "2024-12-01" not in strings
