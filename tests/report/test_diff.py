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
from support.approved import approved_demo, write_approved_demo, write_objection_upheld, write_publicity_demo

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
    assert all(c["fields"] for c in diff["centers"])
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
    # the two centers a decision touched are listed; the other 20 moved only with W′ and the base
    assert "资金或结果有变化的中心（2 个）" in text and "XB03" in text and "TN04" in text
    assert "其余 20 个中心仅因工作量补助资金 W′、得分基数（市本级业务量合计）变化而变化（合计变化 +4.25% 至 +7.64%）" \
        in text and "103,199.54" not in text
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
    # a settled complaint of a center whose money did not move: not among the centers, but kept
    unchanged = {c["code"]: c["inputs"] for c in diff["unchanged_centers"]}
    complaints = [i for c in diff["centers"] + diff["unchanged_centers"] for i in c["inputs"] if i["sheet"] == "投诉"]
    pending = [i for i in complaints if i["what"].count(" ") == 1]  # the 核实结论 lines: 投诉 <编号>
    assert len(pending) == 3 and all((i["old"], i["new"]) == ("待核实", "无理") for i in pending)
    assert all(i["cell"].startswith("C") for i in pending)  # at the 核实结论, not the 编号
    assert sorted({i["what"].split()[-1] for i in complaints if i not in pending}) == ["核实日期", "核实部门"]
    assert {"TN04", "TN06"} <= set(unchanged) and not set(unchanged) & set(moved)
    assert [(i["what"], i["cell"]) for i in diff["general_inputs"]] == [
        ("审定文号", "P3"), ("审定日期", "Q3"), ("结余去向", "AA3"),
        ("硬件 新北区 第 1 项 处理决定", "K4"), ("硬件 新北区 第 1 项 决定说明", "L4")]
    assert [i["what"] for i in unchanged["TN03"]] == [  # split in two rows: the same money
        "扣减：业务台账与金保系统记录不一致", "扣减：业务台账与金保系统记录不一致（台账差错）",
        "扣减：业务台账与金保系统记录不一致（按比例扣减）"]
    assert [(i["old"], i["new"]) for i in unchanged["TN03"]] == [
        ("1,500.00 元，5%", "（无）"), ("（无）", "1,500.00 元"), ("（无）", "5%")]


def test_a_json_result_against_a_workbook(demo_and_veto, tmp_path, capsys):
    draft_json = tmp_path / "草案.json"
    assert main(["allocate", str(demo_and_veto[0]), "-o", str(tmp_path / "r.xlsx"),
                 "--json", str(draft_json)]) == 0
    code, diff = run_diff(tmp_path, draft_json, demo_and_veto[1])
    assert code == 0 and not diff["inputs_compared"]
    assert [c["code"] for c in diff["centers"]][:2] == ["TN01", "TN02"]
    assert "只比较结果" in capsys.readouterr().out


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


# --- v4: 分配结果 workbooks, the worked objection, other files named, --since --------------------

@pytest.fixture(scope="module")
def objection(tmp_path_factory):
    """The demo at 审定 before and after XB06's objection is upheld, as input workbooks and as
    the 分配结果 workbooks allocate writes of them."""
    folder = tmp_path_factory.mktemp("objection")
    before = write_approved_demo(folder / "审定前.xlsx")
    after = write_objection_upheld(folder / "异议后.xlsx")
    results = []
    for path in (before, after):
        target = folder / f"{path.stem}-分配结果.xlsx"
        assert main(["allocate", str(path), "-o", str(target), "--json", str(target.with_suffix(".json"))]) == 0
        results.append(target)
    return before, after, *results


