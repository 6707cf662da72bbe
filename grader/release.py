"""Build the student release of an assignment with nbgrader, between two lints.

Before: every grade cell has points and a unique id. After: the release holds no solution
text and no hidden tests, and executing it fails every graded test cell (a test that
passes on the bare stubs grades nothing).
"""

from dataclasses import dataclass, field

import nbformat
from nbgrader.apps import NbGraderAPI

from .execution import Limits, execute_notebook

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


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


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def lint_source(nb, name):
    """Problems with the source notebook's grade cells (points, unique ids)."""
    problems, seen = [], set()
    for index, cell in enumerate(nb.cells):
        meta = _meta(cell)
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        if not grade_id:
            problems.append(f"{name} cell {index}: nbgrader cell without a grade_id")
        elif grade_id in seen:
            problems.append(f"{name} cell {index}: grade_id {grade_id!r} is used twice")
        seen.add(grade_id)
        if meta.get("grade") and not meta.get("points", 0) > 0:
            problems.append(f"{name} cell {index} ({grade_id}): grade cell without points")
    if not any(_meta(c).get("grade") for c in nb.cells):
        problems.append(f"{name}: no grade cells")
    return problems


def solution_lines(nb):
    """Code lines between solution markers (longer than a trivial line) that appear nowhere
    else in the notebook — a line shared with a given cell gives nothing away."""
    lines, inside, elsewhere = [], False, set()
    for cell in nb.cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in ("### BEGIN SOLUTION", "### END SOLUTION"):
                inside = stripped == "### BEGIN SOLUTION"
            elif inside and len(stripped) > 12:
                lines.append(stripped)
            else:
                elsewhere.add(stripped)
    return [line for line in lines if line not in elsewhere]


def lint_release(source_nb, release_nb, name):
    """Problems with a release: leftover markers, solution code or hidden tests."""
    text = "\n".join(c.source for c in release_nb.cells)
    problems = [f"{name}: release still contains {m!r}" for m in MARKERS if m in text]
    release_lines = {line.strip() for line in text.splitlines()}
    leaked = [line for line in solution_lines(source_nb) if line in release_lines]
    if leaked:
        problems.append(f"{name}: release contains solution code, e.g. {leaked[0]!r}")
    return problems


def lint_release_fails(release_nb, workdir, name, limits):
    """Execute the release; every graded cell must fail and every other cell must run."""
    execute_notebook(release_nb, workdir, limits, kernel_name="python3")
    problems = []
    for cell in release_nb.cells:
        if cell.cell_type != "code":
            continue
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        meta = _meta(cell)
        if meta.get("grade") and not failed:
            problems.append(f"{name}: graded cell {meta['grade_id']} passes on the bare stubs")
    return problems


def build(course, assignment, limits=Limits(cell_timeout=60, notebook_timeout=600)):
    """Lint, generate the release with nbgrader, lint the release. Raise LintError on problems.

    Returns
    -------
    BuildReport
    """
    source_dir = course.source / assignment
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise LintError(f"{source_dir} holds no notebook")
    sources = {p.stem: nbformat.read(p, as_version=4) for p in notebooks}
    problems = [p for stem, nb in sources.items() for p in lint_source(nb, f"{stem}.ipynb")]
    if problems:
        raise LintError("\n".join(problems))
    api = NbGraderAPI(coursedir=course.coursedir(), config=course.config())
    outcome = api.generate_assignment(assignment, force=True, create=True)
    if not outcome["success"]:
        raise LintError(f"nbgrader generate_assignment failed:\n{outcome.get('error') or outcome.get('log')}")
    release_dir = course.path("release", ".", assignment)
    report = BuildReport(assignment, str(release_dir))
    for stem, source_nb in sources.items():
        release_nb = nbformat.read(release_dir / f"{stem}.ipynb", as_version=4)
        problems += lint_release(source_nb, release_nb, f"{stem}.ipynb")
        problems += lint_release_fails(release_nb, release_dir, f"{stem}.ipynb", limits)
        graded = [c for c in source_nb.cells if _meta(c).get("grade")]
        report.graded_cells += len(graded)
        report.points += sum(_meta(c)["points"] for c in graded)
    if problems:
        raise LintError("\n".join(problems))
    return report
