"""The limits a graded notebook runs under."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for student code.

    Attributes
    ----------
    cell_timeout : float
        Seconds one cell may run: a student cell, or a test cell with all its calls of
        the student's functions.
    notebook_timeout : float
        Seconds the whole notebook may run (replays after a crash included).
    memory_mb : int
        Address-space cap of the student's process, in MiB.
    max_restarts : int
        Losses of the student's process (deaths, hangs) after which it is started again;
        at the next loss the rest of the notebook is given up.
    payload_mb : int
        Largest message the student's process may send (a result, say), in MiB.
    sandbox : bool or None
        Isolate the student's process with bubblewrap: True (required), False (never),
        None (when installed).
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    max_restarts: int = 5
    payload_mb: int = 64
    sandbox: bool | None = None

    @property
    def payload_bytes(self):
        return self.payload_mb * 2**20

    @property
    def memory_bytes(self):
        return self.memory_mb * 2**20
