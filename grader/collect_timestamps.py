"""The timestamp of a collected submission, as nbgrader reads it from ``timestamp.txt``: the
source's own (a file name's ``timestamp`` group, a ``timestamp.txt`` in the student's
folder) or, when it gives none, the file's modification time (for a file extracted from an
archive, its entry's date there)."""

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.utils import parse_utc

from .collect_names import linked_file_reason

TIMESTAMP_FILE = "timestamp.txt"


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


def name_timestamp(text, label, report):
    """The timestamp from a file name's ``timestamp`` group, or None (noted if unreadable)."""
    if not text:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        report.note(f"{label}: timestamp {text!r} in the file name not understood; ignored")
        return None


def timestamp_near(path, top, label, report):
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


def modification_time(path):
    """The modification time of ``path`` as a naive UTC datetime, to the second (as
    nbgrader's timestamps are read)."""
    moment = datetime.fromtimestamp(Path(path).stat().st_mtime, timezone.utc)
    return moment.replace(tzinfo=None, microsecond=0)


def write_timestamp(folder, candidate, infer):
    """Keep the source's ``timestamp.txt``, or write the file name's timestamp as nbgrader
    does, or else (when ``infer``) the notebook's modification time, which extraction set
    to its date in the archive.

    Parameters
    ----------
    folder : Path
        The submission's folder, ``submitted/<student>/<assignment>/``.
    candidate : grader.collect_sources.Candidate
        The notebook placed there.
    infer : bool
        Whether to write the modification time when the source gives no timestamp.

    Returns
    -------
    datetime or None
        The timestamp written when it was inferred; None otherwise.
    """
    target = folder / TIMESTAMP_FILE
    if candidate.timestamp_file is not None:
        shutil.copyfile(candidate.timestamp_file, target)
        return None
    stamp = candidate.timestamp
    if stamp is None and infer:
        stamp = modification_time(candidate.path)
    if stamp is not None:
        target.write_text(stamp.isoformat(" "), encoding="utf-8")
    return stamp if candidate.timestamp is None else None
