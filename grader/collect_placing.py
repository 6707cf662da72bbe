"""Choosing one notebook per student and assignment among those found, and writing it (with
its timestamp) to ``submitted/<student>/<assignment>/<assignment>.ipynb``; every notebook not
chosen is reported with the reason."""

import shutil
from pathlib import Path

from .collect_timestamps import write_timestamp
from .staging import read_submitted


def by_student(candidates):
    """{student: that student's candidates}, in the order found."""
    groups = {}
    for candidate in candidates:
        groups.setdefault(candidate.student, []).append(candidate)
    return groups


def choose(group, assignment_id, report):
    """The one notebook to place for a student, reporting every other one; or None.

    A notebook named ``<assignment_id>.ipynb`` is taken (the newest of several); a student's
    only notebook of another name is taken with a note; of several such, none.
    """
    expected = f"{assignment_id}.ipynb"
    right = _named_first(group, expected, report, lambda c: (
        f"notebook {c.name} does not belong to this assignment (expected {expected})"))
    if right:
        return _newest(right, report)
    if len(group) == 1:
        (only,) = group
        only.note = (f"{only.student}: notebook named {only.name} instead of {expected}; "
                     f"placed as {expected} because it is the student's only notebook "
                     f"({only.label})")
        return only
    for candidate in group:
        report.skip(candidate.label,
                    f"notebook {candidate.name} does not belong to this assignment (expected "
                    f"{expected}); {candidate.student} has {len(group)} such notebooks, so "
                    "none can be told to be the submission")
    return None


def choose_copy(group, assignment_id, report):
    """The one notebook to place of a student's notebooks of one assignment (those named
    after it first, then the newest); every other one is reported."""
    expected = f"{assignment_id}.ipynb"
    named = _named_first(group, expected, report, lambda c: (
        f"its cells are those of {assignment_id}, but {c.student} also "
        f"handed in a notebook named {expected}, which was taken instead"))
    return _newest(named or group, report)


def _named_first(group, expected, report, why):
    """The candidates of ``group`` named ``expected``; when there are any, every other one is
    reported as skipped, with the reason ``why(candidate)``.

    Returns
    -------
    list of Candidate
        In the order of ``group``; empty when none is named ``expected``.
    """
    named = [c for c in group if c.name == expected]
    if named:
        for candidate in group:
            if candidate.name != expected:
                report.skip(candidate.label, why(candidate))
    return named


def _newest(candidates, report):
    """The newest of several copies of a student's notebook; the others are reported."""
    if len(candidates) == 1:
        return candidates[0]
    timed = all(c.timestamp is not None for c in candidates)
    key = (lambda c: (c.timestamp, c.label)) if timed else (lambda c: c.label)
    how = "newest by timestamp" if timed else "last in name order"
    keep = max(candidates, key=key)
    for candidate in candidates:
        if candidate is not keep:
            report.skip(candidate.label,
                        f"superseded by another copy from {candidate.student}: "
                        f"{keep.label} ({how})")
    return keep


def place(course, assignment_id, candidate, force, infer_timestamps, report):
    """Copy a chosen notebook (and its timestamp) into ``submitted/<student>/<assignment>/``.

    An existing submission is kept (the candidate is reported as skipped) unless ``force``;
    what was written, inferred or found wrong with the notebook goes to ``report``.
    """
    folder = course.path("submitted", candidate.student, assignment_id)
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            report.skip(candidate.label,
                        f"{candidate.student} already has a submission in {folder}; "
                        "not overwritten (use force=True to replace it)")
            return
        shutil.rmtree(folder)
        report.note(f"{candidate.student}: existing submission of {assignment_id} replaced (force=True)")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{assignment_id}.ipynb"
    shutil.copyfile(candidate.path, target)
    inferred = write_timestamp(folder, candidate, infer_timestamps)
    report.placed.append((candidate.student, target))
    if inferred is not None:
        report.inferred.append((candidate.student, assignment_id, inferred, candidate.dated_by))
    if candidate.note:
        report.note(candidate.note)
    problem = _notebook_problem(target)
    if problem:
        report.note(f"{candidate.student}: {candidate.label} is not a valid notebook "
                    f"({problem}); placed anyway, grading will report it")


def _notebook_problem(path):
    """Why ``path`` cannot be read as a notebook, or None if it can."""
    try:
        read_submitted(Path(path))
    except Exception as error:  # nbformat raises JSON, reader and version errors
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None
