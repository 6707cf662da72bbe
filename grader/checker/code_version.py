"""Which code a grading worker runs: a digest of the packages grading uses on a worker.

A cluster's workers are installed separately from the coordinator. A worker with another
version of the checks or the sandbox would grade differently, so every job carries the
coordinator's digest and a worker whose own differs refuses it with a message that says so.
"""

import functools
import hashlib
import importlib.util
from pathlib import Path

#: The packages a worker imports to grade: the trusted checker, the student kit, the data
#: loaders and the sandbox's runner.
WORKER_PACKAGES = ["grader", "backprop_kit", "datasets", "sandbox_runner"]


class WorkerMismatch(RuntimeError):
    """This worker's course package differs from the coordinator's."""


@functools.cache
def code_digest():
    """SHA-256 over the names and bytes of every ``.py`` file of :data:`WORKER_PACKAGES`."""
    digest = hashlib.sha256()
    for package in WORKER_PACKAGES:
        root = Path(list(importlib.util.find_spec(package).submodule_search_locations)[0])
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{package}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def check_code(expected):
    """Raise WorkerMismatch unless this process runs the code whose digest is ``expected``
    ("" accepts any: a job made in this very installation)."""
    if expected and expected != code_digest():
        raise WorkerMismatch(f"this worker's course package differs from the coordinator's (code {code_digest()[:12]}, "
                             f"expected {expected[:12]}): install the same version on every worker")
