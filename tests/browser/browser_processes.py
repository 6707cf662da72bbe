"""Processes the browser tests start, and proof that none of them outlives its test.

Every program the suite launches (the JupyterLab server, chromedriver) starts in a process
group of its own. The kernels a server starts and the renderers Chromium starts are its
descendants but may sit in groups of their own, so they are recorded by walking the process
tree before the program is stopped.
"""

import os
import signal
import time

import psutil


def tree(pid):
    """``pid`` and all its live descendants, as :class:`psutil.Process` objects (empty if it is gone)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def signal_group(pgid, sig):
    """Send ``sig`` to the process group ``pgid``; a group that no longer exists is fine."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def survivors(processes, timeout):
    """The processes of ``processes`` still running after up to ``timeout`` seconds."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def describe(processes):
    """One line per process: pid and command line."""
    lines = []
    for process in processes:
        try:
            lines.append(f"{process.pid}: {' '.join(process.cmdline())[:200]}")
        except psutil.Error:
            lines.append(f"{process.pid}: (gone)")
    return "\n".join(lines)


def send_to_all(processes, groups, sig):
    """Send ``sig`` to every process group of ``groups`` and to every process of ``processes``."""
    for pgid in groups:
        signal_group(pgid, sig)
    for process in processes:
        try:
            process.send_signal(sig)
        except psutil.NoSuchProcess:
            pass


def end_all(processes, groups, grace=10.0):
    """Stop ``processes`` (and the process ``groups`` they were started in) and prove it.

    SIGTERM first, SIGKILL after ``grace`` seconds, to the groups and to each process.

    Parameters
    ----------
    processes : list of psutil.Process
        Everything to stop, recorded while it ran (see :func:`tree`).
    groups : list of int
        Process group ids to signal as a whole.
    grace : float
        Seconds allowed for a clean exit before SIGKILL.

    Returns
    -------
    list of str
        What had to be killed with SIGKILL and what still runs after it; empty when
        every process ended on SIGTERM.
    """
    send_to_all(processes, groups, signal.SIGTERM)
    stubborn = survivors(processes, grace)
    if not stubborn:
        return []
    problems = [f"still running {grace:g} s after SIGTERM, killed:\n{describe(stubborn)}"]
    send_to_all(stubborn, groups, signal.SIGKILL)
    left = survivors(stubborn, 5.0)
    if left:
        problems.append(f"still running after SIGKILL:\n{describe(left)}")
    return problems


def wait_until(condition, timeout, what, interval=0.1):
    """Call ``condition()`` until it returns something true, and return that.

    Raises
    ------
    TimeoutError
        After ``timeout`` seconds, naming ``what`` was awaited.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(interval)
