"""The committed template.xlsm / demo.xlsm: reproducible, read back by real tools (olevba,
openpyxl, the CLI), with a ribbon whose callbacks exist and UDF wrappers that match."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine

from jbsys_xl import __version__, contract
from jbsys_xl.cli import main as cli
from jbsys_xl.excel import macros
from jbsys_xl.excel.book_source import YEAR_NAME
from jbsys_xl.excel.setup import UDF_MODULES, WORKBOOK_INTERPRETER
from jbsys_xl.excel.udf_vba import udf_signatures
from jbsys_xl.sample import sample_rows, write_sample_workbook
from jbsys_xl.template import build, guide, sheets
from jbsys_xl.template.xlsm import CUSTOM_UI_NS, CUSTOM_UI_PART, UI_EXTENSIBILITY
from tests.support import xlwings_addin

OLEVBA = Path(sys.executable).with_name("olevba")
TEMPLATE = build.SOURCE_DIR / build.TEMPLATE
DEMO = build.SOURCE_DIR / build.DEMO
STANDARD_MODULES = ("JbInfo", "JbPython", "JbRibbon", "JbState", build.UDF_MODULE_NAME)
RUN_PYTHON = "Public Sub JbRunPython(ByVal entry As String, Optional ByVal writesInputs As Boolean = False)"


@pytest.fixture(scope="module")
def olevba() -> list[dict]:
    """olevba's JSON report on the committed template, with its debug log (which names the
    project's references)."""
    run = subprocess.run([str(OLEVBA), "-l", "debug", "--json", "--decode", str(TEMPLATE)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def vba(olevba) -> dict[str, str]:
    """Module name -> source, as olevba decodes it."""
    report = next(item for item in olevba if "macros" in item)
    return {macro["ole_stream"].removeprefix("VBA/"): macro["code"]
            for macro in report["macros"]}


def package(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


# --- reproducible ---------------------------------------------------------------------------

@pytest.mark.parametrize("path, make", [(TEMPLATE, build.template_bytes),
                                        (DEMO, build.demo_bytes)], ids=["template", "demo"])
def test_committed_workbook_equals_a_fresh_build(path, make):
    assert path.read_bytes() == make(), f"{path.name} is stale: run `make template`"


# --- the VBA project ------------------------------------------------------------------------

def code_lines(text: str) -> list[str]:
    """Source lines without the attribute header and trailing blank lines."""
    lines = [line for line in text.splitlines() if not line.startswith("Attribute VB_")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_olevba_lists_every_module_with_its_source(vba):
    assert sorted(vba) == sorted(build.DOCUMENT_MODULES + STANDARD_MODULES)
    for module in build.vba_modules():
        assert code_lines(vba[module.name]) == code_lines(module.source), module.name
    for path in (build.SOURCE_DIR / "vba").glob("*.bas"):
        expected = build.fill_marks(path.read_text("ascii"))
        assert code_lines(vba[path.stem]) == code_lines(expected)
    assert f'JbVersion = "{__version__}"' in vba["JbInfo"]
    assert "@JBSYS_" not in "".join(vba.values())
    assert all(vba[name] == "" or not code_lines(vba[name])
               for name in build.DOCUMENT_MODULES[1:])  # sheet modules are empty


def test_every_udf_has_a_wrapper_with_the_same_arguments(vba):
    lines = re.findall(r"^Function (\w+)\((.*)\)$", vba[build.UDF_MODULE_NAME], re.MULTILINE)
    wrappers = {name: [arg.split()[-1] for arg in args.split(", ") if arg] for name, args in lines}
    headers = {name: f"Function {name}({args})" for name, args in lines}
    expected = {name: args for name, args, _ in udf_signatures(UDF_MODULES)}
    assert wrappers == expected
    for name, args in expected.items():
        array = ", ".join(args + ["JbRevision()", "Nothing"])
        assert (f'{name} = JbCallUDF("{UDF_MODULES}", "{name}", Array({array}), ThisWorkbook, '
                "Application.Caller)") in vba[build.UDF_MODULE_NAME]
        body = procedure(vba[build.UDF_MODULE_NAME], headers[name])
        guard = (f"If Not ActiveWorkbook Is ThisWorkbook Then {name} = JbKept(Application.Caller): "
                 "Exit Function")
        assert body[1:3] == ["Application.Volatile", guard]  # before JbRevision() is evaluated


def test_the_project_needs_no_xlwings_or_office_reference(olevba, vba):
    """Only stdole is referenced: XLPy and RunPython are reached by Application.Run, so the
    project compiles without the add-in and says what to install when it is missing; the
    ribbon callbacks take Object, so it compiles without the Office type library (WPS)."""
    references = [item["msg"].removeprefix("REFERENCE name: ") for item in olevba
                  if str(item.get("msg", "")).startswith("REFERENCE name: ")]
    assert references == ["stdole"]
    assert not [line for code in vba.values() for line in code_lines(code)
                if re.search(r"\bIRibbonControl\b|\bOffice\.", line) and not line.lstrip().startswith("'")]
    assert re.search(r"^Public Function XLPy\(\) As Object$", vba["JbPython"], re.MULTILINE)
    for target in ("RunPython", "XLPy"):
        assert f"Application.Run(\"'\" & XLWINGS_ADDIN & \"'!{target}\"" in vba["JbPython"]
    assert 'XLWINGS_ADDIN As String = "xlwings.xlam"' in vba["JbPython"]
    for name in set(STANDARD_MODULES) - {"JbPython"}:
        assert not re.search(r"\bRunPython\b", vba[name])


def ribbon_buttons() -> dict:
    with package(TEMPLATE) as book:
        ui = ElementTree.fromstring(book.read(CUSTOM_UI_PART))
    return {b.get("label"): b for b in ui.iter(f"{{{CUSTOM_UI_NS}}}button")}


def test_python_buttons_name_existing_entry_points_in_their_tag(vba):
    tags = {label: (b.get("onAction"), b.get("tag")) for label, b in ribbon_buttons().items()
            if b.get("tag")}
    assert tags == {"校验数据": ("JbButton", "jbsys_xl.excel.macros.validate"),
                    "生成分配": ("JbButton", "jbsys_xl.excel.macros.generate_allocation"),
                    # they write input sheets: the VBA counts an edit once Python returned
                    "导入金保数据": ("JbInputButton", "jbsys_xl.excel.data_buttons.import_jinbao"),
                    "生成回访清单": ("JbDataButton", "jbsys_xl.excel.data_buttons.callback_list"),
                    "导入回访结果": ("JbInputButton", "jbsys_xl.excel.callback_buttons.import_callback_results"),
                    # 文书: files beside the workbook, so on a Mac the VBA says what to use
                    "附件": ("JbDataButton", "jbsys_xl.excel.document_buttons.attachment"),
                    "告知书": ("JbDataButton", "jbsys_xl.excel.document_buttons.notices"),
                    "条线确认表": ("JbDataButton", "jbsys_xl.excel.document_buttons.confirmations"),
                    "公示": ("JbDataButton", "jbsys_xl.excel.document_buttons.publicity"),
                    "拨付明细": ("JbDataButton", "jbsys_xl.excel.document_buttons.payments"),
                    "全部文书": ("JbDataButton", "jbsys_xl.excel.document_buttons.all_documents")}
    assert all(macros.resolve(tag) for _, tag in tags.values())
    for action, tag in tags.values():  # Python's writes_inputs and the ribbon agree
        assert macros.resolve(tag).writes_inputs == (action == "JbInputButton"), tag
    ribbon = code_lines(vba["JbRibbon"])
    assert ribbon.count("    JbRunPython control.Tag") == 1
    assert procedure(vba["JbRibbon"], "Public Sub JbDataButton(control As Object)")[1] == \
        "DataButton control.Tag, False"
    assert procedure(vba["JbRibbon"], "Public Sub JbInputButton(control As Object)")[1] == \
        "DataButton control.Tag, True"
    assert ribbon.count("        JbRunPython entry, writesInputs") == 1  # off the Mac
    twins = re.findall(r'JbRunPython MACROS & "(\w+)"', vba["JbRibbon"])
    assert sorted(twins) == ["generate_allocation", "validate"]
    assert 'MACROS As String = "jbsys_xl.excel.macros."' in vba["JbRibbon"]
    assert "import jbsys_xl.excel.macros as m; m.run_macro('" in vba["JbPython"]
    assert '''DISPATCH & entry & "', '" & JbVersion() & "')")''' in vba["JbPython"]  # the template's version


def test_macros_run_on_their_own_workbook(vba):
    """RunPython passes ActiveWorkbook to Python and reads its xlwings.conf sheet (xlwings
    addin/Main.bas): the workbook is activated first, inside the error handler."""
    lines = code_lines(vba["JbPython"])
    start = lines.index(RUN_PYTHON)
    body = lines[start:lines.index("End Sub", start)]
    handler = next(i for i, line in enumerate(body) if line.strip() == "On Error GoTo failed")
    activate = body.index("    ThisWorkbook.Activate")
    run = next(i for i, line in enumerate(body) if "'!RunPython\"" in line)
    assert handler < activate < run


WRITES = re.compile(r"\.(Value|Value2|Formula\w*|RefersTo\w*|Name)\s*=|Names\.Add|\.Clear|"
                    r"\.Delete|\.Insert|\.Add\b|\.Save|ThisWorkbook\.\w+\s*=")


def test_edit_events_only_count_and_never_change_the_workbook(vba):
    """A macro that changes the workbook empties Excel's Undo list: the event handlers and the
    module they call may count, compare and recalculate, nothing else."""
    this_workbook = code_lines(vba["ThisWorkbook"])
    for event, call in (("Private Sub Workbook_SheetChange(ByVal Sh As Object, ByVal Target As Range)",
                         "JbSheetChanged Sh"),
                        ("Private Sub Workbook_SheetCalculate(ByVal Sh As Object)", "JbSheetCalculated Sh"),
                        ("Private Sub Workbook_Activate()", "JbActivated"),
                        ("Private Sub Workbook_Open()", "JbOpened")):
        body = this_workbook[this_workbook.index(event) + 1:]
        body = [line.strip() for line in body[:body.index("End Sub")]]
        assert body == ["On Error Resume Next", call]
    for name in ("ThisWorkbook", "JbState"):
        code = [line for line in code_lines(vba[name]) if not line.lstrip().startswith("'")]
        assert not [line for line in code if WRITES.search(line)], name
    state = vba["JbState"]
    codenames = re.search(r'INPUT_CODENAMES As String = ";([\w;]*);"', state).group(1)
    assert codenames.split(";") == [sheet.codename for sheet in sheets.INPUT_SHEETS]
    functions = re.search(r'UDF_NAMES As String = ";([\w;]*);"', state).group(1)
    assert functions.split(";") == [name for name, _, _ in udf_signatures(UDF_MODULES)]
    assert f'STATUS_NAME As String = "{guide.STATUS_NAME}"' in state
    assert "Application.Calculate" in state and "Application.EnableEvents" in state
    # Excel's constants by value (WPS's VBA may not know the names)
    code = [line.split("'")[0] for line in code_lines(state)]  # trailing comments name them
    assert not re.search(r"\bxl[A-Z]\w*", "\n".join(code))


def test_vba_messages_are_workbook_names(vba, names):
    keys = {key for code in vba.values() for key in re.findall(r'JbText\("(\w+)"', code)}
    assert keys == set(guide.MESSAGES)
    for key, text in guide.MESSAGES.items():
        assert names[key] == '"' + text.replace('"', '""') + '"'
        assert len(text) < 255


def test_show_guide_finds_the_guide_by_its_codename(vba):
    codename = next(p.codename for p in sheets.SHEET_ORDER if p.name == sheets.GUIDE_SHEET)
    assert f'sheet.CodeName = "{codename}"' in vba["JbRibbon"]


# --- the ribbon -----------------------------------------------------------------------------

def test_ribbon_part_is_related_and_its_callbacks_exist(vba):
    with package(TEMPLATE) as book:
        ui = ElementTree.fromstring(book.read(CUSTOM_UI_PART))
        rels = ElementTree.fromstring(book.read("_rels/.rels"))
    assert ui.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    assert [(r.get("Type"), r.get("Target")) for r in rels
            if r.get("Type") == UI_EXTENSIBILITY] == [(UI_EXTENSIBILITY, CUSTOM_UI_PART)]
    tab = ui.find(f".//{{{CUSTOM_UI_NS}}}tab")
    assert tab.get("label") == "人社考核"
    buttons = {b.get("label"): b for b in ui.iter(f"{{{CUSTOM_UI_NS}}}button")}
    assert {"生成分配", "校验数据"} <= set(buttons)
    data = tab.find(f"{{{CUSTOM_UI_NS}}}group[@label='数据']")
    assert [b.get("label") for b in data] == ["导入金保数据", "生成回访清单", "导入回访结果"]
    documents = tab.find(f"{{{CUSTOM_UI_NS}}}group[@label='文书']")
    assert [b.get("label") for b in documents] == ["附件", "告知书", "条线确认表", "公示", "拨付明细", "全部文书"]
    for button in buttons.values():
        assert button.get("size") == "large" and button.get("imageMso")
        action = button.get("onAction")
        signature = f"Public Sub {action}(control As Object)"
        assert sum(signature in code_lines(code) for code in vba.values()) == 1, signature


# --- sheets, tables, names ------------------------------------------------------------------

@pytest.fixture(scope="module")
def template_book():
    return openpyxl.load_workbook(TEMPLATE)


@pytest.fixture(scope="module")
def names(template_book) -> dict[str, str]:
    """Workbook-level defined names -> formula (without "=")."""
    return {name: defined.attr_text for name, defined in template_book.defined_names.items()}


def test_sheets_in_order_with_their_codenames(template_book):
    assert template_book.sheetnames == [plan.name for plan in sheets.SHEET_ORDER]
    assert template_book.code_name == sheets.WORKBOOK_CODENAME
    for plan in sheets.SHEET_ORDER:
        sheet = template_book[plan.name]
        assert sheet.sheet_properties.codeName == plan.codename
        assert (sheet.sheet_state == "hidden") == plan.hidden


def test_input_sheets_are_tables_with_the_contract_headers(template_book):
    for spec in sheets.INPUT_SHEETS:
        sheet = template_book[spec.name]
        [table] = sheet.tables.values()
        assert table.name == spec.table
        header = spec.header_row + 1
        assert [c.value for c in sheet[header]][:len(spec.headers)] == list(spec.headers)
        assert table.ref.startswith(f"A{header}:")
        assert sheet.freeze_panes == f"A{header + 1}"
        for col, (_, kind) in enumerate(spec.columns, start=1):
            cell = sheet.cell(header + 1, col)
            assert cell.fill.fgColor.rgb == "FF" + sheets.INPUT_FILL[1:]
            assert cell.number_format == (kind.num_format or "General")
            text = sheet.column_dimensions[cell.column_letter].number_format == "@"
            assert text == (kind.num_format == "@")  # rows typed below the table too


def test_code_columns_are_text():
    """中心编码 and 金保机构, 中心 wherever a center is named, and the numbers that are codes
    (投诉编号, 业务流水号, 科目编码, 银行账号): a typed 0101 stays 0101, an 18-digit 流水号 or
    19-digit account keeps its digits."""
    text = {(spec.name, header) for spec in sheets.INPUT_SHEETS
            for header, kind in spec.columns if kind.num_format == "@"}
    assert text == {(contract.CENTERS, "中心编码"), (contract.CENTERS, "金保机构"),
                    (contract.RATINGS, "中心"), (contract.VOLUMES, "中心"),
                    (contract.COMPLAINTS, "中心"), (contract.DEDUCTIONS, "中心"),
                    (contract.COMPLAINTS, "投诉编号"), (contract.CALLBACKS, "中心"),
                    (contract.CALLBACKS, "业务流水号"), (contract.CALLBACKS, "工单号"),
                    (contract.CALLBACKS, "抽取批次"), (contract.OBJECTIONS, "中心"),
                    (contract.CENTERS, "统一社会信用代码"), (contract.HARDWARE, "统一社会信用代码"),
                    (contract.PARAMS, "异议电话"), (contract.PARAMS, "功能分类科目"),
                    (contract.CENTERS, "银行账号"), (contract.HARDWARE, "银行账号")}


def test_indicators_are_prefilled_with_attachment2(template_book):
    sheet = template_book[contract.INDICATORS]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 54 and {row[0] for row in rows} == {build.YEAR}
    assert sum(row[4] for row in rows) == pytest.approx(100)


def test_dropdowns_cover_the_columns_that_take_listed_values(template_book):
    for spec in sheets.INPUT_SHEETS:
        validations = template_book[spec.name].data_validations.dataValidation
        found = {str(v.sqref): v.formula1 for v in validations}
        expected = {}
        for header, kind in spec.columns:
            letter = spec.column_letter(header)
            if kind.choices:
                expected[f"{letter}{spec.header_row + 2}:{letter}1048576"] = \
                    '"' + ",".join(kind.choices) + '"'
            elif kind.lookup:
                expected[f"{letter}{spec.header_row + 2}:{letter}1048576"] = kind.lookup
        assert found == expected, spec.name
    assert {k.lookup for s in sheets.INPUT_SHEETS for _, k in s.columns if k.lookup} == {
        lookup.name for lookup in sheets.LOOKUPS}


def test_workbook_names_for_the_python_side(names):
    assert "JBSYS_REVISION" not in names  # edits are counted in VBA, not in the workbook
    assert names[YEAR_NAME] == f"'{sheets.GUIDE_SHEET}'!$C$3"
    for lookup in sheets.LOOKUPS:
        assert names[lookup.name].startswith(f"OFFSET('{sheets.LISTS_SHEET}'!")


def test_result_sheets_have_contract_headers_under_the_note(template_book):
    assert set(sheets.RESULT_HEADERS) == set(contract.RESULT_SHEETS)
    for name, headers in sheets.RESULT_HEADERS.items():
        sheet = template_book[name]
        assert sheet["A1"].value == sheets.RESULT_NOTE
        assert tuple(c.value for c in sheet[2]) == headers
    assert sheets.RESULT_HEADERS[contract.RESULT_SHEET] == tuple(
        label for _, label in contract.CENTER_RESULT_COLUMNS)
    assert sheets.RESULT_HEADERS[contract.CHECKS_SHEET] == tuple(
        label for _, label in contract.CHECK_COLUMNS)


def test_xlwings_conf_holds_every_key_the_addin_asks_for(template_book):
    """S2a/S5: a key missing from the sheet makes the add-in's GetConfig open the user's
    global xlwings.conf, once per key and call; one found ends the search (an empty value
    too). So the sheet holds every key XLPy (each worksheet function's server) and RunPython
    (each button) ask for on Windows, read from the installed add-in's source."""
    sheet = template_book[sheets.CONFIG_SHEET]
    rows = [(row[0].value, row[1].value) for row in sheet.iter_rows(max_col=2)
            if row[0].value is not None]
    assert [(key, value or "") for key, value in rows] == list(sheets.CONFIG)
    assert [row[0].row for row in sheet.iter_rows(max_col=1) if row[0].value] == \
        list(range(1, len(rows) + 1))  # from A1 down without a gap (GetConfigFromSheet)
    keys = {key for key, _ in sheets.CONFIG}
    assert all(key == key.upper() for key in keys)  # xlwings' Python reads them case-sensitively
    asked = set(xlwings_addin.xlpy_keys()) | set(xlwings_addin.run_python_keys())
    assert asked - keys == {"INTERPRETER"}  # the legacy key, asked only when INTERPRETER_WIN is ""
    for procedure_name in ("XLPyLoadDLL", "XLPyCommand", "RunPython"):
        lines = [line.strip() for line in xlwings_addin.procedure_lines(procedure_name)]
        for index, line in enumerate(lines):
            if 'GetConfig("INTERPRETER",' in line:
                assert lines[index - 2].endswith('= "" Then'), (procedure_name, lines[index - 2])
    assert dict(sheets.CONFIG)["INTERPRETER_WIN"] == WORKBOOK_INTERPRETER
    assert dict(sheets.CONFIG)["USE UDF SERVER"] == "False"  # buttons never run in the UDF server


def test_the_guide_says_what_to_do_while_macros_do_not_run(template_book, names):
    """C3/S6: a copy saved as .xlsx, or macros not enabled: JbMacrosOn() is #NAME? and the
    status line under the title says what to do; cached as that text for viewers that do not
    calculate (Protected View)."""
    cell = template_book[sheets.GUIDE_SHEET]["D2"]
    assert cell.value == f'=IF(ISERROR(JbMacrosOn()),"{guide.STATUS}","")'
    assert names[guide.STATUS_NAME] == f"{sheets.sheet_ref(sheets.GUIDE_SHEET)}!$D$2"
    assert ".xlsx" in guide.STATUS and "启用内容" in guide.STATUS and len(guide.STATUS) < 255
    with python_calamine.CalamineWorkbook.from_path(str(TEMPLATE)) as book:
        shown = book.get_sheet_by_name(sheets.GUIDE_SHEET).to_python(skip_empty_area=False)[1][3]
    assert shown == guide.STATUS


def test_the_workbook_folder_stays_off_python_path_even_for_a_onedrive_url(monkeypatch):
    """What RunPython and the UDF server hand xlwings.utils.prepare_sys_path with the sheet's
    ADD_WORKBOOK_TO_PYTHONPATH (Main.bas: AddExcelDir ; ActiveFullName ; ThisFullName ; the
    three OneDrive/SharePoint settings ; PYTHONPATH): with "False" a URL FullName of a file
    not synced to this PC is never mapped, and only the (empty) PYTHONPATH setting is added.
    With the default it fails."""
    import sys

    import xlwings
    from xlwings.utils import prepare_sys_path

    url = "https://d.docs.live.net/1a2b3c/人社/demo.xlsm"
    main = (Path(xlwings.__file__).parent / "addin" / "Main.bas").read_text("utf-8", "replace")
    assert 'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")' in main
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    prepare_sys_path(f"False;{url};{url};;;;")
    assert sys.path[1:] == before and sys.path[0] == ""
    monkeypatch.setenv("OneDrive", "/nowhere/OneDrive")
    with pytest.raises(xlwings.XlwingsError):
        prepare_sys_path(f"true;{url};{url};;;;")


def test_guide_has_the_year_cell_and_every_udf(template_book):
    sheet = template_book[sheets.GUIDE_SHEET]
    assert sheet["B3"].value == "本次计算年度" and sheet["C3"].value is None
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert set(guide.EXAMPLES) == {name for name, _, _ in udf_signatures(UDF_MODULES)}
    for name, example in guide.EXAMPLES.items():
        assert f"{name}(" in text and example in text
    for spec in sheets.INPUT_SHEETS:
        assert spec.table in text


def test_demo_lists_hold_the_centers_names_then_codes():
    """The cached results of the 列表 formulas (LibreOffice recomputes them in the other test)."""
    book = python_calamine.CalamineWorkbook.from_path(str(DEMO))
    rows = book.get_sheet_by_name(sheets.LISTS_SHEET).to_python()[1:]
    sample = sample_rows(build.YEAR)[contract.CENTERS]
    code, name, district = contract.SHEET_SPECS[contract.CENTERS].required
    assert [row[2] for row in rows if row[2]] == ([r[name] for r in sample]
                                                 + [r[code] for r in sample])
    assert [row[8] for row in rows if row[8]] == list(dict.fromkeys(r[district] for r in sample))


# --- reading through the CLI ----------------------------------------------------------------

def test_demo_allocates_like_the_sample_workbook(tmp_path, capsys):
    sample = write_sample_workbook(tmp_path / "sample.xlsx", build.YEAR)
    for source, target in ((DEMO, "demo.json"), (sample, "sample.json")):
        assert cli(["allocate", str(source), "--year", str(build.YEAR), "--json",
                    str(tmp_path / target), "-o", str(tmp_path / f"{target}.xlsx")]) == 0
    demo = json.loads((tmp_path / "demo.json").read_text("utf-8"))
    assert demo["ok"] and len(demo["centers"]) > 20
    assert demo == json.loads((tmp_path / "sample.json").read_text("utf-8"))


def test_template_alone_is_a_clean_validation_error(tmp_path, capsys):
    assert cli(["allocate", str(TEMPLATE), "--year", str(build.YEAR),
                "--json", str(tmp_path / "t.json")]) == 2
    result = json.loads((tmp_path / "t.json").read_text("utf-8"))
    assert not result["ok"]
    # one pass: the missing 参数 row and the empty 业务量 table are both reported
    assert [(c["level"], c["sheet"]) for c in result["checks"]] == [
        ("error", contract.PARAMS), ("error", contract.VOLUMES)]
    assert "意外错误" not in capsys.readouterr().err


def procedure(code: str, header: str) -> list[str]:
    """The stripped lines of one procedure, from its header line to its End line."""
    lines = [line.strip() for line in code_lines(code)]
    start = lines.index(header)
    end = next(i for i in range(start, len(lines)) if lines[i] in ("End Sub", "End Function"))
    return lines[start:end + 1]


def test_jb_run_python_gives_excel_back_however_python_ends(vba):
    """The steps tests/support/excel_books.py (TemplateVba.run_python) copies: Excel's three
    settings saved before RunPython and restored after it returns or fails, the status line."""
    body = procedure(vba["JbPython"], RUN_PYTHON)
    run = next(i for i, line in enumerate(body) if line.startswith("result = Application.Run("))
    saved = ["events = Application.EnableEvents", "calculation = Application.Calculation",
             "updating = Application.ScreenUpdating",
             'Application.StatusBar = JbText("JBSYS_MSG_STARTING", "JBSys-XL: starting Python...")']
    assert all(body.index(line) < run for line in saved)
    assert body.index("On Error GoTo failed") < run
    restore = "RestoreState events, calculation, updating"
    returned = body.index("On Error GoTo 0", run)
    failed = body.index("failed:")
    for start in (returned, failed):  # settings back, then the edit Python wrote is counted
        assert body[start + 1:start + 3] == [restore, "If writesInputs Then JbInputsWritten"]
    state = procedure(vba["JbPython"], "Private Sub RestoreState(ByVal events As Boolean, "
                      "ByVal calculation As Long, ByVal updating As Boolean)")
    assert state[1] == "On Error Resume Next"
    assert state[2:5] == ["Application.EnableEvents = events", "Application.ScreenUpdating = updating",
                          "If Application.Calculation <> calculation Then Application.Calculation = calculation"]
    assert state[5:8] == ["#If Not Mac Then", "Application.StatusBar = False", "#End If"]


def test_refresh_counts_an_edit_and_recalculates_everything(vba):
    refresh = procedure(vba["JbState"], "Public Sub JbRefresh()")
    assert refresh[1:] == ["mEdits = mEdits + 1", "mRecalculating = True", "On Error Resume Next",
                           "Application.CalculateFull", "mRecalculating = False", "End Sub"]
    assert procedure(vba["JbRibbon"], "Public Sub RefreshFunctions()")[1] == "JbRefresh"
    button = ribbon_buttons()["刷新函数"]
    assert button.get("onAction") == "JbRefreshButton" and not button.get("tag")
    assert procedure(vba["JbRibbon"], "Public Sub JbRefreshButton(control As Object)")[1] == \
        "RefreshFunctions"


def test_on_a_mac_the_vba_says_what_to_use(vba):
    data = procedure(vba["JbRibbon"], "Private Sub DataButton(ByVal entry As String, ByVal writesInputs As Boolean)")
    assert data[1] == "#If Mac Then" and 'JbText("JBSYS_MSG_MAC_BUTTONS"' in data[2]
    assert guide.MESSAGES["JBSYS_MSG_MAC_BUTTONS"] == macros.MAC_DATA_BUTTONS
    functions = procedure(vba["JbPython"], "Public Function XLPy() As Object")
    mac = functions.index("#If Mac Then")
    assert 'JbText("JBSYS_MSG_MAC_FUNCTIONS"' in functions[mac + 1]
    assert guide.MESSAGES["JBSYS_MSG_MAC_FUNCTIONS"].startswith("#JB! Mac 版 Excel")
