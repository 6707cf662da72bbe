"""Autograde every submission of an assignment, in parallel, with nbgrader doing the grading.

For each submission, nbgrader's own ``Autograde`` converter and Gradebook do the
bookkeeping: sanitize the notebook and restore the locked cells (pass 1), then after
execution save the grades, apply late penalties and check the metadata (pass 2). Only the
execution step runs elsewhere — in worker processes behind an :class:`~grader.executors.Executor`,
with the limits and crash recovery of :mod:`grader.execution`. Every database write
happens here, in one process, so the gradebook stays consistent (SQLite or PostgreSQL).

Submissions are read from a staging copy: ``submitted/`` is never modified, and a
notebook that cannot even be read is left out of the copy, which nbgrader grades as
missing (zero) while the reason is reported. A marker file in ``autograded/`` records a
finished grading: re-running skips those unless forced, and a run killed half-way redoes
only what it had not finished.
"""

import copy
import json
import logging
import os
import shutil
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from sqlalchemy.exc import SAWarning
from traitlets import Unicode

from .course import COURSE_ID
from .execution import ExecutionResult, KernelFactory, Limits, execute_notebook, sandbox_available
from .executors import LocalProcessExecutor
from .grading_view import grading_sources
from .validate import failure_message

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


@dataclass(frozen=True)
class ExecutionJob:
    """One notebook to execute in a worker (paths are absolute strings: the job is pickled)."""

    student: str
    notebook: str
    sanitized: str
    executed: str
    limits: Limits


_FACTORIES = {}


def kernel_factory(limits):
    """This process's kernel factory for ``limits`` (made once, then reused)."""
    if limits not in _FACTORIES:
        _FACTORIES[limits] = KernelFactory(limits)
    factory = _FACTORIES[limits]
    os.environ["JUPYTER_PATH"] = factory.jupyter_path
    os.environ["JUPYTER_RUNTIME_DIR"] = str(factory.runtime_dir)
    return factory


def run_execution_job(job):
    """Worker entry point: execute one sanitized notebook and write the executed copy.

    The kernel does not see the sanitized file (it holds the hidden tests): the cells are
    sent to it one by one, and it starts in an empty home of its own. Only the locked cells
    and the definitions in the answer cells run (:mod:`grader.grading_view`).

    Returns
    -------
    ExecutionResult
    """
    nb = nbformat.read(job.sanitized, as_version=4)
    result = execute_notebook(nb, None, job.limits, factory=kernel_factory(job.limits),
                              plan=grading_sources(nb), check_integrity=True)
    out = Path(job.executed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    nbformat.write(nb, tmp)
    os.replace(tmp, out)
    return result


class UseExecuted(NbGraderPreprocessor):
    """Stands in for nbgrader's ``Execute``: takes the notebook a worker already executed."""

    executed_dir = Unicode("", help="Folder of executed notebooks: <student>/<notebook>.ipynb").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.executed_dir) / info["student"] / f"{info['notebook']}.ipynb"
        if path.exists():
            return nbformat.read(path, as_version=nbformat.NO_CONVERT), resources
        for cell in nb.cells:  # execution never produced a notebook: nothing ran
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("error", ename="NotExecuted", evalue="not executed",
                                                       traceback=["the notebook could not be executed"])]
        return nb, resources


def _autograde_passes():
    """nbgrader's own second-pass preprocessors with Execute swapped for UseExecuted."""
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    return [UseExecuted if pp is Execute else pp for pp in default]


class _CaptureErrors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage().splitlines()[0][:300])


def run_converter(course, assignment, student, staging, final):
    """Run nbgrader's Autograde converter for one student (pass 1 or pass 2).

    Pass 1 (``final=False``) sanitizes the staged submission into ``autograded/`` without
    executing; pass 2 (``final=True``) takes the executed notebooks and saves the grades.

    Returns
    -------
    list of str
        Errors nbgrader logged (empty on success).
    """
    overrides = {"CourseDirectory": {"submitted_directory": str(staging / "submitted"),
                                     "assignment_id": assignment, "student_id": student},
                 "Autograde": {"force": True}}
    if final:
        overrides["Autograde"].update(sanitize_preprocessors=[], autograde_preprocessors=_autograde_passes())
        overrides["UseExecuted"] = {"executed_dir": str(staging / "executed")}
    else:
        overrides["Autograde"]["autograde_preprocessors"] = []
    config = course.config(**overrides)
    converter = Autograde(coursedir=course.coursedir(**overrides), config=config)
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


@dataclass
class ReleasedNotebook:
    """What a submission of one notebook is checked against."""

    locked: dict  # grade_id -> source of the read-only cells, as released
    grade_ids: set  # every nbgrader cell id of the notebook
    cells: list  # the released notebook's cells


