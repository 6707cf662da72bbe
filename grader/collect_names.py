"""What the names and paths of a collection's source say: the file-name patterns of learning
management system downloads (nbgrader's ``zip_collect`` convention), and which names and
files are refused (unsafe folder names, links, hidden or system files, non-notebooks)."""

import re
import unicodedata

#: The pattern of nbgrader's documentation for ``zip_collect``, for names such as
#: ``ps1_hacker_attempt_2016-01-30-20-30-10_problem1.ipynb`` (Blackboard's style).
NBGRADER_DOCS_REGEXP = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.*)"

#: What a student id may be: it names ``submitted/<id>/`` and is shown unescaped by
#: nbgrader's formgrader pages, so only letters, digits and ``. _ @ -`` (not first).
STUDENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")

#: Folders and files an archive or a copy may carry that are never submissions.
SYSTEM_NAMES = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store", "Thumbs.db"}


def default_regexps(assignment_ids):
    """The file-name patterns tried when :func:`collect` is given none.

    First nbgrader's documented pattern (``<anything>_<student>_attempt_<timestamp>_<file>``),
    then ``<student>_<anything>_<notebook>.ipynb``, where the student id holds no ``_`` and
    ``<anything>`` may be absent. The second pattern knows the assignments' notebook names,
    so a name with underscores (``alice_12345_01_sigmoid_neurons.ipynb``) splits at the
    right place; any other notebook name is taken to be the last ``_``-free part.

    Parameters
    ----------
    assignment_ids : str or list of str
        The assignment (or assignments) whose notebooks are looked for.

    Returns
    -------
    tuple of str
    """
    if isinstance(assignment_ids, str):
        assignment_ids = [assignment_ids]
    expected = "|".join(re.escape(a) for a in sorted(assignment_ids, key=len, reverse=True))
    simple = (
        r"(?:.*/)?(?P<student_id>[^/_]+)_(?:[^/]*?_)??"
        rf"(?P<file_id>(?:{expected}|[^/_]+)\.ipynb)$"
    )
    return (NBGRADER_DOCS_REGEXP, simple)


def check_regexp(pattern):
    """Raise ValueError unless ``pattern`` compiles and names ``student_id`` and ``file_id``."""
    try:
        groups = re.compile(pattern).groupindex
    except re.error as error:
        raise ValueError(f"invalid regular expression {pattern!r}: {error}") from error
    missing = [name for name in ("student_id", "file_id") if name not in groups]
    if missing:
        raise ValueError(f"regular expression {pattern!r} lacks the named group(s) {missing}")


def unsafe_name_reason(name):
    """Why ``name`` cannot be used as a folder name, or None if it can.

    Refused: empty names, ``.`` and ``..``, names starting with a dot, and names holding
    ``/``, ``\\`` or a NUL character.
    """
    if not name:
        return "is empty"
    if name.startswith("."):
        return "starts with a dot"
    if any(char in name for char in "/\\\0"):
        return "contains a path separator"
    return None


def student_id(text):
    """A student id as collect and the roster keep it: ``text`` in Unicode NFC form, so an id
    written with combining accents (as some file systems and zip tools store names) is the
    same id as the one typed in the roster."""
    return unicodedata.normalize("NFC", text)


def unsafe_student_id_reason(student):
    """Why ``student`` cannot be a student id, or None if it can.

    Refused: what :func:`unsafe_name_reason` refuses, white space, and anything not matching
    :data:`STUDENT_ID_PATTERN` (letters, digits and ``. _ @ -``, at most 128 characters).
    """
    reason = unsafe_name_reason(student)
    if reason:
        return reason
    if any(char.isspace() for char in student):
        return "contains white space"
    if not STUDENT_ID_PATTERN.fullmatch(student):
        return ("holds characters other than letters A-Z a-z, digits and . _ @ - (or is longer "
                "than 128 characters)")
    return None


def linked_file_reason(path):
    """Why ``path`` is refused as a link, or None for a plain file. A link (or a file below a
    linked folder) could point at the instructor's files or another student's notebook."""
    if path.is_symlink():
        return "is a symbolic link, not a file: refused (it could point at anyone's files)"
    if any(parent.is_symlink() for parent in path.parents):
        return "lies in a linked folder: refused (it could point at anyone's files)"
    return None


def not_a_notebook_reason(relative):
    """Why the file at ``relative`` (a path inside its folder or archive) is no submission."""
    if any(part in SYSTEM_NAMES or part.startswith(".") for part in relative.parts):
        return "hidden or system file (checkpoint, __MACOSX, dot file); ignored"
    if relative.suffix != ".ipynb":
        return "not a notebook (only .ipynb files are collected)"
    return None
