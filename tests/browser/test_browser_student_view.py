"""The students' JupyterLab after `backprop-grader student-setup`: the Nbgrader menu holds the
Assignment List only (no Formgrader, Create Assignment or Course List), the Create Assignment
sidebar is gone, the formgrader's pages are not served, and the Assignment List shows the
assignment the instructor released to the exchange instead of "Error fetching courses!"."""

import subprocess
import sys

import pytest

from browser_chromium import skip_module_without_selenium
from browser_processes import wait_until

skip_module_without_selenium()  # before anything that imports selenium

from selenium.webdriver.common.by import By  # noqa: E402

from browser_lab_page import LabPage  # noqa: E402

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
INSTRUCTOR_ITEMS = ("Formgrader", "Create Assignment", "Course List")


def _backprop_grader(*args):
    done = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture
def student_lab(released_courses, tmp_path, lab_server, chromium, screenshots):
    """An instructor's course released to an exchange, and a student's JupyterLab set up by
    student-setup, logged in."""
    exchange = tmp_path / "exchange"
    course = released_courses.copy(tmp_path / "course", [AID])
    _backprop_grader("--course", course.root, "--exchange", exchange, "exchange", "release", AID)
    config = tmp_path / "student-config"
    _backprop_grader("--exchange", exchange, "student-setup", "--config-dir", config)
    home = tmp_path / "student-home"
    home.mkdir()
    page = LabPage(chromium(), lab_server(home, config_dirs=[config]), screenshots)
    page.log_in()
    return page


def _menu_items(page):
    page.find(".lm-MenuBar-item", text="Nbgrader").click()
    menu = page.find(".lm-Menu")
    items = [e.text for e in menu.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if e.text]
    page.shot("nbgrader-menu")
    return items


def test_students_see_their_assignment_list_and_no_instructor_pages(student_lab):
    page = student_lab
    items = _menu_items(page)
    assert "Assignment List" in items
    assert not set(items) & set(INSTRUCTOR_ITEMS), items
    sidebar = page.driver.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab[title*='Create Assignment']")
    assert not sidebar
    page.find(".lm-Menu .lm-Menu-itemLabel", text="Assignment List").click()
    # the released assignment appears under "Released assignments", ready to fetch
    wait_until(lambda: AID in page.driver.page_source, 60, f"{AID} in the Assignment List")
    page.shot("assignment-list")
    assert "Error fetching courses" not in page.driver.page_source
    # the formgrader's own pages are not served to students
    assert page.server.get("formgrader")[0] == 404


def _section(page, title):
    """The Assignment List's panel headed ``title`` ("Downloaded assignments", …)."""
    heading = page.find(".panel-heading", text=title)
    return heading.find_element(By.XPATH, "..")


def test_a_student_fetches_and_submits_through_the_assignment_list(student_lab, tmp_path):
    page = student_lab
    page.find(".lm-MenuBar-item", text="Nbgrader").click()
    page.find(".lm-Menu .lm-Menu-itemLabel", text="Assignment List").click()
    page.find("button", text="Fetch").click()
    wait_until(lambda: AID in _section(page, "Downloaded assignments").text, 60, "the fetched assignment")
    page.shot("fetched")
    assert (page.server.root / AID / f"{AID}.ipynb").is_file()
    page.find("button", text="Submit", within=_section(page, "Downloaded assignments")).click()
    wait_until(lambda: AID in _section(page, "Submitted assignments").text, 60, "the submitted assignment")
    page.shot("submitted")
    inbound = list((tmp_path / "exchange" / "backprop" / "inbound").glob(f"*+{AID}+*"))
    assert len(inbound) == 1 and (inbound[0] / f"{AID}.ipynb").is_file()
