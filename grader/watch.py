"""Graded on submit: a watcher that grades each submission as it arrives.

It looks at ``submitted/`` (or first collects the exchange's inbound folder into it) every
few seconds. A submission whose files have stayed the same for ``settle`` seconds, and
whose digest differs from the one its last grading recorded, is graded — a new submission
and a resubmission alike; an unchanged one never is. Grading streams through the same
executor and pipeline as ``autograde``: new submissions start as soon as a slot is free,
while others are still running, and every gradebook write happens in this process.

What is done is recorded next to the grades (the result marker with its digest, and a
feedback marker with the digest its feedback was made from), so a watcher killed at any
point resumes where it was: what it had not finished is graded or fed back again, what it
had finished is not.
"""

import json
import os
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .autograde import (GradingRun, STAGING, check_assignment, graded_digest, name_new_students, resolve_sandbox,
                        submission_digest, submitted_students)
from .checker.job import run_grading_job, write_atomically
from .course import COURSE_ID
from .executors import IDLE, stream
from .grading_lock import CannotGrade, grading_lock

#: Seconds to wait before trying again a version of a submission whose grading failed (a
#: worker or converter failure, a gradebook locked by another process — not a failing test):
#: one entry per attempt after the first, growing, so that a passing trouble of several
#: minutes is outlasted while a submission that breaks every worker is soon left alone.
RETRY_DELAYS = (10.0, 30.0, 90.0, 270.0)
#: The status file an instructor (or a dashboard) can read while the watcher runs.
STATUS_FILE = "watch-status.json"
#: Folders a submission's signature looks into (as deep as the exchange's collect goes).
MAX_DEPTH = 32


def files_signature(folder):
    """What changes when a submission's files change: the name, size and modification time
    of every file and folder in it (cheap: no file is read)."""
    signature = []
    depth = str(folder).count(os.sep)
    for path, dirs, files in os.walk(folder):
        dirs.sort()
        if path.count(os.sep) - depth >= MAX_DEPTH:  # deeper than any collect goes: seen, not walked
            signature.append((os.path.relpath(path, folder), "too deep"))
            dirs[:] = []
            continue
        for name in sorted(files) + dirs:
            try:
                info = os.lstat(os.path.join(path, name))
            except OSError:
                continue  # removed while we looked: the next look sees the change
            signature.append((os.path.relpath(os.path.join(path, name), folder), info.st_size, info.st_mtime_ns))
    return tuple(signature)


@dataclass
class Seen:
    """One submission as the watcher last saw it."""

    signature: tuple
    since: float  # monotonic time the signature was first seen
    arrived: float  # monotonic time this version was first seen (its latency starts here)
    checked: bool = False  # its digest was compared with its grading record
    attempts: int = 0
    retry_at: float = 0.0  # monotonic time before which a failed attempt is not tried again


@dataclass
class Figures:
    """Queue length and latency (seconds from a submission's arrival to its saved grade)."""

    latencies: list = field(default_factory=list)

    def add(self, seconds):
        self.latencies.append(seconds)

    def summary(self):
        if not self.latencies:
            return "no submission graded yet"
        ordered = sorted(self.latencies)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        return (f"latency median {statistics.median(ordered):.1f} s, 90th percentile {p90:.1f} s, "
                f"max {ordered[-1]:.1f} s over {len(ordered)}")


