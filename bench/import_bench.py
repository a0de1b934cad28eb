"""``jbsys-xl import`` at province scale: 2,000,000 case rows in 10 .xlsx files.

The files are 明细 exports as the 金保 system writes them (a title line, ten columns including
personal ones, timestamps as text in half the files and as date cells in the other half, 3 %
cancelled, 1 % unknown institutions, 5 % of the cases repeated from another file), generated
once into build/bench/jinbao/. Against the same files, in separate processes, interleaved:

- ``import``    — ``jbsys-xl import BOOK FILES... --json J -o OUT`` end to end;
- ``fastexcel`` — fastexcel reading every sheet into Arrow and nothing else (the fastest reader
                  available here: calamine's parser without a Python object per cell);
- ``calamine``  — python-calamine reading every sheet into Python lists.

Wall time is the median of --repeats runs; CPU time (user + system, from the children's
rusage) is shown beside it, since on a machine shared with other work the wall times move with
the load while CPU seconds stay put; peak RSS comes from ``os.wait4``. The last line is
``import/fastexcel=X.XX import/calamine=X.XX cpu_import/fastexcel=X.XX peak_mb=N`` (target:
import ≤ 2 × the fastest read, peak ≤ 2 GB).

    python bench/import_bench.py [--rows 200000] [--files 10] [--repeats 3]
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "build" / "bench" / "jinbao"
sys.path.insert(0, str(ROOT))
from jbsys_xl import sample  # noqa: E402

YEAR = 2024
HEADERS = ("序号", "业务流水号", "经办机构", "业务事项", "受理时间", "办理状态", "姓名", "公民身份号码", "联系电话", "备注")
ITEMS = ("失业登记", "失业人员登记", "失业保险待遇申领", "灵活就业社保补贴", "社保卡申领", "城乡居民参保登记",
         "受理居民保险补收申请", "社会保障卡领卡、激活", "电子社保卡实名认证", "一次性开业补贴申请受理")


def write_export(path: Path, index: int, rows: int, files: int) -> None:
    """One file of ``rows`` cases; 5 % of them repeat cases of the previous file."""
    rng = random.Random(index)
    institutions = [sample.jinbao_institution(town, district) for _, town, district, *_ in sample.active_centers()]
    institutions += [code for code, *_ in sample.active_centers()]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("业务明细")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_string(0, 0, f"{YEAR}年业务经办明细（第 {index + 1} 批，共 {files} 批）")
    sheet.write_row(1, 0, HEADERS)
    start = datetime(YEAR - 1, 11, 20)
    as_text = index % 2 == 0
    for r in range(rows):
        number = (index - 1) * rows + r if r % 20 == 0 and index else index * rows + r
        when = start + timedelta(seconds=number * 7919 % (390 * 86400))  # a repeated case: same time
        institution = "武进区某镇劳动保障所" if rng.random() < 0.01 else rng.choice(institutions)
        status = "作废" if rng.random() < 0.03 else "办结"
        row = 2 + r
        sheet.write_number(row, 0, r + 1)
        sheet.write_string(row, 1, f"JB{YEAR}{number:09d}")
        sheet.write_string(row, 2, institution)
        sheet.write_string(row, 3, ITEMS[number % len(ITEMS)])
        if as_text:
            sheet.write_string(row, 4, f"{when:%Y-%m-%d %H:%M:%S}")
        else:
            sheet.write_datetime(row, 4, when, stamp)
        sheet.write_string(row, 5, status)
        sheet.write_string(row, 6, "张某某")
        sheet.write_string(row, 7, f"320402{19600101 + number % 400000:08d}{number % 10000:04d}")
        sheet.write_string(row, 8, f"139{number % 100000000:08d}")
    book.close()


def inputs(rows: int, files: int) -> tuple[Path, list[Path]]:
    folder = CACHE / f"{files}x{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "book.xlsx"
    if not book.exists():
        sample.write_sample_workbook(book, YEAR)
    paths = [folder / f"明细{index + 1:02d}.xlsx" for index in range(files)]
    for index, path in enumerate(paths):
        if not path.exists():
            print(f"  generating {path.name} ({rows:,} rows)", flush=True)
            part = path.with_suffix(".part")
            write_export(part, index, rows, files)
            part.rename(path)
    return book, paths


def read_only(tool: str, paths: list[str]) -> None:
    """The baselines: read every sheet of every file and keep nothing."""
    cells = 0
    for path in paths:
        if tool == "fastexcel":
            import fastexcel

            reader = fastexcel.read_excel(path)
            for name in reader.sheet_names:
                table = reader.load_sheet_by_name(name, header_row=None).to_arrow()
                cells += table.num_rows * table.num_columns
        else:
            import python_calamine

            book = python_calamine.CalamineWorkbook.from_path(path)
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python()
                cells += sum(map(len, rows))
    print(cells)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="case rows per file")
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--read", choices=("fastexcel", "calamine"), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.read:
        read_only(args.read, args.paths)
        return 0
    from run import measure  # the same timing and peak-RSS measurement as the allocate benchmark

    book, paths = inputs(args.rows, args.files)
    python = Path(sys.executable)
    out = CACHE / "out"
    out.mkdir(exist_ok=True)
    commands = {
        "import": [str(python.parent / "jbsys-xl"), "import", str(book), *map(str, paths), "--year", str(YEAR),
                   "--json", str(out / "import.json"), "-o", str(out / "import.xlsx")],
        "fastexcel": [str(python), __file__, "--read", "fastexcel", *map(str, paths)],
        "calamine": [str(python), __file__, "--read", "calamine", *map(str, paths)],
    }
    runs: dict[str, list] = {tool: [] for tool in commands}
    print(f"金保 import: {args.files} files × {args.rows:,} case rows = {args.files * args.rows:,} rows", flush=True)
    cpu: dict[str, list[float]] = {tool: [] for tool in commands}
    for round_ in range(args.repeats):
        for tool, command in commands.items():
            before = _children_cpu()
            run = measure(command, 3600)
            runs[tool].append(run)
            cpu[tool].append(_children_cpu() - before)
            print(f"  {tool:<10} run {round_ + 1}: {run.wall:8.2f} s {cpu[tool][-1]:8.2f} s CPU "
                  f"{run.peak_kb / 1024:8.0f} MB", flush=True)
    median = {tool: statistics.median(r.wall for r in found) for tool, found in runs.items()}
    median_cpu = {tool: statistics.median(found) for tool, found in cpu.items()}
    peak = {tool: round(max(r.peak_kb for r in found) / 1024) for tool, found in runs.items()}
    print(f"{'tool':<12}{'median s':>10}{'min s':>9}{'CPU s':>9}{'peak MB':>9}{'import ÷ tool':>15}")
    for tool in commands:
        least = min(r.wall for r in runs[tool])
        print(f"{tool:<12}{median[tool]:>10.2f}{least:>9.2f}{median_cpu[tool]:>9.2f}{peak[tool]:>9}"
              f"{median['import'] / median[tool]:>15.2f}")
    print(f"import/fastexcel={median['import'] / median['fastexcel']:.2f} "
          f"import/calamine={median['import'] / median['calamine']:.2f} "
          f"cpu_import/fastexcel={median_cpu['import'] / median_cpu['fastexcel']:.2f} peak_mb={peak['import']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
