"""``backprop-grader watch`` on an instructor's worst day: submissions that never settle, vanish,
are rewritten while they are graded, hold FIFOs or absurdly deep folders, a gradebook locked by
another process, an exchange whose collect fails once or cannot be listed; and
:func:`grader.executors.stream` under executors and job sources that misbehave.

Each test asserts what should happen.
"""

import os
import re
import shutil
import sqlite3
import threading
import time
from concurrent.futures import Future

import pytest

from grader.autograde import STAGING, graded_digest, graded_outcome, resolve_sandbox, submission_digest
from grader.checker.limits import Limits
from grader.course import COURSE_ID, Course
from grader.executors import IDLE, SerialExecutor, stream
from grader.watch import Watcher, idle_for, watch
from sample_class.personas import PERSONAS, generate_class

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=60)
GRADED_LINE = re.compile(rf"^\S+  {AID}  (.+?)  ([\d.]+)/15  (\w+) ")


# -- the course and its submissions ------------------------------------------------------------

@pytest.fixture(scope="module")
def pool(released_courses, tmp_path_factory):
    """{persona: notebook bytes} of a perfect and a blank submission."""
    course = released_courses.copy(tmp_path_factory.mktemp("hostile") / "pool", [AID])
    generate_class(course, [AID], {"perfect": PERSONAS["ada-perfect"], "blank": PERSONAS["ben-blank"]})
    return {name: (course.root / "submitted" / name / AID / f"{AID}.ipynb").read_bytes()
            for name in ("perfect", "blank")}


@pytest.fixture
def course(released_courses, tmp_path):
    return released_courses.copy(tmp_path / "course", [AID])


def submit(course, student, content):
    """Write a student's notebook (a first submission or a resubmission) in place."""
    folder = course.path("submitted", student, AID)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{AID}.ipynb").write_bytes(content)
    return folder


def run_watch(course, executor, exit_when_idle=2.0, **options):
    lines = []
    options = {"interval": 0.2, "settle": 0.3, **options}
    watcher = watch(course, [AID], executor, LIMITS, exit_when_idle=exit_when_idle, say=lines.append, **options)
    return watcher, lines


def graded_lines(lines):
    return [(m[1], float(m[2]), m[3]) for m in map(GRADED_LINE.match, lines) if m]


def score(course, student):
    return graded_outcome(course, AID, student)[0]


class Holding:
    """Runs each job at once, in this thread (as :class:`SerialExecutor`), but keeps its future
    pending for ``hold`` seconds (the job is "in flight"); ``on_submit(job)`` runs first."""

    slots = 1

    def __init__(self, hold, on_submit=lambda job: None):
        self.hold, self.on_submit, self.students = hold, on_submit, []

    def submit(self, fn, job):
        self.students.append(job.student)
        self.on_submit(job)
        future = Future()
        try:
            outcome = fn(job)
            settle = lambda: future.set_result(outcome)  # noqa: E731
        except Exception as error:
            settle = lambda error=error: future.set_exception(error)  # noqa: E731
        threading.Timer(self.hold, settle).start()
        return future

    def close(self):
        pass


