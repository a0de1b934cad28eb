"""What bounded reading (jbsys_xl/io/bounds.py) costs on a big workbook, and what hostile files cost.

1. The check of the 1,044,000-row 业务量 sheet of the large bench workbook (generate.py): opening
   the package, then ``check_sheet`` — wall and CPU seconds, medians of --repeats, beside the
   floor of any check (inflating the sheet's XML with zlib and nothing else).
2. ``jbsys-xl check`` on hostile files made from the demo workbook (tests/support/hostile.py):
   a stray value in XFD1048576, a row numbered 99,999,999, a 1.5 GB zip bomb (the directory
   truthful, then lying), billion laughs — each in its own process: exit code, wall seconds,
   peak RSS, and the start of the message. Before the checks the first three aborted or took
   gigabytes.

    .venv/bin/python bench/bounds_bench.py [--repeats 5] [--skip-large]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from jbsys_xl.io import bounds  # noqa: E402
from tests.support import hostile  # noqa: E402

DEMO = ROOT / "workbook" / "demo.xlsm"


def large_check(repeats: int) -> list[str]:
    import generate

    book = generate.workbooks(generate.SIZES["large"])[0]  # generated once, cached in build/bench
    data = book.read_bytes()
    runs, floors = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        package = bounds.Package(data, book.name)
        package.check_sheet("业务量")
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        part = package.sheets["业务量"]
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in package._chunks(part, count=False):
            pass
        floors.append((time.perf_counter() - wall, time.process_time() - cpu))
    size = package.infos[part].file_size
    return [f"large workbook ({len(data) / 1e6:.1f} MB; 业务量 XML {size / 1e6:.0f} MB inflated), median of {repeats}:",
            f"  check 业务量 (open + check_sheet)  wall {statistics.median(r[0] for r in runs):5.2f} s"
            f"  cpu {statistics.median(r[1] for r in runs):5.2f} s",
            f"  floor: zlib inflate alone        wall {statistics.median(r[0] for r in floors):5.2f} s"
            f"  cpu {statistics.median(r[1] for r in floors):5.2f} s"]


def hostile_files(folder: Path) -> list[tuple[str, Path]]:
    with __import__("zipfile").ZipFile(DEMO) as archive:
        names = archive.namelist()
    strings = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    files = [("stray value in 业务量!XFD1048576", hostile.with_cell(DEMO, folder / "stray.xlsm", "业务量", "XFD1048576")),
             ("row 99,999,999 in 扣减", hostile.with_cell(DEMO, folder / "far.xlsm", "扣减", "A99999999")),
             ("billion laughs in workbook.xml", hostile.billion_laughs(DEMO, folder / "laughs.xlsm"))]
    part = strings or hostile.sheet_part(DEMO, "扣减")
    head, tail = ((hostile.SHARED_STRINGS_HEAD, hostile.SHARED_STRINGS_TAIL) if strings else (b"", b""))
    files += [("1.5 GB zip bomb, directory truthful", hostile.bomb(DEMO, folder / "bomb.xlsm", part, before=head, after=tail)),
              ("1.5 GB zip bomb, directory lying", hostile.bomb(DEMO, folder / "liar.xlsm", part, declared=1024,
                                                                before=head, after=tail))]
    return files


def run_check(path: Path) -> tuple[int, float, float, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "jbsys_xl.cli", "check", str(path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    line = next((line for line in output.splitlines() if line.startswith("错误")), output.strip()[-120:])
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="only the hostile files")
    args = parser.parse_args(argv)
    if not args.skip_large:
        for line in large_check(args.repeats):
            print(line, flush=True)
    print("jbsys-xl check on hostile files made from workbook/demo.xlsm (no memory cap):")
    with tempfile.TemporaryDirectory() as folder:
        for what, path in hostile_files(Path(folder)):
            code, wall, peak, line = run_check(path)
            print(f"  {what:38s} {path.stat().st_size / 1e6:5.1f} MB  exit {code}  {wall:5.2f} s  peak {peak:5.0f} MB"
                  f"  {line[:90]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
