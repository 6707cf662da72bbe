"""Limits for a whole sandbox — every process the student starts, together — where the
machine lets the grader make control groups (as root on Linux: cgroup v1 or v2).

A process's memory cap (``RLIMIT_AS``) binds one process; a student who forks twenty
children could still exhaust the machine, and ``RLIMIT_NPROC`` does not bind processes in
user namespaces. A control group does: a memory ceiling and a process count for the
sandbox as a whole. Where none can be made, grading goes on with the per-process limits
(and says so once).
"""

import os
import sys
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_warned = []


def _own(controller):
    """This process's cgroup path for ``controller`` ('' for v2's unified hierarchy), or None."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path
    return None


class Confinement:
    """One control group (per controller) holding a sandbox.

    Parameters
    ----------
    name : str
        Unique among this process's sandboxes.
    memory_bytes : int
        Memory ceiling of all the sandbox's processes together.
    max_processes : int
    """

    def __init__(self, name, memory_bytes, max_processes):
        self.folders = []
        try:
            if (ROOT / "cgroup.controllers").exists():  # v2: one hierarchy
                folder = ROOT / _own("").lstrip("/") / name
                folder.mkdir()
                self.folders.append(folder)
                (folder / "memory.max").write_text(str(memory_bytes))
                (folder / "pids.max").write_text(str(max_processes))
            else:  # v1: one hierarchy per controller
                for controller, setting, value in [("memory", "memory.limit_in_bytes", memory_bytes),
                                                   ("pids", "pids.max", max_processes)]:
                    folder = ROOT / controller / _own(controller).lstrip("/") / name
                    folder.mkdir()
                    self.folders.append(folder)
                    (folder / setting).write_text(str(value))
        except (OSError, AttributeError, TypeError):
            self.remove()
            raise OSError("no control group could be made") from None

    def enter(self):
        """Move the calling process into the groups (a ``preexec_fn``: before the sandbox starts)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self):
        """Remove the groups (once their processes have ended)."""
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.folders = []


def confinement(name, memory_bytes, max_processes):
    """A Confinement, or None where the machine does not allow one."""
    try:
        return Confinement(f"backprop-grader-{os.getpid()}-{name}", memory_bytes, max_processes)
    except OSError:
        if not _warned:
            _warned.append(True)
            print("note: no control group can be made here: memory and process limits hold per process, not per "
                  "sandbox", file=sys.stderr)
        return None
