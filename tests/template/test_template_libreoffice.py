"""LibreOffice opens the committed template.xlsm as a second, independent reader: the VBA
project loads and runs (the edit counting of JbState.bas included), every table and dropdown
is there, code columns keep typed codes as text, and the 列表 formulas compute the lists the
dropdowns show — also after rows of 中心 are deleted and inserted."""
from __future__ import annotations

from pathlib import Path

import pytest
from xlsxwriter.utility import xl_col_to_name

from jbsys_xl import __version__, contract
from jbsys_xl.excel.book_source import YEAR_NAME
from jbsys_xl.office.libreoffice import run_uno_script
from jbsys_xl.sample import sample_rows
from jbsys_xl.template import build, guide, sheets
from tests.support import require_soffice

PROBE = Path(__file__).parents[1] / "support" / "uno_probe.py"
TEMPLATE = build.SOURCE_DIR / build.TEMPLATE
DEMO = build.SOURCE_DIR / build.DEMO
ITEMS = list(dict.fromkeys(row[contract.SHEET_SPECS[contract.INDICATORS].required[3]]
                           for row in build.attachment2_rows(build.YEAR)))


def list_cells(lookup_index: int, count: int) -> list[str]:
    """The 列表 cells of a lookup's distinct values, one past the last filled one."""
    column = xl_col_to_name(3 * lookup_index + 2)
    return [f"{sheets.LISTS_SHEET}!{column}{row}" for row in range(2, count + 3)]


EXPECTED_LISTS = {index: (ITEMS if lookup is sheets.ITEM_LIST else [])
                  for index, lookup in enumerate(sheets.LOOKUPS)}


# Typed into the template: codes into text columns (in the table and below it), a number
# column for comparison.
TYPED = {"中心!A2": "0101", "中心!A600": "0101", "中心!F2": "320402001000000123",
         "业务量!A3": "0101", "中心!D2": "0101"}


def on_copy(book: Path, folder: Path, *arguments: str) -> dict:
    """Probe a copy: steps change the document, and LibreOffice leaves lock files beside it."""
    require_soffice(uno=True)
    copy = folder / book.name
    copy.write_bytes(book.read_bytes())
    return run_uno_script(PROBE, str(copy), *arguments)


def args(cells=(), steps=(), calls=()) -> list[str]:
    return ([a for call in calls for a in ("--call", call)]
            + [a for step in steps for a in ("--step", step)]
            + [a for cell in cells for a in ("--cell", cell)])


@pytest.fixture(scope="module")
def probe() -> dict:
    """One LibreOffice run over the committed template."""
    require_soffice(uno=True)
    cells = [cell for index, values in EXPECTED_LISTS.items()
             for cell in list_cells(index, len(values))]
    return run_uno_script(PROBE, str(TEMPLATE), *args(cells, calls=["JbInfo.JbVersion"]))


def test_vba_project_has_every_module(probe):
    assert "VBAProject" in probe["libraries"]
    assert probe["modules"] == sorted({m.name for m in build.vba_modules()}
                                      | set(build.DOCUMENT_MODULES))


def test_vba_runs_without_xlwings(probe):
    assert probe["calls"]["JbInfo.JbVersion"] == {"value": __version__}


STATUS_CELL = f"{sheets.GUIDE_SHEET}!D2"


@pytest.mark.parametrize("macros", [True, False], ids=["macros-on", "macros-off"])
def test_the_guide_says_when_macros_do_not_run(tmp_path, macros):
    """C3/S6: the status line calls JbMacrosOn(): blank where the VBA runs, the Chinese
    instructions where it does not (macros off; a copy saved as .xlsx has no VBA at all)."""
    report = on_copy(TEMPLATE, tmp_path, *args([STATUS_CELL]), *([] if macros else ["--no-macros"]))
    assert report["cells"][STATUS_CELL]["string"] == ("" if macros else guide.STATUS)


def test_every_input_table_is_a_database_range(probe):
    expected = {}
    for spec in sheets.INPUT_SHEETS:
        header = spec.header_row + 1
        rows = len(ITEMS) if spec.name == contract.INDICATORS else 1
        last = xl_col_to_name(len(spec.headers) - 1)
        expected[spec.table] = f"{spec.name}!A{header}:{last}{header + rows}"
    assert probe["database_ranges"] == expected


def formula1(kind: sheets.Kind) -> str:
    """A dropdown's source as LibreOffice writes it back."""
    return ";".join(f'"{value}"' for value in kind.choices) if kind.choices else kind.lookup


def test_every_dropdown_is_a_list_validation_down_to_the_last_row(probe):
    for plan in sheets.SHEET_ORDER:
        found: dict[str, list[str]] = {}
        for validation in probe["validations"][plan.name]:
            for area in validation["ranges"]:
                found.setdefault(validation["formula1"], []).append(area)
        expected: dict[str, list[str]] = {}
        spec = sheets.INPUTS.get(plan.name)
        for header, kind in spec.columns if spec else ():
            if kind.choices or kind.lookup:
                letter = spec.column_letter(header)
                expected.setdefault(formula1(kind), []).append(
                    f"{plan.name}!{letter}{spec.header_row + 2}:{letter}1048576")
        # LibreOffice splits an area where the cell formats differ (the table rows are filled)
        assert {f: sorted(merged(areas)) for f, areas in found.items()} == \
            {f: sorted(areas) for f, areas in expected.items()}, plan.name


