"""``backprop-grader watch``, run for real: submissions dropped into ``submitted/`` while it
runs are graded and fed back as they arrive, a resubmission is graded again, an unchanged
submission graded before never is, and a watcher killed with SIGKILL mid-grading resumes
with nothing lost or doubled. The final grades must equal a separate batch ``autograde`` of
the same submissions in another course, and every feedback page must show its grade."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from grader.autograde import STAGING, autograde, graded_digest
from grader.checker.limits import Limits
from grader.course import COURSE_ID, Course
from grader.executors import LocalProcessExecutor
from grader.release import build
from grader.watch import STATUS_FILE
from graded_class import slow_but_right
from sample_class.personas import PERSONAS, generate_class

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)
CLI = str(Path(sys.executable).parent / "backprop-grader")
#: The submissions of the run, by student, and which persona wrote them.
POOL = {"a-perfect": "ada-perfect", "b-blank": "ben-blank", "c-mistake": "dee-mistake", "d-slow": None,
        "u-unchanged": "eli-sign-slip", "b-resubmitted": "ada-perfect"}
#: Seconds d-slow's notebook sleeps: still in flight when c-mistake, dropped with it, is graded.
SLOW_SECONDS = 8
GRADED_LINE = re.compile(rf"^\S+  {AID}  (\S+)  ([\d.]+)/15  (\w+) ")


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def scores(course):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in gb.assignment_submissions(AID)}


def drop(pool, course, name, as_student=None):
    """Make a submission arrive at once: copied beside ``submitted/``'s students, then renamed
    into place (a resubmission replaces the folder the same way)."""
    student = as_student or name
    target = course.root / "submitted" / student
    hidden = course.root / "submitted" / f".incoming-{name}"
    shutil.copytree(pool / "submitted" / name, hidden)
    if target.exists():
        shutil.rmtree(target)
    os.rename(hidden, target)


def graded_lines(log):
    """[(student, score, status)] of the watcher's per-submission lines."""
    return [(m[1], float(m[2]), m[3]) for m in map(GRADED_LINE.match, log.splitlines()) if m]


def start_watcher(course, log, *extra):
    argv = [CLI, "--course", str(course.root), "watch", AID, "--interval", "0.5", "--settle", "1", "--feedback",
            "--workers", "2", "--cell-timeout", "10", "--notebook-timeout", "120", *extra]
    return subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
                            stdin=subprocess.DEVNULL)


def status(course):
    path = course.root / STAGING / STATUS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """Run the whole scenario once; return the course, both logs and the pool of submissions."""
    tmp = tmp_path_factory.mktemp("watch")
    course = Course(tmp / "course")
    course.write_config()
    build(course, AID)
    pool = tmp / "pool"
    shutil.copytree(course.root, pool)
    generate_class(Course(pool), [AID], {name: PERSONAS[persona] if persona else slow_but_right(SLOW_SECONDS)
                                         for name, persona in POOL.items()})

    drop(pool, course, "u-unchanged")  # graded before the watcher starts, then left alone
    autograde(course, AID, LocalProcessExecutor(1), LIMITS, progress=False)
    before = graded_digest(course.root / STAGING / AID, "u-unchanged")

    first, second = tmp / "watch-1.log", tmp / "watch-2.log"
    watcher = start_watcher(course, first)
    try:
        wait_for(lambda: "watching" in first.read_text(), 60, "the watcher to start")
        drop(pool, course, "a-perfect")
        drop(pool, course, "b-blank")
        wait_for(lambda: {"a-perfect", "b-blank"} <= {s for s, _, _ in graded_lines(first.read_text())}, 120,
                 "a-perfect and b-blank to be graded")
        drop(pool, course, "b-resubmitted", as_student="b-blank")
        wait_for(lambda: [s for s, _, _ in graded_lines(first.read_text())].count("b-blank") == 2, 120,
                 "b-blank's resubmission to be graded")
        drop(pool, course, "c-mistake")
        drop(pool, course, "d-slow")
        wait_for(lambda: "c-mistake" in {s for s, _, _ in graded_lines(first.read_text())}, 120,
                 "c-mistake to be graded, with d-slow still in flight")
        tree = [watcher.pid] + [p.pid for p in psutil.Process(watcher.pid).children(recursive=True)]
        os.kill(watcher.pid, signal.SIGKILL)  # the watcher only: its workers must end by themselves
        watcher.wait(30)
        wait_for(lambda: not [pid for pid in tree if psutil.pid_exists(pid) and
                              psutil.Process(pid).status() != psutil.STATUS_ZOMBIE], 60,
                 "the killed watcher's workers and sandboxes to end")
    finally:
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGKILL)

    restarted = start_watcher(course, second, "--exit-when-idle", "4")
    assert restarted.wait(240) == 0, second.read_text()
    return {"course": course, "pool": pool, "first": first.read_text(), "second": second.read_text(),
            "unchanged_digest": before, "tmp": tmp}


