"""Bring students' submissions into the course's ``submitted/`` folder: one assignment's, or
every assignment's from one download.

Two kinds of source are understood:

* a folder tree, one sub-folder per student: ``<source>/<student>/*.ipynb`` or
  ``<source>/<student>/<anything>/*.ipynb`` (for instance a copy of another ``submitted/``
  folder). A ``timestamp.txt`` next to the notebook, or higher up in the student's folder,
  is kept, as nbgrader does.
* a download from a learning management system: a ``.zip`` file (nested archives are
  extracted too) or loose files, whose *file names* say whose submission they are. As in
  ``nbgrader zip_collect``, every file's absolute path is matched (``re.match``) against a
  named regular expression with the groups ``student_id`` and ``file_id`` and, optionally,
  ``timestamp``; a timestamp found in the name is written to ``timestamp.txt``.

A folder source may mix both: its sub-folders are students, files at its top level are
treated as downloaded files (nbgrader's ``archive_directory`` convention).

:func:`collect` places one assignment's notebooks; :func:`collect_all` places every notebook
in the assignment it belongs to: the one whose notebook name it has, or, for a renamed
notebook, the one whose graded and read-only cells it holds (their ``grade_id``; ids that
several assignments share, such as ``setup``, say nothing). A notebook that matches no
assignment, or several, is reported, not placed.

Every submission lands at ``<course>/submitted/<student>/<assignment>/<assignment>.ipynb``.
When the source gives no timestamp (none in the file name, no ``timestamp.txt``), the best
one there is is written to ``timestamp.txt`` and reported as inferred: the entry's date in
its archive (a zip entry's extended-timestamp field, which is UTC; otherwise its date, which
zip stores without a time zone, read in this machine's local time; a tar member's time), or
the file's modification time. nbgrader's autograde takes the submission's time from there.

Files that cannot be placed are listed in the returned :class:`CollectReport` with the
reason; nothing is overwritten unless ``force=True``.

The pieces live in modules of their own, and what they offer is importable from here too:
:mod:`grader.collect_sources` finds the notebooks and whose they are (with
:mod:`grader.collect_names` for file-name patterns and refused names,
:mod:`grader.collect_archives` for extraction and entry dates, :mod:`grader.collect_timestamps`
for ``timestamp.txt``), :mod:`grader.collect_matching` tells which assignment a notebook
belongs to, :mod:`grader.collect_placing` chooses and writes one per student, and
:mod:`grader.collect_report` holds :class:`CollectReport`.

Usage::

    report = collect(Course("course"), "01_sigmoid_neurons", "downloads/submissions.zip")
    report = collect_all(Course("course"), "downloads/everything.zip")
    print(report.summary())
"""

from .collect_archives import ARCHIVE_EXTENSIONS, zip_entry_time
from .collect_matching import assignment_of, by_assignment, identifying_grade_ids
from .collect_names import (NBGRADER_DOCS_REGEXP, SYSTEM_NAMES, check_regexp, default_regexps,
                            linked_file_reason, unsafe_name_reason)
from .collect_placing import by_student, choose, choose_copy, place
from .collect_report import CollectReport
from .collect_sources import found
from .collect_timestamps import TIMESTAMP_FILE, modification_time, parse_timestamp

__all__ = [
    "ARCHIVE_EXTENSIONS", "NBGRADER_DOCS_REGEXP", "SYSTEM_NAMES", "TIMESTAMP_FILE", "CollectReport",
    "assignment_of", "check_regexp", "collect", "collect_all", "default_regexps", "identifying_grade_ids",
    "linked_file_reason", "modification_time", "parse_timestamp", "unsafe_name_reason", "zip_entry_time",
]


def submitted_ids(course):
    """The ids of the students with a folder in ``submitted/`` (a new id may not differ from one
    of them in case only)."""
    folder = course.root / "submitted"
    return [p.name for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []


def collect(course, assignment_id, source, regexp=None, force=False, infer_timestamps=True):
    """Copy the submissions of one assignment from ``source`` into the course.

    Parameters
    ----------
    course : grader.course.Course
        The course; submissions go to ``course.root/submitted/<student>/<assignment_id>/``.
    assignment_id : str
        The assignment; its notebook is expected to be named ``<assignment_id>.ipynb``.
    source : str or Path
        A folder (one sub-folder per student; top-level files are treated as downloaded
        files), or one downloaded file, usually a ``.zip`` from a learning management system.
    regexp : str, optional
        Named regular expression for downloaded file names, as nbgrader's
        ``FileNameCollectorPlugin.named_regexp``: applied with ``re.match`` to the file's
        absolute path, it must define ``student_id`` and ``file_id`` and may define
        ``timestamp``. By default :func:`default_regexps` are tried in turn.
    force : bool
        Replace a student's existing submission of this assignment (default: keep it and
        report the new file as skipped).
    infer_timestamps : bool
        When the source gives a submission no timestamp, write the entry's date in its
        archive or the file's modification time to ``timestamp.txt`` and report it in
        :attr:`CollectReport.inferred` (default). False writes none.

    Returns
    -------
    CollectReport

    Raises
    ------
    ValueError
        If ``assignment_id`` is not a safe folder name or ``regexp`` lacks a required group.
    FileNotFoundError
        If ``source`` does not exist.
    """
    problem = unsafe_name_reason(assignment_id)
    if problem:
        raise ValueError(f"assignment id {assignment_id!r} {problem}")
    report = CollectReport()
    with found(source, regexp, [assignment_id], report, existing=submitted_ids(course)) as candidates:
        for group in by_student(candidates).values():
            chosen = choose(group, assignment_id, report)
            if chosen is not None:
                place(course, assignment_id, chosen, force, infer_timestamps, report)
    return report


def collect_all(course, source, regexp=None, force=False, infer_timestamps=True):
    """Copy every assignment's submissions from one ``source`` into the course.

    Each notebook goes to the assignment of the course (``course.assignment_ids()``) it
    belongs to, by :func:`assignment_of`: the one it is named after, or, when the student
    renamed it, the one whose graded and read-only cells it holds (the master notebooks in
    ``course.source`` say which ``grade_id`` belongs to which assignment). A notebook that
    matches no assignment, or several, is reported in the returned report and not placed.
    Of several notebooks of a student for one assignment, one named after it is taken
    before renamed ones, then the newest (as :func:`collect` does).

    Parameters
    ----------
    course : grader.course.Course
    source : str or Path
        As for :func:`collect`: a folder or a downloaded file (``.zip``) holding any number
        of assignments.
    regexp, force, infer_timestamps
        As for :func:`collect`.

    Returns
    -------
    CollectReport

    Raises
    ------
    ValueError
        If the course has no assignments or ``regexp`` lacks a required group.
    FileNotFoundError
        If ``source`` does not exist.
    """
    markers = identifying_grade_ids(course)
    if not markers:
        raise ValueError(f"the course has no assignments to collect: no <id>/<id>.ipynb in {course.source}")
    report = CollectReport()
    with found(source, regexp, list(markers), report, existing=submitted_ids(course)) as candidates:
        groups = by_assignment(candidates, markers, report)
        for (_, assignment_id), group in sorted(groups.items()):
            chosen = choose_copy(group, assignment_id, report)
            place(course, assignment_id, chosen, force, infer_timestamps, report)
    return report