def merged(areas: list[str]) -> list[str]:
    """Join vertically adjacent single-column areas: A2:A2 + A3:A9 -> A2:A9."""
    parsed = []
    for area in areas:
        sheet, cells = area.split("!")
        start, end = cells.split(":")
        column = start.rstrip("0123456789")
        parsed.append((sheet, column, int(start[len(column):]), int(end[len(column):])))
    parsed.sort()
    joined: list[list] = []
    for sheet, column, top, bottom in parsed:
        if joined and joined[-1][:2] == [sheet, column] and joined[-1][3] + 1 == top:
            joined[-1][3] = bottom
        else:
            joined.append([sheet, column, top, bottom])
    return [f"{sheet}!{column}{top}:{column}{bottom}" for sheet, column, top, bottom in joined]


def test_workbook_names(probe):
    names = probe["names"]
    assert "JBSYS_REVISION" not in names
    assert names[YEAR_NAME] == f"${sheets.GUIDE_SHEET}.$C$3"
    for lookup in sheets.LOOKUPS:
        assert names[lookup.name].startswith(f"OFFSET(${sheets.LISTS_SHEET}.")


def test_list_formulas_compute_the_dropdown_values(probe):
    """Recomputed by LibreOffice (calculateAll), not the values the builder cached."""
    for index, values in EXPECTED_LISTS.items():
        shown = [probe["cells"][cell]["string"] for cell in list_cells(index, len(values))]
        assert shown == values + [""], sheets.LOOKUPS[index].name


# --- item 3: codes stay text ----------------------------------------------------------------

def test_code_columns_are_text_and_keep_typed_codes(tmp_path):
    cells = on_copy(TEMPLATE, tmp_path, *args(
        list(TYPED) + ["中心!B2"], [f"type:{cell}={text}" for cell, text in TYPED.items()]))["cells"]
    for reference in ("中心!A2", "中心!A600", "中心!F2", "业务量!A3"):
        assert cells[reference]["format"] == "@", reference
        assert cells[reference]["string"] == TYPED[reference], reference
        assert cells[reference]["value"] == 0, reference  # text, not a number
    assert cells["中心!B2"]["format"] == "General"
    assert cells["中心!D2"]["value"] == 101  # 启用年度 is a number column: 0101 is 101 there


# --- items 1 and 2: the edit counter, run by LibreOffice's VBA interpreter --------------------

@pytest.fixture(scope="module")
def counting(tmp_path_factory) -> dict:
    """JbState.bas's functions called in turn: only input codenames count, a rename changes
    the key, and nothing marks the document modified (what would empty Excel's Undo list)."""
    steps = ["call:JbState.JbRevision", "call:JbState.JbRevision",
             "call:JbState.JbInputChanged:wsResult", "call:JbState.JbRevision",
             "call:JbState.JbInputChanged:wsLists", "call:JbState.JbRevision",
             "call:JbState.JbInputChanged:wsVolumes", "call:JbState.JbRevision",
             "call:JbState.JbInputsWritten", "call:JbState.JbRevision",
             "call:JbState.JbIsInput:wsParams", "call:JbState.JbIsInput:wsGuide",
             "call:JbState.JbIsInput:wsvolumes",
             "call:JbState.JbRefresh", "call:JbState.JbRevision"]
    return on_copy(TEMPLATE, tmp_path_factory.mktemp("counting"), *args(steps=steps))


def test_only_input_edits_change_the_revision(counting):
    results = [step["result"] for step in counting["steps"]]
    assert all("value" in result for result in results), results
    r = [result["value"] for result in results]
    first, same, after_result, after_lists, after_input, after_write = r[0], r[1], r[3], r[5], r[7], r[9]
    assert first == same == after_result == after_lists
    assert len({first, after_input, after_write}) == 3
    session, edits, names = first.split(":", 2)
    assert session and edits == "0" and after_input.split(":", 2) == [session, "1", names]
    assert names == "".join(f"{plan.name}/" for plan in sheets.SHEET_ORDER)
    assert r[10:13] == [True, False, False]
    assert r[14] == f"{session}:3:{names}"  # 刷新函数 counted one more edit
    assert counting["modified"] is False


def test_a_renamed_sheet_changes_the_revision(tmp_path):
    report = on_copy(TEMPLATE, tmp_path, *args(steps=[
        "call:JbState.JbRevision", f"rename:{contract.VOLUMES}=业务量（旧）", "call:JbState.JbRevision"]))
    before, _, after = [step["result"] for step in report["steps"]]
    assert before["value"] != after["value"] and "业务量（旧）/" in after["value"]


# --- item 6: dropdown lists survive deleted and inserted rows --------------------------------

def test_lists_follow_deleted_and_inserted_center_rows(tmp_path):
    """Delete the second center's row of 中心, insert a row further down and type a new
    center into it: the 列表 formulas (the dropdown's source) show exactly the centers left,
    the new one in its place, and no #REF!."""
    rows = sample_rows(build.YEAR)[contract.CENTERS]
    code, name = contract.SHEET_SPECS[contract.CENTERS].required[:2]
    kept = rows[:1] + rows[2:]
    new = {code: "NEW01", name: "新设街道人社服务中心"}
    expected_rows = kept[:3] + [new] + kept[3:]
    expected = [r[name] for r in expected_rows] + [r[code] for r in expected_rows]
    cells = list_cells(0, len(expected))
    report = on_copy(DEMO, tmp_path, *args(cells, [
        f"delete-row:{contract.CENTERS}!3", f"insert-row:{contract.CENTERS}!5",
        f"text:{contract.CENTERS}!A5={new[code]}", f"text:{contract.CENTERS}!B5={new[name]}"]))
    shown = [report["cells"][cell]["string"] for cell in cells]
    assert shown == expected + [""]
    assert not any(report["cells"][cell]["error"] for cell in cells)