def test_each_version_of_each_submission_is_graded_exactly_once(watched):
    lines = graded_lines(watched["first"]) + graded_lines(watched["second"])
    assert all(status == "graded" for _, _, status in lines), lines
    graded = [student for student, _, _ in lines]
    assert graded.count("a-perfect") == 1
    assert graded.count("b-blank") == 2  # first submission, then the resubmission
    assert graded.count("c-mistake") == 1 and graded.count("d-slow") == 1  # across the kill
    assert "u-unchanged" not in graded


def test_the_restarted_watcher_grades_only_what_the_killed_one_had_not_finished(watched):
    second = [student for student, _, _ in graded_lines(watched["second"])]
    first = [student for student, _, _ in graded_lines(watched["first"])]
    assert second, "the kill landed while a grading was in flight: the restart must finish it"
    assert set(second) == {"d-slow"} and not set(second) & set(first)
    assert "a-perfect" not in second and "b-blank" not in second


def test_a_resubmission_replaces_the_grade(watched):
    lines = graded_lines(watched["first"])
    b = [score for student, score, _ in lines if student == "b-blank"]
    assert b[0] < b[1] == 15


def test_final_grades_equal_a_batch_autograde_of_the_same_submissions(watched):
    course, tmp = watched["course"], watched["tmp"]
    reference = Course(tmp / "reference")
    reference.write_config()
    build(reference, AID)
    shutil.copytree(course.root / "submitted", reference.root / "submitted")
    autograde(reference, AID, LocalProcessExecutor(2), LIMITS, progress=False)
    assert scores(course) == scores(reference)
    assert set(scores(course)) == {"a-perfect", "b-blank", "c-mistake", "d-slow", "u-unchanged"}


def test_every_feedback_page_shows_the_grade_it_was_made_from(watched):
    course = watched["course"]
    staging = course.root / STAGING / AID
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        totals = {s.student.id: s.score for s in gb.assignment_submissions(AID)}
    for student, total in totals.items():
        page = (course.root / "feedback" / student / AID / f"{AID}.html").read_text()
        assert f"Score: {total:.1f} / 15.0" in page, student
        assert (staging / "feedback" / f"{student}.sha256").read_text() == graded_digest(staging, student)


def test_an_unchanged_submission_graded_before_only_gets_its_feedback(watched):
    assert "u-unchanged  graded earlier: feedback brought up to date" in watched["first"]
    assert "u-unchanged" not in watched["second"]
    assert graded_digest(watched["course"].root / STAGING / AID, "u-unchanged") == watched["unchanged_digest"]


def test_the_watcher_reports_queue_and_latency(watched):
    for line in [ln for ln in watched["first"].splitlines() if GRADED_LINE.match(ln)]:
        assert re.search(r"after arrival  · queue \d+ · latency median [\d.]+ s", line), line
    final = status(watched["course"])
    assert final["queue"] == 0 and final["in_flight"] == 0
    assert final["graded"] == len(graded_lines(watched["second"]))
    assert 0 < final["latency_median_s"] <= final["latency_max_s"] < 240
    assert not list((watched["course"].root / STAGING).rglob("*.partial"))


class LostWorkers:
    """An executor whose every job is lost (its worker died each time); it notes when each came."""

    slots = 2

    def __init__(self):
        self.times = []

    def submit(self, fn, job):
        from concurrent.futures import Future
        self.times.append(time.monotonic())
        future = Future()
        future.set_exception(RuntimeError("the worker running it died"))
        return future

    def close(self):
        pass


def test_a_submission_whose_grading_keeps_failing_is_tried_again_after_a_delay_then_left(tmp_path):
    from grader.watch import watch
    course = Course(tmp_path / "course")
    course.write_config()
    build(course, AID)
    generate_class(course, [AID], {"f-perfect": PERSONAS["ada-perfect"]})
    lines = []
    executor = LostWorkers()
    watcher = watch(course, [AID], executor, LIMITS, exit_when_idle=2, interval=0.2, settle=0.2,
                    retry_delays=(0.5, 1.5), say=lines.append)
    attempts = [(i, match) for i, line in enumerate(lines) if "  f-perfect  " in line
                for match in [GRADED_LINE.match(line)] if match]
    assert len(attempts) == 3 and len(executor.times) == 3, lines
    gaps = [later - earlier for earlier, later in zip(executor.times, executor.times[1:])]
    assert gaps[0] >= 0.5 and gaps[1] >= 1.5, gaps  # each retry waited its delay
    assert all(match[3] == "failed" for _, match in attempts)
    assert lines[attempts[0][0] + 1:attempts[1][0]].count("    - tried again in 0.5 s (attempt 2 of 3)") == 1, lines
    assert lines[attempts[1][0] + 1:attempts[2][0]].count("    - tried again in 1.5 s (attempt 3 of 3)") == 1, lines
    assert "    - not tried again until the watcher restarts (3 attempts failed)" in lines[attempts[2][0]:], lines
    assert watcher.max_attempts == 3
    assert any("could not be run: RuntimeError: the worker running it died" in line for line in lines)
    assert not (course.root / STAGING / AID / "results" / "f-perfect.json").exists()  # no grade recorded
    assert watcher.graded == 0 and watcher.status()["queue"] == 0
