"""Autograde every submission of an assignment, in parallel, with nbgrader doing the grading.

For each submission the notebooks run first, in worker processes behind an
:class:`~grader.executors.Executor`: the student's cells in a sandboxed process, the
master's set-up, given and test cells in the worker (:func:`grader.checker.engine.grade_notebook`).
Each worker writes an execution record. Then nbgrader's own ``Autograde`` converter runs
once for the student, in this process: it sanitizes the submission, restores the locked
cells, takes the record through :class:`~grader.trusted_execute.TrustedExecute` (the same
execution step ``nbgrader autograde`` runs, which executes again only if the record does
not match the notebook), saves the grades and applies late penalties. Every gradebook
write happens here, in one process, so SQLite and PostgreSQL stay consistent.

Submissions are read from a staging copy (:mod:`grader.staging`): ``submitted/`` is never
modified. A marker file records a finished grading, with a digest of the submission it graded:
re-running skips those whose submission is unchanged unless forced (a resubmission, collected
over the old one, is graded again), and a run killed half-way redoes only what it had not
finished.
"""

import hashlib
import json
import logging
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from sqlalchemy.exc import SAWarning

from .checker.code_version import code_digest
from .checker.engine import ExecutionRecord
from .checker.job import GradingJob, load_notebook, run_grading_job, write_atomically, write_record
from .checker.launch import sandbox_available
from .checker.limits import Limits
from .checker.plan import Master
from .course import COURSE_ID
from .executors import LocalProcessExecutor, stream
from .grading_lock import CannotGrade, grading_lock
from .notebook_cells import cells_by_grade_id, lost_points_failure
from .staging import released_notebooks, stage_submission
from .trusted_execute import settings

STAGING = ".grading"


@dataclass
class SubmissionResult:
    """One row of the grading run: a student's score on one assignment, with the reasons."""

    student: str
    assignment: str
    status: str  # "graded", "skipped" (already graded) or "failed"
    score: float = 0.0
    max_score: float = 0.0
    reasons: list = field(default_factory=list)
    seconds: float = 0.0


def masters(course, assignment):
    """{notebook name: Master} as nbgrader recorded them when it generated the release."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        return {nb.name: Master.from_gradebook(gb, assignment, nb.name) for nb in gb.find_assignment(assignment).notebooks}


class _CaptureErrors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage().splitlines()[0][:300])


def run_converter(course, assignment, student, staging, limits):
    """Run nbgrader's Autograde converter for one staged submission, taking the workers'
    execution records.

    Returns
    -------
    list of str
        Errors nbgrader logged (empty on success).
    """
    overrides = settings(limits)
    overrides["TrustedExecute"]["precomputed_dir"] = str(staging / "executed")
    overrides.update({"CourseDirectory": {"submitted_directory": str(staging / "submitted"),
                                          "assignment_id": assignment, "student_id": student},
                      "Autograde": {"force": True}})
    converter = Autograde(coursedir=course.coursedir(**overrides), config=course.config(**overrides))
    capture = _CaptureErrors()
    converter.log.addHandler(capture)
    level = converter.log.level
    converter.log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():  # nbgrader's missing-notebook path trips SQLAlchemy warnings
            warnings.simplefilter("ignore", SAWarning)
            converter.start()
    except Exception as error:  # NbGraderException after logging the details
        capture.messages.append(str(error).splitlines()[0])
    finally:
        converter.log.removeHandler(capture)
        converter.log.setLevel(level)
    return capture.messages


class GradingRun:
    """The state of one autograde run: what each submission still waits for, and its reasons."""

    def __init__(self, course, assignment, limits):
        self.course, self.assignment, self.limits = course, assignment, limits
        self.staging = course.root / STAGING / assignment
        self.expected = released_notebooks(course, assignment)
        self.masters = masters(course, assignment)
        self.reasons, self.started, self.waiting, self.broken = {}, {}, {}, set()
        self.digests = {}

    def prepare(self, student):
        """Stage one submission; return its grading jobs (None: no readable notebook)."""
        self.started[student] = time.monotonic()
        self.digests[student] = submission_digest(self.course, self.assignment, student)
        self.reasons[student] = stage_submission(self.course, self.assignment, student, self.expected, self.staging)
        staged = self.staging / "submitted" / student / self.assignment
        jobs = []
        for name in self.expected:
            record = self.staging / "executed" / student / f"{name}.json"
            record.unlink(missing_ok=True)
            if (staged / f"{name}.ipynb").exists() and name in self.masters:
                try:
                    content = load_notebook(staged / f"{name}.ipynb")
                except (OSError, ValueError) as error:  # staging checked it; a worker could not read it either
                    self.reasons[student].append(f"{name}: could not be read: {error}")
                    continue
                jobs.append(GradingJob(student, name, content, self.masters[name], self.limits, code_digest()))
        self.waiting[student] = len(jobs)
        return jobs or None

    def record(self, job, outcome):
        """Note one job's outcome; True when the student's last notebook is done."""
        if isinstance(outcome, ExecutionRecord):
            write_record(outcome, self.staging / "executed" / job.student / f"{job.notebook}.json")
            self.reasons[job.student] += [f"{job.notebook}: {p}" for p in outcome.problems]
        else:  # the worker itself failed: graded again by the next run, not saved as a result
            self.broken.add(job.student)
            self.reasons[job.student].append(f"{job.notebook}: could not be run: {type(outcome).__name__}: {outcome}")
        self.waiting[job.student] -= 1
        return self.waiting[job.student] == 0

    def finish(self, student):
        """Grade a student whose notebooks have all run: nbgrader's converter, once."""
        reasons = self.reasons[student] + run_converter(self.course, self.assignment, student, self.staging, self.limits)
        return _result(self.course, self.assignment, student, self.staging, reasons, self.started[student],
                       broken=student in self.broken, digest=self.digests[student])

    def zero(self, student):
        """Grade a submission without one readable notebook."""
        return record_zero(self.course, self.assignment, student, self.staging, self.reasons[student],
                           self.started[student], digest=self.digests[student])


