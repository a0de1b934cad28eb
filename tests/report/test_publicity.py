"""公示 (documents.md §4 v4): made before 审定 and only once nothing that moves money is open —
refused otherwise, each matter at its cell, by the command, ``documents``, the Excel button and
the page alike; its basis paragraph, 公示期 from 参数 (blank lines and a warning when empty),
where to object, 发文单位 with （盖章） and the date; only what the public may see."""
from __future__ import annotations

import dataclasses
import io
from datetime import date

import openpyxl
import pytest

from jbsys_xl.cli import main
from jbsys_xl.office import fonts
from jbsys_xl.pipeline import run
from jbsys_xl.report import breaks
from jbsys_xl.report import page as p
from jbsys_xl.report import publicity as pb
from jbsys_xl.report.letter import GLUE
from jbsys_xl.report.documents import NotFinal, document_bytes, refusal
from jbsys_xl.rules.signoff import BEFORE_PUBLICITY
from tests.support import workbooks as wb

YEAR = 2024


def text_of(outcome) -> str:
    blocks, _ = pb.publicity_blocks(outcome.allocation, pb.publicity_table(outcome.allocation))
    return p.page_text([blocks])


def book(tmp_path, change=None):
    sheets = wb.base()
    if change:
        change(sheets)
    return wb.write(tmp_path / "book.xlsx", sheets)


def dated(sheets) -> None:
    sheets["参数"][0] += ["公示日期", "公示截止日期", "异议联系人", "异议电话"]
    sheets["参数"][1] += [date(YEAR, 12, 9), date(YEAR, 12, 13), "基层平台科 王科长", "0519-85680000"]


def test_the_publicity_states_its_basis_dates_and_where_to_object(tmp_path):
    outcome = run(book(tmp_path, dated), YEAR)
    text = text_of(outcome)
    s = outcome.allocation.settings
    assert ("根据《常州市本级人社基层平台建设考核办法》，经各条线考评、考核工作小组研究，现将2024年度市本级"
            "人社基层平台建设考核结果及补助资金分配情况予以公示。") in text
    assert "公示期：2024年12月9日至2024年12月13日（5 个工作日）。" in text
    assert (f"公示期间，如有异议，请以书面形式（附相关证明材料）向{s.tabulator}反映。"
            "联系人：基层平台科 王科长　电话：0519-85680000") in text
    lines = text.splitlines()
    assert lines[-2].startswith(f"{s.issuer}（盖章）") and lines[-1].startswith("2024年12月9日")  # 公示日期
    assert "草案" not in text
    _, checks = pb.publicity_bytes(outcome)
    assert checks == []


def test_an_empty_publicity_date_leaves_lines_to_fill_and_warns_at_its_cell(tmp_path):
    def change(sheets):
        sheets["参数"][0] += ["公示日期", "公示截止日期"]
    outcome = run(book(tmp_path, change), YEAR)
    assert "公示期：____年__月__日至____年__月__日（5 个工作日）。" in text_of(outcome)
    _, checks = pb.publicity_bytes(outcome)
    assert [str(c) for c in checks] == [
        "参数!F2：2024 年度的公示日期为空：公示上的公示期留空，请在“参数”表填写公示日期，或打印后手工填写",
        "参数!G2：2024 年度的公示截止日期为空：公示上的公示期留空，请在“参数”表填写公示截止日期，或打印后手工填写"]
    assert all(c.level == "warning" for c in checks)


def test_the_columns_are_what_the_public_may_see_and_a_proposed_award_is_marked(tmp_path):
    outcome = run(book(tmp_path), YEAR)
    table = pb.publicity_table(outcome.allocation)
    assert table.headers == ("序号", "所属区", "中心名称", "评定等次", "得分", "基础达标奖励",
                             "工作量补助（实得）", "优胜奖励", "合计")
    assert table.rows[-1][-1] == sum(row[-1] for row in table.rows[:-1])
    data, _ = pb.publicity_bytes(outcome)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    proposed = [cell for row in sheet.iter_rows() for cell in row if cell.number_format == pb.PROPOSED_FORMAT]
    winner = outcome.allocation.center("C01")
    assert winner.winner_status == "建议" and [c.value for c in proposed] == [float(winner.winner_award)]
    assert sheet.title == pb.PUBLICITY


