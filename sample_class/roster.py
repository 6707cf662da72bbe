"""The sample class's roster, as an LMS would export it: one line per student of the sample
class, with a name, an e-mail address, a Canvas user id and one of two sections.

    from sample_class.roster import write_roster
    write_roster("build/sample-roster.csv")   # then: backprop-grader roster build/sample-roster.csv

The students are the personas (:data:`sample_class.personas.PERSONAS` and ``HOSTILE``), in
that order, so a persona added there is on the roster too. Each one's given name comes from
its id (``ada-perfect`` is Ada, ``eve-patches-numpy`` Ève: :data:`ACCENTED_GIVEN_NAMES`) and
its family name from :data:`FAMILY_NAMES`, taken in turn; the family names carry what real
rosters do: accents, letters outside Latin-1, names of several words, an apostrophe. A name
is written ``Last, First`` where it has to be (a family name of several words) and on every
fourth line, ``First Last`` otherwise; every fifth name is written decomposed (an accent as a
letter of its own, as some systems save text), which the import stores composed.
"""

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .personas import HOSTILE, PERSONAS

#: The family names given to the students in roster order (reused from the start when the
#: class is larger than the list).
FAMILY_NAMES = (
    "Lovelace", "Ångström", "García Márquez", "Núñez", "Brontë", "Nguyễn", "Søgaard", "O'Brien",
    "Dvořák", "Łukasiewicz", "van der Berg", "Müller", "Çelik", "Okonkwo", "Tanaka", "Ó Briain",
    "Kowalczyk", "Fernández", "Papadopoulos", "Håkansson", "Dubois", "Schrödinger", "Mäkelä",
    "Da Silva", "Eriksen", "Novák", "Petrović", "Zieliński",
)
#: Given names spelled with an accent, by the first part of the persona's id.
ACCENTED_GIVEN_NAMES = {"eve": "Ève", "eli": "Élie"}
#: The two sections, as Canvas names them; students alternate between them in roster order.
SECTIONS = ("Section 01", "Section 02")
#: Canvas user ids of the roster are this number plus the student's place on it (1, 2, …).
CANVAS_ID_BASE = 52000
#: The domain of the students' e-mail addresses.
EMAIL_DOMAIN = "students.example.edu"
#: The roster file's columns (what ``backprop-grader roster`` reads).
COLUMNS = ("id", "name", "email", "lms_user_id", "section")
#: Letters that Unicode does not decompose into a base letter and an accent, spelled in ASCII.
_ASCII_SPELLINGS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss",
                                  "æ": "ae", "Æ": "AE", "ı": "i"})


@dataclass(frozen=True)
class SampleStudent:
    """One line of the sample roster.

    Attributes
    ----------
    id : str
        The persona's id (its folder in ``submitted/``).
    first_name, last_name : str
        The names the gradebook should end up with.
    name : str
        The ``name`` cell as written: ``"Last, First"`` or ``"First Last"``, composed or
        decomposed (:func:`written_name`).
    email : str
    lms_user_id : str
        The Canvas user id (digits).
    section : str
    """

    id: str
    first_name: str
    last_name: str
    name: str
    email: str
    lms_user_id: str
    section: str


def sample_student_ids():
    """The ids of the whole sample class: the personas, then the hostile ones."""
    return [*PERSONAS, *HOSTILE]


def given_name(student_id):
    """The given name of a persona: the first part of its id, capitalised (``ada-perfect`` → ``Ada``),
    or its accented spelling (:data:`ACCENTED_GIVEN_NAMES`)."""
    first = student_id.split("-")[0]
    return ACCENTED_GIVEN_NAMES.get(first, first.capitalize())


def written_name(first_name, last_name, index):
    """The ``name`` cell of line ``index`` (from 0): ``Last, First`` for a family name of several
    words (a roster reader takes the last word of ``First Last`` as the family name) and on every
    fourth line, else ``First Last``; decomposed (Unicode NFD) on every fifth line."""
    name = f"{last_name}, {first_name}" if " " in last_name or index % 4 == 3 else f"{first_name} {last_name}"
    return unicodedata.normalize("NFD", name) if index % 5 == 1 else name


def ascii_spelling(text):
    """``text`` in lower-case ASCII letters and digits only (``"Ó Briain"`` → ``"obriain"``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_SPELLINGS))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def email_address(first_name, last_name, taken):
    """``first.last@`` :data:`EMAIL_DOMAIN` in ASCII, numbered (``first.last2@``) if ``taken`` has it.

    Parameters
    ----------
    first_name, last_name : str
    taken : set of str
        Addresses given already; the new one is added to it.
    """
    local = f"{ascii_spelling(first_name)}.{ascii_spelling(last_name)}"
    address, number = f"{local}@{EMAIL_DOMAIN}", 1
    while address in taken:
        number += 1
        address = f"{local}{number}@{EMAIL_DOMAIN}"
    taken.add(address)
    return address


def sample_roster(student_ids=None):
    """The roster of the sample class.

    Parameters
    ----------
    student_ids : list of str, optional
        Default: :func:`sample_student_ids`, the whole sample class.

    Returns
    -------
    list of SampleStudent
        In the order of ``student_ids``.
    """
    student_ids = sample_student_ids() if student_ids is None else list(student_ids)
    taken, roster = set(), []
    for index, student_id in enumerate(student_ids):
        first, last = given_name(student_id), FAMILY_NAMES[index % len(FAMILY_NAMES)]
        roster.append(SampleStudent(student_id, first, last, written_name(first, last, index),
                                    email_address(first, last, taken), str(CANVAS_ID_BASE + index + 1),
                                    SECTIONS[index % len(SECTIONS)]))
    return roster


def write_roster(path, student_ids=None):
    """Write the sample class's roster as a CSV file that ``backprop-grader roster`` imports.

    Parameters
    ----------
    path : str or Path
        Where to write it (parent folders are created). UTF-8, columns :data:`COLUMNS`.
    student_ids : list of str, optional
        Default: the whole sample class.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for student in sample_roster(student_ids):
            writer.writerow([getattr(student, column) for column in COLUMNS])
    return path
