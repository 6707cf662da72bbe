"""Bringing a submission into the grading area: a copy that nbgrader can read.

``submitted/`` is never modified. The staged copy holds the submission's notebooks only (no
other file reaches the graded copy or the feedback), each with what would stop nbgrader
put right and a reason for the student: an unreadable, linked or oversized notebook is
left out (graded as missing), a byte-order mark dropped, cells of another notebook (or
with nbgrader metadata but no id) turned into plain cells, duplicated ids reduced to the
last, edited metadata restored, deleted answer and test cells put back as released.
"""

import copy
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .notebook_cells import (cells_by_grade_id, grade_id, has_nbgrader_metadata, is_locked, is_nbgrader_cell,
                             is_solution, nbgrader_meta)


#: Larger notebooks are graded as unreadable: their size alone would hold up the one process
#: that saves everyone's grades (the course's notebooks have about 60 cells and 0.1 MB).
MAX_NOTEBOOK_BYTES = 25 * 2**20
MAX_CELLS = 2000
#: nbgrader's bookkeeping files of a submission, kept with it: when it was submitted (the
#: gradebook's timestamp, lateness) and the secret its released feedback is filed under.
BOOKKEEPING_FILES = ("timestamp.txt", "submission_secret.txt")
MAX_BOOKKEEPING_BYTES = 4096


class SubmissionRefused(ValueError):
    """A submitted file that is not graded: a link, too large, or not a valid notebook."""


def read_submitted(path):
    """A submitted notebook (a UTF-8 byte-order mark, as Windows editors write, is allowed).

    Raises
    ------
    SubmissionRefused
        For a link, a file over MAX_NOTEBOOK_BYTES or a notebook of more than MAX_CELLS cells.
    Exception
        nbformat's error for a file that is not a valid notebook.
    """
    path = Path(path)
    if path.is_symlink():
        raise SubmissionRefused("it is a symbolic link, not a file (it could point at anyone's files)")
    if not path.is_file():  # a FIFO would block the read, a device never end it
        raise SubmissionRefused("it is not a plain file")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionRefused(f"it holds {size / 2**20:.0f} MB, more than the {MAX_NOTEBOOK_BYTES // 2**20} MB allowed")
    text = path.read_bytes().decode("utf-8-sig")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=4)
        if len(nb.get("cells", [])) > MAX_CELLS:
            raise SubmissionRefused(f"it has {len(nb.cells)} cells, more than the {MAX_CELLS} allowed")
        nbformat.validate(nb)
    return nb


def _drop_duplicated_ids(nb):
    """Keep only the last cell of every grade_id that occurs more than once (as nbgrader's
    DeduplicateIds does, but without leaving the empty metadata that stops its later steps);
    return the duplicated ids."""
    def tracked_id(cell):
        return grade_id(cell) if is_nbgrader_cell(cell) else None

    last = {tracked_id(cell): index for index, cell in enumerate(nb.cells) if tracked_id(cell)}
    duplicated = set()
    for index, cell in enumerate(nb.cells):
        if tracked_id(cell) and last[tracked_id(cell)] != index:
            duplicated.add(tracked_id(cell))
            del cell.metadata["nbgrader"]
    return sorted(duplicated)


@dataclass
class ReleasedNotebook:
    """What a submission of one notebook is checked against."""

    locked: dict  # grade_id -> source of the read-only cells, as released
    grade_ids: set  # every nbgrader cell id of the notebook
    cells: list  # the released notebook's cells


def released_notebook(nb):
    """The ReleasedNotebook of a released (or master) notebook."""
    return ReleasedNotebook({grade_id(c): c.source for c in nb.cells if is_locked(c) and grade_id(c)},
                            set(cells_by_grade_id(nb)), nb.cells)


def released_notebooks(course, assignment):
    """{notebook name: ReleasedNotebook} of the assignment's release."""
    return {path.stem: released_notebook(nbformat.read(path, as_version=4))
            for path in sorted(course.path("release", ".", assignment).glob("*.ipynb"))}


