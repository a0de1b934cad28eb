"""The demo walked to its 审定, as the working group does it: the workbook the documents of a
final year (文号 on every page, 拨付明细) are tested on."""
from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path

from jbsys_xl import contract, sample
from jbsys_xl.pipeline import run
from jbsys_xl.report.json_result import result_dict

YEAR = 2024
NUMBER = "常人社〔2024〕95号"
DEMO = Path(__file__).resolve().parents[2] / "workbook" / "demo.xlsm"


APPROVED_ON = date(YEAR, 12, 20)  # after the 公示 (9–13 December) and every decision
BALANCE_USE = "结转下年度统筹使用"
UNFILED_NOTE = "该项目未按规定于 3 月底前报就业处备案，工作小组研究决定不予补助"


def approved_demo() -> dict:
    """The demo's rows walked to 审定, every decision recorded: 文号 and 审定日期 filled, the
    proposed winners confirmed, the 待核实 complaints settled (无理, with who verified them and
    when), the XB03 callback decided (不否决, with the reason), ZL08's grade explained, the
    unfiled hardware project refused (不予补助, with the reason), TN03's amount and rate split
    into the two deductions they are, and the 结余去向 stated. The money is the draft's."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    params = next(row for row in data[contract.PARAMS] if row["年度"] == YEAR)
    params.update(审定文号=NUMBER, 审定日期=APPROVED_ON, 结余去向=BALANCE_USE)
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
            row.update(核实结论="无理", 核实部门="机关党委、就业处" + (f"、{row['条线']}" if row["条线"] else ""),
                       核实日期=date(YEAR, 12, 6))
    for row in data[contract.CALLBACKS]:
        if row["回访结果"] == "不属实" and not row["处理决定"]:
            row.update(处理决定="不否决", 决定说明="工作组核查：业务确已办理，当事人记忆有误")
    for row in data[contract.HARDWARE]:
        if row["已备案"] == "否" and not row["处理决定"]:
            row.update(处理决定="不予补助", 决定说明=UNFILED_NOTE)
    deductions = data[contract.DEDUCTIONS]
    for at, row in enumerate(list(deductions)):
        if row["扣减金额"] is not None and row["扣减比例"] is not None:  # one row each
            deductions[at:at + 1] = [dict(row, 原因=f"{row['原因']}（台账差错）", 扣减比例=None),
                                     dict(row, 原因=f"{row['原因']}（按比例扣减）", 扣减金额=None)]
    return data


XB06 = sample.center_name("新桥街道")
OBJECTION_RECEIVED, OBJECTION_DECIDED = date(YEAR, 12, 12), date(YEAR, 12, 16)


def objection_upheld() -> dict:
    """The approved demo after XB06's objection, received during the 公示, is upheld: its
    service window was open all year, so 服务场所 无 → 综合服务窗口 and its grade B → A (10,000.00
    more basic award, and so 10,000.00 less workload pool W′ for every center). The 异议 row
    records 调整 with its 处理说明 and 处理日期, before the 审定日期."""
    data = approved_demo()
    for row in data[contract.RATINGS]:
        if row["年度"] == YEAR and row["中心"] == XB06:
            row["服务场所"] = "综合服务窗口"
    data[contract.OBJECTIONS].append({
        "年度": YEAR, "中心": XB06, "收到日期": OBJECTION_RECEIVED,
        "异议内容": "本中心综合服务窗口全年正常开放，服务场所不应记为“无”，请求更正评定等次",
        "处理结果": "调整", "处理说明": "经区局和就业处实地核查，综合服务窗口自年初起正常开放，服务场所更正为"
                                "综合服务窗口，评定等次由 B 调整为 A",
        "处理日期": OBJECTION_DECIDED})
    return data


MID_YEAR, MID_YEAR_FROM = "XB10", (YEAR, 6)  # 奔牛镇: opened in June of the year


def opened_mid_year() -> dict:
    """The demo (a draft) with XB10 奔牛镇 opened in June: 启用年度 the year, its 评定 row, and
    业务量 from June to November only (XB07's figures for those months) — a center assessed on
    part of the year (allocation-rules §2 v4, the review's M8)."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    town = next(town for code, town, *_ in sample._CENTERS if code == MID_YEAR)
    name = sample.center_name(town)
    for row in data[contract.CENTERS]:
        if row["中心编码"] == MID_YEAR:
            row["启用年度"] = YEAR
    template = next(row for row in data[contract.RATINGS] if row["年度"] == YEAR)
    data[contract.RATINGS].append(dict(template, 中心=name, 服务场所="独立服务大厅", 标准化下沉="是",
                                       区局推荐=None, 一票否决="否", 否决原因=None, 评定等次=None, 否决依据=None))
    xb07 = {"XB07", sample.center_name("薛家镇")}
    data[contract.VOLUMES] += [dict(row, 中心=name) for row in data[contract.VOLUMES]
                               if row["中心"] in xb07 and _month(row["月份"]) >= MID_YEAR_FROM
                               and _month(row["月份"]) <= (YEAR, 11)]
    return data


def _month(value) -> tuple[int, int]:
    """(year, month) of a sample 月份 cell: a date, or text such as 2024-03, 2024/03, 2024年3月."""
    if isinstance(value, date):
        return value.year, value.month
    year, month = re.match(r"(\d{4})\D+(\d{1,2})", value).groups()
    return int(year), int(month)


def write_approved_demo(path: Path) -> Path:
    """The approved demo as a workbook at ``path``."""
    return sample.write_rows(path, approved_demo(), YEAR)


def write_objection_upheld(path: Path) -> Path:
    """The approved demo with XB06's objection upheld as a workbook at ``path``."""
    return sample.write_rows(path, objection_upheld(), YEAR)


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
