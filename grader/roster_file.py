"""A class roster file: each student's name, e-mail and LMS identifiers, read from CSV and checked.

    from grader.roster_file import read_roster
    for entry in read_roster("roster.csv"):
        print(entry.id, entry.display_name)

:mod:`grader.roster` imports the entries into nbgrader's gradebook and keeps the course's copy.

The file
--------
UTF-8 text (a byte-order mark, as Excel writes one, is fine), comma-separated, with a header
line naming its columns (case and spaces do not matter: ``First Name`` is ``first_name``):

=============== ========= ===================================================================
column          required  holds
=============== ========= ===================================================================
``id``          yes       the student's id in the course: ``submitted/<id>/``, the gradebook's
                          key, and the *SIS Login ID* of the Canvas export
``name``        or the    the full name, split into first and last names
                next two
``first_name``            the given name(s) (may be empty)
``last_name``             the family name
``email``       no        the e-mail address
``lms_user_id`` no        the LMS's own user id (Canvas: the numeric *ID* of its gradebook)
``section``     no        the section, as the LMS names it (written to the Canvas export)
=============== ========= ===================================================================

Any other column is refused, so a column meant to be imported is never silently dropped. How
a ``name`` becomes first and last names is described in :mod:`grader.roster_entry`.

Every problem of the file is reported with its line (:class:`RosterError`).
"""

import csv
import io
import unicodedata
from pathlib import Path

from .collect_names import student_id as normal_id, unsafe_student_id_reason
from .roster_entry import RosterEntry, clean_text, split_name

#: The columns a roster may have (``name`` is read only: the gradebook keeps first and last names).
COLUMNS = ("id", "name", "first_name", "last_name", "email", "lms_user_id", "section")
#: The gradebook's text columns hold at most this many characters (nbgrader's ``String(128)``).
MAX_LENGTH = 128
#: Problems listed in an error before the rest are only counted.
MAX_PROBLEMS = 25

_BOMS = {b"\xef\xbb\xbf": None, b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
         b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_SAVE_AS_UTF8 = ("save it as UTF-8 CSV (Excel: 'CSV UTF-8 (Comma delimited)'; LibreOffice: "
                 "character set 'Unicode (UTF-8)')")


class RosterError(ValueError):
    """A roster file that cannot be imported, with every problem found in it.

    Attributes
    ----------
    path : Path
    problems : list of str
        One per problem, each starting ``line N:`` where it has a line.
    """

    def __init__(self, path, problems):
        self.path = Path(path)
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        lines = [f"{self.path}: not imported, nothing was changed ({len(self.problems)} problem(s)):"]
        lines += [f"  {problem}" for problem in shown]
        if more:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))


def column_key(header):
    """A header cell as a column name: ``" First Name "`` → ``"first_name"``."""
    return "_".join(clean_text(header).casefold().replace("-", " ").split())


def decode_roster(data):
    """The text of a roster file's bytes (UTF-8, with or without a byte-order mark).

    Raises
    ------
    ValueError
        Naming the line of the first byte that is not UTF-8, or the encoding a byte-order
        mark announces.
    """
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            if encoding:
                raise ValueError(f"line 1: the file is {encoding} text (its byte-order mark says so): {_SAVE_AS_UTF8}")
            data = data[len(bom):]
            break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ValueError(f"line {line}: byte 0x{data[error.start]:02x} at character {column} is not UTF-8 "
                         f"(the file was probably saved as Latin-1 or Windows-1252): {_SAVE_AS_UTF8}") from None


def read_roster(path):
    """Read and check a roster file (the format is described in this module's docstring).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of RosterEntry
        In file order.

    Raises
    ------
    RosterError
        Listing every problem of the file, each with its line.
    FileNotFoundError
        If there is no such file.
    """
    path = Path(path)
    try:
        records = _records(decode_roster(path.read_bytes()))
    except ValueError as error:
        raise RosterError(path, [str(error)]) from None
    if not records:
        raise RosterError(path, [f"line 1: the file is empty: its first line must name the columns "
                                 f"({', '.join(COLUMNS)})"])
    (_, header), rows = records[0], records[1:]
    columns, problems = _columns(header)
    if problems:
        raise RosterError(path, problems)
    entries = []
    for line, cells in rows:
        entry = _entry(line, cells, columns, problems)
        if entry is not None:
            entries.append(entry)
    problems += _duplicates(_keys(rows, columns))
    if problems:
        raise RosterError(path, problems)
    if not entries:
        raise RosterError(path, ["the file names its columns but lists no student"])
    return entries


def _records(text):
    """``[(first line, cells)]`` of the CSV text, blank lines left out.

    Raises
    ------
    ValueError
        Naming the line where the text stops being CSV.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ValueError(f"line {start}: not valid CSV ({error})") from None
    return records


def _keys(rows, columns):
    """``(line, id, lms_user_id)`` of every row with the header's number of cells."""
    def cell(cells, key):
        return clean_text(cells[columns[key]]) if key in columns else ""
    return [(line, cell(cells, "id"), cell(cells, "lms_user_id")) for line, cells in rows if len(cells) == len(columns)]


