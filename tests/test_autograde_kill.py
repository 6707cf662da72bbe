"""A real kill of autograde itself: the coordinating process of ``backprop-grader autograde``
is sent SIGKILL in the middle of a run, then the same command runs again. The killed run's
worker processes and sandboxes end on their own; the rerun grades exactly what the killed run
had not finished, so every submission ends up graded once; and the gradebook, the result
markers and the graded notebooks agree with each other and with an uninterrupted run.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from graded_class import grade_cells, make_class
from grader.autograde import STAGING, autograde
from grader.checker.limits import Limits
from grader.executors import LocalProcessExecutor
from sample_class.personas import PERSONAS

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]
#: Enough students that the run is still far from done when its first result is recorded.
CLASS = {f"s{k:02d}-{WELL_BEHAVED[k % 5]}": PERSONAS[WELL_BEHAVED[k % 5]] for k in range(20)}
ROW = re.compile(r"^(\S+)\s+\S+/\S+\s+(graded|skipped|failed)$")


def autograde_command(course):
    return [str(Path(sys.executable).parent / "backprop-grader"), "--course", str(course.root), "autograde", AID,
            "--workers", "2", "--no-progress", "--cell-timeout", "10", "--notebook-timeout", "120"]


def markers(course):
    """{student: recorded result} of every result marker."""
    folder = course.root / STAGING / AID / "results"
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}


def statuses(printed):
    """{student: status} from the grade table the command printed."""
    return dict(match.groups() for line in printed.splitlines() if (match := ROW.match(line)))


def in_session(session):
    """Processes (psutil) of the session ``session``, still running."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess, PermissionError):
            pass
    return found


def alive_after(processes, seconds):
    """Those of ``processes`` still running (not zombies) after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        alive = []
        for process in processes:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@pytest.fixture(scope="module")
def reference(released_courses, tmp_path_factory):
    """Every grade cell's score from an uninterrupted run of the same class."""
    course = make_class(released_courses, tmp_path_factory.mktemp("uninterrupted") / "course", AID, CLASS)
    results = autograde(course, AID, LocalProcessExecutor(2), Limits(cell_timeout=10, notebook_timeout=120),
                        progress=False)
    assert {r.status for r in results} == {"graded"}
    scores = grade_cells(course, AID)
    assert sum(scores["s00-ada-perfect"].values()) == 15 and sum(scores["s01-ben-blank"].values()) == 0
    return scores


def kill_mid_run(course, tmp_path, timeout=180):
    """Start the command and SIGKILL its process once a first result is recorded.

    Returns
    -------
    children : list of psutil.Process
        Every process it had started, recorded just before the kill.
    names : list of str
        Their names then.
    pid : int
    """
    log = (tmp_path / "killed-run.log").open("wb")
    run = subprocess.Popen(autograde_command(course), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           start_new_session=True)
    log.close()
    results = course.root / STAGING / AID / "results"
    deadline = time.monotonic() + timeout
    try:
        while not (results.is_dir() and any(results.glob("*.json"))):
            assert run.poll() is None, (tmp_path / "killed-run.log").read_text()
            assert time.monotonic() < deadline, "no result was recorded"
            time.sleep(0.02)
        children = psutil.Process(run.pid).children(recursive=True)
        names = [_name(p) for p in children]
    except BaseException:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        raise
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    return children, names, run.pid


def _name(process):
    try:
        return process.name()
    except psutil.NoSuchProcess:
        return ""


def test_a_killed_autograde_leaves_nothing_running_and_a_rerun_finishes_it(reference, released_courses, tmp_path):
    course = make_class(released_courses, tmp_path / "course", AID, CLASS)
    children, names, pid = kill_mid_run(course, tmp_path)
    assert "bwrap" in names, f"the kill did not land while grading: {names}"
    assert not alive_after(children, 5), "worker processes or sandboxes outlived the killed autograde"
    assert not in_session(pid), "processes of the killed run are still running"
    before = markers(course)
    assert 0 < len(before) < len(CLASS), f"the kill did not land mid-run ({len(before)} results recorded)"

    rerun = subprocess.run(autograde_command(course), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    status = statuses(rerun.stdout)
    assert set(status) == set(CLASS), rerun.stdout
    graded = {s for s, st in status.items() if st == "graded"}
    assert {s for s, st in status.items() if st == "skipped"} == set(before)
    assert graded | set(before) == set(CLASS) and not graded & set(before)  # each graded exactly once

    after = markers(course)
    scores = grade_cells(course, AID)
    assert set(after) == set(scores) == set(CLASS)
    for student in CLASS:
        assert after[student]["score"] == sum(scores[student].values()), student
        assert (course.path("autograded", student, AID) / f"{AID}.ipynb").is_file(), student
    assert {s: after[s] for s in before} == before  # the rerun left the killed run's results alone
    assert scores == reference
    with sqlite3.connect(course.root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert not list((course.root / STAGING).rglob("*.partial"))
