"""The documents a reviewer signs, read back: the demo's whole set through LibreOffice (fonts,
the simplified-Chinese 户), the set of the demo walked to its 公示 (figures equal to the JSON,
合计 equal across documents, nothing private in 公示), the set of the demo walked to 审定
(notices numbered each on its own, no 公示, signatures never alone on a page), 拨付明细 refused
in a draft, its 合计 in figures and capitals, and the 条线 fill-down."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from fontTools import t1Lib
from fontTools.ttLib import TTCollection
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from jbsys_xl import sample
from jbsys_xl.cli import main
from jbsys_xl.office import fonts
from jbsys_xl.pipeline import run
from jbsys_xl.report import confirmations, notices, payments, publicity
from jbsys_xl.report import tables as t
from jbsys_xl.report.capitals import capitals
from tests.support import require_soffice
from tests.support import workbooks as wb
from tests.support.approved import NUMBER, approved_demo, write_approved_demo, write_publicity_demo

HU = "户"  # U+6237: one code point, a simplified-Chinese and a Japanese (戸-like) glyph
NOTO = Path("/usr/share/fonts/opentype/noto")  # fonts-noto-cjk


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
def ready(tmp_path_factory):
    """The demo walked to its 公示: its workbook, and ``documents`` of it."""
    require_soffice()
    folder = tmp_path_factory.mktemp("ready")
    book = write_publicity_demo(folder / "公示前.xlsx")
    assert main(["documents", str(book), "-o", str(folder / "文书")]) == 0
    return book, folder / "文书"


@pytest.fixture(scope="module")
def result(ready, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("json") / "r.json"
    main(["allocate", str(ready[0]), "--year", "2024", "--json", str(path), "-o",
          str(path.with_suffix(".xlsx"))])
    return json.loads(path.read_text("utf-8"))


def text_of(pdf, pdftotext) -> str:
    return subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_a_draft_with_open_matters_has_neither_publicity_nor_payment_list(sample_path, document_folder,
                                                                         capsys, tmp_path):
    assert sorted(f.name for f in document_folder.iterdir()) == sorted([
        "附件-2024.pdf", "告知书-2024.pdf", "硬件建设补助告知书-2024.pdf", "条线确认表-2024.pdf"])
    assert main(["documents", str(sample_path), "--year", "2024", "-o", str(tmp_path / "again")]) == 0
    out = capsys.readouterr().out
    assert "未生成公示：\n  投诉!C5：公示前须处理" in out and "回访!G7：公示前须处理" in out
    assert "未生成拨付明细：\n  参数!P3" in out


def test_the_publicity_set_has_the_publicity_but_no_payment_list(ready):
    assert sorted(f.name for f in ready[1].iterdir()) == sorted([
        "附件-2024.pdf", "告知书-2024.pdf", "硬件建设补助告知书-2024.pdf", "条线确认表-2024.pdf",
        "公示-2024.pdf", "公示-2024.xlsx"])


def embedded(pdf: Path) -> set[str]:
    pdffonts = shutil.which("pdffonts") or pytest.fail("pdffonts is missing (poppler-utils)")
    lines = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines}


def test_only_simplified_chinese_faces_are_embedded(document_folder):
    """Every embedded font is a Noto CJK SC face or a face of the letters' chain (no
    DejaVu/Liberation fallback, no JP face: the SC faces are copied out of their collections,
    see office/libreoffice.py: sc_faces)."""
    chain = {face.replace(" ", "") for face in fonts.faces().chosen.values()}
    for pdf in document_folder.glob("*.pdf"):
        names = embedded(pdf)
        assert names and all(re.match(r"Noto(Serif|Sans)CJKsc-", name) or name.split("-")[0] in chain
                             for name in names), (pdf.name, names)
        assert not [name for name in names if re.search(r"CJK(jp|kr|tc|hk)", name)], (pdf.name, names)


def test_hu_prints_in_its_simplified_chinese_form(document_folder, tmp_path):
    """户 has one code point and several glyphs: the Noto CJK fonts hold them all and pick one
    with the OpenType feature ``locl`` for the language of the text — for 中文（简体） (ZHS) not
    the one for Japanese (JAN), where 户 takes the form of 戸. So the test reads the glyph the
    PDF prints and compares it with what the installed font's own ``locl`` gives.

    LibreOffice embeds each face as a Type 1 subset whose glyph names keep the glyph's CID in
    the Noto collection (``cid18585``); the font's ToUnicode map says which code is 户 and its
    encoding which glyph that code draws (fontTools reads both). From the collection file of the
    same family and weight, its SC face's GSUB gives the ZHS and the JAN glyph of 户 (script
    hani, each language's ``locl`` lookups applied to the cmap glyph); they must differ, or
    the test could not tell, and the printed glyph must be the ZHS one."""
    printed = {}
    for pdf in document_folder.glob("*.pdf"):
        for page in PdfReader(pdf).pages:
            for ref in page["/Resources"]["/Font"].values():
                font = ref.get_object()
                base = str(font["/BaseFont"]).split("+")[-1]
                if not base.startswith("Noto"):
                    continue  # a face of the letters' chain (FandolFang …): GB faces, one glyph each
                codes = _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
                if HU not in codes.values() or base in printed:
                    continue
                program = tmp_path / f"{len(printed)}.pfb"
                program.write_bytes(font["/FontDescriptor"].get_object()["/FontFile"].get_object().get_data())
                type1 = t1Lib.T1Font(str(program), kind="OTHER")
                type1.parse()
                code = next(code for code, text in codes.items() if text == HU)
                printed[base] = type1["Encoding"][code]
    assert printed, "no document printed 户 (告知书 and 条线确认表 list 开展社保费非正常户核查工作)"
    for base, glyph in printed.items():
        family = "Serif" if "Serif" in base else "Sans"
        weight = "Bold" if "Bold" in base else "Regular"
        chinese, japanese = _localised(NOTO / f"Noto{family}CJK-{weight}.ttc", ord(HU), ("ZHS ", "JAN "))
        assert chinese != japanese, (base, chinese)
        assert glyph == chinese, (base, glyph, f"ZHS {chinese}, JAN {japanese}")


def _to_unicode(cmap: str) -> dict[int, str]:
    """Code → text of a ToUnicode CMap: its bfchar pairs and bfrange runs."""
    codes = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
            codes[int(code, 16)] = chr(int(text, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
            for offset in range(int(last, 16) - int(first, 16) + 1):
                codes[int(first, 16) + offset] = chr(int(text, 16) + offset)
    return codes


def _localised(collection: Path, char: int, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The glyph the SC face of ``collection`` draws ``char`` with, for each OpenType language
    of the Han script: its cmap glyph through that language's ``locl`` single substitutions."""
    if not collection.is_file():
        pytest.fail(f"{collection} is missing (apt-get install fonts-noto-cjk)")
    face = next(font for font in TTCollection(str(collection)).fonts
                if font["name"].getDebugName(4).endswith(" SC"))
    gsub = face["GSUB"].table
    [han] = [record.Script for record in gsub.ScriptList.ScriptRecord if record.ScriptTag == "hani"]
    systems = {record.LangSysTag: record.LangSys for record in han.LangSysRecord}
    found = []
    for language in languages:
        glyph = face.getBestCmap()[char]
        for index in systems[language].FeatureIndex:
            feature = gsub.FeatureList.FeatureRecord[index]
            if feature.FeatureTag != "locl":
                continue
            for lookup in feature.Feature.LookupListIndex:
                for table in gsub.LookupList.Lookup[lookup].SubTable:
                    glyph = getattr(getattr(table, "ExtSubTable", table), "mapping", {}).get(glyph, glyph)
        found.append(glyph)
    return tuple(found)