def test_the_worked_objection_names_its_cells_and_sums_up_the_rest(objection, tmp_path, capsys):
    before, after, *_ = objection
    code, diff = run_diff(tmp_path, before, after)
    assert code == 0
    [xb06] = [c for c in diff["centers"] if c["code"] == "XB06"]
    assert xb06["fields"]["grade"] == ["B", "A"] and xb06["fields"]["basic_award"] == ["0.00", "10000.00"]
    assert [(i["sheet"], i["cell"], i["what"], i["old"]) for i in xb06["inputs"]] == [
        ("评定", "C45", "服务场所", "无"), ("异议", "E4", "异议 2024-12-12", "（无）")]
    assert xb06["inputs"][1]["new"].endswith("处理结果：调整（经区局和就业处实地核查，综合服务窗口自年初起正…），处理日期 2024-12-16")
    assert len(diff["centers"]) == 22 and diff["pools"]["workload_pool"] == ["1794000.00", "1784000.00"]
    text = capsys.readouterr().out
    assert "资金或结果有变化的中心（1 个）" in text
    assert "其余 21 个中心仅因工作量补助资金 W′ 变化而变化（合计变化 -0.60% 至 -0.35%）" in text
    assert "XB07" not in text  # one of the 21: in the JSON only


def test_result_workbooks_compare_on_their_results(objection, tmp_path, capsys):
    before, after, old_result, new_result = objection
    code, from_inputs = run_diff(tmp_path, before, after)
    capsys.readouterr()
    code, diff = run_diff(tmp_path, old_result, new_result)
    assert code == 0 and not diff["inputs_compared"]
    assert diff["old"] == {"file": str(old_result), "status": "审定", "kind": "分配结果", "source": "审定前.xlsx"}
    assert [(c["code"], c["fields"]) for c in diff["centers"]] == \
        [(c["code"], c["fields"]) for c in from_inputs["centers"]]
    assert diff["pools"] == from_inputs["pools"] and diff["balance"] == from_inputs["balance"]
    assert all(not c["inputs"] for c in diff["centers"])
    text = capsys.readouterr().out
    assert "原 " + str(old_result) + "（分配结果，由 审定前.xlsx 生成，审定）" in text
    assert "其余 21 个中心仅因工作量补助资金 W′ 变化而变化" in text and "只比较结果" in text
    # a result workbook against the JSON of the same run: nothing changed
    code, same = run_diff(tmp_path, old_result, old_result.with_suffix(".json"))
    assert code == 0 and same["centers"] == [] and same["pools"] == {}


def test_a_result_workbook_read_back_equals_its_json(objection):
    from jbsys_xl.report.diff import load

    _, _, _, result = objection
    read = load(result, None, "原结果").result
    written = json.loads(result.with_suffix(".json").read_text("utf-8"))
    assert read["pools"] == written["pools"] and read["year"] == written["year"] == 2024
    assert read["centers"] == [{k: v for k, v in c.items()} for c in written["centers"]]


def test_other_files_are_named_for_what_they_are(tmp_path, capsys):
    """Named as the pipeline names them for every door, and told what diff takes besides."""
    import xlsxwriter

    draft = sample.write_sample_workbook(tmp_path / "草案.xlsx", YEAR)
    ready = write_publicity_demo(tmp_path / "公示前.xlsx")  # the draft has matters open: no 公示
    assert main(["publicity", str(ready), "-o", str(tmp_path / "公示.xlsx")]) == 0
    pdf = tmp_path / "告知书.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    edited = tmp_path / "改过的分配结果.xlsx"
    book = xlsxwriter.Workbook(str(edited))
    book.set_properties({"author": "JBSys-XL"})
    book.add_worksheet("分配结果").write_row(0, 0, ["中心编码", "中心名称", "合计"])
    book.add_worksheet("说明")
    book.close()
    capsys.readouterr()
    for path, said in ((tmp_path / "公示.xlsx", "原结果“公示.xlsx”：这是本程序生成的“公示”文件，不是分配工作簿"),
                       (pdf, "原结果“告知书.pdf”：这是PDF 文件，不是 Excel 文件"),
                       (edited, "看起来是分配结果工作簿，但“说明”表的资金汇总缺少资金总额")):
        assert run_diff(tmp_path, path, draft) == (2, None)
        err = capsys.readouterr().err
        assert said in err, err
        assert "（diff 也可比较 allocate 写出的分配结果工作簿或 --json 结果）" in err or "请改用" in err
        assert str(tmp_path) not in err.replace(str(edited), "")  # a file by its name


