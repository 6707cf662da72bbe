"""The command line: --help everywhere, and validate as a student would run it."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.cli import make_parser, main
from grader.notebook_cells import grade_id

pytestmark = pytest.mark.slow

COMMANDS = ["build", "collect", "autograde", "feedback", "export", "report", "validate"]
SOLVED = Path(__file__).parents[1] / "assignments" / "01_sigmoid_neurons" / "01_sigmoid_neurons.ipynb"


def test_every_command_is_listed():
    sub = next(a for a in make_parser()._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(COMMANDS)


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main(([command] if command else []) + ["--help"])
    assert done.value.code == 0
    assert "usage: backprop-grader" in capsys.readouterr().out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "backprop-grader"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "autograde" in out


def test_validate_solved_and_blank(tmp_path, capsys):
    assert main(["validate", str(SOLVED)]) == 0
    out = capsys.readouterr().out
    assert "PASS  test_sigmoid " in out and "total 15/15" in out
    nb = nbformat.read(SOLVED, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) == "sigmoid_prime":
            cell.source = "def sigmoid_prime(z):\n    return sigmoid(z)\n"
    wrong = tmp_path / "mine.ipynb"
    nbformat.write(nb, wrong)
    assert main(["validate", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  test_sigmoid_prime" in out and "σ'(0)" in out and "total 9/15" in out


def test_validate_says_which_part_of_a_test_failed(tmp_path, capsys):
    nb = nbformat.read(SOLVED, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) == "sigmoid_prime":  # right for a number, but a number for an array too
            cell.source = "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return float(np.sum(s * (1 - s)))\n"
    wrong = tmp_path / "mine.ipynb"
    nbformat.write(nb, wrong)
    assert main(["validate", str(wrong)]) == 0  # the visible tests pass
    assert "PASS  test_sigmoid_prime " in capsys.readouterr().out
    assert main(["validate", str(wrong), "--master", str(SOLVED)]) == 1
    out = capsys.readouterr().out
    assert ("test_sigmoid_prime passed its visible tests but failed a hidden test: "
            "CheckFailed: σ'(z) for z of shape (9,) has shape (), expected (9,)") in out