def autograde(course, assignment, executor=None, limits=Limits(), force=False, students=None, progress=True):
    """Grade every submission of ``assignment``; return one SubmissionResult per student.

    Submissions are prepared one by one and handed to the executor as soon as they are
    ready, so the workers start while later submissions are still being prepared; grades
    are saved here as each submission's notebooks come back.

    Parameters
    ----------
    course : Course
    assignment : str
    executor : Executor, optional
        Where notebooks run (default: a local process pool, one worker per core, closed
        at the end; an executor passed in is left open for further runs).
    limits : Limits
    force : bool
        Grade again submissions that already have a result.
    students : list of str, optional
        Only these students (default: everyone who submitted).
    progress : bool
        Show a progress bar.

    Raises
    ------
    CannotGrade
        Before anything runs: the assignment is not built, or another process (a watcher, an
        autograde run) is grading it (:mod:`grader.grading_lock`).
    """
    check_assignment(course, assignment)
    limits = resolve_sandbox(limits)
    with grading_lock(course.root / STAGING / assignment, assignment):
        own_executor = executor is None
        executor = executor or LocalProcessExecutor()
        try:
            return _grade_class(course, assignment, executor, limits, force, students, progress)
        finally:
            if own_executor:
                executor.close()


def _grade_class(course, assignment, executor, limits, force, students, progress):
    from tqdm import tqdm

    run = GradingRun(course, assignment, limits)
    results, todo = {}, []
    for student in [s for s in submitted_students(course, assignment) if students is None or s in students]:
        marker = result_marker(run.staging, student)
        if marker.exists() and not force and graded_digest(run.staging, student) == submission_digest(
                course, assignment, student):
            results[student] = SubmissionResult(**{**json.loads(marker.read_text()), "status": "skipped"})
        else:
            marker.unlink(missing_ok=True)
            todo.append(student)
    bar = tqdm(total=len(todo), desc=f"autograde {assignment}", unit="submission", disable=not progress)

    def jobs():
        for student in todo:
            prepared = run.prepare(student)
            if prepared:
                yield from prepared
                continue
            results[student] = run.zero(student)
            bar.update()

    for job, outcome in stream(executor, getattr(executor, "job_function", run_grading_job), jobs()):
        if run.record(job, outcome):
            results[job.student] = run.finish(job.student)
            bar.update()
    bar.close()
    name_new_students(course, todo)
    return [results[s] for s in sorted(results)]


def name_new_students(course, students):
    """Give the students grading just added to the gradebook (nbgrader adds them without a
    name) their id as name until a roster names them, so that the formgrader does not list
    them as "None, None"."""
    from .roster import name_unnamed_students
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        name_unnamed_students(gb, students)


