"""Bring students' submissions of one assignment into the course's ``submitted/`` folder.

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

Every submission lands at ``<course>/submitted/<student>/<assignment>/<assignment>.ipynb``.
Files that cannot be placed are listed in the returned :class:`CollectReport` with the
reason; nothing is overwritten unless ``force=True``.

Usage::

    report = collect(Course("course"), "01_sigmoid_neurons", "downloads/submissions.zip")
    print(report.summary())
"""

import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import parse_utc, unzip

from .staging import read_submitted

#: The pattern of nbgrader's documentation for ``zip_collect``, for names such as
#: ``ps1_hacker_attempt_2016-01-30-20-30-10_problem1.ipynb`` (Blackboard's style).
NBGRADER_DOCS_REGEXP = r".*_(?P<student_id>\w+)_attempt_(?P<timestamp>[0-9\-]+)_(?P<file_id>.*)"

#: Folders and files an archive or a copy may carry that are never submissions.
SYSTEM_NAMES = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store", "Thumbs.db"}

TIMESTAMP_FILE = "timestamp.txt"

#: Archive extensions nbgrader's zip_collect extracts (``ExtractorPlugin.zip_ext``).
ARCHIVE_EXTENSIONS = tuple(ExtractorPlugin.class_traits()["zip_ext"].default())

# nbgrader's collector plugin logs a warning for every name a pattern does not match; the
# report already says so, and a second default pattern would double the noise.
_PLUGIN_LOG = logging.getLogger(f"{__name__}.plugins")
_PLUGIN_LOG.setLevel(logging.ERROR)


@dataclass
class CollectReport:
    """What :func:`collect` did.

    Attributes
    ----------
    placed : list of (str, Path)
        ``(student, notebook path)`` of every submission written.
    skipped : list of (str, str)
        ``(file, reason)`` of every file that was not placed.
    notes : list of str
        Things worth knowing about placed submissions (renamed notebook, invalid JSON,
        replaced submission, ignored timestamp).
    """

    placed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def skip(self, file, reason):
        """Record that ``file`` was not placed, and why."""
        self.skipped.append((str(file), reason))

    def note(self, text):
        """Record a remark about the collection."""
        self.notes.append(text)

    def summary(self):
        """A plain-text account of the collection, one item per line.

        Returns
        -------
        str
        """
        lines = [f"Placed {len(self.placed)} submission(s)."]
        lines += [f"  {student}: {path}" for student, path in self.placed]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)} file(s):")
            lines += [f"  {file}: {reason}" for file, reason in self.skipped]
        if self.notes:
            lines.append("Notes:")
            lines += [f"  - {text}" for text in self.notes]
        return "\n".join(lines)


@dataclass
class _Candidate:
    """A notebook found in the source, with what is known about it."""

    student: str
    path: Path
    label: str
    name: str
    timestamp: datetime | None = None
    timestamp_file: Path | None = None
    note: str | None = None


def collect(course, assignment_id, source, regexp=None, force=False):
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
    source = Path(source).resolve()
    if not source.exists():
        raise FileNotFoundError(f"no such file or folder: {source}")
    patterns = (regexp,) if regexp is not None else default_regexps(assignment_id)
    for pattern in patterns:
        check_regexp(pattern)
    collectors = [FileNameCollectorPlugin(named_regexp=p, log=_PLUGIN_LOG) for p in patterns]
    report = CollectReport()
    with tempfile.TemporaryDirectory(prefix="collect-") as workdir:
        candidates = _gather(source, Path(workdir), collectors, report)
        for group in _by_student(candidates).values():
            chosen = _choose(group, assignment_id, report)
            if chosen is not None:
                _place(course, assignment_id, chosen, force, report)
    return report


def default_regexps(assignment_id):
    """The file-name patterns tried when :func:`collect` is given none.

    First nbgrader's documented pattern (``<anything>_<student>_attempt_<timestamp>_<file>``),
    then ``<student>_<anything>_<notebook>.ipynb``, where the student id holds no ``_`` and
    ``<anything>`` may be absent. The second pattern knows the assignment's notebook name,
    so a name with underscores (``alice_12345_01_sigmoid_neurons.ipynb``) splits at the
    right place; any other notebook name is taken to be the last ``_``-free part.

    Parameters
    ----------
    assignment_id : str

    Returns
    -------
    tuple of str
    """
    expected = re.escape(assignment_id)
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


def linked_file_reason(path):
    """Why ``path`` is refused as a link, or None for a plain file. A link (or a file below a
    linked folder) could point at the instructor's files or another student's notebook."""
    if path.is_symlink():
        return "is a symbolic link, not a file: refused (it could point at anyone's files)"
    if any(parent.is_symlink() for parent in path.parents):
        return "lies in a linked folder: refused (it could point at anyone's files)"
    return None


