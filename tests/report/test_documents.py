"""The documents a reviewer signs, read back: the demo's whole set through LibreOffice (fonts,
figures equal to the JSON, 合计 equal across documents, nothing private in 公示), 拨付明细 refused
in a draft, its 合计 in figures and capitals, and the 条线 fill-down."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl.cli import main
from jbsys_xl.pipeline import run
from jbsys_xl.report import confirmations, payments, publicity
from jbsys_xl.report import tables as t
from jbsys_xl.report.capitals import capitals
from tests.support import require_soffice
from tests.support import workbooks as wb


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def money(amount) -> str:
    return t.cell_text(Decimal(amount), t.MONEY)


@pytest.fixture(scope="module")
def document_folder(sample_path, tmp_path_factory):
    require_soffice()
    folder = tmp_path_factory.mktemp("documents")
    assert main(["documents", str(sample_path), "--year", "2024", "-o", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def result(sample_path, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("json") / "r.json"
    main(["allocate", str(sample_path), "--year", "2024", "--json", str(path), "-o",
          str(path.with_suffix(".xlsx"))])
    return json.loads(path.read_text("utf-8"))


def text_of(pdf, pdftotext) -> str:
    return subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_the_draft_set_has_every_document_but_the_payment_list(document_folder):
    assert sorted(f.name for f in document_folder.iterdir()) == sorted([
        "附件-2024.pdf", "告知书-2024.pdf", "硬件建设补助告知书-2024.pdf", "条线确认表-2024.pdf",
        "公示-2024.pdf", "公示-2024.xlsx"])


def test_only_simplified_chinese_faces_are_embedded(document_folder):
    """Every embedded font is a Noto CJK SC face (no DejaVu/Liberation fallback, no JP face:
    the SC faces are copied out of their collections, see office/libreoffice.py: sc_faces)."""
    pdffonts = shutil.which("pdffonts") or pytest.fail("pdffonts is missing (poppler-utils)")
    for pdf in document_folder.glob("*.pdf"):
        lines = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        names = {line.split()[0].split("+")[-1] for line in lines}
        assert names and all(re.match(r"Noto(Serif|Sans)CJKsc-", name) for name in names), (pdf.name, names)


def test_every_total_equals_the_json_and_every_other_document(document_folder, result, pdftotext):
    centers_total = Decimal(result["pools"]["paid_total"]) - Decimal(result["pools"]["hardware_total"])
    attachment = flat(text_of(document_folder / "附件-2024.pdf", pdftotext))
    published = flat(text_of(document_folder / "公示-2024.pdf", pdftotext))
    for center in result["centers"]:
        assert money(center["total"]) in attachment and money(center["total"]) in published
    for text in (attachment, published):
        assert money(centers_total) in text
    for key in ("total_fund", "paid_total", "balance", "forfeited", "hardware_total"):
        assert money(result["pools"][key]) in attachment, key
    assert "第1页共" in attachment and "制表人：" in attachment and "资金来源：就业专项资金" in attachment
    sheet = CalamineWorkbook.from_path(str(document_folder / "公示-2024.xlsx")).get_sheet_by_index(0)
    rows = sheet.to_python()
    total = next(row for row in rows if row[0] == t.TOTAL)
    body = [row for row in rows if isinstance(row[-1], float) and row[0] not in ("", t.TOTAL)]
    assert len(body) == len(result["centers"])
    assert money(str(total[-1])) == money(centers_total) == money(sum(Decimal(str(r[-1])) for r in body))


def test_publicity_holds_no_private_text(document_folder, outcome, pdftotext):
    text = flat(text_of(document_folder / "公示-2024.pdf", pdftotext))
    assert "草案" not in text and "2024年度市本级人社基层平台建设考核结果公示" in text
    data = outcome.allocation.dataset
    private = [c.content for c in data.complaints + data.pending_complaints if c.content]
    private += [c.number for c in data.complaints if c.number] + [b.case_id for b in data.callbacks]
    private += [d.reason for d in data.deductions] + [c.veto_reason for c in outcome.allocation.centers
                                                      if c.veto_reason]
    assert private and not [item for item in private if flat(item) in text]


def test_notices_name_the_objection_procedure_and_stay_one_page_each(document_folder, outcome, pdftotext):
    text = text_of(document_folder / "告知书-2024.pdf", pdftotext)
    pages = [flat(page) for page in text.split("\f")[:len(outcome.allocation.centers)]]
    s = outcome.allocation.settings
    for center, page in zip(outcome.allocation.centers, pages):
        assert flat(center.name) in page and money(center.total) in page
        assert f"{s.objection_days}个工作日内" in page and flat(s.objection_phone) in page
        assert "草案仅供核对" in page and "盖章" not in page
        assert "上年（2023年度）" in page


def test_payments_are_refused_in_a_draft_at_the_approval_cell(sample_path, tmp_path, capsys):
    target = tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(sample_path), "--year", "2024", "-o", str(target)]) == 2
    assert "参数!P3：2024 年度的审定文号为空" in capsys.readouterr().err
    assert not target.exists()


def test_a_final_payment_list_adds_up_in_figures_and_capitals(sample_path, tmp_path):
    outcome = run(sample_path, 2023)
    table, defaulted = payments.payment_rows(outcome.allocation)
    assert not defaulted
    body = [row for index, row in enumerate(table.rows) if not table.is_summary(index)]
    total = table.rows[-1][-1]
    assert total == sum(row[-1] for row in body) == outcome.allocation.pools.paid_total
    target = tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(sample_path), "--year", "2023", "-o", str(target)]) == 0
    text = "".join(str(cell) for row in CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0)
                   .to_python() for cell in row)
    assert capitals(total) in text and "常人社〔2023〕88号" in text and "开户" not in text


def test_an_empty_payee_is_one_grouped_warning(tmp_path):
    sheets = wb.base()
    sheets["参数"][0].append("审定文号")
    sheets["参数"][1].append("常人社〔2024〕1号")
    sheets["评定"][1][5] = "是"  # the winner confirmed: an 审定 needs it
    outcome = run(wb.write(tmp_path / "b.xlsx", sheets), 2024)
    assert outcome.ok, outcome.errors
    _, checks = payments.payments_bytes(outcome)
    assert len(checks) == 1 and checks[0].count == 4  # three centers and 天宁区's hardware
    assert "甲中心" in checks[0].message


def test_a_blank_department_is_filled_down_within_its_category(tmp_path):
    sheets = wb.base()
    sheets["指标"][0].append("考核部门")
    sheets["指标"][1].append("就管中心")
    sheets["指标"].insert(2, [2024, 3, "就业创业", "就业登记", 0, "标准化下沉", "", ""])
    outcome = run(wb.write(tmp_path / "b.xlsx", sheets), 2024)
    assert outcome.ok, outcome.errors
    found, checks = confirmations.departments(outcome.allocation)
    assert [i.name for i in found["就管中心"]] == ["失业登记", "就业登记"]
    assert [i.name for i in found[confirmations.UNASSIGNED]] == ["居民参保登记"]
    assert len(checks) == 1 and checks[0].sheet == "指标" and checks[0].cell


def test_an_invalid_workbook_gets_the_cell_errors_and_nothing_written(tmp_path, capsys):
    sheets = wb.base()
    wb.set_cell(sheets, "业务量", 2, "业务量", "十二")
    book = wb.write(tmp_path / "bad.xlsx", sheets)
    for command in (["publicity", "-o", str(tmp_path / "p.xlsx")],
                    ["documents", "-o", str(tmp_path / "set")]):
        assert main([command[0], str(book), *command[1:]]) == 2
        assert "业务量!D2" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]


def test_publicity_marks_proposed_winners(outcome):
    table = publicity.publicity_table(outcome.allocation)
    assert table.rows[-1][-1] == sum(row[-1] for row in table.rows[:-1])
