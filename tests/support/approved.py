"""The demo walked to its 审定, as the working group does it: the workbook the documents of a
final year (文号 on every page, 拨付明细) are tested on."""
from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

from jbsys_xl import contract, sample
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict

YEAR = 2024
NUMBER = "常人社〔2024〕95号"
DEMO = Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"


def approved_demo() -> dict:
    """The demo's rows walked to 审定: 文号 filled, the proposed winners confirmed, the 待核实
    complaints settled (无理), the XB03 callback decided (不否决, with the reason) and ZL08's
    grade explained."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    params = next(row for row in data[contract.PARAMS] if row["年度"] == YEAR)
    params.update(审定文号=NUMBER, 审定日期=date(YEAR, 12, 20))
    draft = result_dict(run(DEMO, YEAR))
    proposed = {c["name"] for c in draft["centers"] if c["winner_status"] == contract.WINNER_PROPOSED}
    graded_down = sample.center_name("邹区镇")
    for row in data[contract.RATINGS]:
        if row["年度"] == YEAR and row["中心"] in proposed:
            row["综合优胜"] = "是"
        if row["年度"] == YEAR and row["中心"] == graded_down:
            row["评定说明"] = "服务大厅全年有两个月未按标准化要求开放，工作组评定为 A"
    for row in data[contract.COMPLAINTS]:
        if row["核实结论"] == "待核实":
            row["核实结论"] = "无理"
    for row in data[contract.CALLBACKS]:
        if row["回访结果"] == "不属实":
            row.update(处理决定="不否决", 决定说明="工作组核查：业务确已办理，当事人记忆有误")
    return data


def write_approved_demo(path: Path) -> Path:
    """The approved demo as a workbook at ``path``."""
    return sample.write_rows(path, approved_demo(), YEAR)


def publicity_demo() -> dict:
    """The demo's rows walked to its 公示: every matter that moves money settled as for the
    审定 (complaints, the XB03 callback, ZL08's grade), the winners still as decided — but no
    审定文号 or 审定日期 yet, and no 异议 of the year (objections come after the 公示)."""
    data = approved_demo()
    params = next(row for row in data[contract.PARAMS] if row["年度"] == YEAR)
    params.update(审定文号=None, 审定日期=None)
    data[contract.OBJECTIONS] = [row for row in data.get(contract.OBJECTIONS, []) if row["年度"] != YEAR]
    return data


def write_publicity_demo(path: Path) -> Path:
    """The demo ready for its 公示, as a workbook at ``path``."""
    return sample.write_rows(path, publicity_demo(), YEAR)
