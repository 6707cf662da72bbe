"""Which assignment of the course a submitted notebook belongs to: the one it is named after,
or, for a renamed notebook, the one whose graded and read-only cells (their ``grade_id``) it
holds. Nothing is guessed: a notebook matching none, or several, belongs to none."""

import json
from collections import Counter
from pathlib import Path

from .notebook_cells import cells_by_grade_id
from .staging import MAX_NOTEBOOK_BYTES


def identifying_grade_ids(course):
    """The cell ids that tell each assignment of the course from the others.

    Parameters
    ----------
    course : grader.course.Course
        Its master notebooks, ``course.source/<id>/<id>.ipynb``, are read.

    Returns
    -------
    dict of str -> set of str
        {assignment id: the grade_ids of its master notebook that no other master has}, for
        every assignment (``course.assignment_ids()``). Ids that several notebooks share
        (``setup``, given code) are left out.
    """
    found = {}
    for assignment_id in course.assignment_ids():
        master = course.source / assignment_id / f"{assignment_id}.ipynb"
        found[assignment_id] = set(cells_by_grade_id(json.loads(master.read_text(encoding="utf-8"))))
    counts = Counter(cell_id for ids in found.values() for cell_id in ids)
    return {aid: {cell_id for cell_id in ids if counts[cell_id] == 1} for aid, ids in found.items()}


def assignment_of(name, notebook, markers):
    """The assignment a submitted notebook belongs to, and what is worth saying about it.

    The notebook's name decides when it is ``<assignment id>.ipynb``. A notebook of another
    name (a renamed file) belongs to the one assignment whose identifying cells it holds;
    holding those of several, or of none, it belongs to none: nothing is guessed.

    Parameters
    ----------
    name : str
        The notebook's file name, as submitted (``my_copy.ipynb``).
    notebook : dict or None
        The notebook as JSON, or None when it cannot be read.
    markers : dict of str -> set of str
        :func:`identifying_grade_ids`.

    Returns
    -------
    assignment : str or None
        The assignment id, or None when the notebook matches no assignment or several.
    why : str or None
        With an assignment: None, or a remark for the report (the cells decided, or they are
        another assignment's although the name decided). Without one: the reason.
    """
    held = set(cells_by_grade_id(notebook)) if notebook is not None else set()
    matches = {aid: len(held & ids) for aid, ids in markers.items() if held & ids}
    shown = ", ".join(f"{aid} ({count} of its grade_ids)" for aid, count in sorted(matches.items()))
    stem = Path(name).stem
    if stem in markers:
        if matches and stem not in matches:
            return stem, f"notebook {name} placed by its name, although its cells are those of {shown}"
        return stem, None
    if len(matches) == 1:
        (aid,) = matches
        return aid, f"notebook named {name} placed as {aid}.ipynb: its cells are those of {shown}"
    if matches:
        return None, (f"notebook {name} matches several assignments: it holds cells of {shown}; "
                      "not placed (collect it for one assignment to choose)")
    why = ("it cannot be read as a notebook" if notebook is None
           else "none of its cells carries a grade_id of one")
    return None, (f"notebook {name} matches no assignment: its name is none of "
                  f"{', '.join(f'{aid}.ipynb' for aid in markers)}, and {why}")


def by_assignment(candidates, markers, report):
    """The notebooks that belong to one assignment, by :func:`assignment_of`; the others
    are reported.

    Parameters
    ----------
    candidates : list of grader.collect_sources.Candidate
    markers : dict of str -> set of str
        :func:`identifying_grade_ids`.
    report : grader.collect_report.CollectReport

    Returns
    -------
    dict of (str, str) -> list of Candidate
        {(student, assignment): that student's notebooks of that assignment}.
    """
    groups = {}
    for candidate in candidates:
        assignment_id, why = assignment_of(candidate.name, _notebook_json(candidate.path), markers)
        if assignment_id is None:
            report.skip(candidate.label, why)
            continue
        if why is not None:
            candidate.note = f"{candidate.student}: {why} ({candidate.label})"
        groups.setdefault((candidate.student, assignment_id), []).append(candidate)
    return groups


def _notebook_json(path):
    """The notebook at ``path`` as plain JSON, or None if it cannot be read as one."""
    try:
        if Path(path).stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        notebook = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return notebook if isinstance(notebook, dict) else None
