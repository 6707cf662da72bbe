"""Extracting downloaded archives (and the archives inside them) with nbgrader's ``unzip``,
giving every extracted file its entry's date in the archive as its modification time."""

import os
import struct
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.plugins import ExtractorPlugin
from nbgrader.utils import unzip

#: Archive extensions nbgrader's zip_collect extracts (``ExtractorPlugin.zip_ext``).
ARCHIVE_EXTENSIONS = tuple(ExtractorPlugin.class_traits()["zip_ext"].default())


#: The most bytes one collect extracts from all its archives together (their entries' sizes).
MAX_EXTRACTED_BYTES = 2**30
#: The most entries one collect extracts from all its archives together.
MAX_EXTRACTED_ENTRIES = 20_000
#: The most archives inside one another: a download (1), an archive in it (2), one in that (3).
MAX_NESTING = 3


@dataclass
class ExtractionBudget:
    """What a collect may still extract: bytes and entries left (shared by all its archives)."""

    bytes_left: int = MAX_EXTRACTED_BYTES
    entries_left: int = MAX_EXTRACTED_ENTRIES

    def take(self, size, entries):
        """Why an archive of ``size`` bytes in ``entries`` entries is not extracted, or None
        after taking them from the budget."""
        if entries > self.entries_left:
            return (f"holds {entries} entries, more than the {self.entries_left} left of the "
                    f"{MAX_EXTRACTED_ENTRIES} one collect extracts: not extracted")
        if size > self.bytes_left:
            return (f"would extract {size} bytes, more than the {self.bytes_left} left of the "
                    f"{MAX_EXTRACTED_BYTES} one collect extracts: not extracted")
        self.bytes_left -= size
        self.entries_left -= entries
        return None


def archive_size(archive):
    """``(bytes, entries)`` an archive would extract, read from its index without extracting.

    Raises
    ------
    zipfile.BadZipFile, tarfile.TarError, OSError
        For an archive that cannot be read.
    """
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as opened:
            infos = opened.infolist()
            return sum(info.file_size for info in infos), len(infos)
    with tarfile.open(archive) as opened:
        members = opened.getmembers()
        return sum(member.size for member in members), len(members)


def is_archive(path):
    """Whether ``path`` has one of the :data:`ARCHIVE_EXTENSIONS`."""
    return path.suffix in ARCHIVE_EXTENSIONS


def extract(archive, into, report, budget=None):
    """Extract ``archive`` and every archive inside it into ``into``.

    Nested archives are extracted into a folder named after them, next to them, as
    nbgrader's ``ExtractorPlugin`` does. An archive that cannot be read is reported and
    the rest goes on. So is an archive nested deeper than :data:`MAX_NESTING`, or one that
    would extract more than is left of ``budget`` (:data:`MAX_EXTRACTED_BYTES`,
    :data:`MAX_EXTRACTED_ENTRIES`): it is not extracted.

    Parameters
    ----------
    archive, into : Path
    report : grader.collect_report.CollectReport
    budget : ExtractionBudget, optional
        Shared by the archives of one collect; a fresh one if not given.

    Returns
    -------
    list of (Path, Path)
        Every extracted file that is not an archive, with its path relative to ``into``.
    """
    budget = budget if budget is not None else ExtractionBudget()
    into.mkdir(parents=True)
    if not _unzip_within(archive, into, False, archive.name, report, budget):
        return []
    done, depths = set(), {into: 1}
    while pending := [p for p in _files(into) if is_archive(p) and p not in done]:
        for nested in pending:
            done.add(nested)
            label = f"{archive.name}:{nested.relative_to(into).as_posix()}"
            depth = max(d for folder, d in depths.items() if folder in nested.parents) + 1
            if depth > MAX_NESTING:
                report.skip(label, f"an archive nested {depth} deep (at most {MAX_NESTING}): not extracted")
            elif _unzip_within(nested, nested.parent, True, label, report, budget):
                depths[_own_folder(nested, nested.parent)] = depth
    return [(p, p.relative_to(into)) for p in _files(into) if p not in done]


def _unzip_within(archive, into, own_folder, label, report, budget):
    """:func:`_unzip` if ``archive`` fits in ``budget``; else report it and return False."""
    try:
        reason = budget.take(*archive_size(archive))
    except Exception as error:  # zipfile, tarfile raise many kinds
        reason = f"unreadable or corrupt archive ({type(error).__name__}: {error})"
    if reason:
        report.skip(label, reason)
        return False
    return _unzip(archive, into, own_folder, label, report)


def _unzip(archive, into, own_folder, label, report):
    """Extract one archive with nbgrader's ``unzip``; report it and return False if unreadable.

    A tar member keeps its time when extracted; a zip entry's date is given back to its
    extracted file here (nbgrader's extraction gives it the time of extraction).
    """
    try:
        unzip(str(archive), str(into), zip_ext=list(ARCHIVE_EXTENSIONS),
              create_own_folder=own_folder, tree=False)
        if zipfile.is_zipfile(archive):
            _restore_zip_dates(archive, _own_folder(archive, into) if own_folder else into)
    except Exception as error:  # zipfile, tarfile and setuptools raise many kinds
        report.skip(label, f"unreadable or corrupt archive ({type(error).__name__}: {error})")
        return False
    return True


def _own_folder(archive, into):
    """The folder nbgrader's ``unzip(create_own_folder=True)`` extracts ``archive`` into:
    its name without the extension (``.tar.gz`` counts as one)."""
    stem = Path(Path(archive.name).stem)
    return into / (stem.stem if stem.suffix == ".tar" else stem.name)


def _restore_zip_dates(archive, into):
    """Set the modification time of every file extracted from ``archive`` into ``into`` to
    its entry's time (:func:`zip_entry_time`)."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            parts = info.filename.split("/")
            if info.is_dir() or info.filename.startswith("/") or ".." in parts:
                continue  # not extracted (setuptools' rule)
            target = into.joinpath(*parts)
            if target.is_file() and not target.is_symlink():
                stamp = zip_entry_time(info)
                os.utime(target, (stamp, stamp))


def zip_entry_time(info):
    """The POSIX time of a zip entry.

    The extended-timestamp extra field (``0x5455``, written by Info-ZIP and many others)
    holds the modification time in UTC; without it, the entry's ``date_time`` is all there
    is, and zip stores it without a time zone: it is read in this machine's local time.

    Parameters
    ----------
    info : zipfile.ZipInfo

    Returns
    -------
    float
        Seconds since the epoch.
    """
    extra, at = info.extra, 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4: at + 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            return float(struct.unpack_from("<I", body, 1)[0])
        at += 4 + size
    return time.mktime(info.date_time + (0, 0, -1))


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())
