"""`jbsys-xl diff` (documents.md §7): draft against final, checked against the oracle's numbers."""
from __future__ import annotations

import copy
import json
import re
from datetime import date
from decimal import Decimal

import pytest

import oracle
from jbsys_xl import contract, sample
from jbsys_xl.cli import main
from support.approved import approved_demo

YEAR = 2024
YES_NO_HEADERS = ("标准化下沉", "区局推荐", "综合优胜", "一票否决", "已备案")
MONTH_TEXT = re.compile(r"(\d{4})\D+(\d{1,2})")
XB03 = sample.center_name("龙虎塘街道")


def vetoed_xb03() -> dict:
    """The demo after the working group vetoes XB03 for its 不属实 callback."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    for row in data[contract.RATINGS]:
        if row["年度"] == YEAR and row["中心"] == XB03:
            row.update(一票否决="是", 否决原因="12333 回访不属实，工作组决定一票否决")
    return data


def for_oracle(data: dict) -> dict:
    """The sample's rows in the oracle's value forms: 是/否 as bool, months as (year, month),
    percent text and floats as Decimal."""
    out = {}
    for sheet in ("参数", "指标", "中心", "评定", "业务量", "投诉", "扣减", "硬件"):
        rows = []
        for row in data[sheet]:
            row = {k: v for k, v in row.items() if v is not None}
            for key, value in list(row.items()):
                if key in YES_NO_HEADERS:
                    row[key] = value == "是"
                elif key == "月份":
                    row[key] = ((value.year, value.month) if isinstance(value, date) else
                                tuple(int(x) for x in MONTH_TEXT.match(value).groups()))
                elif isinstance(value, str) and value.endswith("%"):
                    row[key] = Decimal(value[:-1]) / 100
                elif isinstance(value, float):
                    row[key] = Decimal(repr(value))
            rows.append(row)
        out[sheet] = rows
    return out


def run_diff(tmp_path, old, new, *extra) -> tuple[int, dict | None]:
    target = tmp_path / "diff.json"
    code = main(["diff", str(old), str(new), "--json", str(target), *extra])
    return code, json.loads(target.read_text("utf-8")) if target.exists() else None


@pytest.fixture(scope="module")
def demo_and_veto(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diff")
    return (sample.write_sample_workbook(folder / "草案.xlsx", YEAR),
            sample.write_rows(folder / "否决.xlsx", vetoed_xb03(), YEAR))


def test_a_veto_moves_every_center_as_the_oracle_says(demo_and_veto, tmp_path, capsys):
    code, diff = run_diff(tmp_path, *demo_and_veto)
    assert code == 0
    before = oracle.allocate(for_oracle(sample.sample_rows(YEAR)), YEAR)
    after = oracle.allocate(for_oracle(vetoed_xb03()), YEAR)
    expected = {}
    for a, b in zip(before["centers"], after["centers"], strict=True):
        fields = {k: [a[k], b[k]] for k in a if k != "code" and a[k] != b[k]}
        if fields:
            expected[a["code"]] = fields
    assert {c["code"]: c["fields"] for c in diff["centers"]} == expected
    assert diff["pools"] == {k: [v, after["pools"][k]] for k, v in before["pools"].items()
                             if v != after["pools"][k]}
    assert diff["centers"][[c["code"] for c in diff["centers"]].index("TN05")]["fields"]["total"] == \
        ["96550.02", "103199.54"]  # documents.md §7 example (96545.71 → 103194.56 before v4 made the demo's repeated row an error)
    [xb03] = [c for c in diff["centers"] if c["code"] == "XB03"]
    assert [(i["sheet"], i["what"], i["old"], i["new"]) for i in xb03["inputs"]] == [
        ("评定", "一票否决", "否", "是"), ("评定", "否决原因", "", "12333 回访不属实，工作组决定一票否决")]
    assert all(i["cell"] for i in xb03["inputs"])
    assert not any(c["inputs"] for c in diff["centers"] if c["code"] != "XB03")
    text = capsys.readouterr().out
    assert "资金或结果有变化的中心（22 个）" in text and "103,199.54" in text
    assert re.search(r"结余\s+561,581\.01\s+564,508\.75", text)
    parts = {k: Decimal(v[1]) for k, v in diff["balance"].items()}
    assert parts.pop("balance") == sum(parts.values())


def test_draft_against_its_审定_shows_only_the_decisions(demo_and_veto, tmp_path):
    approved = sample.write_rows(tmp_path / "审定.xlsx", approved_demo(), YEAR)
    code, diff = run_diff(tmp_path, demo_and_veto[0], approved)
    assert code == 0
    assert (diff["old"]["status"], diff["new"]["status"]) == ("草案", "审定")
    assert diff["pools"] == {}
    moved = {c["code"]: c["fields"] for c in diff["centers"] if c["fields"]}
    assert len(moved) == 6 and all(f == {"winner_status": ["建议", "确定"]} for f in moved.values())
    inputs = {(c["code"], i["sheet"], i["what"]) for c in diff["centers"] for i in c["inputs"]}
    assert ("ZL08", "评定", "评定说明") in inputs and ("XB03", "回访", "回访 SB20240000041") in inputs
    assert ("XB03", "评定", "综合优胜") in inputs
    pending = [i for c in diff["centers"] for i in c["inputs"] if i["sheet"] == "投诉"]
    assert len(pending) == 3 and all((i["old"], i["new"]) == ("待核实", "无理") for i in pending)


def test_a_json_result_against_a_workbook(demo_and_veto, tmp_path, capsys):
    draft_json = tmp_path / "草案.json"
    assert main(["allocate", str(demo_and_veto[0]), "-o", str(tmp_path / "r.xlsx"),
                 "--json", str(draft_json)]) == 0
    code, diff = run_diff(tmp_path, draft_json, demo_and_veto[1])
    assert code == 0 and not diff["inputs_compared"]
    assert [c["code"] for c in diff["centers"]][:2] == ["TN01", "TN02"]
    assert "无法比较输入数据" in capsys.readouterr().out


def test_two_years_cannot_be_compared(demo_and_veto, tmp_path, capsys):
    last = tmp_path / "上年.json"
    assert main(["allocate", str(demo_and_veto[0]), "--year", "2023", "-o", str(tmp_path / "r.xlsx"),
                 "--json", str(last)]) == 0
    code, diff = run_diff(tmp_path, last, demo_and_veto[1], "--year", "2024")
    assert code == 2 and diff is None
    assert "是 2023 年度的结果，不是 2024 年度" in capsys.readouterr().err


def test_an_unreadable_or_invalid_side_is_a_clear_error(demo_and_veto, tmp_path, capsys):
    broken = tmp_path / "坏.json"
    broken.write_bytes(b"\xff\xfe{not json")
    assert run_diff(tmp_path, broken, demo_and_veto[1])[0] == 2
    assert "不是 UTF-8 编码的 JSON 文件" in capsys.readouterr().err
    missing = tmp_path / "没有.xlsx"
    assert run_diff(tmp_path, missing, demo_and_veto[1])[0] == 2
    err = capsys.readouterr().err
    assert "原结果有错误，无法比较" in err and "Error" not in err


def test_same_inputs_same_diff(demo_and_veto, tmp_path):
    first = run_diff(tmp_path, *demo_and_veto)[1]
    assert run_diff(tmp_path, *demo_and_veto)[1] == first
    assert "制表" not in json.dumps(first, ensure_ascii=False)  # it states no date of its own


def test_two_complaints_of_one_day_without_a_number_are_two_lines(demo_and_veto, tmp_path):
    data = copy.deepcopy(sample.sample_rows(YEAR))
    at = next(i for i, row in enumerate(data[contract.COMPLAINTS]) if row["日期"] >= date(YEAR - 1, 12, 1))
    first = data[contract.COMPLAINTS][at]  # inside the period
    twins = [dict(first, 投诉编号=None, 核实结论="无理"), dict(first, 投诉编号=None, 核实结论="无理")]
    data[contract.COMPLAINTS][at:at + 1] = twins
    old = sample.write_rows(tmp_path / "old.xlsx", data, YEAR)
    twins[1]["核实结论"] = "有理"
    new = sample.write_rows(tmp_path / "new.xlsx", data, YEAR)
    code, diff = run_diff(tmp_path, old, new)
    assert code == 0
    changed = [(i["what"], i["old"], i["new"]) for c in diff["centers"] for i in c["inputs"]
               if i["sheet"] == contract.COMPLAINTS]
    assert changed == [(f"投诉 {first['日期'].isoformat()}（第 2 件）", "无理", "有理")]