def test_open_matters_refuse_the_publicity_each_at_its_cell(tmp_path, capsys):
    def change(sheets):
        sheets["投诉"].append([date(2024, 6, 3), "C02", "待核实", "12333"])
        sheets["评定"][0] += ["评定等次"]
        wb.set_cell(sheets, "评定", 2, "评定等次", "A")  # below its ceiling A+, no 评定说明
        sheets["回访"] = [["年度", "中心", "业务流水号", "回访日期", "回访结果"],
                        [2024, "C03", "SB20240000007", date(2024, 12, 2), "不属实"]]
    path = book(tmp_path, change)
    target = tmp_path / "公示.pdf"
    assert main(["publicity", str(path), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"错误 投诉!C3：{BEFORE_PUBLICITY}投诉尚“待核实”" in err
    assert f"错误 回访!E2：{BEFORE_PUBLICITY}中心 C03 的 12333 回访（业务流水号 SB20240000007）" in err
    assert f"错误 评定!I2：{BEFORE_PUBLICITY}中心 C01 的评定等次 A 低于可评定的 A+" in err
    assert "无法生成公示" in err and not target.exists()
    outcome = run(path, YEAR)
    assert len(refusal(outcome, pb.PUBLICITY)) == 3
    with pytest.raises(NotFinal) as refused:
        document_bytes(outcome, pb.PUBLICITY, ".xlsx")
    assert len(refused.value.checks) == 3 and str(refused.value).count("公示前须处理") == 3


def test_an_approved_year_makes_no_publicity(tmp_path, capsys):
    def change(sheets):
        sheets["参数"][0] += ["审定文号", "审定日期"]
        sheets["参数"][1] += ["常人社〔2024〕95号", date(YEAR, 12, 20)]
        wb.set_cell(sheets, "评定", 2, "综合优胜", "是")
        sheets["投诉"][0] += ["内容", "核实部门"]  # what an 审定 needs of a 有理 complaint
        sheets["投诉"][1] += ["窗口未按时开放", "机关党委、就业处"]
    path = book(tmp_path, change)
    assert run(path, YEAR).ok
    assert main(["publicity", str(path), "-o", str(tmp_path / "公示.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "参数!F2：2024 年度已审定（常人社〔2024〕95号）：公示在审定之前，审定后不再生成公示" in err
    assert not (tmp_path / "公示.xlsx").exists()


def test_the_publicity_workbook_names_an_offices_faces(tmp_path):
    """The .xlsx handed out does not depend on the computer that made it."""
    outcome = run(book(tmp_path, dated), YEAR)
    data, _ = document_bytes(outcome, pb.PUBLICITY, ".xlsx")
    styles = openpyxl.load_workbook(io.BytesIO(data))
    assert styles.properties.subject.startswith("字体：标题：方正小标宋简体；正文：仿宋")


def test_a_long_name_breaks_between_its_words_on_the_printed_letter(tmp_path):
    """A name wider than its column: each line ends between words (after 人社服务中心, before
    （…）), never inside one as LibreOffice would cut it (（示例数/据）)."""
    name = "雕庄街道人社服务中心（天宁区雕庄街道示例数据）"

    def long_name(sheets) -> None:
        dated(sheets)
        sheets["中心"][1][1] = name
        sheets["业务量"] = [[name if value == "甲中心" else value for value in row] for row in sheets["业务量"]]

    outcome = run(book(tmp_path, long_name), YEAR)
    data, _ = pb.publicity_bytes(outcome, dataclasses.replace(fonts.standard_faces(), office=False))  # as printed
    [shown] = [cell.value.replace(GLUE, "") for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()
               for cell in row if isinstance(cell.value, str) and cell.value.replace(GLUE, "").replace("\n", "") == name]
    assert "\n" in shown
    ends = {len("".join(breaks.pieces(name)[:count])) for count in range(len(breaks.pieces(name)) + 1)}
    assert all(len("".join(shown.split("\n")[:count])) in ends for count in range(1, shown.count("\n") + 1)), shown
