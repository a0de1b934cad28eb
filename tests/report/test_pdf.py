"""The printable PDF: Chinese text, the grand total, the expected pages, and clear failures."""
from __future__ import annotations

import re
import subprocess

import pytest

from jbsys_xl.cli import main
from jbsys_xl.office import libreoffice
from jbsys_xl.report import tables as t
from jbsys_xl.report.documents import ATTACHMENT, document_bytes
from tests.support import require_soffice

TITLE = "2024年度市本级人社基层平台建设考核结果及补助资金分配表"


@pytest.fixture(scope="module")
def pdf(outcome, tmp_path_factory):
    require_soffice()
    target = tmp_path_factory.mktemp("pdf") / "结果.pdf"
    target.write_bytes(document_bytes(outcome, ATTACHMENT)[0])
    return target


def test_pdf_holds_the_title_and_the_grand_total(pdf, outcome, pdftotext):
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # pdftotext spaces CJK text unevenly
    pools = outcome.allocation.pools
    assert TITLE in text
    assert t.cell_text(pools.paid_total - pools.hardware_total, t.MONEY) in text
    assert t.cell_text(pools.paid_total, t.MONEY) in text  # 区汇总 合计
    assert "第1页共4页" in text and "第4页共4页" in text


def test_page_count_follows_the_rows(pdf, outcome, tmp_path, pdftoppm, pdftotext):
    """分配结果 (23 centers, 3 subtotals, 1 total) takes two landscape pages at 9 pt (never
    shrunk to fit, a 所属区 never split); 硬件建设补助, 资金平衡 and the draft's ten open
    matters the next two."""
    subprocess.run([pdftoppm, "-png", "-r", "40", str(pdf), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    rows = len(t.result_table(outcome.allocation).rows)
    assert rows <= 40 and len(outcome.warnings) >= 10 and len(pages) == 4
    def text(first: int, last: int) -> str:
        return subprocess.run([pdftotext, "-f", str(first), "-l", str(last), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout

    pools = outcome.allocation.pools
    table = text(1, 2)
    assert all(c.code in table for c in outcome.allocation.centers)
    assert t.cell_text(pools.paid_total - pools.hardware_total, t.MONEY) in table  # its 合计
    assert "资金平衡" not in table and "资金平衡" in text(3, 4) and "尚待处理的事项" in text(3, 4)


def test_cli_report(sample_path, tmp_path, capsys):
    require_soffice()
    target = tmp_path / "out.pdf"
    assert main(["report", str(sample_path), "--year", "2024", "--pdf", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")
    assert main(["report", str(sample_path), "--year", "2019", "--pdf", str(target)]) == 2


def test_missing_libreoffice_names_the_package(sample_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: None)
    target = tmp_path / "out.pdf"
    assert main(["report", str(sample_path), "--year", "2024", "--pdf", str(target)]) == 1
    assert "libreoffice-calc-nogui" in capsys.readouterr().err
    assert not target.exists() and not list(tmp_path.iterdir())
