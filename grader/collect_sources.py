"""Finding the notebooks of a collection's source and whose they are: in a folder tree, one
sub-folder per student, or among downloaded files and archives, by their file names (nbgrader's
``FileNameCollectorPlugin``)."""

import contextlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin

from .collect_archives import ExtractionBudget, extract, is_archive
from .collect_names import (check_regexp, default_regexps, linked_file_reason, not_a_notebook_reason,
                            student_id, unsafe_student_id_reason)
from .collect_timestamps import TIMESTAMP_FILE, name_timestamp, timestamp_near

# nbgrader's collector plugin logs a warning for every name a pattern does not match; the
# report already says so, and a second default pattern would double the noise.
_PLUGIN_LOG = logging.getLogger("grader.collect.plugins")
_PLUGIN_LOG.setLevel(logging.ERROR)


@dataclass
class Candidate:
    """A notebook found in the source, with what is known about it."""

    student: str
    path: Path
    label: str
    name: str
    timestamp: datetime | None = None
    timestamp_file: Path | None = None
    note: str | None = None
    #: Where a timestamp would be inferred from, for the report (the path's modification time).
    dated_by: str = ""


@contextlib.contextmanager
def found(source, regexp, assignment_ids, report, existing=()):
    """The notebooks of ``source`` attributed to a student (files extracted from archives
    live until the block ends).

    Parameters
    ----------
    source : str or Path
        A folder or one downloaded file.
    regexp : str or None
        The file-name pattern, or None for :func:`default_regexps` of ``assignment_ids``.
    assignment_ids : list of str
        The assignments whose notebooks are looked for.
    report : grader.collect_report.CollectReport
        Where files that are no submission are reported.
    existing : iterable of str, optional
        The student ids already in the course (``submitted/``): a new id that differs from
        one of them only in case is refused.

    Yields
    ------
    list of Candidate
        In a stable order.

    Raises
    ------
    ValueError
        If ``regexp`` lacks a required group.
    FileNotFoundError
        If ``source`` does not exist.
    """
    source = Path(source).resolve()
    if not source.exists():
        raise FileNotFoundError(f"no such file or folder: {source}")
    patterns = (regexp,) if regexp is not None else default_regexps(assignment_ids)
    for pattern in patterns:
        check_regexp(pattern)
    collectors = [FileNameCollectorPlugin(named_regexp=p, log=_PLUGIN_LOG) for p in patterns]
    with tempfile.TemporaryDirectory(prefix="collect-") as workdir:
        yield _without_case_clashes(_gather(source, Path(workdir), collectors, report), existing, report)


def _without_case_clashes(candidates, existing, report):
    """``candidates`` less those whose student id differs only in case from another id among
    them or in ``existing`` (``Alice`` and ``alice`` would be two students); each is reported."""
    spellings = {}
    for student in {*existing, *(c.student for c in candidates)}:
        spellings.setdefault(student.casefold(), set()).add(student)
    kept = []
    for candidate in candidates:
        others = sorted(spellings[candidate.student.casefold()] - {candidate.student})
        if others:
            where = "already in submitted/" if set(others) & set(existing) else "in this collection"
            report.skip(candidate.label, f"student id {candidate.student!r} differs only in case from "
                                         f"{', '.join(map(repr, others))} ({where}): refused, rename one")
        else:
            kept.append(candidate)
    return kept


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
    student = student_id(folder.name)
    if _unsafe_student(student, folder.relative_to(source).as_posix() + "/", report):
        return []
    candidates = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        label = path.relative_to(source).as_posix()
        if path.name == TIMESTAMP_FILE or _refused(path, path.relative_to(folder), label, report):
            continue
        stamp_file, stamp = timestamp_near(path, folder, label, report)
        candidates.append(Candidate(student, path, label, path.name, stamp, stamp_file,
                                    dated_by=f"the modification time of {label}"))
    return candidates


def _from_downloads(files, base, workdir, collectors, report):
    """The notebooks among downloaded files and archives, attributed by file name."""
    candidates = []
    budget = ExtractionBudget()
    for index, file in enumerate(files):
        if is_archive(file):
            inside = extract(file, workdir / str(index), report, budget)
            found = [(path, rel, f"{file.name}:{rel.as_posix()}") for path, rel in inside]
            dated_by = "the date of {} in its archive"
        else:
            rel = file.relative_to(base)
            found = [(file, rel, rel.as_posix())]
            dated_by = "the modification time of {}"
        for path, rel, label in found:
            candidate = _from_name(path, rel, label, collectors, report)
            if candidate is not None:
                candidate.dated_by = dated_by.format(label)
                candidates.append(candidate)
    return candidates


def _from_name(path, relative, label, collectors, report):
    """A candidate whose student and notebook name come from its file name, or None.

    ``relative`` is the file's path inside its archive or download folder, ``label`` how
    the report names it.
    """
    if _refused(path, relative, label, report):
        return None
    info = _match(path, collectors)
    if info is None:
        shown = " or ".join(f"'{c.named_regexp}'" for c in collectors)
        report.skip(label, f"file name does not match the pattern {shown}")
        return None
    student = student_id(info["student_id"])
    if _unsafe_student(student, label, report):
        return None
    name = Path(info["file_id"]).stem + ".ipynb"
    stamp = name_timestamp(info.get("timestamp"), label, report)
    return Candidate(student, path, label, name, stamp)


def _match(path, collectors):
    """The named groups from the first of nbgrader's collector plugins that matches ``path``."""
    for collector in collectors:
        info = collector.collect(path.as_posix())
        if info:
            return info
    return None


def _refused(path, relative, label, report):
    """Whether the file at ``path`` (``relative`` inside its folder or archive) is refused as
    a submission: a link, a hidden or system file, or no notebook. A refused file is reported."""
    reason = linked_file_reason(path) or not_a_notebook_reason(relative)
    if reason:
        report.skip(label, reason)
    return reason is not None


def _unsafe_student(student, label, report):
    """Whether ``student`` is refused as a folder name; the refusal is reported for ``label``."""
    problem = unsafe_student_id_reason(student)
    if problem:
        report.skip(label, f"unsafe student id {student!r}: {problem}")
    return problem is not None