def lock_gradebook(course, seconds):
    """Hold an exclusive lock on the SQLite gradebook for ``seconds`` (another process's long
    write, as the formgrader or an export does), from another thread; return once it is held."""
    held = threading.Event()

    def hold():
        connection = sqlite3.connect(course.root / "gradebook.db", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    threading.Thread(target=hold, daemon=True).start()
    assert held.wait(10)


def bounded_watcher(course, idle_seconds, deadline_seconds, **options):
    """Run a Watcher that stops when :func:`idle_for` says so or at the deadline; return
    (watcher, lines, stopped_by_idle)."""
    lines = []
    watcher = Watcher(course, [AID], SerialExecutor(), resolve_sandbox(LIMITS), interval=0.2,
                      say=lines.append, **{"settle": 0.3, **options})
    idle = idle_for(watcher, idle_seconds)
    deadline = time.monotonic() + deadline_seconds
    state = {"idle": False}

    def keep_going():
        if not idle():
            state["idle"] = True
            return False
        return time.monotonic() < deadline

    watcher.run(keep_going)
    return watcher, lines, state["idle"]


# -- resubmissions, churn, deletions -----------------------------------------------------------

def test_a_resubmission_landing_while_its_previous_version_is_in_flight_is_graded_again_once(course, pool):
    submit(course, "ada", pool["blank"])
    resubmitted = []

    def resubmit_once(job):
        if not resubmitted:
            resubmitted.append(submit(course, "ada", pool["perfect"]))

    executor = Holding(1.5, resubmit_once)
    watcher, lines = run_watch(course, executor)
    graded = graded_lines(lines)
    assert [student for student, _, _ in graded] == ["ada", "ada"], lines
    assert executor.students == ["ada", "ada"]
    first, second = graded[0][1], graded[1][1]
    assert first < second == score(course, "ada") == graded_outcome(course, AID, "ada")[1]  # full marks at last
    assert graded_digest(course.root / STAGING / AID, "ada") == submission_digest(course, AID, "ada")


def test_a_submission_rewritten_every_tenth_of_a_second_does_not_starve_the_others(course, pool):
    submit(course, "ada", pool["perfect"])
    churn = submit(course, "churn", pool["blank"])
    stop, rewrites = threading.Event(), []

    def rewrite():
        while not stop.is_set():
            rewrites.append(1)
            (churn / f"{AID}.ipynb").write_bytes(pool["blank"] + b" " * (len(rewrites) % 7))
            time.sleep(0.1)

    def say(line):
        lines.append(line)
        if "  ada  " in line and GRADED_LINE.match(line):
            stop.set()  # ada was graded while churn never settled: now let it settle

    lines = []
    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    try:
        watch(course, [AID], SerialExecutor(), LIMITS, exit_when_idle=2, interval=0.2, settle=1.0, say=say)
    finally:
        stop.set()
        writer.join()
    graded = [student for student, _, _ in graded_lines(lines)]
    assert graded == ["ada", "churn"], lines  # ada first, churn once, with its final version
    assert graded_digest(course.root / STAGING / AID, "churn") == submission_digest(course, AID, "churn")


def test_a_submission_deleted_before_it_settles_does_not_keep_the_watcher_up(course, pool):
    folder = submit(course, "gone", pool["blank"])
    threading.Timer(0.6, shutil.rmtree, [folder.parent]).start()
    watcher, lines, stopped_by_idle = bounded_watcher(course, idle_seconds=1.5, deadline_seconds=5, settle=2.0)
    assert stopped_by_idle, (lines, watcher.seen)
    assert watcher.queue_length() == 0


def test_a_submission_deleted_while_queued_is_dropped_and_the_watcher_goes_idle(course, pool):
    submit(course, "ada", pool["perfect"])
    doomed = submit(course, "zed", pool["blank"])

    def delete_zed(job):
        if doomed.exists():
            shutil.rmtree(doomed.parent)

    lines = []
    watcher = Watcher(course, [AID], Holding(0.5, delete_zed), resolve_sandbox(LIMITS), interval=0.2, settle=0.3,
                      say=lines.append)
    idle, deadline, state = idle_for(watcher, 1.5), time.monotonic() + 30, {"idle": False}

    def keep_going():
        state["idle"] = not idle()
        return not state["idle"] and time.monotonic() < deadline

    watcher.run(keep_going)
    assert [student for student, _, _ in graded_lines(lines)] == ["ada"], lines
    assert state["idle"], lines


# -- the gradebook locked by another process ---------------------------------------------------

def test_a_gradebook_lock_during_a_resubmission_delays_it_and_leaves_no_stale_grade(course, pool):
    submit(course, "ada", pool["blank"])
    run_watch(course, SerialExecutor(), exit_when_idle=1)
    blank_score = score(course, "ada")
    submit(course, "ada", pool["perfect"])
    locked = []

    def lock_once(job):
        if not locked:
            locked.append(1)
            lock_gradebook(course, 7)  # outlasts the converter's wait (sqlite's 5 s), not the next attempt's

    watcher, lines = run_watch(course, Holding(0.1, lock_once), exit_when_idle=3, retry_delays=(2.0, 2.0))
    failed = [i for i, line in enumerate(lines) if "  ada  not graded: OperationalError: " in line
              or GRADED_LINE.match(line) and GRADED_LINE.match(line)[3] == "failed"]
    graded = [i for i, line in enumerate(lines) if GRADED_LINE.match(line) and GRADED_LINE.match(line)[3] == "graded"]
    assert failed and graded and failed[0] < graded[-1], lines
    assert lines[failed[0]:graded[-1]].count("    - tried again in 2 s (attempt 2 of 3)") == 1, lines
    outcomes = graded_lines(lines)
    assert outcomes[-1][2] == "graded" and outcomes[-1][1] == score(course, "ada") > blank_score, lines
    assert all(status == "failed" for _, _, status in outcomes[:-1]), lines  # never the old grade as "graded"
    assert score(course, "ada") == graded_outcome(course, AID, "ada")[1]
    assert graded_digest(course.root / STAGING / AID, "ada") == submission_digest(course, AID, "ada")


# -- hostile files in submitted/ ---------------------------------------------------------------

def test_a_fifo_named_as_the_notebook_does_not_block_the_watcher(course, pool):
    submit(course, "ada", pool["perfect"])
    fifo_folder = course.path("submitted", "pip", AID)
    fifo_folder.mkdir(parents=True)
    fifo = fifo_folder / f"{AID}.ipynb"
    os.mkfifo(fifo)
    result = {}
    thread = threading.Thread(target=lambda: result.update(lines=run_watch(course, SerialExecutor())[1]), daemon=True)
    thread.start()
    thread.join(8)
    blocked = thread.is_alive()
    if blocked:  # let the blocked read see an end of file, so that the thread ends
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(30)
    assert not blocked, "the watcher blocked reading a FIFO"
    assert "ada" in [student for student, _, _ in graded_lines(result["lines"])]


def test_a_submission_with_absurdly_deep_folders_does_not_end_the_watcher(course, pool):
    submit(course, "ada", pool["perfect"])
    folder = submit(course, "deb", pool["blank"])
    here = os.getcwd()
    try:
        os.chdir(folder)
        for _ in range(1100):  # short names: the path stays under PATH_MAX
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    try:
        watcher, lines = run_watch(course, SerialExecutor())
        assert {"ada", "deb"} <= {student for student, _, _ in graded_lines(lines)}, lines
    finally:
        _remove_chain(folder, here)  # pytest's recursive clean-up of old temporary folders would overflow


def _remove_chain(folder, back):
    """Remove the chain of nested ``d`` folders below ``folder`` one level at a time."""
    os.chdir(folder)
    depth = 0
    while os.path.isdir("d"):
        os.chdir("d")
        depth += 1
    for _ in range(depth):
        os.chdir("..")
        os.rmdir("d")
    os.chdir(back)


def test_odd_student_folder_names_are_graded_under_their_own_names(course, pool):
    names = ["o'brien ü", "-rf", "semi;colon", "a b+c"]
    for name in names:
        submit(course, name, pool["perfect"])
    submit(course, ".hidden", pool["perfect"])
    watcher, lines = run_watch(course, SerialExecutor(), feedback=True)
    assert sorted(student for student, _, _ in graded_lines(lines)) == sorted(names), lines
    for name in names:
        assert score(course, name) == graded_outcome(course, AID, name)[1], name
        assert (course.root / "feedback" / name / AID / f"{AID}.html").is_file(), name
    assert not (course.root / STAGING / AID / "results" / ".hidden.json").exists()


def test_a_notebook_that_is_not_json_is_graded_zero_with_a_reason_and_only_once(course, pool):
    submit(course, "junk", b"this is not a notebook {")
    submit(course, "listy", b"[1, 2, 3]")
    watcher, lines = run_watch(course, SerialExecutor())
    graded = graded_lines(lines)
    assert sorted(student for student, _, _ in graded) == ["junk", "listy"], lines
    assert all(points == 0 and status == "graded" for _, points, status in graded), lines
    assert sum("is not a valid notebook and was graded as missing" in line for line in lines) == 2, lines


def test_a_student_folder_that_links_to_another_students_grades_the_linked_content(course, pool):
    """An instructor-side mistake (or a shared folder), not something a student can do through the
    exchange: both are graded, each under its own name, and a link inside a submission is refused."""
    submit(course, "ada", pool["perfect"])
    (course.root / "submitted" / "copycat").symlink_to(course.root / "submitted" / "ada")
    linked = course.path("submitted", "sly", AID)
    linked.mkdir(parents=True)
    (linked / f"{AID}.ipynb").symlink_to(course.path("submitted", "ada", AID) / f"{AID}.ipynb")
    watcher, lines = run_watch(course, SerialExecutor())
    by_student = {student: points for student, points, _ in graded_lines(lines)}
    assert set(by_student) == {"ada", "copycat", "sly"}, lines
    assert by_student["sly"] == 0 and any("symbolic link" in line for line in lines), lines
    assert (course.root / "submitted" / "ada" / AID / f"{AID}.ipynb").read_bytes() == pool["perfect"]  # untouched


# -- misconfiguration -------------------------------------------------------------------------

def test_a_watched_assignment_that_is_not_built_is_refused_before_anything_runs(course):
    with pytest.raises(ValueError, match="not in the gradebook"):
        watch(course, [AID, "99_not_built"], SerialExecutor(), LIMITS, exit_when_idle=0.1)
    assert not (course.root / STAGING).exists()


def test_from_exchange_without_an_exchange_is_refused(course):
    assert course.exchange is None
    with pytest.raises(ValueError, match="no exchange"):
        watch(course, [AID], SerialExecutor(), LIMITS, exit_when_idle=0.1, from_exchange=True)


def test_a_collect_that_fails_once_is_tried_again_at_the_next_look(course, tmp_path, monkeypatch):
    import grader.exchange as exchange
    calls = []

    class Report:
        refused = []

    def flaky_collect(course, assignment):
        calls.append(assignment)
        if len(calls) == 1:
            raise exchange.ExchangeFailed("the exchange's file server did not answer")
        return Report()

    monkeypatch.setattr(exchange, "collect_submissions", flaky_collect)
    inbound = tmp_path / "exchange" / COURSE_ID / "inbound"
    (inbound / f"ada+{AID}+2026-01-01 00:00:00.000000 UTC").mkdir(parents=True)
    course = Course(course.root, exchange=tmp_path / "exchange")
    watcher, lines = run_watch(course, SerialExecutor(), exit_when_idle=1.5, from_exchange=True)
    assert any("collect failed" in line for line in lines)
    assert len(calls) >= 2, lines


def test_an_inbound_folder_that_cannot_be_listed_is_said_once_and_its_mending_too(course, tmp_path):
    inbound = tmp_path / "exchange" / COURSE_ID / "inbound"
    inbound.parent.mkdir(parents=True)
    inbound.write_text("not a folder")  # NotADirectoryError at every look
    course = Course(course.root, exchange=tmp_path / "exchange")
    lines = []
    watcher = Watcher(course, [AID], SerialExecutor(), resolve_sandbox(LIMITS), from_exchange=True, say=lines.append)
    for _ in range(3):
        watcher.look()
    assert sum("cannot list the exchange's inbound folder" in line for line in lines) == 1, lines
    inbound.unlink()
    inbound.mkdir()
    watcher.look()
    watcher.look()
    assert sum("inbound folder can be listed again" in line for line in lines) == 1, lines


def test_an_engine_that_fails_for_good_stops_the_command_with_one_clear_message(course, pool, monkeypatch, capsys):
    import grader.cli as cli

    class SchedulerGone(SerialExecutor):
        def submit(self, fn, job):
            raise OSError("Timed out trying to connect to tcp://10.0.0.5:8786")

    monkeypatch.setattr(cli, "_executor", lambda args: SchedulerGone())
    submit(course, "ada", pool["perfect"])
    code = cli.main(["--course", str(course.root), "watch", AID, "--interval", "0.2", "--settle", "0.3"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    assert "watch: stopped by its grading engine: OSError: Timed out trying to connect to tcp://10.0.0.5:8786" in err
    assert "the next start grades what was in flight" in err


# -- stream under misbehaving executors and sources -------------------------------------------

def square(n):
    return n * n


class Delayed:
    """Futures completed ``delay`` seconds after submit, from another thread; records how many
    were out at once."""

    def __init__(self, slots, delay=0.05):
        self.slots, self.delay, self.out, self.most = slots, delay, 0, 0
        self.lock = threading.Lock()

    def submit(self, fn, job):
        future = Future()
        with self.lock:
            self.out += 1
            self.most = max(self.most, self.out)

        def done():
            with self.lock:
                self.out -= 1
            future.set_result(fn(job))
        threading.Timer(self.delay, done).start()
        return future

    def close(self):
        pass


def test_stream_with_no_slots_yet_still_runs_every_job_a_few_at_a_time():
    """A Dask cluster with no worker yet reports 0 slots: jobs are still handed out (they wait on
    the scheduler), a bounded number at once, and the stream neither spins nor stops early."""
    executor = Delayed(slots=0)
    drawn = []

    def jobs():
        for n in range(12):
            drawn.append(n)
            yield n

    started = time.process_time()
    results = dict(stream(executor, square, jobs()))
    assert results == {n: n * n for n in range(12)}
    assert 1 <= executor.most <= 2
    assert time.process_time() - started < 1.0  # CPU seconds: waiting, not spinning


def test_stream_waits_instead_of_spinning_while_the_source_is_idle_and_jobs_run():
    executor = Delayed(slots=1, delay=0.6)
    asked = []

    def jobs():
        yield 3
        while len(asked) < 10_000 and not results:
            asked.append(1)
            yield IDLE

    results = []
    for job, outcome in stream(executor, square, jobs(), idle_wait=0.2):
        results.append((job, outcome))
    assert results == [(3, 9)]
    assert len(asked) <= 10  # about one draw per idle_wait, not thousands


def test_a_job_that_raises_is_its_own_outcome_and_the_others_still_run():
    def jobs():
        yield from [1, 0, 2]

    outcomes = dict(stream(SerialExecutor(), lambda n: 1 / n, jobs()))
    assert outcomes[1] == 1 and outcomes[2] == 0.5 and isinstance(outcomes[0], ZeroDivisionError)


def test_a_job_source_that_raises_ends_the_stream_with_its_error():
    def jobs():
        yield 1
        raise OSError("the submissions' disk went away")

    with pytest.raises(OSError, match="disk went away"):
        list(stream(SerialExecutor(), square, jobs()))


def test_an_executor_whose_submit_raises_ends_the_stream_with_its_error():
    class Refusing(SerialExecutor):
        def submit(self, fn, job):
            raise ConnectionError("the scheduler is gone")

    with pytest.raises(ConnectionError, match="scheduler is gone"):
        list(stream(Refusing(), square, iter([1, 2])))
