"""Uploads are read in a child process (documents.md §8, v4): whatever the child does — run out
of its memory, abort as Rust does on a failed allocation, hang — the caller gets a Chinese
message and goes on; heavy jobs wait their turn in a queue that says their place."""
from __future__ import annotations

import os
import threading
import time

import pytest

from jbsys_xl.web import jobs
from jbsys_xl.web.jobs import Job, Queue, Stopped, Store
from jbsys_xl.web.worker import GB, WorkerFailed, Workers


# Tasks run in the child: module-level, so the child finds them by name.

def echo(value, progress):
    progress("正在读取……")
    return {"value": value, "pid": os.getpid()}


def hog(size, progress):
    return len(bytearray(size))


def abort(progress):
    os.abort()


def sleep(seconds, progress):
    time.sleep(seconds)


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    workers = Workers(1 * GB, tmp_path_factory.mktemp("scratch"), timeout=60)
    workers.start()
    return workers


def call(workers, task, *args):
    said = []
    return workers.call(task, *args, what="“测试.xlsx”", progress=said.append), said


def test_the_result_and_the_progress_come_back_from_another_process(workers):
    (result, size), said = call(workers, echo, "值")
    assert result["value"] == "值" and result["pid"] != os.getpid()
    assert size > 0 and said == ["正在读取……"]


def test_memory_beyond_the_cap_is_a_message_not_a_crash(workers):
    with pytest.raises(WorkerFailed) as failed:
        call(workers, hog, 2 * GB)
    assert str(failed.value).startswith("读取“测试.xlsx”需要的内存超过上限 1 GB，已停止；上传的文件已删除。")
    (result, _), _ = call(workers, hog, 10 * 1024 * 1024)  # the next reading is not disturbed
    assert result == 10 * 1024 * 1024


def test_an_abort_is_a_message_not_a_crash(workers):
    with pytest.raises(WorkerFailed) as failed:
        call(workers, abort)
    assert str(failed.value).startswith("读取“测试.xlsx”时读取进程意外退出（信号 SIGABRT")


def test_a_reading_that_takes_too_long_is_stopped(tmp_path):
    quick = Workers(1 * GB, tmp_path, timeout=1)
    started = time.monotonic()
    with pytest.raises(WorkerFailed) as failed:
        call(quick, sleep, 60)
    assert time.monotonic() - started < 10
    assert str(failed.value).startswith("读取“测试.xlsx”超过 1 秒仍未完成，已停止")


def test_closing_ends_a_running_reading_and_refuses_new_ones(tmp_path):
    closing = Workers(1 * GB, tmp_path)
    outcome = {}

    def run():
        try:
            call(closing, sleep, 60)
        except WorkerFailed as exc:
            outcome["message"] = str(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1)
    closing.close()
    thread.join(10)
    assert not thread.is_alive() and outcome["message"] == "程序正在停止，未读取完。"
    with pytest.raises(WorkerFailed, match="程序正在停止"):
        call(closing, echo, 1)


def test_jobs_beyond_the_slots_wait_in_order_and_say_their_place():
    queue = Queue(1)
    release, order = threading.Event(), []
    first, second, third = Job("一"), Job("二"), Job("三")

    def run(job, hold=None):
        with queue.turn(job):
            order.append(job.title)
            if hold:
                hold.wait(10)

    threads = [threading.Thread(target=run, args=(first, release))]
    threads[0].start()
    while not order:
        time.sleep(0.01)
    for job in (second, third):
        threads.append(threading.Thread(target=run, args=(job,)))
        threads[-1].start()
        time.sleep(0.2)  # arrive in this order
    assert second.message == "排队中，前面还有 1 个任务（同时最多处理 1 个）……"
    assert third.message == "排队中，前面还有 2 个任务（同时最多处理 1 个）……"
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["一", "二", "三"]


def test_closing_the_queue_stops_the_jobs_still_waiting():
    queue, release, stopped = Queue(1), threading.Event(), []

    def hold():
        with queue.turn(Job("一")):
            release.wait(10)

    def wait():
        try:
            with queue.turn(Job("二")):
                pass
        except Stopped as exc:
            stopped.append(str(exc))

    holder, waiter = threading.Thread(target=hold), threading.Thread(target=wait)
    holder.start()
    time.sleep(0.2)
    waiter.start()
    time.sleep(0.2)
    queue.close()
    waiter.join(10)
    release.set()
    holder.join(10)
    assert stopped == ["程序正在停止，这项任务没有开始。"]


class Result:
    pass


def test_results_go_least_recently_used_first_but_never_one_a_tab_shows(monkeypatch):
    store = Store(keep=2)
    a, b, c, d = (store.add(Result()) for _ in range(4))
    assert all(store.get(Result, key) for key in (a, b, c, d))  # all just used: all kept
    monkeypatch.setattr(jobs, "IN_USE", 0)  # none on a screen any more
    store.get(Result, a)  # … a was asked for last
    e = store.add(Result())
    assert [key for key in (a, b, c, d, e) if store.get(Result, key)] == [a, e]


def test_results_go_when_they_take_too_much_memory(monkeypatch):
    monkeypatch.setattr(jobs, "IN_USE", 0)
    store = Store(keep=10, memory=100)
    first = store.add(Result(), 60)
    second = store.add(Result(), 60)
    assert store.get(Result, first) is None and store.get(Result, second) is not None
