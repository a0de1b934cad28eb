"""Load a formula workbook in headless LibreOffice and recalculate it (run by run_uno_script).

Runs under /usr/bin/python3 (the Python that has ``uno``):

    lo_recalc.py BOOK-formulas.xlsx SHEET SCORE_COL GROSS_COL FIRST_ROW LAST_ROW

Prints one JSON object: seconds spent connecting (LibreOffice starting), loading, and in
``calculateAll()``; the peak resident memory (VmHWM) of the soffice.bin process serving this
script; and the recalculated 得分 and 工作量补助 columns (0-based columns, 0-based rows,
inclusive) so the caller can check them against ``jbsys-xl allocate``'s JSON.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository
from jbsys_xl.office.uno_connect import connect  # noqa: E402


def office_peak_kb(pipe: str) -> int | None:
    """VmHWM of the soffice.bin whose command line accepts on ``pipe``."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().decode(errors="replace")
            if "soffice.bin" not in cmdline or pipe not in cmdline:
                continue
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            continue
    return None


def column(sheet, col: int, first: int, last: int) -> list:
    rows = sheet.getCellRangeByPosition(col, first, col, last).getDataArray()
    return [row[0] for row in rows]


def main(argv: list[str]) -> int:
    path, sheet_name, score_col, gross_col, first, last = argv
    url = os.environ["JBSYS_UNO_URL"]
    pipe = url.split("name=", 1)[1].split(";", 1)[0]
    start = time.monotonic()
    ctx = connect(url)
    connected = time.monotonic()
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    props = (PropertyValue(Name="Hidden", Value=True), PropertyValue(Name="ReadOnly", Value=True))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                       props)
    loaded = time.monotonic()
    # Said now, on stderr: if the recalculation then runs out of time, the caller still learns
    # how long the load took (run_uno_script puts a timed-out script's stderr in its message).
    print(f"loaded in {loaded - connected:.1f} s", file=sys.stderr, flush=True)
    doc.calculateAll()
    calculated = time.monotonic()
    sheet = doc.Sheets.getByName(sheet_name)
    first, last = int(first), int(last)
    report = {
        "connect_s": connected - start,
        "load_s": loaded - connected,
        "calc_s": calculated - loaded,
        "peak_kb": office_peak_kb(pipe),
        "scores": column(sheet, int(score_col), first, last),
        "gross": column(sheet, int(gross_col), first, last),
    }
    sys.stdout.write(json.dumps(report))
    sys.stdout.flush()
    # Leave without tearing the UNO bridge down: pyuno may crash at interpreter exit, and the
    # caller kills LibreOffice anyway.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
