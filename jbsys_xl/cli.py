"""The headless command line: ``jbsys-xl allocate|check WORKBOOK --year Y``.

Exit codes: 0 success (warnings allowed), 2 validation errors, 1 unexpected failure.
"""
from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from . import __version__, contract
from .io.atomic import write_atomic
from .model import month_text
from .pipeline import Outcome, run
from .report.json_result import money, score_number, to_json

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


def default_output(source: Path, year: int) -> Path:
    stem = source.name if source.is_dir() else source.stem
    return source.parent / f"{stem}-分配结果-{year}.xlsx"


def print_checks(outcome: Outcome, out=None) -> None:
    out = out or sys.stdout  # looked up per call, so redirection (and capture in tests) works
    for check in outcome.errors:
        print(f"错误 {check}", file=out)
    for check in outcome.warnings:
        print(f"警告 {check}", file=out)


def print_summary(outcome: Outcome, out=None) -> None:
    """A compact table for people: the full one is in the result workbook."""
    out = out or sys.stdout
    from .report import tables as t

    allocation = outcome.allocation
    s = allocation.settings
    print(f"{s.year} 年度分配（考核期 {month_text(s.period_start)} 至 {month_text(s.period_end)}，"
          f"{s.method}，扣减资金{s.forfeit_mode}）", file=out)
    labels = dict(contract.CENTER_RESULT_COLUMNS)
    rows = [(c.code, c.name, "否决" if c.vetoed else c.grade, score_number(c.score), c.basic_award,
             c.net_workload + c.redistributed, c.winner_award, c.total) for c in allocation.centers]
    kinds = (t.TEXT, t.TEXT, t.TEXT, t.SCORE, t.MONEY, t.MONEY, t.MONEY, t.MONEY)
    rows.append(t.summary_row({1: t.TOTAL}, rows, kinds))
    summary = t.Table("分配汇总", (labels["code"], labels["name"], labels["grade"], labels["score"],
                                labels["basic_award"], "工作量补助", labels["winner_award"],
                                labels["total"]), kinds, rows, totals=frozenset({len(rows) - 1}))
    print(t.table_text(summary), file=out)
    p = allocation.pools
    print(f"中心合计 {money(p.paid_total - p.hardware_total)} 元，硬件补助 {money(p.hardware_total)} 元，"
          f"实际分配 {money(p.paid_total)} 元，结余 {money(p.balance)} 元（资金总额 {money(p.total_fund)} 元）",
          file=out)


def cmd_allocate(args) -> int:
    outcome = run(args.workbook, args.year)
    # The outcome holds every input row (a million lists at province scale); freezing them out
    # of the cyclic collector's reach keeps the report writing from re-walking them each time.
    gc.freeze()
    if args.json:
        write_atomic(args.json, to_json(outcome).encode("utf-8"))
    if not outcome.ok:
        return refuse_invalid(outcome, "生成分配结果")
    from .report.result_workbook import result_workbook_bytes

    output = Path(args.output) if args.output else default_output(Path(args.workbook), args.year)
    write_atomic(output, result_workbook_bytes(outcome))
    print_summary(outcome)
    print_checks(outcome)
    print(f"分配结果已写入：{output}")
    return EXIT_OK


def cmd_check(args) -> int:
    outcome = run(args.workbook, args.year)
    print_checks(outcome)
    if outcome.ok:
        print(f"校验通过：{len(outcome.warnings)} 个警告。")
        return EXIT_OK
    print(f"发现 {len(outcome.errors)} 个错误。")
    return EXIT_INVALID


def refuse_invalid(outcome: Outcome, what: str) -> int:
    print_checks(outcome, sys.stderr)
    print(f"发现 {len(outcome.errors)} 个错误，无法{what}。", file=sys.stderr)
    return EXIT_INVALID


def cmd_explain(args) -> int:
    from .report.explain import UnknownCenter, explain, render_text

    outcome = run(args.workbook, args.year)
    if not outcome.ok:
        return refuse_invalid(outcome, "说明分配结果")
    try:
        explanation = explain(outcome.allocation, args.center)
    except UnknownCenter as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    print(render_text(explanation), end="")
    return EXIT_OK


