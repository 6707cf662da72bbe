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


#: The mode of an exchange folder this module makes: rwx for all, sticky (as /tmp).
EXCHANGE_MODE = 0o1777


class ExchangeFailed(Exception):
    """An exchange step failed; the message holds nbgrader's log."""


def _owner(path):
    """The name of the account that owns ``path`` (its uid as text if it has no name)."""
    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def links_and_foreign_files(folder, owner=None):
    """What in ``folder`` a collect must not copy: symbolic links (a copy would follow them,
    with the instructor's rights, to another student's work or any other file), anything but
    plain files and folders (reading a FIFO blocks) and, when ``owner`` is given, entries owned
    by another account. Relative paths, sorted."""
    found = []
    for base, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(base, name)
            mode = os.lstat(path).st_mode
            plain = stat.S_ISREG(mode) or stat.S_ISDIR(mode)
            if not plain or (owner is not None and _owner(path) != owner):
                found.append(os.path.relpath(path, folder))
    return sorted(found)


def _copy_plain_file(source, target):
    """Copy one file, refusing anything but a plain file at the moment it is opened (never
    following a link, never blocking on a FIFO): the student may change the folder while it is
    being copied."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(f"{source} is not a plain file")
        with open(target, "wb") as copy:
            shutil.copyfileobj(file, copy)


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, except that it never collects a submission

    * owned by another account than the student it names (while ``check_owner`` is on, as by
      default), or
    * holding a symbolic link, or (with ``check_owner``) a file of another account.

    The student's latest submission that passes is taken instead, if there is one."""

    def _refusal(self, record):
        """Why the inbound ``record`` may not be collected ("" if it may)."""
        path = os.path.join(self.inbound_path, record["filename"])
        owner = _owner(path)
        if self.check_owner and owner != record["username"]:
            return f"it claims to be submitted by {record['username']} but is owned by {owner}"
        bad = links_and_foreign_files(path, owner if self.check_owner else None)
        if bad:
            return f"it holds links, special files or other accounts' files: {', '.join(bad[:5])}"
        return ""

    def _records_of(self, username):
        """Every inbound record of ``username`` for this assignment."""
        pattern = os.path.join(self.inbound_path, f"{glob.escape(username)}+{glob.escape(self.coursedir.assignment_id)}+*")
        return [self._path_to_record(path) for path in glob.glob(pattern)]

    def init_src(self):
        """Choose the submissions as nbgrader does, then replace each one that must not be
        collected by that student's latest one that may."""
        super().init_src()
        chosen = []
        for record in self.src_records:
            refusal = self._refusal(record)
            if not refusal:
                chosen.append(record)
                continue
            self.log.error("Refused %s: %s", record["filename"], refusal)
            sound = [r for r in self._records_of(record["username"]) if not self._refusal(r)]
            if sound:
                chosen.append(self._sort_by_timestamp(sound)[0])
        self.src_records = chosen

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy (its ignore, include and size rules), made from a snapshot taken
        with links kept as links and plain files only, so that a submission changed after
        :meth:`init_src` checked it cannot make the copy follow a link. A snapshot that holds
        a link, or a submission over nbgrader's size limit, is refused and nothing is copied."""
        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            self.log.error("Refused %s: it is larger than %d kB", os.path.basename(src), self.coursedir.max_dir_size)
            return
        with tempfile.TemporaryDirectory() as scratch:
            snapshot = os.path.join(scratch, "submission")
            try:
                shutil.copytree(src, snapshot, symlinks=True, copy_function=_copy_plain_file)
            except (OSError, shutil.Error) as error:
                self.log.error("Refused %s: it changed while it was copied (%s)", os.path.basename(src),
                               str(error).splitlines()[0][:200])
                return
            linked = links_and_foreign_files(snapshot)
            if linked:
                self.log.error("Refused %s: it holds links: %s", os.path.basename(src), ", ".join(linked[:5]))
                return
            super().do_copy(snapshot, dest, log)


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
    return _run("collect", course, assignment, done=r"Collecting submission|Updating submission")


def release_feedback(course, assignment, student=None):
    """Put the generated feedback of ``assignment`` where each student's ``fetch_feedback``
    (the Assignment List's feedback link) finds it."""
    return _run("release_feedback", course, assignment, student, done=r"Releasing feedback for")
