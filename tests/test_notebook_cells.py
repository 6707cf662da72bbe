"""grader.notebook_cells: its predicates mean what nbgrader's do, on every cell of the course's
source notebooks and on odd hand-made cells; a failed test cell is worded one way; and the
grading workers that use it stay free of nbgrader and nbformat."""

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader import utils

from grader import notebook_cells as cells
from grader.notebook_cells import MAX_MESSAGE, STUB_MESSAGE, failure_message, failure_summary

SOURCES = sorted((Path(__file__).parents[1] / "assignments").glob("*/*.ipynb"))
PREDICATES = [(cells.is_grade, utils.is_grade), (cells.is_solution, utils.is_solution),
              (cells.is_locked, utils.is_locked), (cells.is_task, utils.is_task)]

#: Cells nbgrader reads without complaint, whatever their metadata says.
ODD_METADATA = {
    "no metadata": {},
    "metadata without nbgrader": {"tags": ["notes"], "collapsed": True},
    "empty nbgrader metadata": {"nbgrader": {}},
    "schema only": {"nbgrader": {"schema_version": 3}},
    "grade false": {"nbgrader": {"grade": False, "grade_id": "a", "points": 2}},
    "grade true, not marked locked": {"nbgrader": {"grade": True, "grade_id": "b", "locked": False, "points": 2}},
    "grade as a string": {"nbgrader": {"grade": "yes", "grade_id": "c"}},
    "grade None": {"nbgrader": {"grade": None, "grade_id": "d", "locked": None}},
    "locked only": {"nbgrader": {"locked": True, "grade_id": "e"}},
    "locked answer": {"nbgrader": {"solution": True, "locked": True, "grade_id": "f"}},
    "graded answer": {"nbgrader": {"solution": True, "grade": True, "grade_id": "g", "points": 1}},
    "task": {"nbgrader": {"task": True, "grade_id": "h", "points": 3}},
    "everything false": {"nbgrader": {"grade": False, "solution": False, "locked": False, "task": False}},
}
#: Metadata nbgrader's predicates raise on; here the cell has no nbgrader metadata.
MALFORMED = {"null": None, "a string": "grade", "a list": [True], "a number": 1}


def _cell(metadata, cell_type="code", outputs=None):
    cell = {"cell_type": cell_type, "metadata": copy.deepcopy(metadata), "source": ""}
    if cell_type == "code":
        cell.update(outputs=outputs or [], execution_count=None)
    return cell


def source_cells():
    return [(f"{path.name} cell {index}", cell) for path in SOURCES
            for index, cell in enumerate(nbformat.read(path, as_version=4).cells)]


def test_the_course_has_six_source_notebooks_with_graded_answered_and_locked_cells():
    assert len(SOURCES) == 6
    found = [cell for _, cell in source_cells()]
    assert all(any(nb_pred(c) for c in found) for _, nb_pred in PREDICATES[:3])


def test_predicates_agree_with_nbgrader_on_every_source_cell():
    for where, cell in source_cells():
        for ours, theirs in PREDICATES:
            assert ours(cell) == bool(theirs(cell)), (where, ours.__name__)
        assert cells.is_nbgrader_cell(cell) == bool(utils.is_grade(cell) or utils.is_solution(cell)
                                                    or utils.is_locked(cell)), where
        if "nbgrader" in cell.metadata:
            assert cells.grade_id(cell) == cell.metadata.nbgrader["grade_id"], where
            assert cells.points(cell) == (float(cell.metadata.nbgrader["points"]) if utils.is_grade(cell) else 0.0)


@pytest.mark.parametrize("kind", sorted(ODD_METADATA))
def test_predicates_agree_with_nbgrader_on_odd_cells(kind):
    for cell_type in ("code", "markdown"):
        plain = _cell(ODD_METADATA[kind], cell_type)
        node = nbformat.from_dict(plain)
        for ours, theirs in PREDICATES:
            assert ours(node) == ours(plain) == bool(theirs(node)), (kind, cell_type, ours.__name__)
        assert cells.nbgrader_meta(plain) == plain["metadata"].get("nbgrader", {})
        assert cells.grade_id(plain) == plain["metadata"].get("nbgrader", {}).get("grade_id")


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_metadata_is_no_metadata_where_nbgrader_raises(kind):
    node = nbformat.from_dict(_cell({"nbgrader": MALFORMED[kind]}))
    with pytest.raises((AttributeError, TypeError)):
        utils.is_grade(node)
    assert cells.has_nbgrader_metadata(node) and cells.nbgrader_meta(node) == {}
    assert not any(ours(node) for ours, _ in PREDICATES) and cells.grade_id(node) is None
    assert cells.points(node) == 0.0


