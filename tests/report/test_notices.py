"""告知书 and 硬件建设补助告知书 (documents.md §2 v4): the text a center finds in its letter —
every 有理 complaint it paid for, once each; a veto's reason, evidence and 回访 rows; an 审定
letter that cites its approval in the body and opens no new objection window; projects by name
with the working group's decision — read from the letters' blocks; then the letters printed by
LibreOffice, a file per center cut at the pages each took, each numbered from — 1 —."""
from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import date

import pytest

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.clock import chinese_date
from jbsys_xl.pipeline import run
from jbsys_xl.report import attachment as a
from jbsys_xl.report import notices as n
from jbsys_xl.report import page as p
from jbsys_xl.report import tables as t
from jbsys_xl.report.explain import LABEL, UnknownCenter
from jbsys_xl.sample import write_rows
from tests.support import require_soffice
from tests.support import workbooks as wb
from tests.support.approved import MID_YEAR, opened_mid_year, write_objection_upheld

YEAR = 2024
NUMBER = "常人社〔2024〕95号"


def flat(text: str) -> str:
    """Text without whitespace (or the glue that keeps 。 off a line's start): table cells and
    wrapped lines break where the layout wants."""
    return "".join(text.replace("\ufeff", "").split())


def money(amount) -> str:
    return t.cell_text(amount, t.MONEY)


def letter_text(allocation, code: str, **options) -> str:
    """A center's letter as text, paragraphs and tables (no LibreOffice)."""
    return p.page_text([n.notice_blocks(allocation, allocation.center(code), **options)])


def tables_of(allocation, code: str, title: str) -> list[t.Table]:
    return [block for block in n.notice_blocks(allocation, allocation.center(code))
            if isinstance(block, t.Table) and block.title == title]


def book(tmp_path, change=None):
    """The base workbook, changed by ``change(sheets)``, run for 2024."""
    sheets = wb.base()
    if change:
        change(sheets)
    outcome = run(wb.write(tmp_path / "book.xlsx", sheets), YEAR)
    assert outcome.ok, outcome.errors
    return outcome


def approve(sheets) -> None:
    """The base book at 审定: 文号 and date, its winner confirmed, its complaint's record whole."""
    sheets["参数"][0] += ["审定文号", "审定日期"]
    sheets["参数"][1] += [NUMBER, date(YEAR, 12, 20)]
    wb.set_cell(sheets, "评定", 2, "综合优胜", "是")
    sheets["投诉"][0] += ["内容", "核实部门"]
    sheets["投诉"][1] += ["窗口未按时开放", "机关党委、就业处"]


# --- what the letter says --------------------------------------------------------------------

def test_every_counted_complaint_is_listed_with_its_number_date_content_and_department(outcome):
    """XB09 lost 3 × 5 %: all three are on its letter (the draft cut the list at two)."""
    allocation = outcome.allocation
    xb09 = allocation.center("XB09")
    complaints = [c for c in allocation.dataset.complaints if c.center == "XB09"]
    assert xb09.complaints == len(complaints) == 3
    [table] = tables_of(allocation, "XB09", "有理投诉")
    assert table.headers == ("投诉编号", "日期", "内容", "核实部门")
    assert [row[0] for row in table.rows] == [c.number for c in complaints]
    assert [row[2] for row in table.rows] == [c.content for c in complaints]
    text = letter_text(allocation, "XB09")
    assert "另有" not in text and "索取" not in text
    assert flat("有理投诉 3 件（投诉编号相同的只计一次）") in flat(text)
    assert money(xb09.complaint_deduction) in text


def test_rows_sharing_a_complaint_number_are_listed_once(outcome):
    """TN05's TS2024-002 came by two routes (条线, 信访): one matter, counted once, listed once."""
    allocation = outcome.allocation
    rows = [c for c in allocation.dataset.complaints if c.center == "TN05"]
    assert len(rows) == 2 and rows[0].number == rows[1].number and allocation.center("TN05").complaints == 1
    [table] = tables_of(allocation, "TN05", "有理投诉")
    assert len(table.rows) == 1 and table.rows[0][0] == rows[0].number


def test_many_complaints_are_all_listed(tmp_path):
    def change(sheets):
        sheets["投诉"][0] += ["内容", "投诉编号", "核实部门"]
        sheets["投诉"][1] += ["窗口未按时开放", "TS-00", "就管中心"]
        sheets["投诉"] += [[date(2024, 4, day), "C01", "有理", "12333", f"第 {day} 件投诉", f"TS-{day:02d}",
                            "机关党委、就业处"] for day in range(1, 8)]
    outcome = book(tmp_path, change)
    [table] = tables_of(outcome.allocation, "C01", "有理投诉")
    assert len(table.rows) == outcome.allocation.center("C01").complaints == 8
    assert table.rows[-1] == ("TS-07", "2024-04-07", "第 7 件投诉", "机关党委、就业处")
    assert [row[1] for row in table.rows] == sorted(row[1] for row in table.rows)  # by date


