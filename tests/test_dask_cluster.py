"""Grading on a real multi-process Dask cluster: a scheduler and two single-threaded workers on
this machine, each a ``dask`` command-line process started and stopped by the test. The class
gets exactly the points the local process pool gives it; a worker killed in the middle of a
job costs nothing (the scheduler runs the job again on the other worker, the worker's grading
process and sandbox die with it, every submission is graded once); and a worker whose code
differs from the coordinator's refuses the job, saying why.
"""

import os
import signal
import threading
import time

import pytest

from graded_class import grade_cells, make_class, slow_but_right
from distributed import Client

from dask_cluster import LocalDaskCluster, family, still_alive
from grader.autograde import autograde
from grader.checker.code_version import WorkerMismatch, code_digest
from grader.checker.job import GradingJob
from grader.checker.limits import Limits
from grader.dask_executor import DaskExecutor
from grader.executors import LocalProcessExecutor
from sample_class.personas import PERSONAS

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)
WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]
#: Seconds the slow student's first answer cell sleeps: the window in which a worker is killed.
SLOW_SECONDS = 4
SLOW = "s99-slow-but-right"


#: Ten students cycling through the well-behaved personas, and one slow one.
CLASS = {**{f"s{k:02d}-{WELL_BEHAVED[k % 5]}": PERSONAS[WELL_BEHAVED[k % 5]] for k in range(10)},
         SLOW: slow_but_right(SLOW_SECONDS)}


@pytest.fixture(scope="module")
def reference(released_courses, tmp_path_factory):
    """Every grade cell's score, graded by the local process pool."""
    course = make_class(released_courses, tmp_path_factory.mktemp("local") / "course", AID, CLASS)
    results = autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)
    assert {r.status for r in results} == {"graded"}
    scores = grade_cells(course, AID)
    # a cross-check of the reference itself against the personas' known totals
    assert {s: sum(cells.values()) for s, cells in scores.items() if s.endswith("ada-perfect")} == {
        "s00-ada-perfect": 15, "s05-ada-perfect": 15}
    assert sum(scores[SLOW].values()) == 15
    return scores


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two workers; afterwards, not one of their processes (or descendants) is left."""
    started = LocalDaskCluster(tmp_path / "cluster", workers=2)
    try:
        yield started
    finally:
        left = started.stop()
        for name in ["scheduler", "worker-0", "worker-1"]:  # shown only if the test fails
            print(f"--- {name} ---\n{started.log(name)[-4000:]}")
        assert not left, f"cluster processes outlived the cluster: {[(p.pid, p.name()) for p in left]}"


def test_a_class_graded_on_the_cluster_gets_the_local_scores(reference, released_courses, cluster, tmp_path):
    course = make_class(released_courses, tmp_path / "course", AID, CLASS)
    with DaskExecutor(cluster.address) as executor:
        assert executor.slots == 2
        results = autograde(course, AID, executor, LIMITS, progress=False)
    assert {r.student: r.status for r in results} == {student: "graded" for student in CLASS}
    assert grade_cells(course, AID) == reference
    assert {r.student: r.score for r in results} == {s: sum(cells.values()) for s, cells in reference.items()}


def _wait_for_key(client, fragment, timeout=120):
    """(worker address, key) of the first task whose key contains ``fragment`` that the
    scheduler has given to a worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            for key in keys:
                if fragment in key:
                    return worker, key
        time.sleep(0.02)
    raise TimeoutError(f"no task {fragment!r} was processed within {timeout} s")


def _story(client, key):
    """The scheduler's transitions of ``key``: [(from, to, stimulus id)]."""
    return [(t[1], t[2], t[4]) for t in client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.story(key))]


def _grade_in_background(course, address):
    """Start autograde on the cluster in a thread; return the thread and where its results go."""
    outcome = {}

    def run():
        try:
            with DaskExecutor(address) as executor:
                outcome["results"] = autograde(course, AID, executor, LIMITS, progress=False)
        except BaseException as error:  # reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_worker_killed_mid_job_costs_nothing(reference, released_courses, cluster, tmp_path):
    course = make_class(released_courses, tmp_path / "course", AID, CLASS)
    with Client(cluster.address) as client:
        pids = cluster.worker_pids(client)
        assert sorted(pids.values()) == sorted(p.pid for p in cluster.workers)  # no nanny: the worker is the process
        thread, outcome = _grade_in_background(course, cluster.address)
        worker, key = _wait_for_key(client, SLOW)
        time.sleep(1)  # well inside the slow job: its sandbox sleeps
        doomed = family([pids[worker]])
        names = [p.name() for p in doomed]
        assert "bwrap" in names and names.count("python") >= 1, names  # its grading process and sandbox
        os.kill(pids[worker], signal.SIGKILL)
        assert not still_alive(doomed, timeout=5), "the killed worker's grading process or sandbox outlived it"
        thread.join(timeout=180)
        assert not thread.is_alive(), "autograde did not finish after a worker died"
        assert "error" not in outcome, outcome.get("error")
        story = _story(client, key)
        survivors = list(client.scheduler_info()["workers"])
    # the job in flight on the dead worker was given to the other one, which finished it (it may
    # wait in the scheduler's queue first: ("queued", "processing"))
    assert [new for _, new, _ in story].count("processing") == 2, story
    assert any(old == "processing" and new == "released" and stimulus.startswith("handle-worker-cleanup")
               for old, new, stimulus in story), story
    assert ("processing", "memory") in [change[:2] for change in story], story
    assert survivors and worker not in survivors
    results = outcome["results"]
    assert {r.student: r.status for r in results} == {student: "graded" for student in CLASS}
    assert grade_cells(course, AID) == reference  # one submission each, the local scores


def test_a_worker_with_other_code_refuses_the_job(cluster):
    job = GradingJob("ada", AID, {}, None, LIMITS, code="0" * 64)
    with DaskExecutor(cluster.address) as executor:
        future = executor.submit(executor.job_function, job)
        with pytest.raises(WorkerMismatch) as refused:
            future.result(timeout=60)
    message = str(refused.value)
    assert "this worker's course package differs from the coordinator's" in message
    assert f"code {code_digest()[:12]}, expected {'0' * 12}" in message  # the worker's own code is this one