def test_every_total_equals_the_json_and_every_other_document(ready, result, pdftotext):
    document_folder = ready[1]
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


def test_publicity_holds_no_private_text(ready, pdftotext):
    text = flat(text_of(ready[1] / "公示-2024.pdf", pdftotext))
    assert "草案" not in text and "2024年度市本级人社基层平台建设考核结果公示" in text
    outcome = run(ready[0], 2024)
    data = outcome.allocation.dataset
    private = [c.content for c in data.complaints + data.pending_complaints if c.content]
    private += [c.number for c in data.complaints if c.number] + [b.case_id for b in data.callbacks]
    private += [d.reason for d in data.deductions] + [c.veto_reason for c in outcome.allocation.centers
                                                      if c.veto_reason]
    assert private and not [item for item in private if flat(item) in text]


def letters(pdf: Path, pdftotext) -> list[str]:
    """The letters of a PDF of several, each numbered from — 1 —: the text of each."""
    found: list[str] = []
    for page in map(flat, text_of(pdf, pdftotext).split("\f")[:-1]):
        if page.endswith("—1—") or page.startswith("—1—") or not found:
            found.append("")
        found[-1] += page
    return found


def test_notices_name_the_objection_procedure(document_folder, outcome, pdftotext):
    notices = letters(document_folder / "告知书-2024.pdf", pdftotext)
    assert len(notices) == len(outcome.allocation.centers)
    s = outcome.allocation.settings
    for center, text in zip(outcome.allocation.centers, notices):
        assert flat(center.name) in text and money(center.total) in text
        assert f"{s.objection_days}个工作日内" in text and flat(s.objection_phone) in text
        assert "草案仅供核对" in text and "盖章" not in text
        assert "上年（2023年度）" in text


