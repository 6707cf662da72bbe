"""One grading writer per assignment (:mod:`grader.grading_lock`): a second watcher or an
``autograde`` beside a running one is refused at once, with the holder's pid; a killed holder
leaves no stale lock; and the refusals reach the command line as one clear line."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from grader.autograde import STAGING, autograde
from grader.checker.limits import Limits
from grader.executors import SerialExecutor
from grader.grading_lock import GradingBusy, grading_lock
from grader.watch import watch

AID = "01_sigmoid_neurons"


@pytest.fixture
def course(released_courses, tmp_path):
    return released_courses.copy(tmp_path / "course", [AID])


def hold_in_child(staging):
    """A child process holding the lock of ``staging`` until it is killed; returns it once held."""
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from grader.grading_lock import grading_lock
        with grading_lock(Path({str(staging)!r}), "a1"):
            print("held", flush=True)
            time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_holder_is_refused_at_once_and_the_message_names_the_first(tmp_path):
    staging = tmp_path / ".grading" / "a1"
    with grading_lock(staging, "a1"):
        started = time.monotonic()
        with pytest.raises(GradingBusy, match=rf"a1 is being graded by another process \(pid {os.getpid()}: "):
            with grading_lock(staging, "a1"):
                pass
        assert time.monotonic() - started < 1  # refused, not waited for
    with grading_lock(staging, "a1"):  # released on leaving the block
        pass


def test_other_assignments_are_not_locked(tmp_path):
    with grading_lock(tmp_path / "a1", "a1"), grading_lock(tmp_path / "a2", "a2"):
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    staging = tmp_path / ".grading" / "a1"
    child = hold_in_child(staging)
    try:
        with pytest.raises(GradingBusy, match=rf"pid {child.pid}:"):
            with grading_lock(staging, "a1"):
                pass
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with grading_lock(staging, "a1"):  # the kernel dropped it with the process
        pass


@pytest.mark.slow
def test_autograde_and_watch_refuse_an_assignment_another_process_grades(course, capsys):
    from grader.cli import main
    child = hold_in_child(course.root / STAGING / AID)
    try:
        with pytest.raises(GradingBusy):
            autograde(course, AID, SerialExecutor(), Limits(), progress=False)
        with pytest.raises(GradingBusy):
            watch(course, [AID], SerialExecutor(), Limits(), exit_when_idle=0.1, say=lambda line: None)
        for command in (["autograde", AID, "--workers", "1", "--no-progress"], ["watch", AID, "--workers", "1"]):
            assert main(["--course", str(course.root), *command]) == 1
            err = capsys.readouterr().err
            assert f"error: {AID} is being graded by another process (pid {child.pid}: " in err, err
            assert "Traceback" not in err
    finally:
        child.kill()
        child.wait(10)
    assert not (course.root / "autograded").exists()  # nothing was graded while it was refused


@pytest.mark.slow
def test_autograde_of_an_assignment_that_is_not_built_is_one_line_on_the_command_line(course, capsys):
    from grader.cli import main
    assert main(["--course", str(course.root), "autograde", "09_not_an_assignment", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "autograde: error: assignment '09_not_an_assignment' is not in the gradebook" in err, err
