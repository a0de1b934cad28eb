"""Where ``jbsys-xl allocate`` spends its time, stage by stage, at one benchmark size.

    .venv/bin/python bench/profile_allocate.py [demo|medium|large] [--pyinstrument]

Runs the CLI's allocate in this process with a timer around each stage: imports, reading the
workbook, validation, the rules, the second pipeline run the result workbook makes for the
year before, the JSON, each sheet of the result workbook, and XlsxWriter's close (XML + zip).
The timers wrap the functions from outside (nothing in jbsys_xl is changed), so the figures
are wall seconds without profiler overhead; with --pyinstrument the whole run is also sampled
and the call tree printed (slower, and only the proportions count).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import io
import sys
import time
from collections import defaultdict

import generate

T0 = time.perf_counter()
from jbsys_xl import cli, console, pipeline  # noqa: E402
from jbsys_xl.io import dataset, reader  # noqa: E402
from jbsys_xl.report import json_result, result_workbook  # noqa: E402
from jbsys_xl.rules import allocate as rules  # noqa: E402

IMPORTS = time.perf_counter() - T0
spent: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)
depth = [0]


def timed(module, name: str, label: str | None = None, key=None) -> None:
    """Replace ``module.name`` with a wrapper adding its wall time to ``spent[label]``;
    nested timed calls are subtracted from the outer one, so the stages add up."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        stage = key(*args) if key else (label or name)
        inner_before = sum(spent.values())
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            inner = sum(spent.values()) - inner_before
            spent[stage] += elapsed - inner
            calls[stage] += 1

    setattr(module, name, wrapper)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="large", choices=list(generate.SIZES))
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    book, _ = generate.workbooks(generate.SIZES[args.size])

    timed(pipeline, "read_source", "read workbook (fastexcel 业务量, calamine the rest)")
    timed(pipeline, "build_dataset", key=lambda raw, year: f"validate {year}")
    timed(pipeline, "allocate", key=lambda data: f"rules {data.settings.year}")
    timed(cli, "to_json", "JSON")
    timed(result_workbook, "table_sheet", key=lambda b, f, table, y: f"sheet {table.title}")
    for name, label in (("attachment_sheets", "sheets 分配结果, 资金平衡"), ("about_sheet", "sheet 说明"),
                        ("charts_sheet", "sheet 图表"), ("notes_sheet", "sheet 分中心说明"),
                        ("confirmation_sheet", "sheet 条线汇总")):
        timed(result_workbook, name, label)
    timed(result_workbook, "comparison_sheet", "comparison sheet formatting")
    for name in ("result_table", "detail_table", "district_table", "checks_table",
                 "comparison_table"):
        timed(result_workbook.t, name, f"table data {name}")
    import xlsxwriter.workbook
    timed(xlsxwriter.workbook.Workbook, "close", "XlsxWriter close (XML + zip)")
    timed(console, "write_atomic", "write files")
    original = cli.print_summary  # its `out` defaults to the real stdout
    cli.print_summary = functools.partial(original, out=io.StringIO())
    for name in ("print_summary", "print_checks"):
        timed(cli, name, "print summary and checks")

    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.002)
        profiler.start()
    start = time.perf_counter()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["allocate", str(book), "--year", str(generate.YEAR),
                         "--json", str(generate.CACHE / "out" / f"profile-{args.size}.json"),
                         "-o", str(generate.CACHE / "out" / f"profile-{args.size}.xlsx")])
    total = time.perf_counter() - start
    if profiler:
        profiler.stop()
    if code != 0:
        print(out.getvalue(), file=sys.stderr)
        return code

    print(f"allocate at size {args.size} ({book.name}), in-process wall seconds:")
    print(f"  {'imports (cli, pipeline, …)':<44}{IMPORTS:8.2f}")
    for stage, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        times = f" ×{calls[stage]}" if calls[stage] > 1 else ""
        print(f"  {stage + times:<44}{seconds:8.2f}")
    rest = total - sum(spent.values())
    print(f"  {'everything else':<44}{rest:8.2f}")
    print(f"  {'total (after imports)':<44}{total:8.2f}")
    if profiler:
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
