"""A student works through assignment 1 in JupyterLab, in a real browser: the release as
`backprop-grader build` writes it, opened in the main virtual environment's JupyterLab (with
nbgrader's lab extension), run, filled in by typing into the cell editor, run again, and
checked with nbgrader's Validate button."""

import shutil
import textwrap

import nbformat
import pytest

from browser_chromium import skip_module_without_selenium
from grader.notebook_cells import BEGIN_SOLUTION, END_SOLUTION, grade_id

skip_module_without_selenium()  # before anything that imports selenium

from selenium.webdriver.common.by import By  # noqa: E402

from browser_lab_page import EXECUTED_PROMPT, LabPage  # noqa: E402

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
NOTEBOOK = f"{AID}/{AID}.ipynb"
#: The textbook σ: right for moderate z, overflows in e^{-z} for z < −709.
TEXTBOOK_SIGMOID = ["return 1 / (1 + np.exp(-z))"]


def index_of(nb, grade=None, text=None):
    """Index of the cell with nbgrader id ``grade``, or of the first cell whose source holds ``text``."""
    for index, cell in enumerate(nb.cells):
        if (grade is not None and grade_id(cell) == grade) or (text is not None and text in cell.source):
            return index
    raise LookupError(f"no cell {grade or text!r} in the notebook")


def solution_lines(nb, grade):
    """The lines between the solution markers of cell ``grade``, without their common indentation.

    They are typed line by line into the editor, which keeps the indentation of the line
    before: a solution with nested blocks cannot be typed so and is refused.
    """
    source = nb.cells[index_of(nb, grade)].source
    body = source.split(BEGIN_SOLUTION, 1)[1].split(END_SOLUTION, 1)[0].strip("\n")
    lines = textwrap.dedent(body).splitlines()
    if any(line != line.lstrip() for line in lines):
        raise ValueError(f"the solution of {grade} has nested blocks: type it another way")
    return lines


def mathjax_count(cell):
    """How many MathJax-rendered formulas the cell shows (on the page, with a size)."""
    return len([math for math in cell.find_elements(By.CSS_SELECTOR, "mjx-container")
                if math.size["width"] > 0 and math.size["height"] > 0])


def loaded_images(cell):
    """The images in the cell's outputs that the browser has loaded and shows (width > 0)."""
    return [img for img in cell.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output img")
            if img.is_displayed() and img.get_property("naturalWidth") > 0]


@pytest.fixture
def student_folder(browser_needed, released_courses, tmp_path):
    """What a student receives: the release folder of assignment 1 (notebook, kit, data)."""
    course = released_courses.copy(tmp_path / "course", [AID])
    folder = tmp_path / "student"
    shutil.copytree(course.path("release", ".", AID), folder / AID)
    source = nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4)
    return folder, source


def test_a_student_runs_fills_in_and_validates_assignment_1(student_folder, lab_server, chromium, screenshots):
    folder, source = student_folder
    release = nbformat.read(folder / NOTEBOOK, as_version=4)
    page = LabPage(chromium(), lab_server(folder), screenshots)
    perceptron, test_perceptron = index_of(release, "perceptron_output"), index_of(release, "test_perceptron_output")
    sigmoid, test_sigmoid = index_of(release, "sigmoid"), index_of(release, "test_sigmoid")
    sigmoid_prime, test_sigmoid_prime = index_of(release, "sigmoid_prime"), index_of(release, "test_sigmoid_prime")
    plot = index_of(release, text='when_implemented("the plot")')
    assert test_perceptron < sigmoid < plot, "the notebook's order changed: this walk-through needs updating"

    page.open_notebook(NOTEBOOK)
    page.wait(lambda: mathjax_count(page.cell(0)) >= 4, 30, "MathJax to render the objectives' formulas")
    intro = page.cell(0)
    page.shot("opened", intro)
    assert "$" not in intro.text and "\\sigma" not in intro.text, f"raw TeX in the rendered cell:\n{intro.text}"

    # Run All on the bare release stops at the first test: the perceptron is still a stub
    page.run_all()
    assert "NotImplementedError" in page.output_text(test_perceptron)
    assert page.prompt(test_sigmoid) == "[ ]:" and page.prompt(plot) == "[ ]:", "Run All went on after a failed test"
    page.shot("stub-stops-run-all", page.cell(test_perceptron))

    # the textbook σ overflows at z = −1000: the course's message says so
    page.replace_last_line(sigmoid, TEXTBOOK_SIGMOID)
    page.run_cells(sigmoid, 2)
    message = page.output_text(test_sigmoid)
    assert "CheckFailed" in message and "σ at z = ±1000 is not numerically stable" in message, message
    page.shot("textbook-sigmoid-fails", page.cell(test_sigmoid))

    # the stable σ passes its visible tests
    page.replace_last_line(sigmoid, solution_lines(source, "sigmoid"))
    page.run_cells(sigmoid, 2)
    assert "visible σ tests passed" in page.output_text(test_sigmoid)
    assert "CheckFailed" not in page.output_text(test_sigmoid)
    page.shot("sigmoid-passes", page.cell(test_sigmoid))

    # nbgrader's Validate button (it saves the notebook first) names the tests that still fail
    page.toolbar_button("Validate").click()
    dialog, text = page.dialog("Validation Results")
    page.shot("validated-with-stubs", dialog)
    assert text.count("The following cell failed:") == 2, text
    assert "perceptron_output(" in text and "sigmoid_prime(" in text and "NotImplementedError" in text, text
    assert "σ(ln 3)" not in text, f"the passing σ test is listed as failed:\n{text}"
    page.close_dialog(dialog)

    # with the perceptron and σ' filled in too, Run All goes to the end and shows the plot
    page.replace_last_line(perceptron, solution_lines(source, "perceptron_output"))
    page.replace_last_line(sigmoid_prime, solution_lines(source, "sigmoid_prime"))
    page.run_all()
    assert all(EXECUTED_PROMPT.match(prompt) for prompt in page.prompts()), page.prompts()
    for test, name in [(test_perceptron, "perceptron"), (test_sigmoid, "σ"), (test_sigmoid_prime, "σ'")]:
        assert f"visible {name} tests passed" in page.output_text(test)
    images = loaded_images(page.cell(plot))
    assert len(images) == 1 and images[0].size["width"] > 200, "the plot of σ and σ' is not shown"
    assert "central difference" in page.output_text(plot)
    page.shot("plot", images[0])

    page.toolbar_button("Validate").click()
    dialog, text = page.dialog("Validation Results")
    page.shot("validated", dialog)
    assert "Success! Your notebook passes all the tests." in text, text
    page.close_dialog(dialog)

    saved = nbformat.read(folder / NOTEBOOK, as_version=4)
    for index, grade in [(perceptron, "perceptron_output"), (sigmoid, "sigmoid"), (sigmoid_prime, "sigmoid_prime")]:
        typed = saved.cells[index].source.splitlines()
        expected = ["    " + line for line in solution_lines(source, grade)]
        assert typed[-len(expected):] == expected, f"the saved {grade} cell is not what was typed:\n{typed}"
        assert "NotImplementedError" not in saved.cells[index].source
