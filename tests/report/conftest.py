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


# --- the 审定 demo as 财政 receives it: accounts, payment route, hardware decisions ---------------

BANKS = ("中国工商银行股份有限公司常州天宁支行", "江苏江南农村商业银行股份有限公司新北支行",
         "中国建设银行股份有限公司常州钟楼支行")
ROUTE = {"支付方式": "转移支付", "功能分类科目": "2080799 其他就业补助支出", "预算指标文号": "常财社〔2024〕12号",
         "结余去向": "结转下年度统筹使用"}
UNPAID = 4  # every fifth center has no account yet: its cells are left blank to fill by hand


def paid_demo_rows() -> dict:
    """The 审定 demo with what 财政 needs: units' accounts on most 中心 rows and every 硬件 row,
    参数 支付方式/功能分类科目/预算指标文号/结余去向, each 硬件 project named and the late or
    unfiled one decided by the 工作小组."""
    from jbsys_xl import contract
    from tests.support.approved import approved_demo

    data = approved_demo()
    for n, row in enumerate(data[contract.CENTERS]):
        if n % 5 != UNPAID:
            row.update(开户银行=BANKS[n % 3], 银行账号=f"3204 0011 2233 {n:04d} 567")
    for n, row in enumerate(data[contract.HARDWARE], start=1):
        row.update(开户银行="中国银行股份有限公司常州分行", 银行账号="4512-6600-0012",
                   项目名称=f"{row['所属区']}人社服务中心标准化改造（{n}）")
        if row["已备案"] == "否":
            row.update(处理决定="不予补助", 决定说明="项目未备案，工作小组研究不予补助")
        elif row["备案日期"] and row["备案日期"].month > 3:
            row.update(处理决定="补助", 决定说明="逾期备案系区财政预算调整所致，工作小组研究同意补助")
    next(row for row in data[contract.PARAMS] if row["年度"] == YEAR).update(ROUTE)
    return data


def write_paid_demo(path):
    return sample.write_rows(path, paid_demo_rows(), YEAR)


@pytest.fixture(scope="session")
def paid_demo(tmp_path_factory):
    return write_paid_demo(tmp_path_factory.mktemp("paid") / "审定-账户.xlsx")
