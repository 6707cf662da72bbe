"""A class report for the instructor: a self-contained HTML page with figures.

``class_report(course, out_dir)`` writes ``out_dir/index.html`` with

- a summary per assignment (submissions, missing, mean, median, min, max),
- the score distribution per assignment (``score_distribution.png``),
- the pass rate of every question, i.e. the share of submissions with full points on its
  grade cell (``pass_rates.png`` and a table),
- the most frequent failures: for every grade cell that lost points, its failure in the
  autograded notebook as the CLI and ``validate`` word it (``test_sigmoid_prime failed a
  visible test: CheckFailed: <what is wrong>``, :func:`grader.notebook_cells.failure_summary`),
  counted per question.

Grades come from nbgrader's gradebook (:mod:`grader.export`), failures from the autograded
notebooks; figures are drawn with matplotlib's object API, the page by the Jinja2 template
``templates/class_report.html.j2`` (with autoescaping).
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .course import COURSE_ID
from .export import GRADED, MISSING, autograded_notebook, collect_grades
from .notebook_cells import NO_CELL, NO_ERROR, NO_NOTEBOOK, cells_by_grade_id, lost_points_failure

SCORES_PNG = "score_distribution.png"
PASS_RATES_PNG = "pass_rates.png"
TEMPLATE = "class_report.html.j2"

#: Reasons a lost point has no failure to show; shown in italics in the report.
UNREADABLE_NOTEBOOK = "no autograded notebook (unreadable file)"
NOTES = frozenset({NO_NOTEBOOK, UNREADABLE_NOTEBOOK, NO_CELL, NO_ERROR})

#: Tolerance below a cell's maximum that still counts as full points.
FULL_POINTS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Summary:
    """Score statistics of one assignment over its submissions (None without submissions)."""

    assignment: str
    max_score: float
    submissions: int
    missing: int
    attention: int
    mean: float | None
    median: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class PassRate:
    """How many submissions earned full points on one question."""

    question: object
    passed: int
    total: int

    @property
    def rate(self):
        """``passed / total``, or None without submissions."""
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class Failure:
    """How often one question failed with one message.

    Attributes
    ----------
    assignment : str
    question : str
        The question's column name (its grade id).
    message : str
        The failure as :func:`grader.notebook_cells.failure_summary` words it, or one of the NOTES.
    count : int
    """

    assignment: str
    question: str
    message: str
    count: int


def summarize(table, assignment):
    """Score statistics of one assignment.

    Parameters
    ----------
    table : grader.export.GradeTable
    assignment : str

    Returns
    -------
    Summary
        Mean, median, min and max are over submissions, None when there are none.
    """
    rows = table.rows_of(assignment)
    submitted = [r for r in rows if r.submitted]
    max_score = rows[0].max_score if rows else sum(q.max_score for q in table.questions_of(assignment))
    attention = sum(r.status not in (GRADED, MISSING) for r in rows)
    return Summary(assignment, max_score, len(submitted), len(rows) - len(submitted), attention,
                   *_statistics([r.score for r in submitted]))


def _statistics(scores):
    """Mean, median, min and max of ``scores`` (four Nones for none)."""
    if not scores:
        return (None,) * 4
    scores = np.asarray(scores, dtype=float)
    return float(scores.mean()), float(np.median(scores)), float(scores.min()), float(scores.max())


def pass_rates(table, assignment):
    """How many submissions earned full points on each question of one assignment.

    Parameters
    ----------
    table : grader.export.GradeTable
    assignment : str

    Returns
    -------
    list of PassRate
        In notebook order; ``total`` counts every submission in the gradebook.
    """
    submitted = [r for r in table.rows_of(assignment) if r.submitted]
    return [PassRate(q, sum(_full(r.points[q], q) for r in submitted), len(submitted))
            for q in table.questions_of(assignment)]


def _full(points, question):
    return points >= question.max_score - FULL_POINTS_TOLERANCE


def failures(course, table):
    """Count the failure messages of every question that lost points, most frequent first.

    Parameters
    ----------
    course : grader.course.Course
    table : grader.export.GradeTable

    Returns
    -------
    list of Failure
        Sorted by count (descending), then assignment, question and message.
    """
    counts = Counter()
    notebooks = {}
    for row in table.rows:
        if not row.submitted:
            continue
        for question, points in row.points.items():
            if _full(points, question):
                continue
            key = (row.student_id, row.assignment, question.notebook)
            if key not in notebooks:
                notebooks[key] = _read_notebook(autograded_notebook(course, *key))
            message = _failure_message(notebooks[key], question.grade_id)
            counts[(row.assignment, question.column, message)] += 1
    found = [Failure(*key, count) for key, count in counts.items()]
    return sorted(found, key=lambda f: (-f.count, f.assignment, f.question, f.message))


def _read_notebook(path):
    """{grade_id: cell} of a notebook file, or one of the NOTES saying why there are none."""
    if not path.is_file():
        return NO_NOTEBOOK
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return UNREADABLE_NOTEBOOK
    return cells_by_grade_id(cells) if isinstance(cells, list) else UNREADABLE_NOTEBOOK


def _failure_message(cells, grade_id):
    """The grade cell's failure (:func:`grader.notebook_cells.failure_summary`), or a NOTE."""
    return cells if isinstance(cells, str) else lost_points_failure(cells, grade_id)[0]