def _columns(header):
    """``({column: index}, problems)`` of the header line."""
    keys = [column_key(cell) for cell in header]
    problems = []
    seen = {}
    for index, key in enumerate(keys):
        if key in seen:
            problems.append(f"line 1: the column '{header[index].strip()}' appears twice (columns {seen[key] + 1} "
                            f"and {index + 1})")
        seen.setdefault(key, index)
    unknown = [header[i].strip() or f"(column {i + 1} has no name)" for i, key in enumerate(keys) if key not in COLUMNS]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(repr(u) for u in unknown)}: a roster has the columns "
                        "id, name (or first_name and last_name), email, lms_user_id and section; remove the others")
    if "id" not in seen:
        problems.append("line 1: there is no 'id' column (the student's id in the course, as in submitted/<id>/)")
    if "name" in seen and ({"first_name", "last_name"} & set(seen)):
        problems.append("line 1: give either a 'name' column or 'first_name' and 'last_name' columns, not both")
    elif "name" not in seen and "last_name" not in seen:
        problems.append("line 1: there is no 'name' column (nor 'first_name' and 'last_name' columns)")
    return seen, problems


def _entry(line, cells, columns, problems):
    """The RosterEntry of one line, or None after appending its problems to ``problems``."""
    if len(cells) != len(columns):
        hint = " (a name with a comma must be quoted: \"Lovelace, Ada\")" if len(cells) > len(columns) else ""
        problems.append(f"line {line}: {len(cells)} cells, but the header names {len(columns)} columns{hint}")
        return None
    values = {key: clean_text(cells[index]) for key, index in columns.items()}
    student_id = normal_id(values["id"])
    id_problem = _id_problem(student_id)
    found = [id_problem] if id_problem else []
    who = f" of {student_id!r}" if student_id else ""
    try:
        first, last = _name_parts(values)
    except ValueError as error:
        found.append(f"the name{who} {error}")
        first = last = ""
    email = values.get("email") or None
    if email and "@" not in email:
        found.append(f"the email{who} {email!r} is not an e-mail address")
    found += _markup_problems(who, (("first_name", first), ("last_name", last)), allowed="'")
    found += _markup_problems(who, (("email", email), ("lms_user_id", values.get("lms_user_id")),
                                    ("section", values.get("section"))))
    found += _length_problems(who, (("id", student_id), ("first_name", first), ("last_name", last),
                                    ("email", email), ("lms_user_id", values.get("lms_user_id"))))
    problems += [f"line {line}: {problem}" for problem in found]
    if found:
        return None
    return RosterEntry(student_id, first, last, email, values.get("lms_user_id") or None,
                       values.get("section") or None, line)


def _id_problem(student_id):
    """What is wrong with a student id (it must be usable as ``submitted/<id>/``), or None."""
    reason = unsafe_student_id_reason(student_id)
    if not reason:
        return None
    return f"the id {student_id!r} {reason}" if student_id else "the id is empty"


def _name_parts(values):
    """``(first_name, last_name)`` of a line's cleaned cells: its ``name``, or its
    ``first_name`` and ``last_name``.

    Raises
    ------
    ValueError
        If there is no last name (or the ``name`` is empty).
    """
    if "name" in values:
        return split_name(values["name"])
    first, last = values.get("first_name", ""), values["last_name"]
    if not last:
        raise ValueError("has no last name")
    return first, last


#: Characters refused in a roster's names, e-mails, LMS ids and sections: nbgrader's formgrader
#: shows them in its pages unescaped, where they would be read as markup. (Names may hold an
#: apostrophe, as in O'Brien: the formgrader shows names as text, outside any attribute.)
MARKUP_CHARACTERS = "<>&\"'"


def _markup_problems(who, fields, allowed=""):
    """Problems of the ``(column, value)`` pairs holding :data:`MARKUP_CHARACTERS` (but those
    in ``allowed``) or control characters."""
    refused = "".join(c for c in MARKUP_CHARACTERS if c not in allowed)
    problems = []
    for key, value in fields:
        bad = sorted({c for c in value or "" if c in refused or unicodedata.category(c).startswith("C")})
        if bad:
            problems.append(f"the {key}{who} {value!r} holds {', '.join(repr(c) for c in bad)}: refused "
                            f"(none of {refused} or control characters)")
    return problems


def _length_problems(who, fields):
    """Problems of the ``(column, value)`` pairs longer than the gradebook keeps (:data:`MAX_LENGTH`)."""
    return [f"the {key}{who} is {len(value)} characters long (the gradebook keeps {MAX_LENGTH})"
            for key, value in fields if value and len(value) > MAX_LENGTH]


def _duplicates(keys):
    """Problems of ids (also ids that differ only in case) and LMS ids given twice.

    Parameters
    ----------
    keys : list of (int, str, str)
        ``(line, id, lms_user_id)`` of every line read (empty strings where missing).
    """
    problems = []
    ids, lms_ids = {}, {}
    for line, student_id, lms_user_id in keys:
        if student_id:
            first_line, first_id = ids.setdefault(student_id.casefold(), (line, student_id))
            if first_line != line:
                same = "the id" if first_id == student_id else f"the id {student_id!r} differs only in case from"
                problems.append(f"line {line}: {same} {first_id!r} already on line {first_line}")
        if lms_user_id:
            first_line, first_id = lms_ids.setdefault(lms_user_id, (line, student_id))
            if first_line != line:
                problems.append(f"line {line}: the lms_user_id {lms_user_id!r} of {student_id!r} is already "
                                f"{first_id!r}'s on line {first_line}")
    return problems
