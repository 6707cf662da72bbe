"""A class report for the instructor: a self-contained HTML page with figures.

``class_report(course, out_dir)`` writes ``out_dir/index.html`` with

- a summary per assignment (submissions, missing, mean, median, min, max),
- the score distribution per assignment (``score_distribution.png``),
- the pass rate of every question, i.e. the share of submissions with full points on its
  grade cell (``pass_rates.png`` and a table),
- the most frequent failure messages: for every grade cell that lost points, the error its
  test raised in the autograded notebook (``CheckFailed: <what is wrong>``), counted per question.

Grades come from nbgrader's gradebook (:mod:`grader.export`), messages from the autograded
notebooks; figures are drawn with matplotlib's object API.
"""

import html
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .course import COURSE_ID
from .export import GRADED, MISSING, autograded_notebook, collect_grades

SCORES_PNG = "score_distribution.png"
PASS_RATES_PNG = "pass_rates.png"

#: Reasons a lost point has no test message; shown in italics in the report.
NO_NOTEBOOK = "no autograded notebook"
UNREADABLE_NOTEBOOK = "no autograded notebook (unreadable file)"
NO_CELL = "grade cell not in the autograded notebook"
NO_ERROR = "no error output"
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
        ``ename: first line of evalue`` of the test's error, or one of the NOTES.
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
    """The cells of a notebook file, or one of the NOTES saying why there are none."""
    if not path.is_file():
        return NO_NOTEBOOK
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return UNREADABLE_NOTEBOOK
    return cells if isinstance(cells, list) else UNREADABLE_NOTEBOOK


def _failure_message(cells, grade_id):
    """``ename: first line of evalue`` of the grade cell's error output, or a NOTE."""
    if isinstance(cells, str):
        return cells
    cell = next((c for c in cells if isinstance(c, dict) and _grade_id(c) == grade_id), None)
    if cell is None:
        return NO_CELL
    error = next((o for o in cell.get("outputs", []) if isinstance(o, dict) and o.get("output_type") == "error"),
                 None)
    return _error_line(error) if error else NO_ERROR


def _grade_id(cell):
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None


def _error_line(error):
    """``ename: first line of evalue`` (just ename when evalue is empty)."""
    name = str(error.get("ename") or "Error")
    lines = str(error.get("evalue") or "").strip().splitlines()
    return f"{name}: {lines[0].strip()}" if lines else name


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


class _Raw(str):
    """HTML that is already escaped."""


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.msg { font-family: ui-monospace, monospace; font-size: 0.9em; }
img { max-width: 100%; } .note { color: #666; font-style: italic; }
"""


def _cell(value):
    if value is None:
        return '<td class="num">—</td>'
    if isinstance(value, _Raw):
        return f"<td>{value}</td>"
    if isinstance(value, (int, float)):
        return f'<td class="num">{html.escape(_fmt(value))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}</table>"


def _fmt(number):
    return f"{number:.4g}" if isinstance(number, float) else str(number)


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _note(text):
    return _Raw(f'<p class="note">{html.escape(text)}</p>')


def _summary_section(summaries):
    headers = ["assignment", "max points", "submissions", "missing", "need attention",
               "mean", "median", "min", "max"]
    rows = [[s.assignment, s.max_score, s.submissions, s.missing, s.attention,
             s.mean, s.median, s.low, s.high] for s in summaries]
    return "<h2>Summary</h2>\n" + _table(headers, rows) + _note(
        "“need attention”: submissions still needing a manual grade or without an autograded notebook.")


def _pass_rate_section(table):
    rows = []
    for assignment in table.assignments:
        for r in pass_rates(table, assignment):
            rate = "—" if r.rate is None else f"{100 * r.rate:.0f}%"
            rows.append([assignment, r.question.column, r.question.max_score, f"{r.passed} / {r.total}", rate])
    return (f'<h2>Pass rates per question</h2>\n<img src="{PASS_RATES_PNG}" alt="pass rates per question">\n'
            + _table(["assignment", "question", "points", "full points", "pass rate"], rows))


def _failure_section(found, top):
    title = f"<h2>Most frequent failures (top {top})</h2>\n"
    if not found:
        return title + _note("No test lost points.")
    rows = [[f.assignment, f.question, f.count,
             _Raw(f'<span class="note">{html.escape(f.message)}</span>') if f.message in NOTES
             else _Raw(f'<span class="msg">{html.escape(f.message)}</span>')] for f in found[:top]]
    shown = f"{min(top, len(found))} of {len(found)} distinct (question, message) pairs."
    return title + _table(["assignment", "question", "failures", "message"], rows) + _note(shown)


def _page(table, summaries, found, top):
    parts = [f"<h1>Class report — {html.escape(COURSE_ID)}</h1>",
             _note(f"{_count(len(table.students), 'student')}, {_count(len(table.assignments), 'assignment')}.")]
    if not table.assignments:
        parts.append(_note("The gradebook holds no assignments yet."))
    else:
        parts.append(_summary_section(summaries))
        if not any(s.submissions for s in summaries):
            parts.append(_note("No submissions yet: nothing to plot."))
        else:
            parts.append(f'<h2>Score distribution</h2>\n<img src="{SCORES_PNG}" alt="score distribution">')
            parts.append(_pass_rate_section(table))
            parts.append(_failure_section(found, top))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Class report — {html.escape(COURSE_ID)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


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
    index.write_text(_page(table, summaries, found, top), encoding="utf-8")
    return index
