"""告知书: a page per center, read back from the PDF with pdftotext; the text a vetoed, a B-grade,
a winner and a complaint-deducted center find on their page; a PDF per center; the CLI."""
from __future__ import annotations

import dataclasses
import subprocess
from datetime import date

import pytest

from jbsys_xl import contract
from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from jbsys_xl.report import notices as n
from jbsys_xl.report import tables as t
from jbsys_xl.report.explain import LABEL, UnknownCenter, explain
from tests.support import require_soffice
from tests.support import workbooks as wb

YEAR = 2024


def flat(text: str) -> str:
    """Text without whitespace: table cells and wrapped lines break where the layout wants."""
    return "".join(text.split())


def money(amount) -> str:
    return t.cell_text(amount, t.MONEY)


@pytest.fixture(scope="module")
def pages(outcome, tmp_path_factory, pdftotext) -> list[str]:
    """The sample's notices in one PDF, as the text of each page."""
    require_soffice()
    target = tmp_path_factory.mktemp("notices") / "告知书.pdf"
    assert n.write_notices(outcome, target) == [target]
    text = subprocess.run([pdftotext, str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert n.page_count(target.read_bytes()) == len(outcome.allocation.centers)
    return [flat(page) for page in text.split("\f")[:len(outcome.allocation.centers)]]


def page_of(outcome, pages, wanted) -> tuple:
    centers = outcome.allocation.centers
    index, center = next((i, c) for i, c in enumerate(centers) if wanted(c))
    return center, pages[index]


def test_a_page_per_center_each_with_its_name_and_total(outcome, pages):
    assert len(pages) == len(outcome.allocation.centers)
    for center, page in zip(outcome.allocation.centers, pages):
        assert flat(f"{center.name}（{LABEL['code']} {center.code}") in page
        assert money(center.total) in page
        assert flat(contract.DEFAULT_ISSUER) in page and "盖章" not in page  # a draft: no seal
        assert flat(n.notice_title(outcome.allocation.settings)) in page


def test_vetoed_center(outcome, pages):
    center, page = page_of(outcome, pages, lambda c: c.vetoed)
    assert flat(f"一票否决：是（{center.veto_reason}）") in page
    # 否决处理 剔除 (the sample's default): its volumes left the factor base, so G is 0 too
    assert center.total == 0 and center.gross_workload == 0
    assert flat("一票否决，不予补助") in page
    # no empty score table: why every contribution is 0 instead
    assert flat("本中心一票否决，按否决处理“剔除”，其业务量不计入全市业务量，54 项指标的因素得分均为 0") in page
    assert "最高的0项" not in page


def test_volumes_read_with_thousands_separators(outcome, pages):
    allocation = outcome.allocation
    center, page = allocation.centers[0], pages[0]
    lines = sorted(explain(allocation, center.code).lines, key=lambda line: -line.factor_score)[:n.TOP]
    totals = [int(line.indicator_total) for line in lines]
    assert any(total >= 1000 for total in totals)
    for line, total in zip(lines, totals):
        assert f"{total:,}" in page and f"{int(line.volume):,}" in page


def test_each_notice_is_numbered_on_its_own(pages):
    assert all("第1页共1页" in page for page in pages)


def test_hardware_notice_sections_are_numbered_in_order(outcome):
    district = outcome.allocation.dataset.hardware[0].district
    headings = [block.text for block in n.district_page(outcome.allocation, district)
                if isinstance(block, n.p.Paragraph) and block.style == n.p.HEADING]
    assert [heading[:2] for heading in headings] == ["一、", "二、", "三、"] and headings[-1] == "三、异议"


def test_b_grade_center(outcome, pages):
    center, page = page_of(outcome, pages, lambda c: c.grade == "B" and not c.vetoed)
    rating = outcome.allocation.dataset.ratings.get(center.code)
    assert flat("B（") in page
    if rating is not None:
        assert flat(f"B（{rating.venue}") in page
    assert flat("综合优胜：否") in page


def test_winner(outcome, pages):
    center, page = page_of(outcome, pages, lambda c: c.winner)
    assert center.winner_award > 0
    assert flat(f"综合优胜：{center.winner_status}") in page
    assert money(center.winner_award) in page


def test_complaint_deducted_center(outcome, pages):
    center, page = page_of(outcome, pages, lambda c: c.complaint_deduction > 0 and not c.vetoed)
    complaints = [c for c in outcome.allocation.dataset.complaints if c.center == center.code]
    assert flat(f"有理投诉 {center.complaints} 件") in page
    assert money(center.complaint_deduction) in page
    assert money(center.net_workload) in page
    for complaint in complaints:
        assert complaint.day.isoformat() in page and flat(complaint.content) in page


def test_status_draft_or_approved(outcome):
    settings = outcome.allocation.settings
    assert settings.status == contract.STATUS_DRAFT
    assert n.notice_title(settings).endswith("（草案）")
    final = dataclasses.replace(settings, approval_number="常人社就〔2024〕18号",
                                approval_date=date(2024, 12, 10))
    assert "草案" not in n.notice_title(final)
    center = outcome.allocation.centers[0]
    texts = [b.text for b in n.notice_pages(dataclasses.replace(outcome.allocation, settings=final),
                                            center)[0] if isinstance(b, n.p.Paragraph)]
    assert "常人社就〔2024〕18号　审定日期：2024年12月10日" in texts
    assert f"{final.issuer}（盖章）" in texts and "2024年12月10日　" in texts
    assert n.DRAFT_BANNER not in texts


def test_many_complaints_are_counted_not_listed(tmp_path):
    sheets = wb.base()
    sheets["投诉"] += [[date(2024, 4, day), "C01", "有理", "12333"] for day in range(1, 8)]
    outcome = run(wb.write(tmp_path / "book.xlsx", sheets), YEAR)
    assert outcome.ok, outcome.errors
    center = outcome.allocation.center("C01")
    listed = [block for block in n.notice_pages(outcome.allocation, center)[0]
              if isinstance(block, t.Table) and block.title == "有理投诉"]
    assert len(listed) == 1
    rows = listed[0].rows
    assert len(rows) == n.LISTED + 1
    assert rows[-1][2] == f"另有 {8 - n.LISTED} 条，{n.MORE}"  # in 内容, the wide column


@pytest.fixture
def small_book(tmp_path):
    return wb.write(tmp_path / "small.xlsx", wb.base())


def test_cli_a_pdf_per_center_into_a_folder(small_book, tmp_path, capsys, pdftotext):
    require_soffice()
    folder = tmp_path / "告知书"
    assert main(["notices", str(small_book), "--year", "2024", "--center", "C03", "甲中心",
                 "-o", str(folder)]) == 0
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["C01-甲中心-告知书-2024.pdf", "C03-丙中心-告知书-2024.pdf"]
    for path, name in zip(files, ("甲中心", "丙中心")):
        assert n.page_count(path.read_bytes()) == 1
        text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert flat(f"{name}（") in flat(text)
    assert "（2 个文件）" in capsys.readouterr().out


def test_cli_unknown_center(small_book, tmp_path, capsys):
    target = tmp_path / "out.pdf"
    assert main(["notices", str(small_book), "--year", "2024", "--center", "丁中心",
                 "-o", str(target)]) == 2
    assert "找不到中心“丁中心”" in capsys.readouterr().err
    assert not target.exists()
    with pytest.raises(UnknownCenter):
        n.chosen_centers(run(small_book, YEAR).allocation, ["C09"])