def test_payments_are_refused_in_a_draft_at_the_approval_cell(sample_path, tmp_path, capsys):
    target = tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(sample_path), "--year", "2024", "-o", str(target)]) == 2
    assert "参数!P3：2024 年度的审定文号为空" in capsys.readouterr().err
    assert not target.exists()


def test_a_final_payment_list_adds_up_in_figures_and_capitals(sample_path, tmp_path):
    """2023 is 审定 and has no accounts: no 开户银行 column on paper; the .xlsx holds the list
    to paste (one row per payment, amounts as numbers adding up to the 合计) and the printed one."""
    outcome = run(sample_path, 2023)
    table, defaulted = payments.payment_rows(outcome.allocation)
    assert not defaulted and table.headers[0] == t.NUMBER_LABEL and "开户银行" not in table.headers
    body = [row for index, row in enumerate(table.rows) if not table.is_summary(index)]
    total = table.rows[-1][-1]
    assert total == sum(row[-1] for row in body) == outcome.allocation.pools.paid_total
    assert [row[0] for row in body] == list(range(1, len(body) + 1))
    target = tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(sample_path), "--year", "2023", "-o", str(target)]) == 0
    book = CalamineWorkbook.from_path(str(target))
    assert book.sheet_names == [payments.PAYMENTS, payments.PRINTED]
    listed = book.get_sheet_by_index(0).to_python()
    assert tuple(listed[0]) == payments.DATA_HEADERS and len(listed) == len(body) + 1
    amount = payments.DATA_HEADERS.index(payments.AMOUNT)
    assert sum(Decimal(str(row[amount])) for row in listed[1:]) == total
    assert all(row[payments.DATA_HEADERS.index("依据文号")] == "常人社〔2023〕88号" for row in listed[1:])
    printed = "".join(str(cell) for row in book.get_sheet_by_index(1).to_python() for cell in row)
    assert capitals(total) in printed and f"共{len(body)}笔" in flat(printed)
    assert "依据：常人社〔2023〕88号" in printed and "开户" not in printed
    assert "支付方式：____" in printed and "功能分类科目：____" in printed  # 参数 empty: lines to fill


def test_a_payment_list_for_finance_carries_route_accounts_and_seal(paid_demo, tmp_path, pdftotext):
    """财政's fields (documents.md §5 v4) on the 审定 demo with accounts: 序号, 共 N 笔, 支付方式,
    功能分类科目, 预算指标文号, 依据, the units' accounts (a center without one: blank to fill),
    制表人/审核人/负责人 and （盖章） dated the 审定日期."""
    require_soffice()
    pdf, xlsx = tmp_path / "拨付明细.pdf", tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(paid_demo), "-o", str(pdf)]) == 0
    assert main(["payments", str(paid_demo), "-o", str(xlsx)]) == 0
    text = flat(text_of(pdf, pdftotext))
    outcome = run(paid_demo)
    found, _ = payments.payments(outcome.allocation)
    for field in ("依据：常人社〔2024〕95号", f"共{len(found)}笔", "支付方式：转移支付",
                  "功能分类科目：2080799其他就业补助支出", "预算指标文号：常财社〔2024〕12号",
                  "开户银行", "银行账号", "制表人：", "审核人：", "负责人：",
                  "常州市人力资源和社会保障局（盖章）2024年12月20日",
                  capitals(outcome.allocation.pools.paid_total)):
        assert field in text, field
    assert "3204001122330000567" in text and "4512-6600-0012" in text
    listed = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    rows = [dict(zip(listed[0], row)) for row in listed[1:]]
    assert len(rows) == len(found) and {row["支付方式"] for row in rows} == {"转移支付"}
    assert rows[0]["银行账号"] == "3204 0011 2233 0000 567"  # text, as typed
    unpaid = [row for row in rows if row["项目"] == payments.AWARD and not row["银行账号"]]
    assert unpaid and all(row["开户银行"] == "" for row in unpaid)  # blank to fill by hand
    assert all(isinstance(row[payments.AMOUNT], float) for row in rows)
    assert {row["用途"] for row in rows} == {purpose.format(year=2024) for purpose in payments.PURPOSES.values()}