def vetoed(sheets, callbacks: bool = True) -> None:
    """C01 vetoed on a 12333 回访 found 不属实 and decided 否决, with a 核查记录 as evidence."""
    sheets["评定"][0].append("否决依据")
    wb.set_cell(sheets, "评定", 2, "一票否决", "是")
    wb.set_cell(sheets, "评定", 2, "否决原因", "12333回访发现虚报业务量")
    wb.set_cell(sheets, "评定", 2, "否决依据", "核查记录 HC2024-11-03")
    if callbacks:
        sheets["回访"] = [["年度", "中心", "业务流水号", "回访日期", "回访结果", "处理决定", "决定说明", "工单号"],
                        [2024, "C01", "SB20240000041", date(2024, 11, 12), "不属实", "否决",
                         "当事人确认未办理，系虚报", "GD2024-1103"]]


def test_a_vetoed_center_is_told_the_reason_the_evidence_and_the_callbacks_decided(tmp_path):
    outcome = book(tmp_path, vetoed)
    text = letter_text(outcome.allocation, "C01")
    assert "否决原因：12333回访发现虚报业务量。" in text and "否决依据：核查记录 HC2024-11-03。" in text
    [table] = tables_of(outcome.allocation, "C01", "否决回访")
    assert table.headers[:3] == ("业务流水号", "回访日期", "工单号")
    assert table.rows == [("SB20240000041", "2024-11-12", "GD2024-1103", "否决", "当事人确认未办理，系虚报")]
    assert "不改变补助资金" not in text  # never beside 否决 (review m3)


def test_the_demos_veto_rests_on_its_evidence_and_its_decided_callback(outcome):
    allocation = outcome.allocation
    xb04 = allocation.center("XB04")
    rating = allocation.dataset.ratings["XB04"]
    assert xb04.vetoed and rating.veto_evidence
    text = letter_text(allocation, "XB04")
    assert f"否决原因：{xb04.veto_reason}。" in text and f"否决依据：{rating.veto_evidence}。" in text
    [vetoing] = [c for c in allocation.dataset.callbacks if c.center == "XB04"]
    [table] = tables_of(allocation, "XB04", "否决回访")
    assert table.rows == [(vetoing.case_id, vetoing.day.isoformat(), vetoing.ticket, "否决", vetoing.decision_note)]
    assert text.count(vetoing.case_id) == 1  # once, as evidence: not again under （四）
    assert "其中 1 件经工作小组决定否决，已列于一、（一）。" in text and "不改变补助资金" not in text


def test_a_center_opened_mid_year_is_told_the_months_it_was_assessed_on(tmp_path):
    outcome = run(write_rows(tmp_path / "mid.xlsx", opened_mid_year(), YEAR), YEAR)
    assert outcome.ok, outcome.errors
    text = letter_text(outcome.allocation, MID_YEAR)
    assert "考核期内有业务量的月份：2024-06 至 2024-11（按全年考核）。" in text
    assert "考核期内有业务量的月份" not in letter_text(outcome.allocation, "XB07")  # a whole year: no line


def test_a_veto_citing_12333_is_never_next_to_no_case_drawn(tmp_path):
    outcome = book(tmp_path, lambda sheets: vetoed(sheets, callbacks=False))
    text = letter_text(outcome.allocation, "C01")
    assert "12333回访发现虚报业务量" in text
    assert "未抽查" not in text and "12333 回访" not in text  # the section is left out, not contradicted
    other = letter_text(outcome.allocation, "C02")
    assert "本年度未抽查本中心的业务。" in other  # a center not vetoed still hears it


def test_a_draft_letter_keeps_the_objection_clause_and_no_seal(tmp_path):
    outcome = book(tmp_path)
    text = letter_text(outcome.allocation, "C01")
    s = outcome.allocation.settings
    assert (f"如对考核结果有异议，请于收到本告知书之日起 {s.objection_days} 个工作日内，以书面形式（附相关证明材料）"
            f"向{s.tabulator}提出。") in text
    assert n.DRAFT_BANNER in text and "（盖章）" not in text and "审定" not in text.split("五、")[-1]