# ----------------------------------------------------------------------------- figures


def score_figure(table):
    """Histogram of the submissions' scores in percent of the max points, one panel per assignment.

    Parameters
    ----------
    table : grader.export.GradeTable
        With at least one assignment.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure = Figure(figsize=(7, 0.6 + 2.0 * len(table.assignments)), layout="constrained")
    axes = figure.subplots(len(table.assignments), 1, sharex=True, squeeze=False)[:, 0]
    bins = np.linspace(0, 100, 11)
    for ax, assignment in zip(axes, table.assignments):
        percents = [_percent(r.score, r.max_score) for r in table.rows_of(assignment) if r.submitted]
        ax.hist(percents, bins=bins, color="#4c72b0", edgecolor="white")
        ax.set_title(f"{assignment} (n = {len(percents)})", fontsize=10)
        ax.set_ylabel("submissions")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not percents:
            _empty(ax, "no submissions")
    axes[-1].set_xlim(0, 100)
    axes[-1].set_xlabel("score (% of max points)")
    return figure


def pass_rate_figure(table):
    """Horizontal bars of the share of submissions with full points per question, one panel per assignment.

    Parameters
    ----------
    table : grader.export.GradeTable
        With at least one assignment.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = [max(len(table.questions_of(a)), 1) for a in table.assignments]
    figure = Figure(figsize=(7, 0.8 + 0.35 * sum(sizes) + 0.6 * len(sizes)), layout="constrained")
    axes = figure.subplots(len(sizes), 1, squeeze=False, gridspec_kw={"height_ratios": sizes})[:, 0]
    for ax, assignment in zip(axes, table.assignments):
        _pass_rate_panel(ax, assignment, pass_rates(table, assignment))
    axes[-1].set_xlabel("submissions with full points")
    return figure


def _pass_rate_panel(ax, assignment, rates):
    labels = [r.question.column for r in rates]
    values = [r.rate or 0.0 for r in rates]
    ax.barh(labels, values, color="#55a868")
    for y, rate in enumerate(rates):
        ax.text(min(values[y], 1.0) + 0.01, y, f"{rate.passed}/{rate.total}", va="center", fontsize=8)
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.invert_yaxis()
    ax.set_title(assignment, fontsize=10)
    if not rates:
        _empty(ax, "no graded cells")
    elif not rates[0].total:
        _empty(ax, "no submissions")


def _empty(ax, text):
    """Mark a panel without data."""
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="gray")


def _percent(score, max_score):
    return 100.0 * score / max_score if max_score else 0.0


# ----------------------------------------------------------------------------- HTML


def _number(value):
    """A table number: floats to four significant digits, counts as they are."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _count_of(n, noun):
    """``n noun``, plural unless n is 1."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _templates():
    """The Jinja2 environment of ``grader/templates`` (autoescaping every value)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                                     autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters.update(number=_number, count_of=_count_of)
    return environment


def render_page(table, summaries, found, top):
    """The report's HTML page.

    Parameters
    ----------
    table : grader.export.GradeTable
    summaries : list of Summary
        One per assignment of ``table``.
    found : list of Failure
        Most frequent first.
    top : int
        How many of ``found`` to list.

    Returns
    -------
    str
    """
    rates = [(assignment, rate) for assignment in table.assignments for rate in pass_rates(table, assignment)]
    return _templates().get_template(TEMPLATE).render(
        course_id=COURSE_ID, students=len(table.students), assignments=table.assignments, summaries=summaries,
        any_submissions=any(s.submissions for s in summaries), rates=rates, failures=found, top=top, notes=NOTES,
        scores_png=SCORES_PNG, pass_rates_png=PASS_RATES_PNG)


def class_report(course, out_dir, top=15):
    """Write the class report: ``out_dir/index.html`` and its PNG figures.

    Parameters
    ----------
    course : grader.course.Course
    out_dir : str or Path
        Folder for ``index.html``, ``score_distribution.png`` and ``pass_rates.png`` (created
        on demand). The figures are written only when there is at least one submission.
    top : int
        How many of the most frequent (question, message) failures to list.

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = collect_grades(course)
    summaries = [summarize(table, a) for a in table.assignments]
    found = failures(course, table)
    if any(s.submissions for s in summaries):
        score_figure(table).savefig(out_dir / SCORES_PNG, dpi=100)
        pass_rate_figure(table).savefig(out_dir / PASS_RATES_PNG, dpi=100)
    index = out_dir / "index.html"
    index.write_text(render_page(table, summaries, found, top), encoding="utf-8")
    return index
