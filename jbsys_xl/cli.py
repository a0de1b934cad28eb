"""The headless command line: ``jbsys-xl allocate|check|explain|report WORKBOOK [--year Y]``.

Exit codes: 0 success (warnings allowed), 2 input errors (data or arguments), 1 a failure
outside the input (an output that cannot be written, an unexpected error).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__, contract
from .console import (CANCELLED, EXIT_CANCELLED, EXIT_FAILURE, EXIT_INVALID, EXIT_OK, XLSX, fail, first_problem,
                      output_problem, print_checks, refuse, unexpected, write_output)
from .io.atomic import OutputError, write_atomic
from .jinbao.cli import add_commands as jinbao_commands
from .web.command import add_command as serve_command
from .model import Check, month_text
from .pipeline import Outcome, run
from .report.json_result import score_number, to_json


def default_output(source: Path, year: int) -> Path:
    stem = source.name if source.is_dir() else source.stem
    return source.parent / f"{stem}-分配结果-{year}{XLSX}"


def yuan(amount) -> str:
    """Money for people: thousands separators, two decimals."""
    return f"{amount:,.2f}"


def print_summary(outcome: Outcome, out=None) -> None:
    """A compact table for people: the full one is in the result workbook."""
    out = out or sys.stdout
    from .report import tables as t

    allocation = outcome.allocation
    s = allocation.settings
    print(f"{s.year} 年度分配【{t.status_text(s)}】（考核期 {month_text(s.period_start)} 至 "
          f"{month_text(s.period_end)}，{s.method}，否决处理{s.veto_mode}，"
          f"扣减资金{contract.FORFEIT_LABELS[s.forfeit_mode]}）", file=out)
    labels = dict(contract.CENTER_RESULT_COLUMNS)
    rows = [(c.code, c.name, c.grade, "否决" if c.vetoed else "", score_number(c.score),
             c.basic_award, c.net_workload + c.redistributed, c.winner_award, c.total)
            for c in allocation.centers]
    kinds = (t.TEXT, t.TEXT, t.TEXT, t.TEXT, t.SCORE, t.MONEY, t.MONEY, t.MONEY, t.MONEY)
    rows.append(t.summary_row({1: t.TOTAL}, rows, kinds))
    summary = t.Table("分配汇总", (labels["code"], labels["name"], labels["grade"], labels["vetoed"],
                                labels["score"], labels["basic_award"], "工作量补助",
                                labels["winner_award"], labels["total"]),
                      kinds, rows, totals=frozenset({len(rows) - 1}))
    print(t.table_text(summary), file=out)
    p = allocation.pools
    print(f"中心合计 {yuan(p.paid_total - p.hardware_total)} 元，硬件补助 {yuan(p.hardware_total)} 元，"
          f"实际分配 {yuan(p.paid_total)} 元，结余 {yuan(p.balance)} 元（资金总额 {yuan(p.total_fund)} 元）",
          file=out)


ALL_WARNINGS = f"全部警告见 jbsys-xl allocate 写出的结果工作簿“{contract.CHECKS_SHEET}”表。"


def print_warnings(outcome: Outcome, found: Sequence[Check] = (), where_all: str = ALL_WARNINGS) -> None:
    """The run's warnings on the terminal, summarised as ``allocate`` prints them, with those the
    documents found on the way: whoever makes a document signs it knowing them (documents.md §0)."""
    print_checks([*outcome.checks, *found], where_all)


def refuse_invalid(outcome: Outcome, what: str) -> int:
    return refuse(outcome.checks, f"无法{what}", "请用 jbsys-xl check 查看全部。")


# --- commands -------------------------------------------------------------------------------------

def cmd_allocate(args) -> int:
    source = Path(args.workbook)
    if problem := first_problem(((args.output, "结果工作簿", XLSX), (args.json, "JSON 文件", None)),
                                [source]):
        return fail(problem)
    outcome = run(source, args.year)
    # The outcome holds every input row (a million lists at province scale); freezing them out
    # of the cyclic collector's reach keeps the report writing from re-walking them each time.
    gc.freeze()
    if not outcome.ok:
        write_json(args.json, outcome)
        return refuse_invalid(outcome, "生成分配结果")
    from .report.result_workbook import result_workbook_bytes

    output = Path(args.output) if args.output else default_output(source, outcome.year)
    if problem := output_problem(output, [source], "结果工作簿"):
        return fail(problem)
    if problem := write_output(output, result_workbook_bytes(outcome)):
        failed = Outcome(outcome.year, outcome.checks + [Check("error", "", "", problem)], None,
                         outcome.book)
        write_json(args.json, failed)
        return EXIT_FAILURE
    if not write_json(args.json, outcome):
        return EXIT_FAILURE
    print_warnings(outcome, where_all=f"全部警告见结果工作簿的“{contract.CHECKS_SHEET}”表。")
    print_summary(outcome)
    print(f"分配结果已写入：{output}")
    return EXIT_OK


def write_json(path: str | None, outcome: Outcome) -> bool:
    """The --json file, if asked for; False (with the reason on stderr) when it cannot be written."""
    return not path or write_output(path, to_json(outcome).encode("utf-8")) is None


def cmd_check(args) -> int:
    outcome = run(args.workbook, args.year)
    print_checks(outcome.checks, "“生成分配”或 jbsys-xl allocate 写出的结果工作簿“校验”表列出全部。")
    if outcome.ok:
        print(f"{outcome.year} 年度校验通过：{outcome.warning_count:,} 个警告。")
        return EXIT_OK
    print(f"发现 {outcome.error_count:,} 个错误。", file=sys.stderr)
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


LIBREOFFICE_MISSING = ("未找到 LibreOffice，无法生成 PDF。请安装 libreoffice-calc-nogui"
                       "（sudo apt-get install libreoffice-calc-nogui）后重试。")


def _document(args, outputs, what: str, make) -> int:
    """What every document command does: refuse an output over an input, validate like
    allocate (exit 2 with the cell errors, nothing written), then ``make(outcome)``, which
    writes and returns the exit code; LibreOffice failures exit 1 with the reason."""
    from .office.libreoffice import LibreOfficeError, LibreOfficeMissing
    from .report.explain import UnknownCenter
    from .report.notices import NoticeLayoutError

    source = Path(args.workbook)
    since = [Path(args.since)] if getattr(args, "since", None) else []
    if problem := first_problem(outputs, [source, *since]):
        return fail(problem)
    outcome = run(source, args.year)
    if not outcome.ok:
        return refuse_invalid(outcome, what)
    try:
        return make(outcome)
    except UnknownCenter as exc:
        return fail(str(exc))
    except LibreOfficeMissing:
        return fail(LIBREOFFICE_MISSING, EXIT_FAILURE)
    except (LibreOfficeError, NoticeLayoutError) as exc:
        return fail(f"LibreOffice 未能{what}：{exc}", EXIT_FAILURE)
    except OutputError as exc:
        return fail(str(exc), EXIT_FAILURE)


class _Refused(Exception):
    """A --since OLD that cannot be compared: the exit code, its reason already printed."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _since(args, outcome):
    """What changed since ``--since OLD`` (the 公示 run), for the 附件; None without it. Raises
    _Refused (exit 2, the reason printed) when OLD cannot be compared."""
    if not getattr(args, "since", None):
        return None
    from .report.diff import DiffError, InvalidSide
    from .report.diff import since

    try:
        return since(args.since, outcome)
    except InvalidSide as exc:
        raise _Refused(refuse(exc.checks, f"--since 的{exc}", "请用 jbsys-xl check 查看全部。")) from None
    except DiffError as exc:
        raise _Refused(fail(f"--since：{exc}")) from None