# --- finding the notebooks -------------------------------------------------------------


def _gather(source, workdir, collectors, report):
    """All notebooks of ``source`` attributed to a student, in a stable order."""
    if source.is_file():
        return _from_downloads([source], source.parent, workdir, collectors, report)
    candidates = []
    downloads = []
    for child in sorted(source.iterdir()):
        if child.is_dir():
            candidates += _from_student_folder(child, source, report)
        else:
            downloads.append(child)
    return candidates + _from_downloads(downloads, source, workdir, collectors, report)


def _from_student_folder(folder, source, report):
    """The notebooks of ``<source>/<student>/``, with their ``timestamp.txt`` if any."""
    student = folder.name
    label = folder.relative_to(source).as_posix() + "/"
    problem = unsafe_name_reason(student)
    if problem:
        report.skip(label, f"unsafe student id {student!r}: {problem}")
        return []
    candidates = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        label = path.relative_to(source).as_posix()
        if path.name == TIMESTAMP_FILE:
            continue
        reason = linked_file_reason(path) or _not_a_notebook_reason(path.relative_to(folder))
        if reason:
            report.skip(label, reason)
            continue
        stamp_file, stamp = _timestamp_near(path, folder, label, report)
        candidates.append(_Candidate(student, path, label, path.name, stamp, stamp_file))
    return candidates


def _from_downloads(files, base, workdir, collectors, report):
    """The notebooks among downloaded files and archives, attributed by file name."""
    candidates = []
    for index, file in enumerate(files):
        if _is_archive(file):
            inside = _extract(file, workdir / str(index), report)
            found = [(path, rel, f"{file.name}:{rel.as_posix()}") for path, rel in inside]
        else:
            rel = file.relative_to(base)
            found = [(file, rel, rel.as_posix())]
        for path, rel, label in found:
            candidate = _from_name(path, rel, label, collectors, report)
            if candidate is not None:
                candidates.append(candidate)
    return candidates


def _from_name(path, relative, label, collectors, report):
    """A candidate whose student and notebook name come from its file name, or None.

    ``relative`` is the file's path inside its archive or download folder, ``label`` how
    the report names it.
    """
    reason = linked_file_reason(path) or _not_a_notebook_reason(relative)
    if reason:
        report.skip(label, reason)
        return None
    info = _match(path, collectors)
    if info is None:
        shown = " or ".join(f"'{c.named_regexp}'" for c in collectors)
        report.skip(label, f"file name does not match the pattern {shown}")
        return None
    student = info["student_id"]
    problem = unsafe_name_reason(student)
    if problem:
        report.skip(label, f"unsafe student id {student!r}: {problem}")
        return None
    name = Path(info["file_id"]).stem + ".ipynb"
    stamp = _name_timestamp(info.get("timestamp"), label, report)
    return _Candidate(student, path, label, name, stamp)


def _match(path, collectors):
    """The named groups from the first of nbgrader's collector plugins that matches ``path``."""
    for collector in collectors:
        info = collector.collect(path.as_posix())
        if info:
            return info
    return None


def _not_a_notebook_reason(relative):
    """Why the file at ``relative`` (a path inside its folder or archive) is no submission."""
    if any(part in SYSTEM_NAMES or part.startswith(".") for part in relative.parts):
        return "hidden or system file (checkpoint, __MACOSX, dot file); ignored"
    if relative.suffix != ".ipynb":
        return "not a notebook (only .ipynb files are collected)"
    return None


# --- archives --------------------------------------------------------------------------


def _is_archive(path):
    return path.suffix in ARCHIVE_EXTENSIONS


def _extract(archive, into, report):
    """Extract ``archive`` and every archive inside it into ``into``.

    Nested archives are extracted into a folder named after them, next to them, as
    nbgrader's ``ExtractorPlugin`` does. An archive that cannot be read is reported and
    the rest goes on.

    Returns
    -------
    list of (Path, Path)
        Every extracted file that is not an archive, with its path relative to ``into``.
    """
    into.mkdir(parents=True)
    if not _unzip(archive, into, False, archive.name, report):
        return []
    done = set()
    while pending := [p for p in _files(into) if _is_archive(p) and p not in done]:
        for nested in pending:
            done.add(nested)
            label = f"{archive.name}:{nested.relative_to(into).as_posix()}"
            _unzip(nested, nested.parent, True, label, report)
    return [(p, p.relative_to(into)) for p in _files(into) if p not in done]


