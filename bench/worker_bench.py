"""What reading an upload in the page's child process costs (documents.md §8, v4).

The page reads every upload in a fresh child process with a memory cap (jbsys_xl/web/worker.py),
so that a hostile file cannot take the server down. Against the same workbook, interleaved:

- ``inline`` — ``read_workbook`` (the page's reading task: pipeline.run) in this process, as
               the page did before;
- ``worker`` — the same task through ``Workers.call``: a child forked from the fork server
               (started before the clock), the memory cap, the result pickled back.

Prints the median wall time of each, the worker's extra time, the result's pickled size, and
the time of the very first call (the fork server importing the readers, on a fresh server).

    python bench/worker_bench.py [WORKBOOK] [--repeats 7]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from jbsys_xl.web.allocation import read_workbook  # noqa: E402
from jbsys_xl.web.state import DEFAULT_MAX_MEMORY  # noqa: E402
from jbsys_xl.web.worker import Workers  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", default=str(ROOT / "workbook" / "demo.xlsm"))
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    book = Path(args.workbook)
    with tempfile.TemporaryDirectory() as scratch:
        workers = Workers(DEFAULT_MAX_MEMORY, Path(scratch))
        started = time.perf_counter()
        workers.start()
        workers.call(read_workbook, book, None, what=book.name, progress=lambda text: None)
        first = time.perf_counter() - started
        times: dict[str, list[float]] = {"inline": [], "worker": []}
        size = 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            read_workbook(book, None, lambda text: None)
            times["inline"].append(time.perf_counter() - started)
            started = time.perf_counter()
            _, size = workers.call(read_workbook, book, None, what=book.name, progress=lambda text: None)
            times["worker"].append(time.perf_counter() - started)
    inline, worker = (statistics.median(times[kind]) for kind in ("inline", "worker"))
    print(f"{book.name}: {args.repeats} runs each, median wall time")
    print(f"  inline (this process)   {inline:7.3f} s")
    print(f"  worker (child process)  {worker:7.3f} s   extra {worker - inline:+.3f} s "
          f"({(worker / inline - 1) * 100:+.0f} %), result {size / 1024 / 1024:.1f} MB pickled")
    print(f"  first call on a fresh server (fork server starting): {first:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