def test_since_gives_the_attachment_its_changed_centers(objection):
    from jbsys_xl.pipeline import run
    from jbsys_xl.report.diff import since

    before, after, old_result, _ = objection
    now = run(after, YEAR)
    found = since(old_result, now)
    assert found.status == "审定" and not found.inputs_compared
    assert len(found.changes) == 22 and found.changes[0].code == "TN01"
    [xb06] = [c for c in found.changes if c.code == "XB06"]
    assert (xb06.old, xb06.new, xb06.inputs) == (Decimal("73023.88"), Decimal("82616.83"), ())
    assert found.pool_note == "21 个中心仅因工作量补助资金 W′ 变化而变化（合计变化 -0.60% 至 -0.35%）；逐个中心的变化见 --json"
    with_inputs = since(before, now)
    assert with_inputs.inputs_compared
    [xb06] = [c for c in with_inputs.changes if c.code == "XB06"]
    assert [i["what"] for i in xb06.inputs] == ["服务场所", "异议 2024-12-12"]


def test_a_changed_complaint_cites_the_cells_that_changed(demo_and_veto, tmp_path):
    """The review's m9: TS2024-003 settled as 有理 with its 条线 was cited at its 编号 (G5)."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    [row] = [r for r in data[contract.COMPLAINTS] if r["投诉编号"] == "TS2024-003"]
    row.update(核实结论="有理", 条线="就管中心", 核实部门="就管中心", 核实日期=date(YEAR, 12, 5))
    new = sample.write_rows(tmp_path / "新.xlsx", data, YEAR)
    code, diff = run_diff(tmp_path, demo_and_veto[0], new)
    assert code == 0
    changed = [(i["cell"], i["what"], i["old"], i["new"]) for c in diff["centers"] for i in c["inputs"]
               if i["sheet"] == contract.COMPLAINTS]
    assert changed == [("C5", "投诉 TS2024-003", "待核实", "有理"), ("E5", "投诉 TS2024-003 条线", "", "就管中心"),
                       ("H5", "投诉 TS2024-003 核实部门", "", "就管中心"),
                       ("I5", "投诉 TS2024-003 核实日期", "", "2024-12-05")]


def test_hardware_and_params_changes_are_listed_at_their_cells(demo_and_veto, tmp_path, capsys):
    """The 工作小组 refuses the unfiled project (its 0 stays 0) and states the 结余去向: inputs
    that concern no one center, each at its cell, and no money moved."""
    data = copy.deepcopy(sample.sample_rows(YEAR))
    unfiled = next(r for r in data[contract.HARDWARE] if r["已备案"] == "否")
    unfiled.update(处理决定="不予补助", 决定说明="未按规定备案")
    late = next(r for r in data[contract.HARDWARE] if r["备案日期"] and r["备案日期"].month > 3)
    late["项目名称"] = "孟河镇便民服务中心改造"
    params = next(r for r in data[contract.PARAMS] if r["年度"] == YEAR)
    params["结余去向"] = "结转下年度统筹使用"
    new = sample.write_rows(tmp_path / "新.xlsx", data, YEAR)
    code, diff = run_diff(tmp_path, demo_and_veto[0], new)
    assert code == 0 and diff["centers"] == [] and diff["unchanged_centers"] == [] and diff["pools"] == {}
    general = [(i["cell"], i["what"], i["old"], i["new"]) for i in diff["general_inputs"]]
    assert general == [("AA3", "结余去向", "", "结转下年度统筹使用"),
                       ("K4", "硬件 新北区 第 1 项 处理决定", "", "不予补助"),
                       ("L4", "硬件 新北区 第 1 项 决定说明", "", "未按规定备案"),
                       ("J5", "硬件 新北区 第 2 项 项目名称", "孟河镇人社服务中心自助一体机配置", "孟河镇便民服务中心改造")]
    assert "参数、指标和硬件的变化" in capsys.readouterr().out
