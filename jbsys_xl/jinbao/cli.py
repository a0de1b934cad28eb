"""``jbsys-xl import`` and ``jbsys-xl callbacks`` (金保 contract §6–§7), registered by the main
command line. Exit codes as everywhere: 0 done (warnings allowed), 2 errors (only the JSON is
written), 1 unexpected failure."""
from __future__ import annotations

import sys
from pathlib import Path

from ..io.atomic import write_atomic
from .callbacks import (DEFAULT_PER_CENTER, callback_json, callback_workbook_bytes, draw_callbacks,
                        seed_note)
from .importer import run_import
from .output import import_json, import_workbook_bytes, summary_lines

EXIT_OK, EXIT_INVALID = 0, 2


def default_output(workbook: Path, year: int) -> Path:
    stem = workbook.name if workbook.is_dir() else workbook.stem
    return workbook.parent / f"{stem}-金保导入-{year}.xlsx"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _clashes(output: Path, args) -> str | None:
    """An output that would overwrite an input is refused before anything is read."""
    inputs = [Path(args.workbook), *map(Path, args.sources)]
    target = output.resolve()
    for path in inputs:
        if path.exists() and (path.resolve() == target or (path.is_dir() and path.resolve() in target.parents)):
            return f"输出文件“{output}”会覆盖或写入输入“{path}”，请换一个输出路径"
    return None


def _print_checks(checks, out) -> None:
    for check in checks:
        print(f"{'错误' if check.level == 'error' else '警告'} {check}", file=out)


def cmd_import(args) -> int:
    if args.output and (problem := _clashes(Path(args.output), args)):
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_INVALID
    result = run_import(args.workbook, args.sources, args.year, progress=_progress)
    if args.json:
        write_atomic(args.json, import_json(result).encode("utf-8"))
    if not result.ok:
        _print_checks(result.checks, sys.stderr)
        print(f"发现 {len(result.errors)} 个错误，未写入导入结果。", file=sys.stderr)
        return EXIT_INVALID
    output = Path(args.output) if args.output else default_output(Path(args.workbook), result.year)
    if problem := _clashes(output, args):
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_INVALID
    write_atomic(output, import_workbook_bytes(result))
    for line in summary_lines(result):
        print(line)
    _print_checks(result.checks, sys.stderr)
    print(f"导入结果已写入：{output}（把其中“业务量”表的数据粘贴到工作簿的“业务量”表）")
    return EXIT_OK


def cmd_callbacks(args) -> int:
    if problem := _clashes(Path(args.output), args):
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_INVALID
    if args.per_center < 1:
        print("错误：--per-center 应为正整数", file=sys.stderr)
        return EXIT_INVALID
    draw = draw_callbacks(args.workbook, args.sources, args.year, args.per_center, args.seed,
                          progress=_progress)
    if args.json:
        write_atomic(args.json, callback_json(draw).encode("utf-8"))
    if not draw.ok:
        _print_checks(draw.checks, sys.stderr)
        print(f"发现 {sum(c.level == 'error' for c in draw.checks)} 个错误，未生成回访清单。", file=sys.stderr)
        return EXIT_INVALID
    write_atomic(args.output, callback_workbook_bytes(draw))
    print(f"{draw.year} 年度 12333 回访：{len(draw.centers)} 个中心，抽取 {len(draw.cases)} 件")
    print(seed_note(draw))
    _print_checks(draw.checks, sys.stderr)
    print(f"回访清单已写入：{args.output}（内部资料，注意保密）")
    return EXIT_OK


def add_commands(commands) -> None:
    """The two subcommands, on the main parser's subcommand group."""
    def common(name: str, help_: str):
        command = commands.add_parser(name, help=help_)
        command.add_argument("workbook", help="分配工作簿（.xlsx/.xlsm）或存放各表 CSV 的文件夹")
        command.add_argument("sources", nargs="+", metavar="SOURCE",
                             help="金保导出文件（.xlsx/.xls/.csv/网页导出的 xls），或存放它们的文件夹")
        command.add_argument("--year", type=int, help="考核年度（默认：“参数”表中最新的年度）")
        command.add_argument("--json", help="把机器可读的结果写到此 JSON 文件")
        return command

    imports = common("import", "把金保系统导出的数据整理成“业务量”表")
    imports.add_argument("-o", "--output", help="输出工作簿（默认：<工作簿名>-金保导入-<年度>.xlsx）")
    imports.set_defaults(func=cmd_import)
    calls = common("callbacks", "从金保明细中随机抽取 12333 回访案件，生成回访清单")
    calls.add_argument("--per-center", type=int, default=DEFAULT_PER_CENTER,
                       help=f"每个中心抽取的件数（默认 {DEFAULT_PER_CENTER}）")
    calls.add_argument("--seed", type=int, help="随机种子（不填则随机生成并显示；同一种子得到同一份清单）")
    calls.add_argument("-o", "--output", required=True, help="回访清单工作簿（.xlsx）")
    calls.set_defaults(func=cmd_callbacks)
