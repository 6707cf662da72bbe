"""The class roster in the course: a roster file's students imported into nbgrader's
gradebook, and the copy of it the course keeps.

    from grader.course import Course
    from grader.roster import import_roster
    print(import_roster(Course("course"), "roster.csv").summary())

The file's format, and how it is checked, is described in :mod:`grader.roster_file`.

Importing
---------
The whole file is checked before anything is written: every problem is reported with its
line, and a file with any problem changes nothing. Then each student is added, or updated
(the fields the roster gives; an empty ``email`` or ``lms_user_id`` cell keeps what the
gradebook has), through nbgrader's Gradebook API. Students already in the gradebook keep
their submissions and grades; a student in the gradebook but not in the file stays there
(and is listed). A copy of the imported roster is kept in the course
(``<course>/roster.csv``, :data:`ROSTER_FILE`): the Canvas export reads its students and
sections from it.

A student the gradebook knows only from a submission has no name; nbgrader's formgrader then
shows "None, None". :func:`name_unnamed_students` gives such students their id as last name
and an empty first name (shown ``ada,``); importing a roster does this for every student it
does not list.
"""

import csv
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from .course import COURSE_ID
from .roster_file import read_roster

#: The copy of the last imported roster, in the course folder.
ROSTER_FILE = "roster.csv"
#: The columns of the stored copy, in its order.
STORED_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id", "section")


class NoRosterError(FileNotFoundError):
    """The course has no imported roster."""


@dataclass
class RosterReport:
    """What :func:`import_roster` did.

    Attributes
    ----------
    path : Path
        The file imported.
    added : list of grader.roster_entry.RosterEntry
        Students new to the gradebook.
    updated : list of (RosterEntry, list of str)
        Students whose gradebook fields changed, with the names of those fields.
    unchanged : list of RosterEntry
    not_in_roster : list of str
        Ids of gradebook students the file does not list (kept, with their submissions).
    named : list of str
        Ids of those that had no name and were given their id as last name.
    """

    path: Path
    added: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    not_in_roster: list = field(default_factory=list)
    named: list = field(default_factory=list)

    def summary(self):
        """The import as plain text, one student per line.

        Returns
        -------
        str
        """
        total = len(self.added) + len(self.updated) + len(self.unchanged)
        lines = [f"Roster {self.path.name}: {total} student(s): {len(self.added)} added, "
                 f"{len(self.updated)} updated, {len(self.unchanged)} unchanged."]
        lines += [f"  added    {e.id}: {e.display_name}{_details(e)}" for e in self.added]
        lines += [f"  updated  {e.id}: {e.display_name} ({', '.join(changed)})" for e, changed in self.updated]
        if self.not_in_roster:
            lines.append(f"In the gradebook but not in this roster (kept, with their submissions; "
                         f"left out of the Canvas export): {', '.join(self.not_in_roster)}")
        if self.named:
            lines.append(f"Without a name until now, shown by their id: {', '.join(self.named)}")
        return "\n".join(lines)


def _details(entry):
    """`` <email>, LMS id 12, section S`` for the fields an entry has."""
    parts = [f"<{entry.email}>" if entry.email else "",
             f"LMS id {entry.lms_user_id}" if entry.lms_user_id else "",
             f"section {entry.section}" if entry.section else ""]
    parts = [p for p in parts if p]
    return f"  {', '.join(parts)}" if parts else ""


def import_roster(course, path):
    """Check a roster file, then add or update its students in the course's gradebook.

    Nothing is written unless the whole file is valid. The gradebook (created if the course
    has none yet) gets each student through ``Gradebook.update_or_create_student``;
    submissions and grades are never touched. The roster is then kept as
    ``<course>/roster.csv``.

    Parameters
    ----------
    course : grader.course.Course
    path : str or Path
        The roster CSV.

    Returns
    -------
    RosterReport

    Raises
    ------
    grader.roster_file.RosterError
        If the file has any problem (then nothing was changed).
    """
    entries = read_roster(path)
    report = RosterReport(Path(path))
    course.root.mkdir(parents=True, exist_ok=True)
    with Gradebook(course.gradebook_url, COURSE_ID) as gradebook:
        before = {student.id: student.to_dict() for student in gradebook.students}
        for entry in entries:
            fields = entry.gradebook_fields()
            if entry.id not in before:
                gradebook.update_or_create_student(entry.id, **fields)
                report.added.append(entry)
                continue
            changed = [key for key, value in fields.items() if before[entry.id].get(key) != value]
            if changed:
                gradebook.update_or_create_student(entry.id, **fields)
                report.updated.append((entry, changed))
            else:
                report.unchanged.append(entry)
        listed = {entry.id for entry in entries}
        report.not_in_roster = sorted(set(before) - listed)
        report.named = name_unnamed_students(gradebook, report.not_in_roster)
    write_stored_roster(course, entries)
    return report


def placeholder_names(student_id):
    """``(first_name, last_name)`` for a student without a roster entry: ``("", student_id)``,
    which the formgrader shows as ``<id>,`` and sorts by id."""
    return "", student_id


def name_unnamed_students(gradebook, student_ids=None):
    """Give gradebook students that have no name their id as last name (:func:`placeholder_names`).

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
        Open.
    student_ids : iterable of str, optional
        Only these students (default: all).

    Returns
    -------
    list of str
        The ids of the students named, sorted.
    """
    wanted = None if student_ids is None else set(student_ids)
    named = []
    for student in gradebook.students:
        if (wanted is None or student.id in wanted) and not student.last_name and not student.first_name:
            first, last = placeholder_names(student.id)
            gradebook.update_or_create_student(student.id, first_name=first, last_name=last)
            named.append(student.id)
    return sorted(named)


def stored_roster_path(course):
    """``<course>/roster.csv``."""
    return course.root / ROSTER_FILE


def write_stored_roster(course, entries):
    """Keep ``entries`` as the course's roster (replacing the file at once, never half-written)."""
    target = stored_roster_path(course)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=target.parent, prefix=".roster-",
                                     suffix=".csv", delete=False) as stream:
        writer = csv.writer(stream)
        writer.writerow(STORED_COLUMNS)
        for entry in entries:
            writer.writerow([getattr(entry, key) or "" for key in STORED_COLUMNS])
    os.replace(stream.name, target)


def stored_roster(course):
    """The roster last imported into the course.

    Returns
    -------
    list of grader.roster_entry.RosterEntry

    Raises
    ------
    NoRosterError
        If no roster was imported yet.
    """
    path = stored_roster_path(course)
    if not path.is_file():
        raise NoRosterError(f"the course {course.root} has no roster yet: import one first with "
                            "`backprop-grader roster FILE.csv` (columns id, name, email, lms_user_id, section)")
    return read_roster(path)
