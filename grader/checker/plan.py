"""Which cell of a submission runs where, and from which source.

The master copy decides: a cell whose grade_id the master knows as a read-only cell runs
the master's source, whatever the submission holds there — the set-up and given cells in
both processes, the test cells only on the trusted side. Everything else of the
submission (answer cells, cells the student added) runs in the student's process only.
A test cell's source never reaches the student's process.

Planning works on a notebook as nbformat reads it or as plain JSON (grading workers do not
load nbformat or nbgrader).
"""

import ast
import hashlib
import json
from dataclasses import dataclass

from ..notebook_cells import grade_id as grade_id_of, is_grade, is_nbgrader_cell, is_solution, points

SETUP_ID = "setup"
SETUP, GIVEN, TEST, ANSWER, STUDENT = "setup", "given", "test", "answer", "student"


@dataclass(frozen=True)
class MasterCell:
    """One nbgrader cell of the master copy: its id, its role and its source."""

    grade_id: str
    role: str
    source: str
    cell_type: str = "code"
    points: float = 0.0


@dataclass(frozen=True)
class Master:
    """The master copy of one notebook, by grade_id, in notebook order (picklable: it
    travels with grading jobs)."""

    cells: tuple

    def get(self, grade_id):
        return next((cell for cell in self.cells if cell.grade_id == grade_id), None)

    def setup_cells(self):
        return [cell for cell in self.cells if cell.role == SETUP]

    def answer_names(self):
        """The names the master's answer cells define: the only student names a test can reach."""
        return set().union(*[defined_names(cell.source) for cell in self.cells if cell.role == ANSWER])

    @classmethod
    def from_notebook(cls, nb, hidden_tests=True):
        """The master of a source notebook (or a release: its tests are all visible).

        Parameters
        ----------
        hidden_tests : bool
            Keep the hidden parts of test cells (False: what a student's notebook shows).
        """
        if not hidden_tests:
            from nbgrader.preprocessors import ClearHiddenTests
            nb, _ = ClearHiddenTests(enforce_metadata=False).preprocess(_copy(nb), {})
        cells = []
        for cell in nb.cells:
            role = role_of(cell)
            if role is not None:
                cells.append(MasterCell(grade_id_of(cell), role, cell.source, cell.cell_type, points(cell)))
        return cls(tuple(cells))

    @classmethod
    def from_gradebook(cls, gradebook, assignment, notebook):
        """The master nbgrader recorded when it generated the release (hidden tests included)."""
        record = gradebook.find_notebook(notebook, assignment)
        graded = {cell.name: cell.max_score for cell in record.grade_cells}
        answers = {cell.name for cell in record.solution_cells}
        cells = []
        for cell in record.source_cells:
            if cell.name in answers:
                role = ANSWER
            elif cell.name in graded:
                role = TEST
            elif cell.locked:
                role = SETUP if cell.name == SETUP_ID else GIVEN
            else:
                continue
            cells.append(MasterCell(cell.name, role, cell.source, cell.cell_type, float(graded.get(cell.name, 0))))
        return cls(tuple(cells))


def defined_names(source):
    """Names a cell binds in the notebook's namespace: definitions, assignments, loop and
    ``with`` targets, imports, also inside if/for/with/try blocks (not inside functions,
    classes, lambdas or comprehensions). Magic lines are skipped."""
    names = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    try:
        visit(ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))))
    except SyntaxError:
        pass
    return names


def _copy(nb):
    import copy
    return copy.deepcopy(nb)


def role_of(cell):
    """The role of a master notebook cell (None for cells nbgrader does not track)."""
    if not is_nbgrader_cell(cell):
        return None
    if is_solution(cell):
        return ANSWER
    if is_grade(cell):
        return TEST
    return SETUP if grade_id_of(cell) == SETUP_ID else GIVEN


@dataclass(frozen=True)
class PlannedCell:
    """A cell to run: its index in the submission (None for a master cell it lacks), where
    it runs, and what runs."""

    index: int | None
    role: str
    source: str
    grade_id: str | None = None


def plan_notebook(nb, master):
    """The cells of submission ``nb`` to run, in order (see the module docstring).

    As nbgrader's sanitizing does (DeduplicateIds, OverwriteCells), a grade_id that occurs
    twice counts at its last occurrence, and a cell keeps the cell type of the master. The
    set-up cell runs first, wherever the submission put it; set-up and given cells the
    submission lacks run all the same, right after it (as planned cells without an index:
    there is no cell to show their outputs in).
    """
    last = {}
    cells = nb["cells"]
    for index, cell in enumerate(cells):
        grade_id = grade_id_of(cell)
        if grade_id:
            last[grade_id] = index
    planned = []
    for index, cell in enumerate(cells):
        grade_id = grade_id_of(cell)
        known = master.get(grade_id) if grade_id and last[grade_id] == index else None
        cell_type = known.cell_type if known is not None else cell["cell_type"]
        if cell_type != "code":
            continue
        if known is not None and known.role in (SETUP, GIVEN, TEST):
            planned.append(PlannedCell(index, known.role, known.source, grade_id))
        else:
            planned.append(PlannedCell(index, STUDENT, _text(cell["source"]), grade_id if known is not None else None))
    present = {p.grade_id for p in planned if p.role in (SETUP, GIVEN)}
    missing = [PlannedCell(None, cell.role, cell.source, cell.grade_id) for cell in master.cells
               if cell.role in (SETUP, GIVEN) and cell.cell_type == "code" and cell.grade_id not in present]
    return ([p for p in missing + planned if p.role == SETUP] + [p for p in missing if p.role == GIVEN]
            + [p for p in planned if p.role != SETUP])


def _text(source):
    return "".join(source) if isinstance(source, list) else source


def plan_hash(planned):
    """A fingerprint of a plan: two notebooks with the same one run identically."""
    text = json.dumps([(p.index, p.role, p.source) for p in planned])
    return hashlib.sha256(text.encode()).hexdigest()