def test_a_cell_without_metadata_or_with_an_odd_id_or_points_has_none():
    assert cells.nbgrader_meta({"cell_type": "code"}) == {} and not cells.has_nbgrader_metadata({"cell_type": "code"})
    assert cells.grade_id(_cell({"nbgrader": {"grade_id": ["a"]}})) is None
    assert cells.grade_id(_cell({"nbgrader": {"grade_id": ""}})) is None
    assert cells.points(_cell({"nbgrader": {"grade": True, "points": "many"}})) == 0.0
    assert cells.points(_cell({"nbgrader": {"grade": True, "points": "2.5"}})) == 2.5


def test_nbgrader_meta_is_the_cells_own_dict():
    cell = _cell({"nbgrader": {"grade": True, "grade_id": "test_x", "points": 2}})
    cells.nbgrader_meta(cell).update(grade=False)
    assert not cells.is_grade(cell)


def test_cells_are_found_by_id_and_the_last_of_an_id_counts():
    nb = {"cells": [_cell({"nbgrader": {"grade_id": "x", "solution": True}}),
                    _cell({"nbgrader": {"grade_id": "test_x", "grade": True, "points": 1}}),
                    _cell({}),
                    _cell({"nbgrader": {"grade_id": "x", "solution": True, "points": 9}})]}
    assert cells.cells_by_grade_id(nb) == {"x": nb["cells"][3], "test_x": nb["cells"][1]}
    assert cells.cells_by_grade_id(nb["cells"]) == cells.cells_by_grade_id(nb)
    assert cells.graded_cells(nb) == [nb["cells"][1]]
    assert cells.solution_cells(nb) == [nb["cells"][0], nb["cells"][3]]


def _stream(name, text):
    return {"output_type": "stream", "name": name, "text": text}


def _error(ename, evalue):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def _test_cell(*outputs):
    return _cell({"nbgrader": {"grade": True, "grade_id": "test_sigmoid", "locked": True, "points": 6}},
                 outputs=list(outputs))


def test_a_failure_in_the_visible_part():
    cell = _test_cell(_error("CheckFailed", "σ(0) is wrong:\n  expected 0.5, got 1.0"))
    assert failure_message(cell) == "CheckFailed: σ(0) is wrong: expected 0.5, got 1.0"
    assert failure_summary(cell) == "test_sigmoid failed a visible test: CheckFailed: σ(0) is wrong: expected 0.5, got 1.0"
    assert failure_summary(cell, "σ") == "σ failed a visible test: CheckFailed: σ(0) is wrong: expected 0.5, got 1.0"
    assert failure_summary(nbformat.from_dict(cell)) == failure_summary(cell)


def test_a_failure_in_the_hidden_part():
    cell = _test_cell(_stream("stdout", "checking\nvisible σ tests passed\n"),
                      _error("CheckFailed", "σ(z) for float32 z is wrong"))
    assert failure_summary(cell) == ("test_sigmoid passed its visible tests but failed a hidden test: "
                                     "CheckFailed: σ(z) for float32 z is wrong")
    earlier = _test_cell(_stream("stdout", "visible σ tests passed, or not\n"), _error("CheckFailed", "no"))
    assert failure_summary(earlier).startswith("test_sigmoid failed a visible test")  # not the visible part's line


def test_a_stub_a_cell_not_run_and_a_warning():
    assert failure_summary(_test_cell(_error("NotImplementedError", ""))) == \
        f"test_sigmoid failed a visible test: NotImplementedError: {STUB_MESSAGE}"
    assert failure_message(_test_cell(_error("AssertionError", ""))) == "AssertionError"
    not_run = _test_cell(_stream("stdout", "visible σ tests passed\n"),
                         _error("NotRun", "not run: the notebook exceeded its time limit of 120 s"))
    assert failure_summary(not_run) == "test_sigmoid failed: NotRun: not run: the notebook exceeded its time limit of 120 s"
    warned = _test_cell(_stream("stderr", "UserWarning: careful\n"))  # the course drops stderr before grading
    assert cells.error_outputs(warned) == [] and failure_summary(warned) == ""


def test_a_passed_cell_has_no_failure_and_long_messages_are_cut():
    assert failure_summary(_test_cell(_stream("stdout", "visible σ tests passed\n"))) == ""
    assert failure_message(_cell({}, "markdown")) == ""
    long = failure_message(_test_cell(_error("CheckFailed", "x" * 5000)))
    assert len(long) == MAX_MESSAGE and long.endswith("…") and long.startswith("CheckFailed: xxx")


def test_grading_workers_load_neither_nbgrader_nor_nbformat():
    code = ("import sys, grader.checker.job, grader.notebook_cells\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('nbgrader', 'nbformat')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
