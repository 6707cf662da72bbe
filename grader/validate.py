"""Check one notebook locally, without a gradebook: per-question results as the autograder
would give them, hidden tests excluded."""

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import determine_grade

from .execution import Limits, execute_notebook


@dataclass
class QuestionResult:
    """One graded cell's outcome."""

    grade_id: str
    points: float
    max_points: float
    message: str


def _drop_stderr(cell):
    """The autograder ignores stderr (warnings); so does validation."""
    cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]


def failure_message(cell):
    """'Name: message' of the cell's first error output, or '' when it passed."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), (output.get("evalue") or "").strip()
            if ename == "NotImplementedError" and not evalue:
                evalue = "a function this test needs is still a stub"
            return " ".join(f"{ename}: {evalue}".split())[:800]
    return ""


def validate(path, limits=Limits(), kernel_name="python3"):
    """Execute a notebook (hidden tests removed) and grade each test cell.

    Parameters
    ----------
    path : path to .ipynb
    limits : Limits
    kernel_name : str

    Returns
    -------
    list of QuestionResult
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    execute_notebook(nb, path.parent, limits, kernel_name=kernel_name)
    results = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or cell.cell_type != "code":
            continue
        _drop_stderr(cell)
        score, max_score = determine_grade(cell)
        results.append(QuestionResult(meta["grade_id"], float(score or 0), float(max_score), failure_message(cell)))
    return results


def format_results(results):
    """A plain-text table of the results with a total line."""
    lines = []
    for r in results:
        mark = "PASS" if r.points == r.max_points else "FAIL"
        lines.append(f"{mark}  {r.grade_id:<34} {r.points:g}/{r.max_points:g}" + (f"\n      {r.message}" if r.message else ""))
    total, most = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(f"total {total:g}/{most:g} (visible tests only: the graded version runs more)")
    return "\n".join(lines)
