"""One student of a class roster, and how a roster's names are read.

Names
-----
nbgrader's formgrader shows a student as ``last_name, first_name``. A ``name`` is split so:

* ``"Lovelace, Ada"`` (a comma): the part before the first comma is the last name, the rest
  the first name, as given: ``"García Márquez, Gabriel José"`` → last ``García Márquez``.
* ``"Ada King Lovelace"`` (no comma): the last word is the last name, the words before it the
  first name. ``"Plato"`` has the last name ``Plato`` and an empty first name.

Write names with several family names as ``Last, First``, or use the ``first_name`` and
``last_name`` columns. Spaces are trimmed and runs of them made one; text is stored in
Unicode's composed form (NFC), so an accented name typed on different systems is one name.
"""

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class RosterEntry:
    """One student of a roster.

    Attributes
    ----------
    id : str
    first_name : str
        Possibly empty.
    last_name : str
    email, lms_user_id, section : str or None
        None where the roster has no such column or an empty cell.
    line : int
        The line of the file the student was read from (0 when not read from a file).
    """

    id: str
    first_name: str
    last_name: str
    email: str | None = None
    lms_user_id: str | None = None
    section: str | None = None
    line: int = 0

    @property
    def display_name(self):
        """``Last, First`` as nbgrader and Canvas sort students (``Last`` without a first name)."""
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name

    def gradebook_fields(self):
        """The Student fields this entry sets: names always; email and LMS id where given."""
        fields = {"first_name": self.first_name, "last_name": self.last_name}
        fields.update({key: getattr(self, key) for key in ("email", "lms_user_id") if getattr(self, key) is not None})
        return fields


def clean_text(text):
    """``text`` in Unicode's composed form (NFC), trimmed, with runs of white space made one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_name(name):
    """A full name as ``(first_name, last_name)``.

    Parameters
    ----------
    name : str
        ``"Last, First"`` (split at the first comma, both parts as given) or ``"First Middle
        Last"`` (the last word is the last name).

    Returns
    -------
    tuple of str
        ``(first_name, last_name)``; ``first_name`` may be empty.

    Raises
    ------
    ValueError
        If the name, or the part before its comma, is empty.
    """
    name = clean_text(name)
    if "," in name:
        last, first = (clean_text(part) for part in name.split(",", 1))
    else:
        *given, last = name.split() or [""]
        first = " ".join(given)
    if not last:
        raise ValueError("has no last name" if name else "is empty")
    return first, last
