"""One grading writer at a time for an assignment, and the errors that stop a run before it starts.

``autograde`` and ``watch`` both save grades and result markers. Two of them at once on one
assignment would grade the same submissions twice and race on their markers, so each holds an
exclusive lock on ``.grading/<assignment>/writer.lock`` for as long as it runs. The lock is
``flock(2)``: the kernel drops it however the process ends (SIGKILL included), so a killed
watcher never leaves a stale lock behind, and the next start takes it at once.
"""

import fcntl
import os
from contextlib import contextmanager

LOCK_FILE = "writer.lock"


class CannotGrade(ValueError):
    """A grading run cannot start: the assignment is not built, an option is missing, or
    another process is grading it. The message says which, for the instructor."""


class GradingBusy(CannotGrade):
    """Another process (a watcher or an autograde run) holds the assignment's writer lock."""


@contextmanager
def grading_lock(staging, assignment):
    """Hold the writer lock of one assignment while the ``with`` block runs.

    Parameters
    ----------
    staging : Path
        The assignment's folder in ``.grading/`` (created if missing).
    assignment : str
        For the message.

    Raises
    ------
    GradingBusy
        At once (never waits) when another process holds it; the message names its pid.
    """
    staging.mkdir(parents=True, exist_ok=True)
    fd = os.open(staging / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise GradingBusy(f"{assignment} is being graded by another process (pid {holder}: a watcher or an "
                              "autograde run); stop it first, or wait for it to finish") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock
