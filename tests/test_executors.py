"""The executors and the stream that drives them: every job runs once, a failure is its own
job's outcome, no more jobs run at once than the executor has slots, jobs are drawn only
when a slot is free, and a source with nothing yet (IDLE) is asked again."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.checker.code_version import WorkerMismatch, check_code, code_digest
from grader.executors import AHEAD, IDLE, LocalProcessExecutor, SerialExecutor, stream


def square(x):
    if x == 3:
        raise ValueError("three is refused")
    return x * x


def pid_of(_):
    time.sleep(0.05)
    return os.getpid()


class ThreadExecutor:
    """A real concurrent executor, in threads, with fewer slots than threads."""

    def __init__(self, slots, threads=6):
        self.slots, self.pool = slots, ThreadPoolExecutor(threads)

    def submit(self, fn, job):
        return self.pool.submit(fn, job)

    def close(self):
        self.pool.shutdown()


def test_every_job_runs_once_and_a_failure_is_its_own_outcome():
    outcomes = dict(stream(SerialExecutor(), square, range(6)))
    assert set(outcomes) == set(range(6))
    assert [outcomes[k] for k in (0, 1, 2, 4, 5)] == [0, 1, 4, 16, 25]
    assert isinstance(outcomes[3], ValueError) and "three" in str(outcomes[3])


def test_each_slot_has_one_job_running_and_one_waiting_and_no_more():
    lock, state = threading.Lock(), {"out": 0, "most": 0}

    class Counting(ThreadExecutor):
        def submit(self, fn, job):
            with lock:
                state["out"] += 1
                state["most"] = max(state["most"], state["out"])
            return super().submit(fn, job)

    def busy(job):
        time.sleep(0.05)
        return job

    executor = Counting(slots=2)
    try:
        for job, _ in stream(executor, busy, range(12)):
            with lock:
                state["out"] -= 1
    finally:
        executor.close()
    assert state["most"] == AHEAD * 2 == 4


def test_jobs_are_drawn_only_when_a_slot_is_free():
    drawn = []

    def source():
        for k in range(5):
            drawn.append(k)
            yield k

    for job, _ in stream(SerialExecutor(), square, source()):
        assert len(drawn) == min(5, job + AHEAD)  # one slot: AHEAD jobs out, the next drawn when one is back


def test_an_idle_source_is_asked_again():
    asked = []

    def source():
        for item in [IDLE, IDLE, 7, IDLE, 8]:
            asked.append(item)
            yield item

    assert [job for job, _ in stream(ThreadExecutor(slots=2), square, source(), idle_wait=0.01)] == [7, 8]
    assert asked == [IDLE, IDLE, 7, IDLE, 8]


def test_a_local_pool_is_kept_between_runs_until_closed():
    executor = LocalProcessExecutor(2)
    try:
        first = {pid for _, pid in stream(executor, pid_of, range(6))}
        second = {pid for _, pid in stream(executor, pid_of, range(6))}
    finally:
        executor.close()
    assert os.getpid() not in first and len(first | second) <= 2 and first & second


def test_a_worker_running_other_code_refuses_the_job():
    check_code(code_digest())
    check_code("")  # a job made in this installation
    with pytest.raises(WorkerMismatch, match="install the same version on every worker"):
        check_code("0" * 64)
