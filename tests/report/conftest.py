"""Shared inputs for the report tests: the demo sample (two years) and a tiny hand-made book."""
from __future__ import annotations

import os
import shutil

import pytest

from jbsys_xl import sample
from jbsys_xl.pipeline import Outcome, run
from tests.support import workbooks as wb

YEAR = 2024


def require_tool(name: str) -> str:
    """Path of a command-line tool: skip when missing, but fail under CI (``CI`` set)."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def pdftotext() -> str:
    return require_tool("pdftotext")


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    return require_tool("pdftoppm")


@pytest.fixture(scope="session")
def sample_path(tmp_path_factory):
    return sample.write_sample_workbook(tmp_path_factory.mktemp("report") / "sample.xlsx", YEAR)


@pytest.fixture(scope="session")
def outcome(sample_path) -> Outcome:
    result = run(sample_path, YEAR)
    assert result.ok, result.errors
    return result


@pytest.fixture(scope="session")
def small_outcome(tmp_path_factory) -> Outcome:
    """One year only (no 同比), forfeited money redistributed, a complaint and a deduction."""
    sheets = wb.base()
    header, values = sheets["参数"]
    header.append("扣减资金处理")
    values.append("再分配")
    result = run(wb.write(tmp_path_factory.mktemp("small") / "small.xlsx", sheets), YEAR)
    assert result.ok, result.errors
    return result