def cmd_report(args) -> int:
    """附件 (--pdf, with --since what changed since the 公示) and 条线确认表 (--confirmations)."""
    if not args.pdf and not args.confirmations:
        return fail("请给出 --pdf 附件.pdf 或 --confirmations 条线确认表.pdf（或两者）")

    def make(outcome) -> int:
        from .report.documents import ATTACHMENT, CONFIRMATIONS, pdfs

        try:
            since = _since(args, outcome) if args.pdf else None
        except _Refused as refused:
            return refused.code
        targets = {name: target for name, target in ((ATTACHMENT, args.pdf), (CONFIRMATIONS, args.confirmations))
                   if target}
        files, checks = pdfs(outcome, targets, since)
        print_warnings(outcome, checks)
        for name, target in targets.items():
            write_atomic(target, files[name])
            print(f"{name}已写入：{target}")
        return EXIT_OK

    return _document(args, ((args.pdf, "PDF 文件", ".pdf"), (args.confirmations, "PDF 文件", ".pdf")),
                     "生成 PDF", make)


def cmd_notices(args) -> int:
    """告知书: a page per center (or per 所属区 with --districts), into one PDF or a folder."""
    def make(outcome) -> int:
        from .report.notices import write_notices

        files, checks = write_notices(outcome, args.output, args.center, full=args.full,
                                      districts=args.districts)
        print_warnings(outcome, checks)
        if not files:
            print(f"{outcome.year} 年度没有硬件建设补助记录，未生成告知书。")
            return EXIT_OK
        folder = "" if args.output.lower().endswith(".pdf") else f"（{len(files)} 个文件）"
        print(f"告知书已写入：{args.output}{folder}")
        return EXIT_OK

    return _document(args, (), "生成告知书", make)