class Watcher:
    """Grades the submissions of ``assignments`` as they arrive (see the module docstring).

    Parameters
    ----------
    course : Course
    assignments : list of str
        Built assignments to watch.
    executor : Executor
    limits : Limits
        Resolved (``sandbox`` decided), as :func:`grader.autograde.autograde` resolves them.
    feedback : bool
        Generate each graded student's feedback page.
    release : bool
        Also put it in the exchange for the student to fetch (implies ``feedback``).
    from_exchange : bool
        Collect the exchange's inbound folder into ``submitted/`` at every look.
    interval, settle : float
        Seconds between looks, and how long a submission's files must stay unchanged.
    retry_delays : tuple of float
        Seconds before each new attempt at a version whose grading failed; after
        ``len(retry_delays) + 1`` attempts it waits for the next start.
    say : callable
        Where each line goes (default: print).
    """

    def __init__(self, course, assignments, executor, limits, feedback=False, release=False, from_exchange=False,
                 interval=2.0, settle=2.0, retry_delays=RETRY_DELAYS, say=print):
        self.course, self.executor, self.limits = course, executor, limits
        self.retry_delays = tuple(retry_delays)
        self.feedback, self.release = feedback or release, release
        self.from_exchange, self.interval, self.settle, self.say = from_exchange, interval, settle, say
        self.runs = {aid: GradingRun(course, aid, limits) for aid in assignments}
        self.seen, self.ready, self.in_flight, self.owner = {}, [], {}, {}
        self.inbound_names, self.inbound_problem, self.arrivals = {}, {}, {}
        self.figures = Figures()
        self.graded = 0
        self._next_look = 0.0

    @property
    def max_attempts(self):
        """Attempts at one version before it waits for the next start: the first, and one per retry delay."""
        return len(self.retry_delays) + 1

    # -- looking ---------------------------------------------------------------------------

    def look(self):
        """Collect the exchange if asked, then queue every settled, changed submission."""
        now = time.monotonic()
        for aid, run in self.runs.items():
            if self.from_exchange:
                self._collect(aid)
            present = submitted_students(self.course, aid)  # sorted: queued in a stable order
            for student in present:
                self._look_at(aid, student, now)
            self._forget_vanished(aid, set(present))
        self._write_status()

    def _look_at(self, aid, student, now):
        key = (aid, student)
        signature = files_signature(self.course.path("submitted", student, aid))
        seen = self.seen.get(key)
        if seen is None or seen.signature != signature:
            arrived = seen.arrived if seen is not None and not seen.checked and not seen.attempts else now
            self.seen[key] = seen = Seen(signature, now, arrived)
        if seen.checked or key in self.in_flight or key in self.ready or now - seen.since < self.settle:
            return
        run = self.runs[aid]
        if graded_digest(run.staging, student) == submission_digest(self.course, aid, student):
            seen.checked = True  # graded before (by an earlier watcher or autograde): feedback may be due
            if self.feedback and self._feedback_due(aid, student):
                self.say(f"{_clock()}  {aid}  {student}  graded earlier: feedback brought up to date")
                self._give_feedback(aid, student)
            return
        if seen.attempts >= self.max_attempts or now < seen.retry_at:
            return
        self.ready.append(key)

    def _forget_vanished(self, aid, present):
        """Drop what the watcher knew of submissions whose folder is gone (unless in flight)."""
        for key in [k for k in self.seen if k[0] == aid and k[1] not in present and k not in self.in_flight]:
            del self.seen[key]
            if key in self.ready:
                self.ready.remove(key)

    def _collect(self, aid):
        from .exchange import ExchangeFailed, collect_submissions
        inbound = self.course.exchange / COURSE_ID / "inbound" if self.course.exchange else None
        try:
            names = sorted(name for name in os.listdir(inbound) if f"+{aid}+" in name) if inbound else []
        except OSError as error:  # said once, not at every look, until it changes or mends
            if self.inbound_problem.get(aid) != str(error):
                self.say(f"{_clock()}  cannot list the exchange's inbound folder: {error}")
            self.inbound_problem[aid] = str(error)
            return
        if self.inbound_problem.pop(aid, None) is not None:
            self.say(f"{_clock()}  the exchange's inbound folder can be listed again")
        if names == self.inbound_names.get(aid):
            return
        try:
            report = collect_submissions(self.course, aid)
        except (ExchangeFailed, OSError) as error:  # tried again at the next look
            self.say(f"{_clock()}  {aid}: collect failed: {error}")
            return
        self.inbound_names[aid] = names
        for line in report.refused:
            self.say(f"{_clock()}  {aid}: refused {line}")

    # -- the job source and the results -----------------------------------------------------

    def jobs(self, keep_going):
        """The grading jobs of queued submissions, drawn one at a time; IDLE while none is
        queued. Ends when ``keep_going()`` turns false."""
        while keep_going():
            if not self.ready and time.monotonic() >= self._next_look:
                self._next_look = time.monotonic() + self.interval
                self.look()
            if not self.ready:
                if not self.in_flight:  # nothing to hand back meanwhile: wait here, briefly
                    time.sleep(min(0.5, max(0.0, self._next_look - time.monotonic())))
                yield IDLE
                continue
            aid, student = key = self.ready.pop(0)
            if key not in self.seen or not self.course.path("submitted", student, aid).is_dir():
                self.seen.pop(key, None)  # gone since it was queued
                continue
            run = self.runs[aid]
            self.seen[key].attempts += 1
            self.arrivals[key] = self.seen[key].arrived
            try:
                prepared = run.prepare(student)
                if not prepared:
                    self._done(key, run.zero(student))
                    continue
            except Exception as error:  # one submission's trouble (a locked gradebook, say) stops only it
                self._failed(key, error)
                continue
            self.in_flight[key] = len(prepared)
            for job in prepared:
                self.owner[id(job)] = key
                yield job

    def take(self, job, outcome):
        """Record one finished notebook; grade the student when their last one is back."""
        key = self.owner.pop(id(job))
        run = self.runs[key[0]]
        if run.record(job, outcome):
            del self.in_flight[key]
            try:
                self._done(key, run.finish(job.student))
            except Exception as error:
                self._failed(key, error)

    def _failed(self, key, error):
        """Report a submission whose grading broke off; it is tried again later (see
        :meth:`_retry`)."""
        self.arrivals.pop(key, None)
        self.in_flight.pop(key, None)
        first_line = (str(error).splitlines() or [""])[0][:300]
        self.say(f"{_clock()}  {key[0]}  {key[1]}  not graded: {type(error).__name__}: {first_line}"
                 f"  · queue {self.queue_length()}")
        self.say(f"    - {self._retry(key)}")
        self._write_status()

    def _retry(self, key):
        """Schedule the next attempt at a failed version (after ``retry_delays[attempts - 1]``
        seconds), or none once ``max_attempts`` are used; say which."""
        seen = self.seen.get(key)
        if seen is None:
            return "its folder is gone"
        if seen.attempts >= self.max_attempts:
            return f"not tried again until the watcher restarts ({self.max_attempts} attempts failed)"
        delay = self.retry_delays[seen.attempts - 1]
        seen.retry_at = time.monotonic() + delay
        return f"tried again in {delay:g} s (attempt {seen.attempts + 1} of {self.max_attempts})"

    def _done(self, key, result):
        aid, student = key
        name_new_students(self.course, [student])
        latency = time.monotonic() - self.arrivals.pop(key)
        graded = result.status == "graded"  # the next look compares digests: a version that came meanwhile is graded
        if graded:
            self.graded += 1
            self.figures.add(latency)
        else:
            result.reasons.append(self._retry(key))
        self.say(f"{_clock()}  {aid}  {student}  {result.score:g}/{result.max_score:g}  {result.status} "
                 f"{latency:.1f} s after arrival  · queue {self.queue_length()} · {self.figures.summary()}")
        for reason in result.reasons:
            self.say(f"    - {reason}")
        if graded and self.feedback:  # after the line: the grade is saved, the line says so at once
            self._give_feedback(aid, student)
        self._write_status()

    def queue_length(self):
        """Submissions waiting to be graded or being graded."""
        return len(self.ready) + len(self.in_flight)

    # -- feedback --------------------------------------------------------------------------

    def _feedback_marker(self, aid, student):
        return self.runs[aid].staging / "feedback" / f"{student}.sha256"

    def _feedback_due(self, aid, student):
        marker = self._feedback_marker(aid, student)
        return not marker.is_file() or marker.read_text() != graded_digest(self.runs[aid].staging, student)

    def _give_feedback(self, aid, student):
        """Generate (and release) one student's feedback; record which grading it shows."""
        from .exchange import ExchangeFailed, release_feedback
        from .feedback import generate_feedback
        paths, problems = generate_feedback(self.course, aid, student)
        for problem in problems:
            self.say(f"    feedback problem: {problem}")
        if not paths:
            return
        if self.release:
            try:
                release_feedback(self.course, aid, student)
            except ExchangeFailed as error:
                self.say(f"    feedback not released: {error}")
                return
        write_atomically(self._feedback_marker(aid, student), graded_digest(self.runs[aid].staging, student))

    # -- status ----------------------------------------------------------------------------

    def status(self):
        """The figures as a dict (also written to ``.grading/watch-status.json``)."""
        latencies = self.figures.latencies
        return {"time": datetime.now().isoformat(timespec="seconds"), "queue": self.queue_length(),
                "in_flight": len(self.in_flight), "graded": self.graded,
                "latency_median_s": statistics.median(latencies) if latencies else None,
                "latency_max_s": max(latencies) if latencies else None}

    def _write_status(self):
        write_atomically(self.course.root / STAGING / STATUS_FILE, json.dumps(self.status(), indent=1))

    # -- the loop --------------------------------------------------------------------------

    def run(self, keep_going=lambda: True):
        """Watch until ``keep_going()`` is false, then finish the submissions in flight."""
        fn = getattr(self.executor, "job_function", run_grading_job)
        for job, outcome in stream(self.executor, fn, self.jobs(keep_going), idle_wait=min(0.5, self.interval)):
            self.take(job, outcome)