def format_grade_table(results):
    """The grade table the CLI prints: student, score and status, then the reasons, one block
    per submission (a lost point's reason words its failure as validate and the report do)."""
    lines = [f"{'student':<24} {'score':>11}  status"]
    for r in results:
        lines.append(f"{r.student:<24} {r.score:>5g}/{r.max_score:<5g}  {r.status}")
        lines += [f"    - {reason}" for reason in r.reasons]
    return "\n".join(lines)


def submitted_students(course, assignment):
    """Students with a submission folder for the assignment, sorted."""
    root = course.root / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir() and not p.name.startswith("."))


def resolve_sandbox(limits):
    """``limits`` with ``sandbox`` decided here, once, so that every worker, on any machine,
    applies the same: None (when installed) becomes whether this machine has bubblewrap."""
    if limits.sandbox is not None:
        return limits
    if not sandbox_available():
        print("warning: bubblewrap (bwrap) is not installed: student code runs without the sandbox", file=sys.stderr)
    return replace(limits, sandbox=sandbox_available())


def check_assignment(course, assignment):
    """Raise CannotGrade unless ``assignment`` is built (in the gradebook)."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise CannotGrade(f"assignment {assignment!r} is not in the gradebook: run the build command first") from None


def graded_outcome(course, assignment, student):
    """What the gradebook holds of a graded submission, read in one session.

    Returns
    -------
    score, max_score : float
        (0, the assignment's max score) when there is no submission.
    lost : list of str
        'lost 6: <the failure>' for every test cell that did not get full points (worded by
        :func:`grader.notebook_cells.failure_summary`, as validate and the class report word it).
    """
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, float(gb.find_assignment(assignment).max_score), []
        lost = []
        for notebook in submission.notebooks:
            path = course.path("autograded", student, assignment) / f"{notebook.name}.ipynb"
            cells = cells_by_grade_id(load_notebook(path)) if path.exists() else None
            for grade in notebook.grades:
                if grade.score < grade.max_score:
                    failure, is_note = lost_points_failure(cells, grade.name)
                    failure = f"{grade.name}: {failure}" if is_note else failure
                    lost.append(f"lost {grade.max_score - grade.score:g}: {failure}")
        return float(submission.score), float(submission.max_score), lost


def _result(course, assignment, student, staging, reasons, start, broken=False, digest=""):
    score, max_score, lost = graded_outcome(course, assignment, student)
    reasons = reasons + lost
    status = "graded" if course.path("autograded", student, assignment).is_dir() and not broken else "failed"
    result = SubmissionResult(student, assignment, status, score, max_score, reasons, time.monotonic() - start)
    if status == "graded":
        _write_marker(staging, result, digest)
    return result


def record_zero(course, assignment, student, staging, reasons, start, digest=""):
    """Give zero to a submission without one readable notebook, as nbgrader does for a
    missing notebook, through the Gradebook API (nbgrader's converter stops earlier)."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()
    score, max_score, _ = graded_outcome(course, assignment, student)
    reasons = reasons + [f"no readable notebook: all {max_score:g} points lost"]
    result = SubmissionResult(student, assignment, "graded", score, max_score, reasons, time.monotonic() - start)
    _write_marker(staging, result, digest)
    return result


def _write_marker(staging, result, digest):
    marker = result_marker(staging, result.student)
    write_atomically(marker.with_suffix(".sha256"), digest)  # the digest first: the marker commits
    write_atomically(marker, json.dumps(asdict(result), indent=1))


def submission_digest(course, assignment, student):
    """SHA-256 of what grading reads of a submission: the names and bytes of its notebooks and
    its ``timestamp.txt`` (a link counts by its target's name, never followed)."""
    folder = course.path("submitted", student, assignment)
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.ipynb")) + [folder / "timestamp.txt"]:
        if path.is_symlink():
            digest.update(f"link {path.name} -> {path.readlink()}\n".encode())
        elif path.is_file():
            with path.open("rb") as file:  # read in blocks: a submission may be large
                digest.update(f"file {path.name} {hashlib.file_digest(file, 'sha256').hexdigest()}\n".encode())
    return digest.hexdigest()


def graded_digest(staging, student):
    """The :func:`submission_digest` of the submission the student's marker records ("" if none)."""
    path = result_marker(staging, student).with_suffix(".sha256")
    return path.read_text() if path.is_file() else ""


def result_marker(staging, student):
    """The file recording that a student's submission was graded (and how)."""
    return staging / "results" / f"{student}.json"
