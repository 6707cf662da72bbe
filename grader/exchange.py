"""nbgrader's exchange, the JupyterHub flow: release an assignment to the exchange folder, collect
what students submitted through their Assignment List (or ``nbgrader submit``), and release
their feedback, each step by nbgrader's own exchange apps (``NbGraderAPI``).

Collecting is stricter than nbgrader's default: a submission in the inbound folder that claims
to be one student's but is owned by another account (``nbgrader submit --student alice`` run
by bob) is *refused*, where nbgrader only logs a warning and collects it; so is one that holds
a symbolic link (nbgrader's copy, run with the instructor's rights, would follow it to another
student's notebook) or another account's file.
:class:`OwnerCheckedCollect` does that; the course's configuration selects it
(``ExchangeFactory.collect``), so ``nbgrader collect`` and the formgrader use it too.

    from grader.course import Course
    from grader import exchange
    course = Course("course", exchange="/srv/nbgrader/exchange")
    exchange.release_assignment(course, "01_sigmoid_neurons")
    report = exchange.collect_submissions(course, "01_sigmoid_neurons")
"""

import datetime
import glob
import os
import pwd
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field

from nbgrader.apps import NbGraderAPI
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc


#: The mode of an exchange folder this module makes: rwx for all, sticky (as /tmp).
EXCHANGE_MODE = 0o1777


class ExchangeFailed(Exception):
    """An exchange step failed; the message holds nbgrader's log."""


