"""``jbsys-xl import BOOK EXPORTS --into NEW`` on the bench's large workbook (1,044,000 rows).

The workbook is the ``large`` size of bench/generate.py (1,450 centers × 60 indicators × 12
months, laid out as there: a title line, 中心 as a code or a name, 事项 sometimes a 金保 alias,
months in several forms) with a 来源 column: each month's rows came from that month's 统计
export (统计-2024-03.xlsx …), as an earlier import leaves them. The clerk then imports the
twelve corrected exports of the year (统计 wide tables as the 金保 system's monthly report:
one row per institution, one column per item; every count one more, the counts that were 0
still 0 and so not imported) — the heaviest re-import there is: every one of the 1,044,000
rows is replaced (by 来源 and by key), each new row lands where its key's row stood, the rows of
the keys that are gone close up, and 替换记录 records every replaced row. Generated once into
build/bench/into/ (keyed by the generators' code).

Against the same files, in separate processes, interleaved:

- ``into``       — ``jbsys-xl import BOOK EXPORTS --year 2024 --into NEW.xlsx`` end to end (the
                   import, the plan, the package rewrite, the validation of NEW);
- ``import``     — ``jbsys-xl import BOOK EXPORTS --year 2024 -o OUT.xlsx``: the import alone;
- ``writefloor`` — XlsxWriter in ``constant_memory`` mode writing NEW's cells, unformatted
                   (bench/baselines.py: the writing alone, cells read before the clock starts).

The last line is ``into/(import+writefloor)=X.XX into/import=X.XX peak_mb=N`` (target: ≤ 1.5 and
peak ≤ 1.5 GB); wall times are medians of --repeats runs, peak RSS from ``os.wait4``.

    python bench/into_bench.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import statistics
import sys
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from generate import ROOT, SIZES  # noqa: E402

sys.path.insert(0, str(ROOT))
from jbsys_xl import contract as k  # noqa: E402

CACHE = generate.CACHE / "into"
YEAR = 2024


def source_of(month) -> str:
    y, m = month
    return f"统计-{y}-{m:02d}.xlsx"


def inputs() -> tuple[Path, list[Path]]:
    """The workbook and the exports, each generated once (keyed by the code that makes it)."""
    made = (Path(generate.__file__).read_bytes() + (ROOT / "jbsys_xl" / "sample.py").read_bytes()
            + inspect.getsource(write_book).encode())
    folder = CACHE / hashlib.sha256(made).hexdigest()[:10]
    book = folder / "book.xlsx"
    exports = folder / f"exports-{hashlib.sha256(inspect.getsource(write_exports).encode()).hexdigest()[:10]}"
    data = None
    if not book.exists():
        folder.mkdir(parents=True, exist_ok=True)
        data = generate.scaled_data(SIZES["large"])
        print(f"  generating {book} ({data.volume_rows:,} 业务量 rows with 来源)", flush=True)
        partial = folder / ".book.partial.xlsx"
        write_book(data, partial)
        partial.replace(book)
    if not exports.is_dir():
        data = data or generate.scaled_data(SIZES["large"])
        print(f"  generating the 12 exports into {exports}", flush=True)
        parts = folder / ".exports.partial"
        parts.mkdir(exist_ok=True)
        write_exports(data, parts)
        parts.replace(exports)
    return book, sorted(exports.iterdir())


def write_book(data, path: Path) -> None:
    """The large input of generate.py, its 业务量 rows carrying the export they came from."""
    writer = generate._Writer(path)
    for spec in k.INPUT_SHEETS:
        if spec.name == k.VOLUMES:
            rows = (raw + [source_of((month.year, month.month))] for raw, (_, _, month, _) in data.volumes())
            writer.table(k.VOLUMES, [*spec.required, "来源"], rows, top=1, month=True)
        else:
            headers, rows = data.sheets.get(spec.name, (list(spec.required), []))
            writer.table(spec.name, headers, rows)
    writer.book.close()


def write_exports(data, folder: Path) -> None:
    """One wide 统计 export per month, as the 金保 system's monthly report: a title with the
    month, then per institution (the center's name) one column per item holding its count + 1
    (0 stays 0: a count the system no longer has)."""
    headers, rows = data.sheets[k.CENTERS]
    institution = {row[headers.index("中心编码")]: row[headers.index("中心名称")] for row in rows}
    counts: dict[tuple, dict[str, dict[str, int]]] = {}
    names = [name for name, _ in data.indicators]
    for _, (code, item, month, volume) in data.volumes():
        counts.setdefault((month.year, month.month), {}).setdefault(institution[code], {})[item] = \
            volume + 1 if volume else 0
    for (y, m), centers in counts.items():
        book = xlsxwriter.Workbook(str(folder / source_of((y, m))), {"constant_memory": True})
        sheet = book.add_worksheet("统计")
        sheet.write(0, 0, f"{y}年{m}月各经办机构业务量统计")
        sheet.write_row(1, 0, ["经办机构", *names])
        for row, (name, items) in enumerate(sorted(centers.items()), start=2):
            sheet.write_row(row, 0, [name, *(items.get(item, 0) for item in names)])
        book.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from run import CLI, PYTHON, measure  # the same timing and peak-RSS measurement as the other benches

    book, exports = inputs()
    out = CACHE / "out"
    out.mkdir(exist_ok=True)
    new = out / "导入后.xlsx"
    commands = {
        "into": [str(CLI), "import", str(book), *map(str, exports), "--year", str(YEAR), "--into", str(new)],
        "import": [str(CLI), "import", str(book), *map(str, exports), "--year", str(YEAR),
                   "-o", str(out / "导入.xlsx")],
        "writefloor": [str(PYTHON), str(HERE / "baselines.py"), "writefloor", str(new)],
    }
    print(f"import --into: {book.name} (1,044,000 业务量 rows) ← {len(exports)} exports", flush=True)
    runs: dict[str, list] = {tool: [] for tool in commands}
    for round_ in range(args.repeats):
        for tool, command in commands.items():
            run = measure(command, 3600)  # raises when the command fails
            if run is None:
                raise SystemExit(f"{tool} did not finish in an hour")
            if tool == "writefloor":  # the writing alone, as the script timed it
                run.wall = json.loads(run.detail["stdout"])["seconds"]
            runs[tool].append(run)
            print(f"  {tool:<11}run {round_ + 1}: {run.wall:8.2f} s {run.peak_kb / 1024:8.0f} MB", flush=True)
    median = {tool: statistics.median(r.wall for r in found) for tool, found in runs.items()}
    peak = {tool: round(max(r.peak_kb for r in found) / 1024) for tool, found in runs.items()}
    print(f"{'tool':<12}{'median s':>10}{'min s':>9}{'peak MB':>9}")
    for tool in commands:
        print(f"{tool:<12}{median[tool]:>10.2f}{min(r.wall for r in runs[tool]):>9.2f}{peak[tool]:>9}")
    floor = median["import"] + median["writefloor"]
    print(f"into/(import+writefloor)={median['into'] / floor:.2f} into/import={median['into'] / median['import']:.2f} "
          f"peak_mb={peak['into']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