def released_notebooks(course, assignment):
    """{notebook name: ReleasedNotebook} of the assignment's release."""
    out = {}
    for path in sorted(course.path("release", ".", assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        metas = [(c.metadata.get("nbgrader", {}), c.source) for c in nb.cells]
        out[path.stem] = ReleasedNotebook({m["grade_id"]: src for m, src in metas if m.get("locked")},
                                          {m["grade_id"] for m, _ in metas if m.get("grade_id")}, nb.cells)
    return out


def stage_submission(course, assignment, student, expected, staging):
    """Copy a submission into the staging area, leaving out notebooks that cannot be read.

    Parameters
    ----------
    expected : dict
        {notebook name: ReleasedNotebook}.

    Returns
    -------
    list of str
        Reasons to report (missing, renamed or unreadable notebooks, deleted test cells, …).
    """
    source = course.path("submitted", student, assignment)
    target = staging / "submitted" / student / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    reasons = []
    for item in sorted(source.iterdir()):
        if item.suffix != ".ipynb":
            if item.is_file():
                shutil.copy2(item, target / item.name)
            continue
        if item.stem not in expected:
            reasons.append(f"{item.name} is not a notebook of {assignment} (ignored)")
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.read(item, as_version=4)
                nbformat.validate(nb)
        except Exception as error:
            reasons.append(f"{item.name} is not a valid notebook and was graded as missing: "
                           f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
            continue
        reasons += _cell_findings(item.name, nb, expected[item.stem].locked)
        foreign = _strip_foreign_cells(nb, expected[item.stem].grade_ids)
        if foreign:
            reasons.append(f"{item.name}: cells with ids of another notebook ({', '.join(foreign[:4])}"
                           f"{', …' if len(foreign) > 4 else ''}) were treated as plain cells")
        restored = restore_missing_cells(nb, expected[item.stem].cells)
        if restored:
            reasons.append(f"{item.name}: cells {', '.join(restored[:6])}{', …' if len(restored) > 6 else ''} "
                           "were missing and were put back as released")
        if foreign or restored:
            nbformat.write(nb, target / item.name)
        else:
            shutil.copy2(item, target / item.name)
    for name in expected:
        if not (source / f"{name}.ipynb").exists():
            others = sorted(p.name for p in source.glob("*.ipynb"))
            reasons.append(f"{name}.ipynb is missing" + (f" (found {', '.join(others)}: renamed?)" if others else ""))
    return reasons


def restore_missing_cells(nb, released_cells):
    """Put back, as released, every nbgrader cell (answer or test) the submission lacks.

    Each goes right after the cell that precedes it in the release (or first). nbgrader's
    own ``add_missing_cells`` restores test cells only, and stops with an error when the
    answer cell before a missing test cell is missing too, which would cost the whole
    notebook; here a missing answer is just a stub that fails its own tests.

    Returns
    -------
    list of str
        The grade_ids put back.
    """
    def gid(cell):
        return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")

    present = {gid(c) for c in nb.cells}
    restored = []
    for position, cell in enumerate(released_cells):
        if not gid(cell) or gid(cell) in present:
            continue
        before = [gid(c) for c in released_cells[:position] if gid(c) and gid(c) in present]
        index = next(i for i, c in enumerate(nb.cells) if gid(c) == before[-1]) + 1 if before else 0
        nb.cells.insert(index, copy.deepcopy(cell))
        present.add(gid(cell))
        restored.append(gid(cell))
    return restored


def _strip_foreign_cells(nb, known_ids):
    """Drop the nbgrader metadata of cells whose grade_id this notebook does not have
    (nbgrader stops on them); return those ids."""
    foreign = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id and grade_id not in known_ids:
            foreign.append(grade_id)
            del cell.metadata["nbgrader"]
    return foreign


def _cell_findings(filename, nb, locked):
    present = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    missing = [g for g in locked if g not in present]
    if locked and len(missing) == len(locked):
        return [f"{filename} holds none of the assignment's read-only cells (from another assignment, or "
                "its cell metadata was removed); the test cells were restored from the master copy"]
    findings = []
    if missing:
        findings.append(f"{filename}: read-only cells {', '.join(missing)} were deleted or lost their "
                        "metadata; restored from the master copy")
    edited = [g for g, source in locked.items() if g in present and present[g].strip() != source.strip()]
    if edited:
        findings.append(f"{filename}: read-only cells {', '.join(edited)} were edited; the master copy was used")
    return findings


def read_score(course, assignment, student):
    """(score, max_score) of a submission from the gradebook (0, max when absent)."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, gb.find_assignment(assignment).max_score
        return float(submission.score), float(submission.max_score)


def submitted_students(course, assignment):
    """Students with a submission folder for the assignment, sorted."""
    root = course.root / "submitted"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir() and not p.name.startswith("."))


def _check_assignment(course, assignment):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(f"assignment {assignment!r} is not in the gradebook: run the build command first") from None


class GradingRun:
    """The state of one autograde run: what each submission still waits for, and its reasons."""

    def __init__(self, course, assignment, limits):
        self.course, self.assignment, self.limits = course, assignment, limits
        self.staging = course.root / STAGING / assignment
        self.expected = released_notebooks(course, assignment)
        self.reasons, self.started, self.waiting = {}, {}, {}

    def prepare(self, student):
        """Stage and sanitize one submission; return its execution jobs (possibly none)."""
        self.started[student] = time.monotonic()
        self.reasons[student] = stage_submission(self.course, self.assignment, student, self.expected, self.staging)
        staged = self.staging / "submitted" / student / self.assignment
        if not any((staged / f"{name}.ipynb").exists() for name in self.expected):
            return None
        self.reasons[student] += run_converter(self.course, self.assignment, student, self.staging, final=False)
        jobs = []
        for name in self.expected:
            sanitized = self.course.path("autograded", student, self.assignment) / f"{name}.ipynb"
            executed = self.staging / "executed" / student / f"{name}.ipynb"
            executed.unlink(missing_ok=True)
            if sanitized.exists():
                jobs.append(ExecutionJob(student, name, str(sanitized), str(executed), self.limits))
        self.waiting[student] = len(jobs)
        return jobs

    def record(self, job, outcome):
        """Note one execution's outcome; True when the student's last notebook is done."""
        if isinstance(outcome, ExecutionResult):
            self.reasons[job.student] += [f"{job.notebook}: {p}" for p in outcome.problems]
        else:
            self.reasons[job.student].append(f"{job.notebook}: could not be executed: {type(outcome).__name__}: {outcome}")
        self.waiting[job.student] -= 1
        return self.waiting[job.student] == 0

    def finish(self, student):
        """Save the grades of a student whose notebooks have all run."""
        return _finish(self.course, self.assignment, student, self.staging, self.reasons[student], self.started[student])

    def zero(self, student):
        """Grade a submission without one readable notebook."""
        return record_zero(self.course, self.assignment, student, self.staging, self.reasons[student],
                           self.started[student])


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
        Where notebooks run (default: a local process pool, one worker per core).
    limits : Limits
    force : bool
        Grade again submissions that already have a result.
    students : list of str, optional
        Only these students (default: everyone who submitted).
    progress : bool
        Show a progress bar.
    """
    from tqdm import tqdm

    _check_assignment(course, assignment)
    if limits.sandbox is None and not sandbox_available():
        print("warning: bubblewrap (bwrap) is not installed: student code runs without the sandbox",
              file=sys.stderr)
    executor = executor or LocalProcessExecutor()
    run = GradingRun(course, assignment, limits)
    results, todo = {}, []
    for student in [s for s in submitted_students(course, assignment) if students is None or s in students]:
        marker = result_marker(run.staging, student)
        if marker.exists() and not force:
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
            results[student] = run.zero(student) if prepared is None else run.finish(student)
            bar.update()

    for job, outcome in executor.map_unordered(run_execution_job, jobs()):
        if run.record(job, outcome):
            results[job.student] = run.finish(job.student)
            bar.update()
    bar.close()
    return [results[s] for s in sorted(results)]


def lost_points(course, assignment, student):
    """'test_x: message' for every test cell that did not get full points."""
    lines = []
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return lines
        for notebook in submission.notebooks:
            path = course.path("autograded", student, assignment) / f"{notebook.name}.ipynb"
            cells = {}
            if path.exists():
                nb = nbformat.read(path, as_version=4)
                cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
            for grade in notebook.grades:
                if grade.score < grade.max_score:
                    message = failure_message(cells[grade.name]) if grade.name in cells else "not graded"
                    lines.append(f"lost {grade.max_score - grade.score:g} on {grade.name}: {message or 'no output'}")
    return lines


def _finish(course, assignment, student, staging, reasons, start):
    reasons = reasons + run_converter(course, assignment, student, staging, final=True)
    reasons += lost_points(course, assignment, student)
    score, max_score = read_score(course, assignment, student)
    status = "graded" if course.path("autograded", student, assignment).is_dir() else "failed"
    result = SubmissionResult(student, assignment, status, score, max_score, reasons, time.monotonic() - start)
    if status == "graded":
        _write_marker(staging, result)
    return result


def record_zero(course, assignment, student, staging, reasons, start):
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
    score, max_score = read_score(course, assignment, student)
    reasons = reasons + [f"no readable notebook: all {max_score:g} points lost"]
    result = SubmissionResult(student, assignment, "graded", score, max_score, reasons, time.monotonic() - start)
    _write_marker(staging, result)
    return result


def _write_marker(staging, result):
    marker = result_marker(staging, result.student)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(asdict(result), indent=1))


def result_marker(staging, student):
    """The file recording that a student's submission was graded (and how)."""
    return staging / "results" / f"{student}.json"