def test_an_approved_letter_cites_its_approval_and_closes_the_objection_it_settled(tmp_path):
    def change(sheets):
        approve(sheets)
        sheets["异议"] = [["年度", "中心", "收到日期", "异议内容", "处理结果", "处理说明", "处理日期"],
                        [2024, "C01", date(2024, 12, 12), "认为服务场所应认定为独立服务大厅", "调整",
                         "经现场核查，服务场所认定为独立服务大厅，评定等次调整为 A+", date(2024, 12, 16)]]
    outcome = book(tmp_path, change)
    allocation = outcome.allocation
    text = letter_text(allocation, "C01")
    lines = text.splitlines()
    assert lines[1:3] == ["2024年度市本级人社基层平台建设考核结果", "及补助资金告知书"]  # nothing under it
    assert lines[3] == "甲中心：" and lines[4] == "中心编码：C01　所属区：天宁区"  # a reference line
    assert f"经市人社局审定（{NUMBER}）" in lines[5]
    assert text.count(NUMBER) == 1  # cited, never printed under the title as the letter's own
    assert "本结果已经审定。" in text and "如对考核结果有异议" not in text
    assert ("你中心于 2024年12月12日 提出异议：认为服务场所应认定为独立服务大厅。处理结果：调整，2024年12月16日；"
            "处理说明：经现场核查，服务场所认定为独立服务大厅，评定等次调整为 A+。") in text
    assert f"如对审定结果有疑问，可向{allocation.settings.tabulator}申请复核。" in text
    assert "常州市人力资源和社会保障局（盖章）" in text and "2024年12月20日" in text
    assert n.DRAFT_BANNER not in text
    other = letter_text(allocation, "C03")
    assert "本结果已经审定。" in other and "提出异议" not in other  # only the objector's own


def test_the_demos_upheld_objection_is_closed_on_the_objectors_letter(tmp_path):
    """The worked objection: XB06's objection upheld (B → A) before the 审定."""
    outcome = run(write_objection_upheld(tmp_path / "异议.xlsx"), YEAR)
    assert outcome.ok, outcome.errors
    [objection] = [o for o in outcome.allocation.dataset.objections if o.center == "XB06"]
    text = letter_text(outcome.allocation, "XB06")
    assert "本结果已经审定。" in text and "如对考核结果有异议" not in text
    assert (f"你中心于 {chinese_date(objection.received)} 提出异议：{objection.content}。处理结果：调整，"
            f"{chinese_date(objection.decided_on)}；处理说明：{objection.note}。") in text
    assert "提出异议" not in letter_text(outcome.allocation, "XB07")


def test_the_title_says_市本级_and_the_indicator_base_is_市本级合计(outcome):
    allocation = outcome.allocation
    text = letter_text(allocation, allocation.centers[0].code)
    assert n.notice_title(allocation.settings).startswith("2024年度市本级人社基层平台")
    assert "市本级合计" in text and "全市" not in text
    [table] = tables_of(allocation, allocation.centers[0].code, "得分构成")
    assert table.headers[4] == "市本级合计"


def test_the_draft_title_and_status(outcome):
    settings = outcome.allocation.settings
    assert settings.status == contract.STATUS_DRAFT
    assert n.notice_title(settings).endswith("（草案）")
    final = dataclasses.replace(settings, approval_number=NUMBER, approval_date=date(2024, 12, 10))
    assert "草案" not in n.notice_title(final)


def test_full_adds_every_indicator_after_the_letter(outcome):
    allocation = outcome.allocation
    blocks = n.notice_blocks(allocation, allocation.centers[0], full=True)
    after = blocks[[isinstance(b, p.Break) for b in blocks].index(True):]
    [table] = [b for b in after if isinstance(b, t.Table)]
    assert len(table.rows) == len(allocation.indicators) + 1  # and 合计


# --- hardware notices ----------------------------------------------------------------------------

def hardware(sheets) -> None:
    sheets["硬件"] = [["年度", "所属区", "预算补助", "计划投入", "实际投入", "已备案", "备案日期", "项目名称",
                     "处理决定", "决定说明"],
                    [2024, "天宁区", 100000, 100000, 80000, "是", date(2024, 3, 1), "天宁区人社服务大厅改造",
                     "", ""],
                    [2024, "天宁区", 50000, 40000, 45000, "是", date(2024, 4, 18), "雕庄街道自助服务区",
                     "补助", "逾期 18 天，因区财政拨款延误，工作小组同意补助"],
                    [2024, "天宁区", 20000, 30000, 31000, "否", None, "", "", ""]]


def test_an_unnamed_project_has_the_same_name_in_the_attachment_and_its_notice(tmp_path):
    """第 N 项 counts within the 所属区 on both papers: the 附件's 序号 runs on, its name does not."""
    def two_districts(sheets) -> None:
        hardware(sheets)
        sheets["硬件"].append([2024, "钟楼区", 30000, 30000, 30000, "是", date(2024, 3, 2), "", "", ""])

    outcome = book(tmp_path, two_districts)
    attachment = a.hardware_table(outcome.allocation)
    named = {(row[1], row[2]) for row in attachment.rows if isinstance(row[0], int)}
    for district in ("天宁区", "钟楼区"):
        [table] = [b for b in n.district_blocks(outcome.allocation, district) if isinstance(b, t.Table)]
        assert {(district, row[0]) for row in table.rows if row[0] != t.TOTAL} <= named
    assert ("钟楼区", "第 1 项") in named