def _account(uid):
    """The name of the account ``uid`` (its uid as text if it has no name)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


#: How deep a submission's folders may nest, and how many entries it may hold, to be collected.
MAX_DEPTH, MAX_ENTRIES = 32, 10_000
#: How much earlier than its folder arrived (its ctime) a submission may claim to be, in seconds.
CLAIM_SLACK = 300
#: nbgrader's format of the time in ``timestamp.txt``.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


class SubmissionRefused(Exception):
    """A submission in the inbound folder must not be collected; the message says why."""


def _open_dir(name, dir_fd=None):
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)


def _checked(fd, relative, uid, want):
    """``os.fstat(fd)``, refusing another kind than ``want`` (a ``stat.S_IS*``) or another owner than ``uid``."""
    info = os.fstat(fd)
    if not want(info.st_mode):
        raise SubmissionRefused(f"{relative!r} is not a plain file or folder")
    if uid is not None and info.st_uid != uid:
        raise SubmissionRefused(f"{relative!r} is owned by {_account(info.st_uid)}")
    return info


def _copy_entry(dir_fd, name, relative, uid, target, limits):
    """Copy (or, with ``target`` None, only check) the plain file ``name`` of the open folder
    ``dir_fd``, opened without following a link or blocking on a FIFO; return its size."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError as error:
        raise SubmissionRefused(f"{relative!r} is a link, a special file or gone ({error.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        size = _checked(fd, relative, uid, stat.S_ISREG).st_size
        if size > limits["bytes"]:
            raise SubmissionRefused(f"it is larger than {limits['kB']} kB")
        limits["bytes"] -= size
        if target is not None:
            with open(target, "xb") as copy:
                shutil.copyfileobj(file, copy)
    return size


def snapshot_submission(path, target=None, uid=None, max_kb=100_000):
    """Copy the submission folder ``path`` into the new folder ``target`` (or, if ``target`` is
    None, only check it), walking it by file descriptor so that nothing swapped in while it is
    read (a link, in place of the folder itself or anything in it) is ever followed.

    Parameters
    ----------
    path : str
        The submission's folder in the inbound folder.
    target : str or None
        Where the copy goes (it must not exist).
    uid : int or None
        The account that must own the folder and everything in it (None: any).
    max_kb : int
        The largest total size of its files, in kB.

    Returns
    -------
    os.stat_result
        The folder's own status (its ``st_ctime`` is when it arrived).

    Raises
    ------
    SubmissionRefused
        If it is or holds a link, a special file, another account's entry, more than
        :data:`MAX_ENTRIES` entries, folders nested deeper than :data:`MAX_DEPTH`, more than
        ``max_kb`` kB, or anything vanishes or fails to read while it is walked.
    """
    limits = {"entries": MAX_ENTRIES, "bytes": 1000 * max_kb, "kB": max_kb}
    try:
        top = _open_dir(path)
    except OSError as error:
        raise SubmissionRefused(f"it is not a folder ({error.strerror})") from None
    pending = [(top, "", target, 0)]
    try:
        info = _checked(top, ".", uid, stat.S_ISDIR)
        if target is not None:
            os.mkdir(target, 0o700)
        while pending:
            fd, relative, copy, depth = pending.pop()
            try:
                for name in sorted(os.listdir(fd)):
                    limits["entries"] -= 1
                    if limits["entries"] < 0:
                        raise SubmissionRefused(f"it holds more than {MAX_ENTRIES} entries")
                    inner = os.path.join(relative, name)
                    inner_copy = None if copy is None else os.path.join(copy, name)
                    mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
                    if not stat.S_ISDIR(mode):
                        _copy_entry(fd, name, inner, uid, inner_copy, limits)
                        continue
                    if depth + 1 > MAX_DEPTH:
                        raise SubmissionRefused(f"its folders nest deeper than {MAX_DEPTH}")
                    child = _open_dir(name, dir_fd=fd)
                    pending.append((child, inner, inner_copy, depth + 1))
                    _checked(child, inner, uid, stat.S_ISDIR)
                    if inner_copy is not None:
                        os.mkdir(inner_copy, 0o700)
            finally:
                os.close(fd)
    except OSError as error:
        raise SubmissionRefused(f"it changed while it was read ({type(error).__name__}: {error.strerror})") from None
    finally:
        for fd, *_ in pending:
            os.close(fd)
    return info


def _note_claimed_time(log, name, claimed, info, snapshot):
    """Where ``claimed`` (the time in the submission's name) is earlier than the folder
    arrived (its ctime, which its owner cannot set back) by more than :data:`CLAIM_SLACK`,
    log a note and date the copy's ``timestamp.txt`` by the arrival."""
    arrived = datetime.datetime.fromtimestamp(info.st_ctime, datetime.timezone.utc).replace(tzinfo=None)  # as parse_utc
    if (arrived - claimed).total_seconds() <= CLAIM_SLACK:
        return
    log.warning("note: %r claims %s but arrived at %s; dated by its arrival", name, claimed, arrived)
    stamp = os.path.join(snapshot, "timestamp.txt")
    if os.path.lexists(stamp):
        os.remove(stamp)
    with open(stamp, "x", encoding="utf-8") as file:
        file.write(arrived.strftime(TIMESTAMP_FORMAT))


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, except that it never collects a submission

    * owned by another account than the student it names (while ``check_owner`` is on, as by
      default), or
    * holding a symbolic link or special file, or (with ``check_owner``) a file of another
      account, or too many entries, too deep folders, or anything that vanishes while read, or
    * whose name nbgrader cannot read (it is logged and left, where nbgrader's collect fails).

    The student's latest submission that passes is taken instead, if there is one. Each check
    is made again while the submission is copied, by file descriptor (see
    :func:`snapshot_submission`)."""

    def _path_to_record(self, path):
        """nbgrader's record of an inbound name, or one marked ``"bad"`` (never chosen) if
        the name is not ``student+assignment+time[+random]``."""
        filename = os.path.basename(path)
        parts = filename.rsplit("+", 3)
        try:
            if len(parts) < 3 or parts[1] != self.coursedir.assignment_id:
                raise ValueError("it is not named student+assignment+time")
            return {"username": parts[0], "filename": filename, "timestamp": parse_utc(parts[2])}
        except Exception as error:  # dateutil's ParserError, OverflowError, ...
            return {"username": "\0" + filename, "filename": filename, "bad": f"its name cannot be read ({error})",
                    "timestamp": datetime.datetime.min}

    def _uid_of(self, record):
        """The uid the submission ``record`` must be owned by (None: any, without ``check_owner``)."""
        if not self.check_owner:
            return None
        try:
            return pwd.getpwnam(record["username"]).pw_uid
        except KeyError:
            raise SubmissionRefused(f"it claims to be submitted by {record['username']!r}, who has no account") from None

    def _refusal(self, record):
        """Why the inbound ``record`` may not be collected ("" if it may)."""
        if "bad" in record:
            return record["bad"]
        path = os.path.join(self.inbound_path, record["filename"])
        try:
            owner = _account(os.lstat(path).st_uid)
            if self.check_owner and owner != record["username"]:
                return f"it claims to be submitted by {record['username']} but is owned by {owner}"
            snapshot_submission(path, uid=self._uid_of(record), max_kb=self.coursedir.max_dir_size)
        except SubmissionRefused as refused:
            return f"it holds links, special files or other accounts' files, or is too big: {refused}"
        except OSError as error:
            return f"it vanished ({error.strerror})"
        return ""

    def _records_of(self, username):
        """Every inbound record of ``username`` for this assignment."""
        pattern = os.path.join(self.inbound_path, f"{glob.escape(username)}+{glob.escape(self.coursedir.assignment_id)}+*")
        return [self._path_to_record(path) for path in glob.glob(pattern)]

    def _candidates(self, record):
        """nbgrader's choice ``record``, then (only as far as asked for) the student's other
        readable submissions, newest first."""
        yield record
        if "bad" not in record:
            others = [r for r in self._records_of(record["username"])
                      if "bad" not in r and r["filename"] != record["filename"]]
            yield from self._sort_by_timestamp(others)

    def init_src(self):
        """Choose the submissions as nbgrader does, then replace each one that must not be
        collected by that student's latest one that may."""
        super().init_src()
        chosen = []
        for record in self.src_records:
            for candidate in self._candidates(record):
                refusal = self._refusal(candidate)
                if not refusal:
                    chosen.append(candidate)
                    break
                self.log.error("Refused %r: %s", candidate["filename"], refusal)
        self._claimed = {os.path.join(self.inbound_path, r["filename"]): r for r in chosen}
        self.src_records = chosen

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy (its ignore, include and size rules), made from a snapshot taken by
        :func:`snapshot_submission`, so that a submission changed after :meth:`init_src`
        checked it is checked again as it is read. A snapshot that fails is refused and
        nothing is copied."""
        record = self._claimed.get(src) or self._path_to_record(src)
        name = os.path.basename(src)
        with tempfile.TemporaryDirectory() as scratch:
            snapshot = os.path.join(scratch, "submission")
            try:
                info = snapshot_submission(src, snapshot, self._uid_of(record), self.coursedir.max_dir_size)
            except SubmissionRefused as refused:
                self.log.error("Refused %r: %s", name, refused)
                return
            if "bad" not in record:
                _note_claimed_time(self.log, name, record["timestamp"], info, snapshot)
            super().do_copy(snapshot, dest, log)


def private_modes(folder):
    """Make ``folder`` and everything in it the instructor's own: folders 0700, files 0600
    (a collected copy keeps the inbound's modes, often open to every account). Links are left."""
    for base, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            path = os.path.join(base, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700 if os.path.isdir(path) else 0o600)
    os.chmod(folder, 0o700)


@dataclass
class ExchangeReport:
    """What one exchange step did, from nbgrader's log.

    Attributes
    ----------
    done : list of str
        One line per submission collected or feedback released.
    refused : list of str
        One line per submission refused (another account's, or holding links), with the reason.
    log : str
        nbgrader's whole log of the step.
    """

    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    log: str = ""

    def summary(self):
        """What was done, one line each (the refusals are in :attr:`refused`)."""
        return "\n".join(self.done) or "nothing to do"


def _api(course, overrides):
    if course.exchange is None:
        raise ExchangeFailed("the course has no exchange folder: pass --exchange DIR (or set $BACKPROP_EXCHANGE)")
    return NbGraderAPI(coursedir=course.coursedir(**overrides), config=course.config(**overrides))


def _failure(outcome):
    """nbgrader's reason for a failed step: its logged errors, or the last line of its
    traceback (the exchange's message), not the whole traceback."""
    log = outcome.get("log") or ""
    errors = [re.sub(r"^\[[^\]]*\]\s*", "", line) for line in log.splitlines()
              if re.match(r"\[\S+ (ERROR|CRITICAL)", line)]
    trace = (outcome.get("error") or "").strip().splitlines()
    return "\n".join(errors or trace[-1:] or ["(nbgrader gave no reason)"])


def _run(step, course, *args, done=r"$^", overrides=None):
    """Run ``NbGraderAPI.<step>(*args)``; raise :class:`ExchangeFailed` with nbgrader's reason if it fails."""
    outcome = getattr(_api(course, overrides or {}), step)(*args)
    log = outcome.get("log") or ""
    if not outcome["success"]:
        raise ExchangeFailed(f"nbgrader {step} failed: {_failure(outcome)}")
    report = ExchangeReport(log=log)
    for line in log.splitlines():
        if "Refused " in line:
            report.refused.append(line.split("Refused ", 1)[1])
        elif re.search(done, line):
            report.done.append(re.sub(r"^\[[^\]]*\]\s*", "", line))
    return report


def release_assignment(course, assignment, force=False):
    """Copy the built release of ``assignment`` to the exchange's outbound folder.

    A missing exchange folder is made, writable by every account and sticky like ``/tmp``
    (what nbgrader expects of it; nbgrader sets the modes of the course's folders in it).
    ``force`` replaces a release already there (a corrected assignment).
    """
    if not course.path("release", ".", assignment).is_dir():
        raise ExchangeFailed(f"{assignment} has no release yet: run `backprop-grader build {assignment}` first")
    if course.exchange is not None and not course.exchange.exists():
        course.exchange.mkdir(parents=True)
        course.exchange.chmod(EXCHANGE_MODE)
    return _run("release_assignment", course, assignment, done=r"Released as:",
                overrides={"ExchangeReleaseAssignment": {"force": force}})


def collect_submissions(course, assignment):
    """Copy each student's latest own submission from the exchange's inbound folder into
    ``submitted/`` (newer ones replace older ones, with their timestamps)."""
    report = _run("collect", course, assignment, done=r"Collecting submission|Updating submission")
    for folder in (course.root / "submitted").glob(f"*/{glob.escape(assignment)}"):
        if folder.is_dir() and not folder.is_symlink():
            private_modes(folder)
    return report


def release_feedback(course, assignment, student=None):
    """Put the generated feedback of ``assignment`` where each student's ``fetch_feedback``
    (the Assignment List's feedback link) finds it."""
    return _run("release_feedback", course, assignment, student, done=r"Releasing feedback for")