def _bookkeeping_problem(path):
    """Why nbgrader's bookkeeping file ``path`` cannot be kept ("" if it can)."""
    if path.is_symlink() or not path.is_file():
        return "it is not a plain file"
    if path.stat().st_size > MAX_BOOKKEEPING_BYTES:
        return f"it holds more than {MAX_BOOKKEEPING_BYTES} bytes"
    text = path.read_bytes().decode("utf-8", errors="replace").strip()
    if path.name == "timestamp.txt":
        from nbgrader.utils import parse_utc  # loads nbgrader: only the coordinating process stages
        try:
            parse_utc(text)
        except (ValueError, OverflowError):
            return f"{text[:40]!r} is not a time"
    if path.name == "submission_secret.txt" and not re.fullmatch(r"[0-9a-fA-F]+", text):
        return f"{text[:40]!r} is not a secret (nbgrader writes hexadecimal digits)"
    return ""


def stage_bookkeeping(source, target):
    """Copy the submission's :data:`BOOKKEEPING_FILES` that are sound; return a reason for
    each one left out (a submission is graded without them, as if submitted undated)."""
    reasons = []
    for name in BOOKKEEPING_FILES:
        path = source / name
        if not path.exists() and not path.is_symlink():
            continue
        problem = _bookkeeping_problem(path)
        if problem:
            reasons.append(f"{name} was ignored: {problem}")
        else:
            shutil.copyfile(path, target / name)
    return reasons


def stage_submission(course, assignment, student, expected, staging):
    """Copy a submission into the staging area, leaving out notebooks that cannot be read.

    Parameters
    ----------
    expected : dict
        {notebook name: ReleasedNotebook}.

    Returns
    -------
    list of str
        Reasons to report (missing, renamed or unreadable notebooks, deleted test cells, …).
    """
    source = course.path("submitted", student, assignment)
    target = staging / "submitted" / student / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    reasons = []
    for item in sorted(source.iterdir()):
        if item.suffix != ".ipynb":
            continue  # only notebooks are graded: other files never reach the graded copy or the feedback
        if item.stem not in expected:
            reasons.append(f"{item.name} is not a notebook of {assignment} (ignored)")
            continue
        try:
            nb = read_submitted(item)
        except SubmissionRefused as refused:
            reasons.append(f"{item.name} was graded as missing: {refused}")
            continue
        except Exception as error:
            reasons.append(f"{item.name} is not a valid notebook and was graded as missing: "
                           f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
            continue
        reasons += repair(nb, expected[item.stem], item.name)
        with warnings.catch_warnings():  # nbformat corrects duplicate cell ids, with a warning
            warnings.simplefilter("ignore")
            nbformat.write(nb, target / item.name)
    reasons += stage_bookkeeping(source, target)
    for name in expected:
        if not (source / f"{name}.ipynb").exists():
            others = sorted(p.name for p in source.glob("*.ipynb"))
            reasons.append(f"{name}.ipynb is missing" + (f" (found {', '.join(others)}: renamed?)" if others else ""))
    return reasons


def repair(nb, released, filename, restore=lambda cell: True):
    """Put right, in place, what would stop nbgrader or let a student change how a cell is
    graded; return the reasons to report.

    Parameters
    ----------
    nb : NotebookNode
        A submitted notebook.
    released : ReleasedNotebook
    filename : str
        The notebook's name, for the reasons.
    restore : callable(cell) -> bool
        Which missing released cells are put back (all by default).
    """
    reasons = _cell_findings(filename, nb, released.locked)
    foreign = _strip_foreign_cells(nb, released.grade_ids)
    if foreign:
        reasons.append(f"{filename}: cells with ids of another notebook ({', '.join(foreign[:4])}"
                       f"{', …' if len(foreign) > 4 else ''}) were treated as plain cells")
    duplicated = _drop_duplicated_ids(nb)
    if duplicated:
        reasons.append(f"{filename}: cells {', '.join(duplicated[:4])} appear more than once; the last one counts")
    altered = _restore_metadata(nb, released.cells)
    if altered:
        reasons.append(f"{filename}: the nbgrader metadata of cells {', '.join(altered[:4])} was changed; "
                       "restored as released")
    restored = restore_missing_cells(nb, released.cells, keep=restore)
    if restored:
        reasons.append(f"{filename}: cells {', '.join(restored[:6])}{', …' if len(restored) > 6 else ''} "
                       "were missing and were put back as released")
    return reasons


def restore_missing_cells(nb, released_cells, keep=lambda cell: True):
    """Put back, as released, every nbgrader cell (answer or test) the submission lacks.

    Each goes right after the cell that precedes it in the release (or first). nbgrader's
    own ``add_missing_cells`` restores test cells only, and stops with an error when the
    answer cell before a missing test cell is missing too, which would cost the whole
    notebook; here a missing answer is just a stub that fails its own tests.

    Parameters
    ----------
    keep : callable(cell) -> bool
        Only cells it accepts are put back (all by default).

    Returns
    -------
    list of str
        The grade_ids put back.
    """
    present = {grade_id(c) for c in nb.cells}
    restored = []
    for position, cell in enumerate(released_cells):
        if not grade_id(cell) or grade_id(cell) in present or not keep(cell):
            continue
        before = [grade_id(c) for c in released_cells[:position] if grade_id(c) and grade_id(c) in present]
        index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == before[-1]) + 1 if before else 0
        nb.cells.insert(index, copy.deepcopy(cell))
        present.add(grade_id(cell))
        restored.append(grade_id(cell))
    return restored