def test_a_payment_list_needs_the_approval_date(tmp_path, capsys):
    """An 审定文号 without 审定日期: refused at the 审定日期 cell, nothing written."""
    data = approved_demo()
    next(row for row in data["参数"] if row["年度"] == 2024)["审定日期"] = None
    book = sample.write_rows(tmp_path / "b.xlsx", data, 2024)
    outcome = run(book)
    refused = payments.refusal(outcome.allocation) if outcome.ok else None
    target = tmp_path / "拨付明细.xlsx"
    assert main(["payments", str(book), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "审定日期" in err and not target.exists()
    if refused is not None:  # until the 审定 gate refuses the whole run (allocation-rules §2 v4)
        assert refused.cell == outcome.dataset.origins[("参数", "审定日期")][1] and refused.cell in err


def test_an_empty_payee_is_one_grouped_warning(tmp_path):
    sheets = wb.approved(wb.base(), "常人社〔2024〕1号")
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


# --- the set of an 审定 year -------------------------------------------------------------------

@pytest.fixture(scope="module")
def final_folder(tmp_path_factory):
    """``jbsys-xl documents`` of the demo walked to its 审定."""
    require_soffice()
    folder = tmp_path_factory.mktemp("final")
    book = write_approved_demo(folder / "审定.xlsx")
    assert main(["documents", str(book), "-o", str(folder / "文书")]) == 0
    return folder / "文书"


def test_the_final_set_has_the_payment_list_and_no_publicity(final_folder, pdftotext):
    assert sorted(f.name for f in final_folder.iterdir()) == sorted([
        "附件-2024.pdf", "告知书-2024.pdf", "硬件建设补助告知书-2024.pdf", "条线确认表-2024.pdf",
        "拨付明细-2024.pdf", "拨付明细-2024.xlsx"])  # the 公示 came before the 审定
    notices = letters(final_folder / "告知书-2024.pdf", pdftotext)
    assert len(notices) == 23  # each numbered on its own, from — 1 —
    for text in notices:
        assert f"经市人社局审定（{NUMBER}）" in text and "本结果已经审定。" in text
        assert "常州市人力资源和社会保障局（盖章）" in text and "2024年12月20日" in text
        assert "草案" not in text and "如对考核结果有异议" not in text


def test_the_payment_lists_signatures_share_a_page_with_its_total(final_folder, pdftotext):
    pages = [flat(page) for page in text_of(final_folder / "拨付明细-2024.pdf", pdftotext).split("\f")[:-1]]
    [signed] = [page for page in pages if "制表人" in page]
    printed = CalamineWorkbook.from_path(str(final_folder / "拨付明细-2024.xlsx")).get_sheet_by_name(payments.PRINTED)
    amount = next(row[-1] for row in printed.to_python() if t.TOTAL in row)
    assert money(str(amount)) in signed and capitals(Decimal(str(amount))) in signed
    assert "合计" in signed.split("合计金额")[0]  # the table's own 合计 row, above the words


# --- the archive form (PDF/A-2b) ------------------------------------------------------------------

def archive_form(data: bytes) -> tuple[str, str]:
    """(pdfaid:part, pdfaid:conformance) the PDF's XMP declares, ("", "") without one."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    if "/Metadata" not in root:
        return "", ""
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    found = [re.search(rf"pdfaid:{key}(?:>|=\")\s*([^<\"]+)", xmp) for key in ("part", "conformance")]
    return tuple(match.group(1).strip() if match else "" for match in found)


def unembedded_fonts(path: Path) -> list[str]:
    pdffonts = shutil.which("pdffonts") or pytest.fail("pdffonts is missing (poppler-utils)")
    lines = subprocess.run([pdffonts, str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return [line.split()[0] for line in lines if line.split()[-5] != "yes"]  # the emb column


def test_every_pdf_of_the_sets_is_pdf_a_2b_with_its_fonts_embedded(document_folder, ready, final_folder):
    pdfs = [pdf for folder in (document_folder, ready[1], final_folder) for pdf in sorted(folder.glob("*.pdf"))]
    assert len(pdfs) == 4 + 5 + 5  # the draft's (no 公示 yet), the 公示's, the 审定's (拨付明细, no 公示)
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert archive_form(data) == ("2", "B"), pdf
        assert PdfReader(io.BytesIO(data)).metadata["/Producer"].startswith("LibreOffice"), pdf
        assert not unembedded_fonts(pdf), pdf


def test_a_notice_cut_out_for_one_center_stays_pdf_a(outcome, tmp_path):
    """``notices -o FOLDER`` cuts one PDF into a file per center: each keeps the XMP, and its
    document information still names LibreOffice (PDF/A: Info agrees with the XMP)."""
    require_soffice()
    codes = [c.code for c in outcome.allocation.centers[:2]]
    written, _ = notices.write_notices(outcome, tmp_path / "告知书", codes)
    assert len(written) == 2
    for path in written:
        data = path.read_bytes()
        assert archive_form(data) == ("2", "B"), path
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 1 and reader.metadata["/Producer"].startswith("LibreOffice")
        assert not unembedded_fonts(path)