def _unzip(archive, into, own_folder, label, report):
    """Extract one archive with nbgrader's ``unzip``; report it and return False if unreadable."""
    try:
        unzip(str(archive), str(into), zip_ext=list(ARCHIVE_EXTENSIONS),
              create_own_folder=own_folder, tree=False)
    except Exception as error:  # zipfile, tarfile and setuptools raise many kinds
        report.skip(label, f"unreadable or corrupt archive ({type(error).__name__}: {error})")
        return False
    return True


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- timestamps ------------------------------------------------------------------------


def parse_timestamp(text):
    """A naive UTC datetime from a timestamp string, as nbgrader reads them.

    Besides what nbgrader's ``parse_utc`` understands, accepts the all-dashes form of
    LMS file names (``2016-01-30-20-30-10``), which ``parse_utc`` misreads.

    Raises
    ------
    ValueError
        If the text is not a timestamp.
    """
    text = text.strip()
    dashed = re.fullmatch(r"(\d{4}-\d\d-\d\d)-(\d\d)-(\d\d)-(\d\d)", text)
    if dashed:
        text = "{} {}:{}:{}".format(*dashed.groups())
    try:
        return parse_utc(text)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a timestamp: {text!r}") from error


def _name_timestamp(text, label, report):
    """The timestamp from a file name's ``timestamp`` group, or None (noted if unreadable)."""
    if not text:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        report.note(f"{label}: timestamp {text!r} in the file name not understood; ignored")
        return None


def _timestamp_near(path, top, label, report):
    """The ``timestamp.txt`` nearest above ``path`` (up to ``top``) and its time, or (None, None)."""
    for folder in [path.parent, *path.parent.parents]:
        stamp_file = folder / TIMESTAMP_FILE
        if stamp_file.is_file() and linked_file_reason(stamp_file) is None:
            try:
                return stamp_file, parse_timestamp(stamp_file.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                report.note(f"{label}: {stamp_file.name} unreadable; not kept")
                return None, None
        if folder == top:
            break
    return None, None


# --- choosing one notebook per student ---------------------------------------------------


def _by_student(candidates):
    groups = {}
    for candidate in candidates:
        groups.setdefault(candidate.student, []).append(candidate)
    return groups


def _choose(group, assignment_id, report):
    """The one notebook to place for a student, reporting every other one; or None."""
    expected = f"{assignment_id}.ipynb"
    right = [c for c in group if c.name == expected]
    wrong = [c for c in group if c.name != expected]
    if right:
        for candidate in wrong:
            report.skip(candidate.label,
                        f"notebook {candidate.name} does not belong to this assignment "
                        f"(expected {expected})")
        return _newest(right, report)
    if len(wrong) == 1:
        (only,) = wrong
        only.note = (f"{only.student}: notebook named {only.name} instead of {expected}; "
                     f"placed as {expected} because it is the student's only notebook "
                     f"({only.label})")
        return only
    for candidate in wrong:
        report.skip(candidate.label,
                    f"notebook {candidate.name} does not belong to this assignment (expected "
                    f"{expected}); {candidate.student} has {len(wrong)} such notebooks, so "
                    "none can be told to be the submission")
    return None


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


# --- writing ---------------------------------------------------------------------------


def _place(course, assignment_id, candidate, force, report):
    """Copy a chosen notebook (and its timestamp) into ``submitted/<student>/<assignment>/``."""
    folder = course.path("submitted", candidate.student, assignment_id)
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            report.skip(candidate.label,
                        f"{candidate.student} already has a submission in {folder}; "
                        "not overwritten (use force=True to replace it)")
            return
        shutil.rmtree(folder)
        report.note(f"{candidate.student}: existing submission replaced (force=True)")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{assignment_id}.ipynb"
    shutil.copyfile(candidate.path, target)
    _write_timestamp(folder, candidate)
    report.placed.append((candidate.student, target))
    if candidate.note:
        report.note(candidate.note)
    problem = _notebook_problem(target)
    if problem:
        report.note(f"{candidate.student}: {candidate.label} is not a valid notebook "
                    f"({problem}); placed anyway, grading will report it")


def _write_timestamp(folder, candidate):
    """Keep the source's ``timestamp.txt``, or write the file name's timestamp as nbgrader does."""
    target = folder / TIMESTAMP_FILE
    if candidate.timestamp_file is not None:
        shutil.copyfile(candidate.timestamp_file, target)
    elif candidate.timestamp is not None:
        target.write_text(candidate.timestamp.isoformat(" "), encoding="utf-8")


def _notebook_problem(path):
    """Why ``path`` cannot be read as a notebook, or None if it can."""
    try:
        read_submitted(Path(path))
    except Exception as error:  # nbformat raises JSON, reader and version errors
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None