_MEANINGFUL = ("grade", "solution", "locked", "task", "points")


def _restore_metadata(nb, released_cells):
    """Give every cell of a released grade_id its released nbgrader metadata and cell type
    (a student cannot turn a test cell into an ungraded one); return the ids that differed."""
    released = cells_by_grade_id(released_cells)
    altered = []
    for cell in nb.cells:
        original = released.get(grade_id(cell))
        if original is None:
            continue
        mine, theirs = nbgrader_meta(cell), nbgrader_meta(original)
        if any(mine.get(key) != theirs.get(key) for key in _MEANINGFUL) or cell.cell_type != original.cell_type:
            altered.append(grade_id(original))
            cell.metadata["nbgrader"] = copy.deepcopy(theirs)
            if cell.cell_type != original.cell_type:
                source = cell.source
                cell.clear()
                cell.update(copy.deepcopy(original))
                if is_solution(original):
                    cell.source = source
    return altered


def _strip_foreign_cells(nb, known_ids):
    """Drop the nbgrader metadata of cells whose grade_id this notebook does not have, or
    that have none (nbgrader stops on both); return those ids ('?' for a missing one)."""
    foreign = []
    for cell in nb.cells:
        if not has_nbgrader_metadata(cell):
            continue
        if grade_id(cell) not in known_ids:
            foreign.append(grade_id(cell) or "?")
            del cell.metadata["nbgrader"]
    return foreign


def _cell_findings(filename, nb, locked):
    present = {gid: cell.source for gid, cell in cells_by_grade_id(nb).items()}
    missing = [g for g in locked if g not in present]
    if locked and len(missing) == len(locked):
        return [f"{filename} holds none of the assignment's read-only cells (from another assignment, or "
                "its cell metadata was removed); the test cells were restored from the master copy"]
    findings = []
    if missing:
        findings.append(f"{filename}: read-only cells {', '.join(missing)} were deleted or lost their "
                        "metadata; restored from the master copy")
    edited = [g for g, source in locked.items() if g in present and present[g].strip() != source.strip()]
    if edited:
        findings.append(f"{filename}: read-only cells {', '.join(edited)} were edited; the master copy was used")
    return findings