def cmd_report(args) -> int:
    from .office.libreoffice import LibreOfficeMissing
    from .report.pdf import write_pdf

    outcome = run(args.workbook, args.year)
    if not outcome.ok:
        return refuse_invalid(outcome, "生成 PDF")
    try:
        write_pdf(outcome, args.pdf)
    except LibreOfficeMissing:
        print("错误：未找到 LibreOffice，无法生成 PDF。请安装 libreoffice-calc-nogui"
              "（sudo apt-get install libreoffice-calc-nogui）后重试。", file=sys.stderr)
        return EXIT_FAILURE
    print(f"PDF 已写入：{args.pdf}")
    return EXIT_OK


def cmd_notices(args) -> int:
    """告知书: a page per center, into one PDF (-o X.pdf) or a PDF per center (-o FOLDER)."""
    from .office.libreoffice import LibreOfficeError, LibreOfficeMissing
    from .report.explain import UnknownCenter
    from .report.notices import NoticeLayoutError, write_notices

    outcome = run(args.workbook, args.year)
    if not outcome.ok:
        return refuse_invalid(outcome, "生成告知书")
    try:
        files = write_notices(outcome, args.output, args.center)
    except UnknownCenter as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except LibreOfficeMissing:
        print("错误：未找到 LibreOffice，无法生成告知书。请安装 libreoffice-calc-nogui"
              "（sudo apt-get install libreoffice-calc-nogui）后重试。", file=sys.stderr)
        return EXIT_FAILURE
    except (LibreOfficeError, NoticeLayoutError) as exc:
        print(f"错误：LibreOffice 未能生成告知书：{exc}", file=sys.stderr)
        return EXIT_FAILURE
    folder = "" if args.output.lower().endswith(".pdf") else f"（{len(files)} 个文件）"
    print(f"告知书已写入：{args.output}{folder}")
    return EXIT_OK


def cmd_excel_setup(args) -> int:
    from .excel.setup import excel_setup

    return excel_setup(dry_run=args.dry_run)


def cmd_build_template(args) -> int:
    from .template.build import build_template

    for path in build_template(args.out_dir, args.year):
        print(f"已生成：{path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jbsys-xl", description="人社基层平台建设考核与以奖代补资金分配（JBSys-XL）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_source(name: str, help_: str):
        command = commands.add_parser(name, help=help_)
        command.add_argument("workbook", help="输入工作簿（.xlsx/.xlsm）或存放各表 CSV 的文件夹")
        command.add_argument("--year", type=int, required=True, help="考核年度，如 2024")
        return command

    allocate = with_source("allocate", "校验并生成分配结果")
    allocate.add_argument("--json", help="把机器可读的结果写到此 JSON 文件")
    allocate.add_argument("-o", "--output", help="结果工作簿路径（默认：<输入名>-分配结果-<年度>.xlsx）")
    allocate.set_defaults(func=cmd_allocate)
    with_source("check", "只校验数据").set_defaults(func=cmd_check)
    explain_ = with_source("explain", "说明一个中心的补助资金是怎样算出来的")
    explain_.add_argument("--center", required=True, help="中心编码或中心名称")
    explain_.set_defaults(func=cmd_explain)
    report = with_source("report", "生成可打印的分配结果 PDF（需要 LibreOffice）")
    report.add_argument("--pdf", required=True, help="PDF 输出路径")
    report.set_defaults(func=cmd_report)
    notices = with_source("notices", "生成各中心的告知书（每个中心一页 PDF，需要 LibreOffice）")
    notices.add_argument("--center", nargs="+", action="extend",
                         help="只生成这些中心的告知书（中心编码或中心名称，可写多个）；默认全部中心")
    notices.add_argument("-o", "--output", required=True,
                         help="以 .pdf 结尾：所有中心合成一个 PDF；否则为文件夹，每个中心一个 PDF")
    notices.set_defaults(func=cmd_notices)
    setup = commands.add_parser("excel-setup", help="在 Windows 上安装 xlwings 加载项并写入配置，使模板可用")
    setup.add_argument("--dry-run", action="store_true", help="只显示将要执行的操作")
    setup.set_defaults(func=cmd_excel_setup)
    template = commands.add_parser(
        "build-template", help="由 workbook/ 中的源文件生成 template.xlsm 和 demo.xlsm（开发用）")
    template.add_argument("--out-dir", type=Path, help="输出文件夹（默认：源码中的 workbook/）")
    template.add_argument("--year", type=int, help="模板年度（默认 2024）")
    template.set_defaults(func=cmd_build_template)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # the last line of defence: a message, not a traceback
        print(f"意外错误：{type(exc).__name__}: {exc}", file=sys.stderr)
        if "JBSYS_DEBUG" in __import__("os").environ:
            raise
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
