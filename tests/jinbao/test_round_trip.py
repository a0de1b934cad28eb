"""The December loop on the demo, as ``make demo`` runs it: exports → import into the workbook
(``--into``) → the draw (with its record) → filled in as 12333 would → callback-results into
that workbook → allocate, whose volumes are the import's own (来源 filled) and whose 回访汇总 sees
every drawn case. Nothing is pasted by a helper. No output but the 回访清单 holds personal data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jbsys_xl.cli import main
from jbsys_xl.jinbao import sample_callbacks
from jbsys_xl.jinbao.sample_exports import write_sample_exports
from tests.jinbao.support import DEMO, personal_values, stored_text

ROOT = Path(__file__).resolve().parents[2]
SEED = 241220
DEMO_CALLBACKS = 6  # the demo workbook's own 回访 rows (5 of another draw, XB04's 专项回访): kept


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> dict[str, Path]:
    build = tmp_path_factory.mktemp("build")
    exports = build / "金保导出-2024"
    paths = {name: build / name for name in (
        "import.json", "imported.xlsm", "回访清单.xlsx", "callbacks.json", "回访清单-已回访.xlsx", "回访结果.json",
        "workbook.xlsm", "result.xlsx", "result.json")}
    paths["exports"] = exports
    write_sample_exports(exports, 2024)
    assert main(["import", str(DEMO), str(exports), "--year", "2024", "--json", str(paths["import.json"]),
                 "--into", str(paths["imported.xlsm"])]) == 0
    assert main(["callbacks", str(paths["imported.xlsm"]), str(exports), "--year", "2024", "--seed", str(SEED),
                 "--operator", "示例抽取人", "-o", str(paths["回访清单.xlsx"]), "--json", str(paths["callbacks.json"])]) == 0
    sample_callbacks.fill(paths["回访清单.xlsx"], paths["回访清单-已回访.xlsx"])
    assert main(["callback-results", str(paths["imported.xlsm"]), str(paths["回访清单-已回访.xlsx"]), "--year", "2024",
                 "--json", str(paths["回访结果.json"]), "--into", str(paths["workbook.xlsm"])]) == 0
    assert main(["allocate", str(paths["workbook.xlsm"]), "--year", "2024", "-o", str(paths["result.xlsx"]),
                 "--json", str(paths["result.json"])]) == 0
    return paths


def test_the_allocation_reads_the_imported_rows(loop):
    """The volumes computed are the import's own: every imported 中心/事项/月份 is one row with
    来源 filled, and no hand row of those keys is left beside it."""
    imported = json.loads(loop["import.json"].read_text("utf-8"))["volumes"]
    rows = CalamineWorkbook.from_path(str(loop["workbook.xlsm"])).get_sheet_by_name("业务量").to_python()[2:]
    with_source = [row for row in rows if row[4]]
    assert len(with_source) == len(imported) == 2130
    assert all(row[4].startswith("金保导出-2024/") for row in with_source)
    assert sorted((r[0], r[1], f"{r[2]:%Y-%m}", int(r[3])) for r in with_source) == \
        sorted((v["center"], v["item"], v["month"], v["volume"]) for v in imported)
    result = json.loads(loop["result.json"].read_text("utf-8"))
    assert result["ok"] and not [c for c in result["checks"] if c["level"] == "error"]


def test_the_allocation_sees_every_drawn_case(loop):
    drawn = json.loads(loop["callbacks.json"].read_text("utf-8"))
    results = json.loads(loop["回访结果.json"].read_text("utf-8"))
    assert len(drawn["cases"]) == len(results["callbacks"]) == 115
    assert [c["case_id"] for c in results["callbacks"]] == [c["case_id"] for c in drawn["cases"]]
    not_called = sum(1 for c in results["callbacks"] if c["result"] is None)
    assert 0 < not_called < 115 and {c["batch"] for c in results["callbacks"]} == {str(SEED)}
    summary = CalamineWorkbook.from_path(str(loop["result.xlsx"])).get_sheet_by_name("回访汇总").to_python()
    header = next(i for i, row in enumerate(summary) if row[0] == "中心编码")
    columns = summary[header]
    total = next(row for row in summary[header + 1:] if row[1] == "合计")
    assert total[columns.index("抽取")] == 115 + DEMO_CALLBACKS
    assert total[columns.index("未回访")] == not_called
    assert total[columns.index("已回访")] == 115 + DEMO_CALLBACKS - not_called
    refuted = [c for c in results["callbacks"] if c["result"] == "不属实"]
    decisions = " ".join(str(row[columns.index("处理决定")]) for row in summary[header + 1:])
    assert all(f"{c['case_id']}：待工作组决定" in decisions for c in refuted)


def test_the_record_of_the_draw(loop):
    drawn = json.loads(loop["callbacks.json"].read_text("utf-8"))
    assert drawn["operator"] == "示例抽取人" and drawn["seed"] == SEED
    assert [s["file"] for s in drawn["sources"]] == [f"金保导出-2024/{p.name}" for p in sorted(loop["exports"].iterdir())]
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["sha256"]) for s in drawn["sources"])
    assert drawn["ledger"] and all(c["counted"] >= c["with_phone"] >= c["population"] for c in drawn["centers"])


def test_no_output_but_the_lists_holds_personal_data(loop):
    exports = sorted(loop["exports"].iterdir())
    personal, unmasked = personal_values(exports), personal_values(exports, masked=False)
    assert len(personal) > len(unmasked) > 1000
    outputs = [loop[name] for name in ("import.json", "imported.xlsm", "callbacks.json", "回访结果.json",
                                       "workbook.xlsm", "result.xlsx", "result.json")]
    for path in outputs:
        text = stored_text(path)
        if path.name == "callbacks.json":  # cases named by masked ID numbers (金保 contract §7)
            text = text.replace("*", "")
        leaked = sorted(value for value in personal if value in text)
        assert not leaked, f"{path.name} holds personal data: {leaked[:5]}"
    list_text = stored_text(loop["回访清单.xlsx"])
    assert sum(value in list_text for value in personal) >= 115  # the list itself does


def test_make_demo_runs_the_same_loop():
    recipe = (ROOT / "Makefile").read_text("utf-8").split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    steps = ["sample_exports", "jbsys-xl import", "--into $(IMPORTED)", "jbsys-xl callbacks $(IMPORTED)",
             "--operator", "sample_callbacks fill", "jbsys-xl callback-results $(IMPORTED)", "--into $(WORKBOOK)",
             "jbsys-xl allocate $(WORKBOOK)"]
    positions = [recipe.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions)
    assert "paste" not in recipe