def watch(course, assignments, executor, limits, exit_when_idle=None, **options):
    """Watch and grade until interrupted (or idle for ``exit_when_idle`` seconds).

    Parameters
    ----------
    course : Course
    assignments : list of str
    executor : Executor
        Left open (the caller closes it).
    limits : Limits
    exit_when_idle : float, optional
        Stop once nothing has been waiting or running for this many seconds.
    **options
        :class:`Watcher`'s ``feedback``, ``release``, ``from_exchange``, ``interval``, ``settle``, ``say``.

    Returns
    -------
    Watcher
        With its figures (``status()``).

    Raises
    ------
    CannotGrade
        Before anything runs: an assignment is not built, there is no exchange to collect or
        release through, or another process is grading one of the assignments.
    """
    for aid in assignments:
        check_assignment(course, aid)
    if options.get("from_exchange") or options.get("release"):
        if course.exchange is None:
            raise CannotGrade("no exchange: give --exchange DIR (remembered by the course) to collect or release")
    with ExitStack() as locks:
        for aid in assignments:
            locks.enter_context(grading_lock(course.root / STAGING / aid, aid))
        return _watch(course, assignments, executor, limits, exit_when_idle, options)


def _watch(course, assignments, executor, limits, exit_when_idle, options):
    watcher = Watcher(course, assignments, executor, resolve_sandbox(limits), **options)
    say = watcher.say
    say(f"{_clock()}  watching {watched_path(course, watcher.from_exchange)} for {', '.join(assignments)} "
        f"(every {watcher.interval:g} s; {executor.slots} grading slots); Ctrl-C stops")
    keep_going = idle_for(watcher, exit_when_idle) if exit_when_idle is not None else (lambda: True)
    try:
        watcher.run(keep_going)
    except KeyboardInterrupt:
        say(f"{_clock()}  stopped: what was in flight is graded at the next start")
    say(f"{_clock()}  {watcher.graded} graded; {watcher.figures.summary()}")
    return watcher


def _clock():
    return datetime.now().strftime("%H:%M:%S")


def idle_for(watcher, seconds):
    """A ``keep_going`` for :meth:`Watcher.run` that stops once nothing has been queued or
    in flight for ``seconds`` (a one-off pass over what is there: ``watch --exit-when-idle``)."""
    state = {"since": time.monotonic()}

    def keep_going():
        if watcher.queue_length() or any(not seen.checked and seen.attempts < watcher.max_attempts
                                         for seen in watcher.seen.values()):
            state["since"] = time.monotonic()
        return time.monotonic() - state["since"] < seconds
    return keep_going


def watched_path(course, from_exchange):
    """The folder the watcher reads, for its first line."""
    if from_exchange:
        return Path(course.exchange) / COURSE_ID / "inbound"
    return course.root / "submitted"
