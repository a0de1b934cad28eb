"""LibreOffice opens the committed template.xlsm as a second, independent reader: the VBA
project loads and runs, every table and dropdown is there, and the 列表 formulas compute
the lists the dropdowns show."""
from __future__ import annotations

from pathlib import Path

import pytest
from xlsxwriter.utility import xl_col_to_name

from jbsys_xl import __version__, contract
from jbsys_xl.excel.book_source import REVISION_NAME, YEAR_NAME
from jbsys_xl.office.libreoffice import run_uno_script
from jbsys_xl.template import build, sheets
from tests.support import require_soffice

PROBE = Path(__file__).parents[1] / "support" / "uno_probe.py"
TEMPLATE = build.SOURCE_DIR / build.TEMPLATE
ITEMS = list(dict.fromkeys(row[contract.SHEET_SPECS[contract.INDICATORS].required[3]]
                           for row in build.attachment2_rows(build.YEAR)))


def list_cells(lookup_index: int, count: int) -> list[str]:
    """The 列表 cells of a lookup's distinct values, one past the last filled one."""
    column = xl_col_to_name(3 * lookup_index + 2)
    return [f"{sheets.LISTS_SHEET}!{column}{row}" for row in range(2, count + 3)]


EXPECTED_LISTS = {index: (ITEMS if lookup is sheets.ITEM_LIST else [])
                  for index, lookup in enumerate(sheets.LOOKUPS)}


@pytest.fixture(scope="module")
def probe() -> dict:
    """One LibreOffice run over the committed template."""
    require_soffice(uno=True)
    cells = [cell for index, values in EXPECTED_LISTS.items()
             for cell in list_cells(index, len(values))]
    args = ["--call", "JbInfo.JbVersion"] + [arg for cell in cells for arg in ("--cell", cell)]
    return run_uno_script(PROBE, str(TEMPLATE), *args)


def test_vba_project_has_every_module(probe):
    assert "VBAProject" in probe["libraries"]
    assert probe["modules"] == sorted({m.name for m in build.vba_modules()}
                                      | set(build.DOCUMENT_MODULES))


def test_vba_runs_without_xlwings(probe):
    assert probe["calls"]["JbInfo.JbVersion"] == {"value": __version__}


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
    assert names[REVISION_NAME] == "0"
    assert names[YEAR_NAME] == f"${sheets.GUIDE_SHEET}.$C$3"
    for lookup in sheets.LOOKUPS:
        assert names[lookup.name].startswith(f"OFFSET(${sheets.LISTS_SHEET}.")


def test_list_formulas_compute_the_dropdown_values(probe):
    """Recomputed by LibreOffice (calculateAll), not the values the builder cached."""
    for index, values in EXPECTED_LISTS.items():
        shown = [probe["cells"][cell]["string"] for cell in list_cells(index, len(values))]
        assert shown == values + [""], sheets.LOOKUPS[index].name
