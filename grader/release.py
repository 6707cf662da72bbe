"""Build the student release of an assignment with nbgrader, between two lints.

Before: every grade cell has points and a unique id, and no test cell defines a name an
answer cell defines. After: the release holds no solution text, no hidden tests and no
mention of the grader's trusted modules; it carries the student kit (``backprop_kit``,
``datasets``) so that it runs with numpy, matplotlib and JupyterLab alone; and grading it
as it is, hidden tests included, fails every graded test cell (a test that passes on the
bare stubs grades nothing) while every other cell runs.
"""

import shutil
from dataclasses import dataclass, field

import nbformat
from nbgrader.apps import NbGraderAPI

from .checker.job import grade_in_worker
from .checker.launch import _package_dir
from .checker.limits import Limits
from .checker.plan import TEST, Master, defined_names, plan_notebook
from .notebook_cells import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, error_outputs, failure_message,
                             grade_id, graded_cells, is_grade, nbgrader_meta, points)

#: What a release carries besides its notebooks: the student kit and the data loaders.
KIT_PACKAGES = ("backprop_kit", "datasets")
#: Words that must not appear in a release: the grader's trusted modules.
TRUSTED_WORDS = ("oracle", "from grader", "import grader", "from solutions", "import solutions")

MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)


class LintError(Exception):
    """The assignment or its release breaks a rule; the message lists every problem."""


@dataclass
class BuildReport:
    """What one build did."""

    assignment: str
    release: str
    graded_cells: int = 0
    points: float = 0.0
    problems: list = field(default_factory=list)
    #: Where the master came from: "" (the course's copy, as packaged), "copied" (from the
    #: package, now) or "edited" (the course's copy differs from the packaged notebook).
    source_note: str = ""


def lint_source(nb, name):
    """Problems with the source notebook's grade cells (points, unique ids)."""
    problems, seen = [], set()
    for index, cell in enumerate(nb.cells):
        if not nbgrader_meta(cell):
            continue
        gid = grade_id(cell)
        if not gid:
            problems.append(f"{name} cell {index}: nbgrader cell without a grade_id")
        elif gid in seen:
            problems.append(f"{name} cell {index}: grade_id {gid!r} is used twice")
        seen.add(gid)
        if is_grade(cell) and not points(cell) > 0:
            problems.append(f"{name} cell {index} ({gid}): grade cell without points")
    if not graded_cells(nb):
        problems.append(f"{name}: no grade cells")
    return problems


def solution_lines(nb):
    """Code lines between solution markers (longer than a trivial line) that appear nowhere
    else in the notebook — a line shared with a given cell gives nothing away."""
    lines, inside, elsewhere = [], False, set()
    for cell in nb.cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in (BEGIN_SOLUTION, END_SOLUTION):
                inside = stripped == BEGIN_SOLUTION
            elif inside and len(stripped) > 12:
                lines.append(stripped)
            else:
                elsewhere.add(stripped)
    return [line for line in lines if line not in elsewhere]


def lint_test_names(nb, name):
    """Problems: test cells that bind a name an answer cell defines (the trusted side
    would then test its own definition instead of the student's)."""
    master = Master.from_notebook(nb)
    answers = master.answer_names()
    problems = []
    for cell in master.cells:
        if cell.role == TEST:
            clash = sorted(defined_names(cell.source) & answers)
            if clash:
                problems.append(f"{name} {cell.grade_id}: the test binds {', '.join(clash)}, defined by an answer cell")
    return problems


def lint_release(source_nb, release_nb, name):
    """Problems with a release: leftover markers, solution code, hidden tests, the grader's
    trusted modules."""
    text = "\n".join(c.source for c in release_nb.cells)
    problems = [f"{name}: release still contains {m!r}" for m in MARKERS if m in text]
    problems += [f"{name}: release mentions {word!r} (the student kit holds no oracle)"
                 for word in TRUSTED_WORDS if word in text]
    release_lines = {line.strip() for line in text.splitlines()}
    leaked = [line for line in solution_lines(source_nb) if line in release_lines]
    if leaked:
        problems.append(f"{name}: release contains solution code, e.g. {leaked[0]!r}")
    return problems


def lint_release_fails(release_nb, source_nb, name, limits):
    """Grade the release as it is, hidden tests included: every graded cell must fail and
    every other cell must run."""
    master = Master.from_notebook(source_nb, hidden_tests=True)
    record = grade_in_worker(release_nb, master, limits)
    record.apply(release_nb)
    problems = [f"{name}: {problem}" for problem in record.problems]
    for planned in plan_notebook(release_nb, master):
        cell = release_nb.cells[planned.index]
        if planned.role == TEST and not error_outputs(cell):
            problems.append(f"{name}: graded cell {planned.grade_id} passes on the bare stubs")
        elif planned.role != TEST and error_outputs(cell):
            problems.append(f"{name}: cell {planned.index} fails on the release: {failure_message(cell)}")
    return problems


def copy_kit(release_dir):
    """Put the student kit next to the released notebooks (without caches)."""
    for package in KIT_PACKAGES:
        target = release_dir / package
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(_package_dir(package), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def build(course, assignment, limits=Limits(cell_timeout=60, notebook_timeout=600)):
    """Lint, generate the release with nbgrader, lint the release. Raise LintError on problems.

    Returns
    -------
    BuildReport
    """
    try:
        added, edited = course.add_packaged_sources([assignment])
    except KeyError as error:
        raise LintError(error.args[0]) from None
    source_dir = course.source / assignment
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise LintError(f"{source_dir} holds no notebook")
    sources = {p.stem: nbformat.read(p, as_version=4) for p in notebooks}
    problems = [p for stem, nb in sources.items() for p in lint_source(nb, f"{stem}.ipynb")]
    problems += [p for stem, nb in sources.items() for p in lint_test_names(nb, f"{stem}.ipynb")]
    if problems:
        raise LintError("\n".join(problems))
    api = NbGraderAPI(coursedir=course.coursedir(), config=course.config())
    outcome = api.generate_assignment(assignment, force=True, create=True)
    if not outcome["success"]:
        raise LintError(f"nbgrader generate_assignment failed:\n{outcome.get('error') or outcome.get('log')}")
    release_dir = course.path("release", ".", assignment)
    copy_kit(release_dir)
    report = BuildReport(assignment, str(release_dir), source_note="copied" if added else "edited" if edited else "")
    for stem, source_nb in sources.items():
        release_nb = nbformat.read(release_dir / f"{stem}.ipynb", as_version=4)
        problems += lint_release(source_nb, release_nb, f"{stem}.ipynb")
        problems += lint_release_fails(release_nb, source_nb, f"{stem}.ipynb", limits)
        graded = graded_cells(source_nb)
        report.graded_cells += len(graded)
        report.points += sum(points(c) for c in graded)
    if problems:
        raise LintError("\n".join(problems))
    return report
