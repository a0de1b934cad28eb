"""``make bench``: jbsys-xl allocate against what else one could run on the same workbook.

For each size (see generate.py) and on the same file, in one run:

- ``allocate``   — ``jbsys-xl allocate BOOK --year 2024 --json J -o OUT.xlsx``, end to end
                   (interpreter start, read, validate, allocate, JSON, result workbook);
- ``engine``     — the same without the result workbook: read, validate, allocate, JSON (splits
                   allocate's time between the engine and the result workbook writer);
- ``fastexcel``  — fastexcel reading the same sheets into Arrow arrays (calamine's parser without
                   a Python object per cell): the fastest bare read, ``fastread`` below;
- ``writefloor`` — XlsxWriter in ``constant_memory`` mode writing the same cells as allocate's
                   result workbook, without formatting: the least the writing can cost (the
                   writing alone: no interpreter start, and the cells are loaded before);
- ``floor``      — fastexcel read + write floor: what allocate is held to;
- ``calamine``   — python-calamine reading the same sheets into Python values and nothing else;
- ``openpyxl``   — ``pandas.read_excel(engine="openpyxl")`` of the same sheets (a typical tool);
- ``notices``    — ``jbsys-xl notices BOOK --year 2024 -o X.pdf``: every center's 告知书 in one
                   PDF (one LibreOffice conversion), and ``-o FOLDER``: a PDF per center (in
                   LibreOffice sessions of 200 files); once each, after the rounds above, with
                   the page and file counts checked against the centers;
- ``documents``  — ``jbsys-xl documents BOOK --year 2024 -o FOLDER``: the whole document set
                   (附件, 告知书, 硬件建设补助告知书, 条线确认表, 公示; 拨付明细 once 审定) in one
                   LibreOffice session, a conversion per document kind, never per center;
                   demo and medium only (the issue's target: the demo's set in ≤ 20 s), up to
                   three runs, the 告知书 pages checked against the centers;
- ``libreoffice``— headless LibreOffice loading the same year written as native SUMIFS /
                   SUMPRODUCT formulas and recalculating it (``calculateAll()``): what a user
                   would build instead. Its results are checked against allocate's JSON.

Every command runs as its own process; wall time is measured around it and peak RSS comes from
``os.wait4`` (LibreOffice: VmHWM of its soffice.bin). The rounds are interleaved (allocate,
calamine, openpyxl, allocate, …) so that load from other work on the machine falls on all of
them alike, and medians are reported. A tool whose single run takes longer than --cap seconds
is not repeated (the table says so); LibreOffice gets --lo-timeout seconds per run.

The last line is ``allocate/fastread=X.XX engine/fastread=X.XX allocate/floor=X.XX
allocate/libreoffice=X.XX peak_mb=N`` for the largest size run (ratios of median wall times, all
from this run; peak_mb is allocate's).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import generate
from generate import ROOT, SIZES, Size

sys.path.insert(0, str(ROOT))
from jbsys_xl.office import libreoffice  # noqa: E402

PYTHON = Path(sys.executable)
CLI = PYTHON.parent / "jbsys-xl"
HERE = Path(__file__).resolve().parent
OUT = generate.CACHE / "out"
ROWS: dict[str, int] = {}  # size → 业务量 data rows
PROCESSES = ("allocate", "engine", "fastexcel", "writefloor", "calamine", "openpyxl")
NOTICES = ("notices", "notices_dir")
DOCUMENTS = "documents"
DOCUMENT_SIZES = ("demo", "medium")  # the whole set at 1,450 centers is the 告知书's 2 minutes again
TOOLS = PROCESSES[:4] + ("floor",) + PROCESSES[4:] + NOTICES + (DOCUMENTS, "libreoffice")
LABELS = {"allocate": "jbsys-xl allocate", "engine": "  of which engine+JSON",
          "fastexcel": "fastexcel read (fastread)", "writefloor": "write floor (XlsxWriter)",
          "floor": "floor = fastread + write",
          "calamine": "calamine read", "openpyxl": "pandas+openpyxl read",
          "notices": "notices → one PDF", "notices_dir": "notices → PDF per center",
          "documents": "documents → whole set",
          "libreoffice": "LibreOffice SUMIFS model"}
NOT_COMPARED = ("allocate", "engine", "writefloor", DOCUMENTS) + NOTICES  # no "allocate ÷ tool" ratio


@dataclass
class Run:
    wall: float
    peak_kb: int | None
    detail: dict = field(default_factory=dict)
    finished: bool = True


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    finished: bool = True
    timeout: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak_mb(self) -> int | None:
        peaks = [r.peak_kb for r in self.runs if r.peak_kb]
        return round(max(peaks) / 1024) if peaks else None


class Failed(Exception):
    pass


def measure(command: list[str], timeout: float) -> Run | None:
    """Run ``command``; wall time and peak RSS (KiB) of it and its waited-for children.
    None if it ran longer than ``timeout`` (it is killed)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    killed = threading.Event()

    def kill():
        killed.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    out, err = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()))
               for s, b in ((process.stdout, out), (process.stderr, err))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    timer.cancel()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if killed.is_set():
        return None
    if process.returncode != 0:
        raise Failed(f"{' '.join(map(str, command))} exited {process.returncode}\n"
                     f"{b''.join(err).decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_maxrss, {"stdout": b"".join(out).decode(errors="replace")})


def run_libreoffice(formulas: Path, layout: dict, timeout: float) -> Run | None:
    start = time.perf_counter()
    try:
        report = libreoffice.run_uno_script(
            HERE / "lo_recalc.py", str(formulas), layout["sheet"], str(layout["score_col"]),
            str(layout["gross_col"]), str(layout["first"]), str(layout["last"]), timeout=timeout)
    except libreoffice.LibreOfficeError as exc:
        if "timed out" in str(exc):
            loaded = re.search(r"loaded in ([\d.]+) s", str(exc))
            return Run(timeout, None, {"loaded": float(loaded.group(1)) if loaded else None},
                       finished=False)
        raise
    return Run(time.perf_counter() - start, report.pop("peak_kb"), report)


def check_libreoffice(run: Run, layout: dict, result_json: Path) -> str:
    """Does the spreadsheet model agree with allocate? (scores to 1e-6, gross to the cent:
    the model rounds each share, allocate apportions by largest remainder)."""
    centers = {c["code"]: c for c in json.loads(result_json.read_text("utf-8"))["centers"]}
    score_gap = max(abs(centers[code]["score"] - float(value or 0))
                    for code, value in zip(layout["codes"], run.detail["scores"]))
    gross_gap = max(abs(float(centers[code]["gross_workload"]) - float(value or 0))
                    for code, value in zip(layout["codes"], run.detail["gross"]))
    agree = score_gap < 1e-6 + 1e-9 and gross_gap <= 0.01 + 1e-9
    return (f"{'agrees' if agree else 'DISAGREES'} with allocate: scores within {score_gap:.1e}, "
            f"gross within {gross_gap:.2f} yuan")


def bench_size(size: Size, args) -> dict[str, Result]:
    started = time.perf_counter()
    book, formulas = generate.workbooks(size)
    made = time.perf_counter() - started
    if made > 1:
        print(f"  (generated {book.name} and {formulas.name} in {made:.0f} s)", flush=True)
    for lock in generate.CACHE.glob(".~lock.*#"):  # left by an interrupted LibreOffice run
        lock.unlink(missing_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    result_json, result_book = OUT / f"{size.name}.json", OUT / f"{size.name}-result.xlsx"
    commands = {
        "allocate": [str(CLI), "allocate", str(book), "--year", str(generate.YEAR),
                     "--json", str(result_json), "-o", str(result_book)],
        "engine": [str(PYTHON), str(HERE / "baselines.py"), "engine", str(book),
                   str(OUT / f"{size.name}-engine.json")],
        "fastexcel": [str(PYTHON), str(HERE / "baselines.py"), "fastexcel", str(book)],
        "writefloor": [str(PYTHON), str(HERE / "baselines.py"), "writefloor", str(result_book)],
        "calamine": [str(PYTHON), str(HERE / "baselines.py"), "calamine", str(book)],
        "openpyxl": [str(PYTHON), str(HERE / "baselines.py"), "openpyxl", str(book)],
    }
    repeats = args.repeats or (3 if size.name == "large" else 5)
    results = {tool: Result() for tool in TOOLS}
    tools = [t for t in PROCESSES if t not in args.skip]
    if "allocate" in args.skip:  # the write floor writes what allocate wrote
        tools = [t for t in tools if t != "writefloor"]
    for round_ in range(repeats):
        for tool in tools:
            result = results[tool]
            if not result.finished or (result.runs and result.runs[0].wall > args.cap):
                continue
            run = measure(commands[tool], args.timeout)
            if run is None:
                result.finished, result.timeout = False, args.timeout
                continue
            if tool == "writefloor":  # the writing alone, as the script timed it
                run.detail.update(json.loads(run.detail["stdout"]))
                run.wall = run.detail["seconds"]
            result.runs.append(run)
            print(f"  {size.name:<7}{tool:<12}run {round_ + 1}: {run.wall:8.2f} s "
                  f"{(run.peak_kb or 0) / 1024:8.0f} MB", flush=True)
    for tool in tools:
        result = results[tool]
        if result.finished and len(result.runs) < repeats:
            result.note = f"{len(result.runs)} run: one took over {args.cap:.0f} s"
    results["floor"] = floor(results["fastexcel"], results["writefloor"])
    for tool in NOTICES:
        if tool not in args.skip and "allocate" not in args.skip:
            results[tool] = notices(tool, size, book, json.loads(result_json.read_text("utf-8")),
                                    args.lo_timeout)
    if DOCUMENTS not in args.skip and "allocate" not in args.skip and size.name in DOCUMENT_SIZES:
        results[DOCUMENTS] = documents(size, book, json.loads(result_json.read_text("utf-8")), args)

    if "libreoffice" not in args.skip:
        layout = generate.model_layout(generate.data_for(size))
        result = results["libreoffice"]
        for round_ in range(repeats):
            try:
                run = run_libreoffice(formulas, layout, args.lo_timeout)
            except libreoffice.LibreOfficeMissing:
                result.note = "not run: LibreOffice (soffice and python3-uno) is not installed"
                break
            if not run.finished:
                result.finished, result.timeout = False, args.lo_timeout
                loaded = run.detail["loaded"]
                result.note = (f"did not finish in {args.lo_timeout:.0f} s ("
                               + (f"loaded in {loaded:.0f} s, then calculateAll() ran out of time)"
                                  if loaded is not None else "still loading)"))
                print(f"  {size.name:<7}{'libreoffice':<12}{result.note}", flush=True)
                break
            result.runs.append(run)
            print(f"  {size.name:<7}{'libreoffice':<12}run {round_ + 1}: {run.wall:8.2f} s "
                  f"(load {run.detail['load_s']:.1f} s, calculateAll {run.detail['calc_s']:.1f} s) "
                  f"{(run.peak_kb or 0) / 1024:8.0f} MB", flush=True)
            if run.wall > args.cap:
                break
        if result.runs:
            calc = statistics.median(r.detail["calc_s"] for r in result.runs)
            load = statistics.median(r.detail["load_s"] for r in result.runs)
            capped = f"; {len(result.runs)} run: one took over {args.cap:.0f} s" \
                if len(result.runs) < repeats else ""
            result.note = (f"load {load:.1f} s + calculateAll {calc:.1f} s; "
                           f"{check_libreoffice(result.runs[0], layout, result_json)}{capped}")
    return results


def page_count(pdf: bytes) -> int:
    """Pages of a PDF that LibreOffice or pypdf wrote (page objects outside compressed streams).
    Not jbsys_xl's own: importing it would grow this process, and a child's peak RSS starts
    from the size of the process that forked it."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def notices(tool: str, size: Size, book: Path, result: dict, timeout: float) -> Result:
    """One run of ``jbsys-xl notices``, its output checked: a letter (one page or more) in one
    PDF, or a file, per center."""
    centers = len(result["centers"])
    target = OUT / (f"{size.name}-告知书.pdf" if tool == "notices" else f"{size.name}-告知书")
    if target.is_dir():
        for old in target.iterdir():
            old.unlink()
    run = measure([str(CLI), "notices", str(book), "--year", str(generate.YEAR), "-o", str(target)],
                  timeout)
    if run is None:
        print(f"  {size.name:<7}{tool:<12}did not finish in {timeout:.0f} s", flush=True)
        return Result(finished=False, timeout=timeout)
    if tool == "notices":
        pages, mb = page_count(target.read_bytes()), target.stat().st_size / 1e6
        made, what = min(pages, centers), f"{pages:,} pages, {mb:.1f} MB"
    else:
        files = list(target.iterdir())
        pages = sum(page_count(f.read_bytes()) for f in files)
        made = sum(page_count(f.read_bytes()) >= 1 for f in files)
        what = f"{made:,} files, {pages:,} pages, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB"
    if made != centers or pages < centers:
        raise Failed(f"{tool}: {what}, but {centers} centers")
    print(f"  {size.name:<7}{tool:<12}run 1: {run.wall:8.2f} s ({what})", flush=True)
    return Result([run], note=f"1 run: {what}, {run.wall / centers * 1e3:.0f} ms per center")


def documents(size: Size, book: Path, result: dict, args) -> Result:
    """Runs of ``jbsys-xl documents`` (up to three, fewer once a run takes over --cap), each
    output checked: every file of the set, the 告知书 a letter (a page or more) per center."""
    centers = len(result["centers"])
    folder = OUT / f"{size.name}-文书"
    found = Result()
    for round_ in range(3):
        if folder.is_dir():
            for old in folder.iterdir():
                old.unlink()
        run = measure([str(CLI), "documents", str(book), "--year", str(generate.YEAR), "-o", str(folder)],
                      args.lo_timeout)
        if run is None:
            print(f"  {size.name:<7}{DOCUMENTS:<12}did not finish in {args.lo_timeout:.0f} s", flush=True)
            return Result(found.runs, finished=False, timeout=args.lo_timeout)
        files = sorted(path.name for path in folder.iterdir())
        pages = page_count((folder / f"告知书-{generate.YEAR}.pdf").read_bytes())
        if pages < centers or f"附件-{generate.YEAR}.pdf" not in files:
            raise Failed(f"documents: {files}, 告知书 {pages} pages, but {centers} centers")
        kinds = sum(name.endswith(".pdf") for name in files)
        megabytes = sum((folder / name).stat().st_size for name in files) / 1e6
        found.runs.append(run)
        found.note = (f"{len(found.runs)} run{'s' if len(found.runs) > 1 else ''}: {len(files)} files ({kinds} PDFs, one LibreOffice "
                      f"session), 告知书 {pages:,} pages, {megabytes:.1f} MB")
        print(f"  {size.name:<7}{DOCUMENTS:<12}run {round_ + 1}: {run.wall:8.2f} s "
              f"({len(files)} files, {megabytes:.1f} MB)", flush=True)
        if run.wall > args.cap:
            break
    return found


def floor(read: Result, write: Result) -> Result:
    """fastexcel read + write floor, run by run (round k's read with round k's write)."""
    result = Result()
    for r, w in zip(read.runs, write.runs):
        result.runs.append(Run(r.wall + w.wall, max(r.peak_kb or 0, w.peak_kb or 0) or None))
    if write.runs:
        result.note = (f"write floor: {write.runs[0].detail['cells']:,} cells, "
                       f"{statistics.median(w.wall for w in write.runs):.2f} s")
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        ram = f"{memory / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "unknown RAM"
    try:
        office = subprocess.run([libreoffice.find_soffice(), "--version"], capture_output=True,
                                text=True, timeout=60).stdout.split()[:2]
    except Exception:  # noqa: BLE001 — only a label
        office = ["LibreOffice", "missing"]
    versions = ", ".join(f"{name} {metadata.version(name)}"
                         for name in ("python-calamine", "fastexcel", "openpyxl", "pandas",
                                      "XlsxWriter"))
    return (f"{cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, {versions}, {' '.join(office)}")


def pad(text: str, width: int) -> str:
    """Left-justify to a display width (a CJK character takes two columns)."""
    return text + " " * max(0, width - sum(2 if ord(ch) > 0x2E7F else 1 for ch in text))


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table(all_results: dict[str, dict[str, Result]]) -> list[str]:
    lines = [f"{pad('size (业务量 rows)', 20)}{'tool':<27}{'runs':>5}{'median s':>10}{'min s':>9}{'peak MB':>9}"
             f"{'allocate ÷ tool':>17}  note"]
    for name, results in all_results.items():
        label = f"{name} ({ROWS[name]:,})"
        allocate = results["allocate"]
        for tool in TOOLS:
            result = results[tool]
            if not result.runs and result.finished and not result.note:
                continue
            if not result.runs and result.finished:
                row = f"{0:>5}{'—':>10}{'—':>9}{'—':>9}{'—':>17}"
            elif result.runs:
                median, least = result.median, min(r.wall for r in result.runs)
                ratio = allocate.median / median if allocate.runs and tool not in NOT_COMPARED else None
                if tool == "engine" and results["fastexcel"].runs:
                    result.note = f"engine ÷ fastread = {median / results['fastexcel'].median:.2f}"
                row = (f"{len(result.runs):>5}{fmt(median):>10}{fmt(least):>9}"
                       f"{result.peak_mb or '—':>9}{fmt(ratio):>17}")
            else:
                row = f"{0:>5}{'> ' + format(result.timeout, '.0f'):>10}{'—':>9}{'—':>9}" \
                      f"{'< ' + fmt(allocate.median / result.timeout) if allocate.runs else '—':>17}"
            lines.append(f"{label:<20}{LABELS[tool]:<27}{row}  {result.note}")
            label = ""
    return lines


def summary(all_results: dict[str, dict[str, Result]]) -> str:
    name = list(all_results)[-1]
    results = all_results[name]
    parts = []
    for tool, base, label in (("allocate", "fastexcel", "fastread"), ("engine", "fastexcel", "fastread"),
                              ("allocate", "floor", "floor"), ("allocate", "libreoffice", "libreoffice")):
        measured, result = results[tool], results[base]
        if not measured.runs:
            parts.append(f"{tool}/{label}=n/a")
        elif result.runs:
            parts.append(f"{tool}/{label}={measured.median / result.median:.2f}")
        elif not result.finished:  # an upper bound: the tool took longer than the timeout
            parts.append(f"{tool}/{label}={measured.median / result.timeout:.2f}")
        else:
            parts.append(f"{tool}/{label}=n/a")
    return " ".join(parts) + f" peak_mb={results['allocate'].peak_mb}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,medium,large",
                        help="comma-separated, from: " + ", ".join(SIZES))
    parser.add_argument("--repeats", type=int, default=0,
                        help="runs per tool (default: 5, and 3 at the large size)")
    parser.add_argument("--cap", type=float, default=120,
                        help="a tool whose run took longer than this many seconds is not repeated")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds after which allocate/calamine/openpyxl runs are killed")
    parser.add_argument("--lo-timeout", type=float, default=600,
                        help="seconds LibreOffice gets per run (load + recalculation)")
    parser.add_argument("--skip", default="", help="comma-separated tools not to run")
    args = parser.parse_args(argv)
    args.skip = {tool for tool in args.skip.split(",") if tool}
    if not CLI.exists():
        parser.error(f"{CLI} is missing: run `make install` first")
    names = [name for name in args.sizes.split(",") if name]
    print(f"machine: {machine()}", flush=True)
    all_results = {}
    for name in names:
        ROWS[name] = generate.data_for(SIZES[name]).volume_rows
        print(f"{name}: {SIZES[name].label}, {ROWS[name]:,} 业务量 rows", flush=True)
        all_results[name] = bench_size(SIZES[name], args)
    print()
    for line in table(all_results):
        print(line)
    if any(not r["libreoffice"].finished for r in all_results.values()):
        print("LibreOffice: a run that did not finish in time is shown as '> timeout'; its ratio "
              "is then an upper bound (allocate ÷ timeout).")
    print(summary(all_results))
    if "import" not in args.skip:  # the 金保 import at 2,000,000 case rows (bench/import_bench.py)
        import import_bench
        import_bench.main(["--repeats", str(args.repeats or 3)])
    if "into" not in args.skip:  # import --into the large workbook (bench/into_bench.py)
        import into_bench
        into_bench.main(["--repeats", str(args.repeats or 3)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
