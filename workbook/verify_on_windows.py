"""Check demo.xlsm in real Excel on Windows and print a report to paste into the issue.

    python workbook\\verify_on_windows.py [workbook\\demo.xlsm] [--year 2024]

Needs Windows with Excel, ``pip install jbsys-xl`` and ``jbsys-xl excel-setup`` done once.
Works on a copy of the workbook; the original is never saved. Not run in CI (no Excel there);
see verify-on-windows.md for the manual steps this script cannot do (compiling the VBA project,
clicking the ribbon, the message shown without the add-in).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CENTER = "TN01"


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = False

    def check(self, name: str, ok: bool, detail: object = "") -> None:
        self.failed |= not ok
        self.lines.append(f"{'PASS' if ok else 'FAIL'}  {name}  {detail}")
        print(self.lines[-1], flush=True)

    def note(self, text: str) -> None:
        self.lines.append(f"INFO  {text}")
        print(self.lines[-1], flush=True)


def expected_result(book: Path, year: int, folder: Path) -> dict:
    """What the command line computes from the same file: the reference for Excel."""
    target = folder / "expected.json"
    subprocess.run([sys.executable, "-m", "jbsys_xl.cli", "allocate", str(book), "--year",
                    str(year), "--json", str(target), "-o", str(folder / "expected.xlsx")],
                   check=True, capture_output=True)
    return json.loads(target.read_text("utf-8"))


def wait_for(read, seconds: float = 60.0):
    """Poll ``read`` until it returns something other than None (the UDF server may start)."""
    deadline = time.monotonic() + seconds
    while (value := read()) is None and time.monotonic() < deadline:
        time.sleep(1)
    return value


def result_totals(sheet, codes: set[str]) -> dict[str, float]:
    """中心编码 → 合计 from the result sheet the button wrote (first and last column)."""
    rows = sheet.used_range.value
    return {row[0]: row[-1] for row in rows if row and row[0] in codes}


def verify(book_path: Path, year: int, report: Report) -> None:
    import xlwings as xw

    import jbsys_xl
    from jbsys_xl.contract import RESULT_SHEET
    from jbsys_xl.excel.book_source import REVISION_NAME

    folder = Path(tempfile.mkdtemp(prefix="jbsys-verify-"))
    copy = Path(shutil.copy(book_path, folder / book_path.name))
    expected = expected_result(copy, year, folder)
    report.check("command line allocates the workbook", expected["ok"])
    app = xw.App(visible=True, add_book=False)
    report.note(f"Excel {app.version}, xlwings {xw.__version__}, jbsys_xl {jbsys_xl.__version__}")
    try:
        book = app.books.open(copy)
        report.check("JbInfo.JbVersion (VBA, no xlwings)",
                     book.macro("JbInfo.JbVersion")() == jbsys_xl.__version__)
        try:
            app.api.Workbooks("xlwings.xlam")
            report.check("xlwings add-in loaded", True)
        except Exception as exc:  # COM error: not loaded
            report.check("xlwings add-in loaded", False, f"{exc}; run jbsys-xl excel-setup")
        try:
            modules = sorted(c.Name for c in book.api.VBProject.VBComponents)
            report.note(f"VBA modules: {', '.join(modules)}")
        except Exception:
            report.note("VBA modules not listed: allow 'Trust access to the VBA project object "
                        "model' in the Trust Center to see them")

        before = book.names[REVISION_NAME].refers_to
        scratch = book.sheets.add("verify", after=book.sheets[-1])
        scratch["A1"].value = "edit"
        after = book.names[REVISION_NAME].refers_to
        report.check(f"an edit bumps {REVISION_NAME}", after != before, f"{before} -> {after}")

        book.macro("JbRibbon.GenerateAllocation")()
        centers = {c["code"]: c for c in expected["centers"]}
        written = result_totals(book.sheets[RESULT_SHEET], set(centers))
        mismatched = [code for code, center in centers.items()
                      if abs(float(center["total"]) - float(written.get(code) or -1)) > 0.005]
        report.check("生成分配 writes the command line's totals", bool(written) and not mismatched,
                     f"{len(written)} centers, mismatched: {mismatched}")

        scratch["B1"].formula = f'=JBSCORE("{CENTER}",{year})'

        def score():
            app.calculate()
            value = scratch["B1"].value
            return value if isinstance(value, (int, float)) else None

        value = wait_for(score)
        report.check(f'=JBSCORE("{CENTER}",{year}) equals the JSON score',
                     value is not None and abs(value - centers[CENTER]["score"]) < 1e-6,
                     f"Excel {value!r}, JSON {centers[CENTER]['score']}")
    finally:
        for book in list(app.books):
            book.close()
        app.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, default=HERE / "demo.xlsm")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    if sys.platform != "win32":
        print("Run this on Windows with Excel installed.")
        return 2
    report = Report()
    try:
        verify(args.book.resolve(), args.year, report)
    except Exception as exc:  # keep the partial report
        report.check("verification ran to the end", False, f"{type(exc).__name__}: {exc}")
    out = Path.cwd() / "verify-report.txt"
    out.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    print(f"\nReport written to {out}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
