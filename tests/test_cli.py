"""The command line: --help everywhere, and validate as a student would run it."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.cli import make_parser, main
from grader.notebook_cells import grade_id

pytestmark = pytest.mark.slow

COMMANDS = ["build", "collect", "autograde", "watch", "feedback", "export", "roster", "report", "validate", "exchange",
            "student-setup"]
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


def test_validate_shows_the_line_a_test_failed_at(tmp_path, capsys):
    from sample_class.submissions import replace_function
    wrong, _ = replace_function(nbformat.read(SOLVED, as_version=4), "sigmoid_prime",
                                "def sigmoid_prime(z):\n    return sigmoid(z)\n")
    path = tmp_path / "mine.ipynb"
    nbformat.write(wrong, path)
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out == (
        "PASS  test_perceptron_output             3/3\n"
        "PASS  test_sigmoid                       6/6\n"
        "FAIL  test_sigmoid_prime                 0/6\n"
        "      test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5. "
        "σ'(z) = σ(z)(1 − σ(z))\n"
        "      at line 2 of the test cell: "
        "checks.expect_close(sigmoid_prime(0.0), 0.25, \"σ'(0)\", hint=\"σ'(z) = σ(z)(1 − σ(z))\")\n"
        "total 9/15 (visible tests only: the graded version runs more)\n")


def test_validate_with_the_master_shows_the_hidden_line_it_failed_at(tmp_path, capsys):
    """--master is the instructor's check: the line of the hidden part is shown, marked as such."""
    from sample_class.submissions import replace_function
    wrong, _ = replace_function(nbformat.read(SOLVED, as_version=4), "sigmoid_prime",  # right for a number only
                                "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return float(np.sum(s * (1 - s)))\n")
    path = tmp_path / "mine.ipynb"
    nbformat.write(wrong, path)
    assert main(["validate", str(path), "--master", str(SOLVED)]) == 1
    assert capsys.readouterr().out == (
        "PASS  test_perceptron_output             3/3\n"
        "PASS  test_sigmoid                       6/6\n"
        "FAIL  test_sigmoid_prime                 0/6\n"
        "      test_sigmoid_prime passed its visible tests but failed a hidden test: "
        "CheckFailed: σ'(z) for z of shape (9,) has shape (), expected (9,)\n"
        "      at line 13 of the test cell (hidden part): "
        "checks.expect_gradient(sigmoid_prime(z), lambda v: float(np.sum(oracle.plain_sigmoid(v))), z,\n"
        "total 9/15 (hidden tests included)\n")