def _one_document(args, name: str, what: str) -> int:
    """公示 or 拨付明细 to ``-o``, PDF or xlsx as its suffix says; a document that needs the
    审定文号 asked of a draft is refused at that cell (exit 2)."""
    def make(outcome) -> int:
        from .report.documents import NotFinal, document_bytes

        try:
            data, checks = document_bytes(outcome, name, _suffix(args.output))
        except NotFinal as refused:
            return refuse(outcome.checks + refused.checks, f"无法生成{name}", "")
        write_atomic(args.output, data)
        print_warnings(outcome, checks)
        print(f"{name}已写入：{args.output}")
        return EXIT_OK

    return _document(args, ((args.output, f"{name}文件", _suffix(args.output)),), what, make)


def cmd_publicity(args) -> int:
    """公示 (before 审定, once nothing that moves money is open)."""
    return _one_document(args, "公示", "生成公示")


def cmd_payments(args) -> int:
    """拨付明细 for 财政: refused in a draft (the error names 参数 审定文号)."""
    return _one_document(args, "拨付明细", "生成拨付明细")


def cmd_documents(args) -> int:
    """The whole set into a folder."""
    folder = Path(args.output)
    if folder.suffix.lower() in (".pdf", XLSX):
        return fail(f"文书文件夹“{folder}”看起来是文件名，请给出文件夹")

    def make(outcome) -> int:
        from .console import is_input
        from .report.documents import document_set, write_set

        try:
            since = _since(args, outcome)
        except _Refused as refused:
            return refused.code
        files, checks, notes = document_set(outcome, since)
        if any(is_input(folder / name, Path(args.workbook)) for name in files):
            return fail("文书会覆盖输入文件，请换一个文件夹")
        written = write_set(files, folder)
        print_warnings(outcome, checks)
        for note in notes:
            print(note)
        print(f"文书已写入：{folder}（{len(written)} 个文件：{'、'.join(p.name for p in written)}）")
        return EXIT_OK

    return _document(args, (), "生成文书", make)


def _suffix(path: str | None) -> str | None:
    """.pdf or .xlsx, whichever the output names (the check then demands one of them)."""
    return ".pdf" if path and path.lower().endswith(".pdf") else XLSX


