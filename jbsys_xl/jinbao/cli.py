"""``jbsys-xl import``, ``jbsys-xl callbacks`` and ``jbsys-xl callback-results`` (金保 contract
§6–§7, and §9's ``--into``), registered by the main command line. Exit codes as everywhere: 0
done (warnings allowed), 2 errors (only the JSON is written), 1 unexpected failure."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from ..console import (EXIT_FAILURE, EXIT_OK, XLSX, fail, first_problem,
                       output_problem, print_checks, refuse, write_output)
from ..io.atomic import AtomicFile, OutputError
from .callback_results import read_results, results_json, results_workbook_bytes, summary
from .callbacks import (DEFAULT_LEDGER_PER_CENTER, DEFAULT_PER_CENTER, callback_json, callback_workbook_bytes,
                        draw_callbacks, seed_note)
from .importer import run_import
from .into import Into, callbacks_into, import_into, unusable
from .output import import_json, import_workbook_bytes, summary_lines


def default_output(workbook: Path, year: int, what: str = "金保导入") -> Path:
    stem = workbook.name if workbook.is_dir() else workbook.stem
    return workbook.parent / f"{stem}-{what}-{year}{XLSX}"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _exports(args) -> list[Path]:
    return list(map(Path, args.sources))


def cmd_import(args) -> int:
    workbook = Path(args.workbook)
    if problem := first_problem(((args.output, "输出工作簿", XLSX), (args.json, "JSON 文件", None)),
                                [workbook], _exports(args)):
        return fail(problem)
    if args.into and (problem := into_problem(Path(args.into), workbook, _exports(args))):
        return fail(problem)
    result = run_import(args.workbook, args.sources, args.year, progress=_progress)
    if not result.ok:
        if args.json and write_output(args.json, import_json(result).encode("utf-8")) is not None:
            return EXIT_FAILURE
        return refuse(result.checks, "未写入导入结果", "")
    if args.into:
        _progress(f"正在写入导入后的工作簿 {args.into}……")
        code = write_into(Path(args.into), lambda out: import_into(workbook, result, out), "未写出导入后的工作簿",
                          result.checks)
        if code != EXIT_OK:
            if args.json:
                write_output(args.json, import_json(result).encode("utf-8"))
            return code
    if args.output or not args.into:
        output = Path(args.output) if args.output else default_output(workbook, result.year)
        if problem := output_problem(output, [workbook], "输出工作簿", XLSX, _exports(args)):
            return fail(problem)
        if write_output(output, import_workbook_bytes(result)) is not None:
            return EXIT_FAILURE
        print_checks(result.checks, f"全部见输出工作簿“{output.name}”的导入记录和未匹配表。")
        for line in summary_lines(result):
            print(line)
        print(f"导入结果已写入：{output}（把其中“业务量”表的数据粘贴到工作簿的“业务量”表，"
              f"或用 --into 直接生成导入后的工作簿）")
    if args.json and write_output(args.json, import_json(result).encode("utf-8")) is not None:
        return EXIT_FAILURE
    return EXIT_OK


def into_problem(target: Path, workbook: Path, exports: list[Path] = ()) -> str | None:
    """Why ``--into NEW`` cannot be written (exit 2 before anything is read): the workbook is
    no .xlsx/.xlsm, NEW is an input, has another extension than the workbook (an .xlsm saved
    as .xlsx loses its macros and ribbon), or is read-only."""
    if problem := unusable(workbook):
        return problem
    label = "导入后的工作簿"
    if problem := output_problem(target, [workbook], label, workbook.suffix.lower(), exports,
                                 "，与原工作簿相同（否则宏和功能区会丢失）"):
        return problem
    if target.is_file() and (not os.access(target, os.W_OK) or not target.stat().st_mode & stat.S_IWUSR):
        return f"{label}“{target}”是只读文件，无法覆盖；请换一个文件名或取消它的只读属性"
    folder = target.parent if str(target.parent) else Path(".")
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f"没有在文件夹“{folder}”中写入文件的权限，无法写出{label}；请换一个位置保存"
    return None


def write_into(target: Path, work, what: str, found: list, done: str = "导入后的工作簿") -> int:
    """Run ``work(out)`` into a temporary file beside ``target``; put it in place only when it
    succeeded. Prints the plan, the checks and the outcome; the exit code."""
    try:
        out = AtomicFile(target)
    except OutputError as exc:
        return fail(str(exc), EXIT_FAILURE)
    try:
        into: Into = work(out)
    except BaseException:
        out.discard()
        raise
    for line in into.lines:
        print(line)
    if not into.ok:
        out.discard()
        if into.invalid:
            what = f"{what}：按计划导入后，工作簿的校验有以上错误；请在原工作簿中更正后重新导入"
        return refuse(list(found) + into.checks, what, "")
    try:
        out.commit()
    except OutputError as exc:
        return fail(str(exc), EXIT_FAILURE)
    print_checks(found, "")
    print(f"已写出{done}：{target}（原工作簿未改动）")
    return EXIT_OK


def cmd_callbacks(args) -> int:
    if problem := first_problem(((args.output, "回访清单", XLSX), (args.json, "JSON 文件", None)),
                                [Path(args.workbook)], _exports(args)):
        return fail(problem)
    if args.per_center < 1:
        return fail("--per-center 应为正整数")
    if args.ledger_per_center < 0:
        return fail("--ledger-per-center 应为 0 或正整数")
    draw = draw_callbacks(args.workbook, args.sources, args.year, args.per_center, args.seed,
                          progress=_progress, operator=args.operator,
                          ledger_per_center=args.ledger_per_center)
    if not draw.ok:
        if args.json and write_output(args.json, callback_json(draw).encode("utf-8")) is not None:
            return EXIT_FAILURE
        return refuse(draw.checks, "未生成回访清单", "")
    if write_output(args.output, callback_workbook_bytes(draw)) is not None:
        return EXIT_FAILURE
    if args.json and write_output(args.json, callback_json(draw).encode("utf-8")) is not None:
        return EXIT_FAILURE
    print_checks(draw.checks, "")
    print(f"{draw.year} 年度 12333 回访：{len(draw.centers)} 个中心，抽取 {len(draw.cases)} 件；"
          f"台账抽查 {len(draw.ledger)} 条统计数")
    print(seed_note(draw))
    print(f"回访清单已写入：{args.output}（内部资料，注意保密）")
    return EXIT_OK


def cmd_callback_results(args) -> int:
    workbook = Path(args.workbook)
    inputs = [workbook, *map(Path, args.lists)]
    if problem := first_problem(((args.output, "输出工作簿", XLSX), (args.json, "JSON 文件", None)), inputs):
        return fail(problem)
    if args.into and (problem := into_problem(Path(args.into), workbook, list(map(Path, args.lists)))):
        return fail(problem)
    results = read_results(args.workbook, args.lists, args.year)
    if not results.ok:
        if args.json and write_output(args.json, results_json(results).encode("utf-8")) is not None:
            return EXIT_FAILURE
        return refuse(results.checks, "未写入回访结果", "")
    if args.into:
        print(summary(results))
        code = write_into(Path(args.into), lambda out: callbacks_into(workbook, results, out),
                          "未写出导入回访结果后的工作簿", results.checks, "导入回访结果后的工作簿")
        if code != EXIT_OK:
            if args.json:
                write_output(args.json, results_json(results).encode("utf-8"))
            return code
    if args.output or not args.into:
        output = Path(args.output) if args.output else default_output(workbook, results.year, "回访结果")
        if problem := output_problem(output, inputs, "输出工作簿"):
            return fail(problem)
        if write_output(output, results_workbook_bytes(results)) is not None:
            return EXIT_FAILURE
        print_checks(results.checks, f"全部见输出工作簿“{output.name}”的校验表。")
        print(summary(results))
        print(f"回访结果已写入：{output}（不含姓名、证件号码和电话；用 --into 直接生成导入回访结果后的工作簿，"
              f"或在 Excel 中点击“导入回访结果”）")
    if args.json and write_output(args.json, results_json(results).encode("utf-8")) is not None:
        return EXIT_FAILURE
    return EXIT_OK


def add_commands(commands) -> None:
    """The three subcommands, on the main parser's subcommand group."""
    def common(name: str, help_: str):
        command = commands.add_parser(name, help=help_, description=help_)
        command.add_argument("workbook", metavar="工作簿",
                             help="分配工作簿（.xlsx/.xlsm/.xls/.ods）或存放各表 CSV 的文件夹")
        command.add_argument("sources", nargs="+", metavar="导出文件",
                             help="金保导出文件（.xlsx/.xls/.csv/网页导出的 xls），或存放它们的文件夹")
        command.add_argument("--year", type=int, metavar="年度", help="考核年度（默认：“参数”表中最新的年度）")
        command.add_argument("--json", metavar="JSON文件", help="把机器可读的结果写到此 JSON 文件")
        return command

    imports = common("import", "把金保系统导出的数据整理成“业务量”表，或直接写进分配工作簿的副本（--into）")
    imports.add_argument("-o", "--output", metavar="输出.xlsx",
                         help="输出工作簿（默认：<工作簿名>-金保导入-<年度>.xlsx；给了 --into 时只在指定时写出）")
    imports.add_argument("--into", metavar="新工作簿",
                         help="写出导入后的分配工作簿：原工作簿的副本，只有“业务量”表按导入替换、"
                              "并写入“导入记录”“替换记录”表（.xlsx/.xlsm，与原工作簿相同；原工作簿不改动）")
    imports.set_defaults(func=cmd_import)
    calls = common("callbacks", "从金保明细中随机抽取 12333 回访案件，生成回访清单")
    calls.add_argument("--per-center", type=int, default=DEFAULT_PER_CENTER, metavar="件数",
                       help=f"每个中心抽取的件数（默认 {DEFAULT_PER_CENTER}）")
    calls.add_argument("--seed", type=int, metavar="种子",
                       help="随机种子（不填则随机生成并显示；同一种子得到同一份清单）")
    calls.add_argument("--ledger-per-center", type=int, default=DEFAULT_LEDGER_PER_CENTER, metavar="条数",
                       help=f"台账抽查：每个中心抽取的统计数条数（默认 {DEFAULT_LEDGER_PER_CENTER}）")
    calls.add_argument("--operator", metavar="姓名", help="抽取人（写入抽取记录；不填会有警告）")
    calls.add_argument("-o", "--output", required=True, metavar="回访清单.xlsx",
                       help="回访清单工作簿（.xlsx）")
    calls.set_defaults(func=cmd_callbacks)

    results = commands.add_parser("callback-results", help="读取填好的回访清单，生成不含个人信息的“回访”表",
                                  description="读取 12333 填好的回访清单，生成可粘贴到工作簿“回访”表的行"
                                              "（不含姓名、证件号码和电话）")
    results.add_argument("workbook", metavar="工作簿",
                         help="分配工作簿（.xlsx/.xlsm/.xls/.ods）或存放各表 CSV 的文件夹")
    results.add_argument("lists", nargs="+", metavar="回访清单", help="填好的回访清单（.xlsx，可给多份）")
    results.add_argument("--year", type=int, metavar="年度", help="考核年度（默认：“参数”表中最新的年度）")
    results.add_argument("-o", "--output", metavar="输出.xlsx",
                         help="输出工作簿（默认：<工作簿名>-回访结果-<年度>.xlsx；给了 --into 时只在指定时写出）")
    results.add_argument("--into", metavar="新工作簿",
                         help="写出导入回访结果后的分配工作簿：原工作簿的副本，只有“回访”表按抽取批次替换"
                              "（.xlsx/.xlsm，与原工作簿相同；原工作簿不改动）")
    results.add_argument("--json", metavar="JSON文件", help="把机器可读的结果写到此 JSON 文件")
    results.set_defaults(func=cmd_callback_results)