def test_hardware_projects_are_named_with_the_working_groups_decision(tmp_path):
    outcome = book(tmp_path, hardware)
    blocks = n.district_blocks(outcome.allocation, "天宁区")
    [table] = [b for b in blocks if isinstance(b, t.Table)]
    assert [row[0] for row in table.rows] == ["天宁区人社服务大厅改造", "雕庄街道自助服务区", "第 3 项", t.TOTAL]
    text = p.page_text([blocks])
    assert "天宁区人社服务大厅改造：已备案（2024-03-01），补助 = 预算补助 100,000.00 × min(1, 实际投入" in text
    assert ("雕庄街道自助服务区：已备案（2024-04-18），备案日期 2024-04-18 晚于 3 月 31 日，属逾期备案；"
            "考核工作小组决定：补助（逾期 18 天，因区财政拨款延误，工作小组同意补助）") in text
    assert "第 3 项：未备案；考核工作小组尚未作出处理决定，本表暂列补助 0.00 元。" in text
    assert "按先建后补的规定不予补助" not in text and "规定不予补助" not in text  # not the regulation's
    assert [b.text for b in blocks if isinstance(b, p.Paragraph) and b.style == p.HEADING][-1].endswith("三、异议")


# --- printed ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def printed(outcome, tmp_path_factory, pdftotext) -> dict[str, list[str]]:
    """The sample's notices, a PDF per center (cut from one conversion): center → its pages."""
    require_soffice()
    folder = tmp_path_factory.mktemp("notices")
    files, checks = n.write_notices(outcome, folder)
    assert len(files) == len(outcome.allocation.centers)
    pages = {}
    for center, path in zip(outcome.allocation.centers, files):
        assert path.name == n.file_name(center.code, center.name, YEAR)
        text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout
        pages[center.code] = [flat(page) for page in text.split("\f")[:n.page_count(path.read_bytes())]]
    return pages


def test_each_center_gets_its_letter_numbered_from_one(outcome, printed):
    for center in outcome.allocation.centers:
        pages = printed[center.code]
        assert [re.findall(r"—(\d+)—", page)[-1] for page in pages] == [str(k) for k in range(1, len(pages) + 1)]
        text = "".join(pages)
        assert flat(f"{center.name}：") in pages[0] and flat(f"中心编码：{center.code}") in pages[0]
        assert money(center.total) in text and flat(contract.DEFAULT_ISSUER) in text
        assert "盖章" not in text and "草案仅供核对" in pages[0]


def test_the_printed_letter_holds_every_complaint(outcome, printed):
    text = "".join(printed["XB09"])
    for complaint in (c for c in outcome.allocation.dataset.complaints if c.center == "XB09"):
        assert complaint.number in text and flat(complaint.content)[:8] in text  # a cell wraps its text


def test_volumes_read_with_thousands_separators(outcome, printed):
    allocation = outcome.allocation
    center = allocation.centers[0]
    text = "".join(printed[center.code])
    [table] = tables_of(allocation, center.code, "得分构成")
    big = [row for row in table.rows if isinstance(row[4], (int, float)) or row[4] is not None]
    assert any(row[4] >= 1000 for row in big if row[4] is not None)
    for row in big:
        if row[4] is not None:
            assert f"{int(row[4]):,}" in text


@pytest.fixture
def small_book(tmp_path):
    return wb.write(tmp_path / "small.xlsx", wb.base())


def test_cli_a_pdf_per_center_into_a_folder(small_book, tmp_path, capsys, pdftotext):
    require_soffice()
    folder = tmp_path / "告知书"
    assert main(["notices", str(small_book), "--year", "2024", "--center", "C03", "甲中心", "--full",
                 "-o", str(folder)]) == 0
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["C01-甲中心-告知书-2024.pdf", "C03-丙中心-告知书-2024.pdf"]
    for path, name in zip(files, ("甲中心", "丙中心")):
        text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert flat(f"{name}：") in flat(text) and "得分构成（全部2项）" in flat(text)
        assert flat(text).count("—1—") == 1  # its own numbering, from one
    assert "（2 个文件）" in capsys.readouterr().out


def test_cli_unknown_center(small_book, tmp_path, capsys):
    target = tmp_path / "out.pdf"
    assert main(["notices", str(small_book), "--year", "2024", "--center", "丁中心",
                 "-o", str(target)]) == 2
    assert "找不到中心“丁中心”" in capsys.readouterr().err
    assert not target.exists()
    with pytest.raises(UnknownCenter):
        n.chosen_centers(run(small_book, YEAR).allocation, ["C09"])


def test_layout_labels_are_the_explain_labels():
    assert LABEL["code"] == "中心编码" and LABEL["district"] == "所属区"
