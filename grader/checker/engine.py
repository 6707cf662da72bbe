"""Grading one notebook: the student's cells in the student's process, the set-up, given and
test cells in the trusted namespace, cell by cell in the submission's order.

The student's cells run as written (outputs, plots and all). A cell that kills, hangs or
floods the student's process costs only itself: the process is replaced, the cells before
are replayed there, and grading goes on — until ``max_restarts`` is spent or the
notebook's time is up, after which the remaining cells get an error saying why.
"""

import json
import time
from dataclasses import asdict, dataclass, field

from .. import checks as trusted_checks
from . import outputs as cell_outputs
from .plan import GIVEN, SETUP, TEST, plan_hash, plan_notebook
from .session import StudentProcessLost, StudentSession
from .trusted import TrustedNamespace


@dataclass
class ExecutionRecord:
    """What running one notebook produced.

    Attributes
    ----------
    plan_hash : str
        Fingerprint of the plan (:func:`grader.checker.plan.plan_hash`) it ran.
    outputs : dict
        {cell index: list of nbformat outputs}.
    counts : dict
        {cell index: execution count}.
    problems : list of str
        What went wrong beyond failing tests (a lost process, a time limit, …).
    seconds : float
    """

    plan_hash: str = ""
    outputs: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    def apply(self, nb):
        """Put the outputs into ``nb`` (the notebook the plan was made from)."""
        import nbformat  # not in grading workers: they only make records
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                cell.outputs = [nbformat.from_dict(o) for o in self.outputs.get(index, [])]
                cell.execution_count = self.counts.get(index)
        return nb

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        data["outputs"] = {int(k): v for k, v in data["outputs"].items()}
        data["counts"] = {int(k): v for k, v in data["counts"].items()}
        return cls(**data)


def grade_notebook(nb, master, limits, launcher):
    """Run submission ``nb`` against ``master``; return an ExecutionRecord (``nb`` is not changed).

    Parameters
    ----------
    nb : NotebookNode, or the notebook's plain JSON (as grading workers read it)
    master : Master
    limits : Limits
    launcher
        Starts student processes (:func:`grader.checker.launch.launcher_for`).
    """
    start = time.monotonic()
    deadline = start + limits.notebook_timeout
    planned = plan_notebook(nb, master)
    record = ExecutionRecord(plan_hash=plan_hash(planned))
    trusted = TrustedNamespace(trusted_checks, master.answer_names())
    session = StudentSession(launcher, limits, trusted.registry)
    session.notebook_deadline = deadline
    for cell in master.setup_cells():  # the trusted side is set up first, even without a set-up cell in nb
        _run_trusted_given(trusted, cell, record, None)
    try:
        for count, cell in enumerate(planned, start=1):
            reason = _why_stop(session, limits, deadline)
            if reason:
                _give_up(record, planned[count - 1:], reason)
                break
            cell_deadline = min(time.monotonic() + limits.cell_timeout, deadline)
            outputs = _run(cell, trusted, session, cell_deadline, record)
            if cell.index is not None:
                record.counts[cell.index] = count
                record.outputs[cell.index] = outputs
    finally:
        session.close()
    record.seconds = time.monotonic() - start
    return record


def _run(cell, trusted, session, deadline, record):
    if cell.role == TEST:
        collector = cell_outputs.Collector()
        with session.test(collector, deadline):
            trusted.run_test(cell.source, cell.grade_id, session, collector, deadline=deadline)
        lost = [o for o in collector.items if o.get("ename") in ("StudentProcessLost", "TrustedTimeout")]
        if lost:
            record.problems.append(f"cell {cell.index} ({cell.grade_id}): {lost[0]['evalue']}")
        return collector.items
    try:
        outputs = session.run_cell(cell.source, given=cell.role in (SETUP, GIVEN), deadline=deadline)
    except StudentProcessLost as lost:
        record.problems.append(f"cell {cell.index}: {lost}")
        outputs = [cell_outputs.error_output("StudentProcessLost", str(lost))]
    if cell.role == GIVEN:
        _run_trusted_given(trusted, cell, record, deadline)
    return outputs


def _run_trusted_given(trusted, cell, record, deadline):
    """Run a set-up or given cell on the trusted side; its failure is a problem of the notebook."""
    for output in trusted.run_given(cell.source, cell.grade_id, deadline=deadline):
        if output.get("output_type") == "error":
            record.problems.append(f"the trusted copy of {cell.grade_id} failed: {output['evalue']}")


def _why_stop(session, limits, deadline):
    if time.monotonic() > deadline:
        return f"the notebook exceeded its time limit of {limits.notebook_timeout:g} s"
    if session.losses > limits.max_restarts:
        return f"given up: the student's process was lost {session.losses} times (at most {limits.max_restarts} restarts)"
    return None


def _give_up(record, remaining, reason):
    record.problems.append(reason)
    for cell in remaining:
        if cell.index is not None:
            record.outputs[cell.index] = [cell_outputs.error_output(cell_outputs.NOT_RUN, f"not run: {reason}")]