def cmd_diff(args) -> int:
    """What changed between two runs of one year (documents.md §7)."""
    from .report.diff import DiffError, InvalidSide, compare, load, render_text, to_json

    if problem := first_problem(((args.json, "JSON 文件", None),), [Path(args.old), Path(args.new)]):
        return fail(problem)
    try:
        old = load(args.old, args.year, "原结果")
        # a JSON result names its year: a workbook on the other side is run for that year
        year = args.year if args.year is not None or old.dataset else old.result["year"]
        new = load(args.new, year, "新结果")
        diff = compare(old, new)
    except InvalidSide as exc:
        return refuse(exc.checks, str(exc), "请用 jbsys-xl check 查看全部。")
    except DiffError as exc:
        return fail(str(exc))
    if args.json and write_output(args.json, to_json(diff).encode("utf-8")) is not None:
        return EXIT_FAILURE
    print(render_text(diff), end="")
    return EXIT_OK


def cmd_excel_setup(args) -> int:
    from .excel.setup import excel_setup

    return excel_setup(dry_run=args.dry_run, remove=args.remove)


def cmd_build_template(args) -> int:
    from .template.build import build_template

    for path in build_template(args.out_dir, args.year):
        print(f"已生成：{path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jbsys-xl", description="人社基层平台建设考核与以奖代补资金分配（JBSys-XL）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="显示版本号并退出")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令",
                                     help="用 jbsys-xl <命令> -h 查看各命令的用法")

    def with_source(name: str, help_: str):
        command = commands.add_parser(name, help=help_, description=help_)
        command.add_argument("workbook", metavar="工作簿",
                             help="输入工作簿（.xlsx/.xlsm/.xls/.ods）或存放各表 CSV 的文件夹")
        command.add_argument("--year", type=int, metavar="年度",
                             help="考核年度，如 2024（默认：“参数”表中最新的年度）")
        return command

    allocate = with_source("allocate", "校验并生成分配结果")
    allocate.add_argument("--json", metavar="JSON文件", help="把机器可读的结果写到此 JSON 文件")
    allocate.add_argument("-o", "--output", metavar="结果.xlsx",
                          help="结果工作簿路径（默认：<输入名>-分配结果-<年度>.xlsx，与输入放在一起）")
    allocate.set_defaults(func=cmd_allocate)
    with_source("check", "只校验数据").set_defaults(func=cmd_check)
    explain_ = with_source("explain", "说明一个中心的补助资金是怎样算出来的")
    explain_.add_argument("--center", required=True, metavar="中心", help="中心编码或中心名称")
    explain_.set_defaults(func=cmd_explain)
    report = with_source("report", "生成附件（分配表）或条线确认表 PDF（需要 LibreOffice）")
    report.add_argument("--pdf", metavar="附件.pdf", help="附件：分配表、硬件建设补助和资金平衡")
    report.add_argument("--confirmations", metavar="条线确认表.pdf",
                        help="条线确认表：每个考核部门一节，供各条线签字确认")
    report.add_argument("--since", metavar="公示时的结果",
                        help="附件加“与公示稿相比的变化”：公示时的分配工作簿、分配结果工作簿或 allocate --json 的 JSON")
    report.set_defaults(func=cmd_report)
    notices = with_source("notices", "生成各中心的告知书（公文格式 PDF，每个中心单独编页，需要 LibreOffice）")
    notices.add_argument("--center", nargs="+", action="extend",
                         help="只生成这些中心的告知书（中心编码或中心名称，可写多个）；默认全部中心")
    notices.add_argument("-o", "--output", required=True,
                         help="以 .pdf 结尾：所有中心合成一个 PDF；否则为文件夹，每个中心一个 PDF")
    notices.add_argument("--full", action="store_true", help="每个中心另附全部指标的得分构成")
    notices.add_argument("--districts", action="store_true",
                         help="改为生成硬件建设补助告知书：每个有硬件记录的所属区一份")
    notices.set_defaults(func=cmd_notices)
    publicity = with_source("publicity", "生成公示（PDF 或 xlsx；在审定前、影响资金的事项都已处理后生成）")
    publicity.add_argument("-o", "--output", required=True, metavar="公示.pdf|公示.xlsx")
    publicity.set_defaults(func=cmd_publicity)
    payments = with_source("payments", "生成拨付明细（PDF 或 xlsx；须已填写审定文号）")
    payments.add_argument("-o", "--output", required=True, metavar="拨付明细.pdf|拨付明细.xlsx")
    payments.set_defaults(func=cmd_payments)
    documents = with_source("documents", "把全部文书写入一个文件夹（需要 LibreOffice）")
    documents.add_argument("-o", "--output", required=True, metavar="文件夹")
    documents.add_argument("--since", metavar="公示时的结果",
                           help="附件加“与公示稿相比的变化”（同 report --since）")
    documents.set_defaults(func=cmd_documents)
    diff = commands.add_parser("diff", help="比较同一年度的两次结果（如草案和审定稿）：哪些中心的资金变了、为什么",
                               description="比较同一年度的两次结果（如草案和审定稿）")
    diff.add_argument("old", metavar="原结果", help="原来的分配工作簿（或 CSV 文件夹）、allocate 写出的分配结果工作簿，"
                                                   "或 allocate --json 写出的 JSON")
    diff.add_argument("new", metavar="新结果", help="新的分配工作簿、分配结果工作簿或 JSON")
    diff.add_argument("--year", type=int, metavar="年度", help="考核年度（默认：工作簿“参数”表中最新的年度）")
    diff.add_argument("--json", metavar="JSON文件", help="把比较结果写到此 JSON 文件")
    diff.set_defaults(func=cmd_diff)
    setup = commands.add_parser("excel-setup", help="在 Windows 上把 xlwings 加载项放进 Excel 的启动文件夹，使模板可用（install.bat 运行它）")
    setup.add_argument("--dry-run", action="store_true", help="只显示将要执行的操作")
    setup.add_argument("--remove", action="store_true",
                       help="删除本程序放入的 xlwings 加载项并放回原有的（uninstall.bat 运行它）")
    setup.set_defaults(func=cmd_excel_setup)
    template = commands.add_parser(
        "build-template", help="由 workbook/ 中的源文件生成 template.xlsm 和 demo.xlsm（开发用）")
    template.add_argument("--out-dir", type=Path, metavar="文件夹", help="输出文件夹（默认：源码中的 workbook/）")
    template.add_argument("--year", type=int, metavar="年度", help="模板年度（默认 2024）")
    template.set_defaults(func=cmd_build_template)
    jinbao_commands(commands)
    serve_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every command, the 金保 ones included. Ctrl+C ends it with 已取消 and exit 130: outputs
    are written atomically, so nothing is left half-written."""
    try:
        with chinese_argparse():
            args = build_parser().parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\n{CANCELLED}", file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:  # the last line of defence: a message, not a traceback
        print(f"意外错误：{unexpected(exc)}", file=sys.stderr)
        if "JBSYS_DEBUG" in os.environ:
            raise
        return EXIT_FAILURE


# --- argparse in Chinese ----------------------------------------------------------------------

ARGPARSE_TEXTS = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值（应为整数）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "需要参数 %s 之一",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


@contextmanager
def chinese_argparse():
    """argparse looks its texts up through gettext at call time; answer in Chinese for the
    duration of parsing (help and error messages), then put the lookup back."""
    original = argparse._
    argparse._ = lambda text: ARGPARSE_TEXTS.get(text, text)
    try:
        yield
    finally:
        argparse._ = original


if __name__ == "__main__":
    sys.exit(main())
