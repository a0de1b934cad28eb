"""``jbsys-xl import`` and ``jbsys-xl callbacks`` (金保 contract §6–§7), registered by the main
command line. Exit codes as everywhere: 0 done (warnings allowed), 2 errors (only the JSON is
written), 1 unexpected failure."""
from __future__ import annotations

import sys
from pathlib import Path

from ..console import (EXIT_FAILURE, EXIT_OK, XLSX, fail, first_problem,
                       output_problem, print_checks, refuse, write_output)
from .callbacks import (DEFAULT_PER_CENTER, callback_json, callback_workbook_bytes, draw_callbacks,
                        seed_note)
from .importer import run_import
from .output import import_json, import_workbook_bytes, summary_lines


def default_output(workbook: Path, year: int) -> Path:
    stem = workbook.name if workbook.is_dir() else workbook.stem
    return workbook.parent / f"{stem}-金保导入-{year}{XLSX}"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _exports(args) -> list[Path]:
    return list(map(Path, args.sources))


def cmd_import(args) -> int:
    if problem := first_problem(((args.output, "输出工作簿", XLSX), (args.json, "JSON 文件", None)),
                                [Path(args.workbook)], _exports(args)):
        return fail(problem)
    result = run_import(args.workbook, args.sources, args.year, progress=_progress)
    if not result.ok:
        if args.json and write_output(args.json, import_json(result).encode("utf-8")) is not None:
            return EXIT_FAILURE
        return refuse(result.checks, "未写入导入结果", "")
    output = Path(args.output) if args.output else default_output(Path(args.workbook), result.year)
    if problem := output_problem(output, [Path(args.workbook)], "输出工作簿", XLSX, _exports(args)):
        return fail(problem)
    if write_output(output, import_workbook_bytes(result)) is not None:
        return EXIT_FAILURE
    if args.json and write_output(args.json, import_json(result).encode("utf-8")) is not None:
        return EXIT_FAILURE
    print_checks(result.checks, f"全部见输出工作簿“{output.name}”的导入记录和未匹配表。")
    for line in summary_lines(result):
        print(line)
    print(f"导入结果已写入：{output}（把其中“业务量”表的数据粘贴到工作簿的“业务量”表）")
    return EXIT_OK


def cmd_callbacks(args) -> int:
    if problem := first_problem(((args.output, "回访清单", XLSX), (args.json, "JSON 文件", None)),
                                [Path(args.workbook)], _exports(args)):
        return fail(problem)
    if args.per_center < 1:
        return fail("--per-center 应为正整数")
    draw = draw_callbacks(args.workbook, args.sources, args.year, args.per_center, args.seed,
                          progress=_progress)
    if not draw.ok:
        if args.json and write_output(args.json, callback_json(draw).encode("utf-8")) is not None:
            return EXIT_FAILURE
        return refuse(draw.checks, "未生成回访清单", "")
    if write_output(args.output, callback_workbook_bytes(draw)) is not None:
        return EXIT_FAILURE
    if args.json and write_output(args.json, callback_json(draw).encode("utf-8")) is not None:
        return EXIT_FAILURE
    print_checks(draw.checks, "")
    print(f"{draw.year} 年度 12333 回访：{len(draw.centers)} 个中心，抽取 {len(draw.cases)} 件")
    print(seed_note(draw))
    print(f"回访清单已写入：{args.output}（内部资料，注意保密）")
    return EXIT_OK


def add_commands(commands) -> None:
    """The two subcommands, on the main parser's subcommand group."""
    def common(name: str, help_: str):
        command = commands.add_parser(name, help=help_, description=help_)
        command.add_argument("workbook", metavar="工作簿",
                             help="分配工作簿（.xlsx/.xlsm/.xls/.ods）或存放各表 CSV 的文件夹")
        command.add_argument("sources", nargs="+", metavar="导出文件",
                             help="金保导出文件（.xlsx/.xls/.csv/网页导出的 xls），或存放它们的文件夹")
        command.add_argument("--year", type=int, metavar="年度", help="考核年度（默认：“参数”表中最新的年度）")
        command.add_argument("--json", metavar="JSON文件", help="把机器可读的结果写到此 JSON 文件")
        return command

    imports = common("import", "把金保系统导出的数据整理成“业务量”表")
    imports.add_argument("-o", "--output", metavar="输出.xlsx",
                         help="输出工作簿（默认：<工作簿名>-金保导入-<年度>.xlsx）")
    imports.set_defaults(func=cmd_import)
    calls = common("callbacks", "从金保明细中随机抽取 12333 回访案件，生成回访清单")
    calls.add_argument("--per-center", type=int, default=DEFAULT_PER_CENTER, metavar="件数",
                       help=f"每个中心抽取的件数（默认 {DEFAULT_PER_CENTER}）")
    calls.add_argument("--seed", type=int, metavar="种子",
                       help="随机种子（不填则随机生成并显示；同一种子得到同一份清单）")
    calls.add_argument("-o", "--output", required=True, metavar="回访清单.xlsx",
                       help="回访清单工作簿（.xlsx）")
    calls.set_defaults(func=cmd_callbacks)
