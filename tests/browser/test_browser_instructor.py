"""The instructor's side in a real browser: nbgrader's formgrader, served by JupyterLab started
in a course folder, for a class of assignment 1 graded with `backprop-grader` (roster,
collect, autograde, feedback)."""

from urllib.parse import urlsplit

import pytest

from browser_chromium import skip_module_without_selenium
from browser_course import AID, STUDENTS
from browser_launch import Launched, failed
from browser_processes import wait_until

skip_module_without_selenium()  # before anything that imports selenium

from selenium.webdriver.common.by import By  # noqa: E402

from browser_lab_page import LabPage  # noqa: E402

pytestmark = pytest.mark.slow

MAX_SCORE = 15  # perceptron 3 + σ 6 + σ' 6


@pytest.fixture(scope="module")
def formgrader(graded_course, tmp_path_factory):
    """JupyterLab in the course folder (where nbgrader_config.py is) and a browser logged in to
    it, for every test of this module."""
    launched = Launched(tmp_path_factory.mktemp("formgrader"))
    try:
        server = launched.lab_server(graded_course.root, cwd=graded_course.root)
        page = LabPage(launched.chromium(), server, None)
        page.log_in()
    except BaseException:
        launched.stop()
        raise
    yield page, launched
    launched.close()


@pytest.fixture
def instructor(request, formgrader, screenshots):
    """The module's browser, back on one tab, taking this test's screenshots."""
    page, launched = formgrader
    page.screenshots = screenshots
    driver = page.driver
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.switch_to.default_content()
    yield page
    if failed(request):
        launched.last_screenshots(screenshots)


def table_rows(page, columns, expected):
    """``{student id: {column: text}}`` of the formgrader's table, once it lists ``expected`` rows.

    ``columns`` maps a name to the CSS class of its cells; the one named ``id`` holds the student id.
    """
    def rows():
        found = {}
        for row in page.driver.find_elements(By.CSS_SELECTOR, "table tbody tr"):
            cells = {name: row.find_elements(By.CSS_SELECTOR, f"td.{css}") for name, css in columns.items()}
            if all(cells.values()):
                found[cells["id"][0].text.strip()] = {name: cells[name][0].text.strip() for name in columns}
        return found if len(found) >= expected else None
    return page.wait(rows, 30, f"the formgrader's table to list {expected} rows")


def test_the_formgrader_opens_from_the_nbgrader_menu_and_its_assignment_link_opens_the_folder(instructor):
    page = instructor
    page.driver.get(page.server.url("lab"))
    page.menu("Nbgrader", "Formgrader")
    frame = page.find("iframe[src*='formgrader']")
    page.driver.switch_to.frame(frame)
    link = page.find("table td.name a", text=AID)
    assert page.find("td.num-submissions").text.strip() == str(len(STUDENTS))
    page.driver.switch_to.default_content()
    page.shot("formgrader-in-lab")

    page.driver.switch_to.frame(frame)
    link.click()  # in JupyterLab the link asks the file browser to go to the assignment's folder
    page.driver.switch_to.default_content()
    listing = page.find(".jp-FileBrowser .jp-DirListing-content", text=f"{AID}.ipynb")
    crumbs = page.find(".jp-FileBrowser .jp-BreadCrumbs").text
    assert AID in crumbs, f"the file browser is at {crumbs!r}, not the assignment's folder"
    page.shot("assignment-folder-in-file-browser", listing)


def test_manage_students_lists_each_student_with_name_and_score(instructor):
    page = instructor
    page.driver.get(page.server.url("formgrader/manage_students"))
    rows = table_rows(page, {"name": "name", "id": "id", "score": "score"}, len(STUDENTS))
    page.shot("manage-students")
    assert sorted(rows) == sorted(s.id for s in STUDENTS)
    for student in STUDENTS:
        assert rows[student.id]["name"] == student.shown_name, rows[student.id]
        assert rows[student.id]["score"] == f"{student.score:g} / {MAX_SCORE}", rows[student.id]
    assert not any("None, None" in row["name"] for row in rows.values())


def test_the_submissions_of_an_assignment_show_when_they_were_handed_in(instructor):
    page = instructor
    page.driver.get(page.server.url(f"formgrader/manage_submissions/{AID}"))
    rows = table_rows(page, {"name": "student-name", "id": "student-id", "timestamp": "timestamp",
                                  "status": "status", "score": "score"}, len(STUDENTS))
    page.shot("manage-submissions")
    assert sorted(rows) == sorted(s.id for s in STUDENTS)
    for student in STUDENTS:
        row = rows[student.id]
        assert row["timestamp"] == student.submitted.strftime("%Y-%m-%d %H:%M:%S UTC"), row
        assert row["name"] == student.shown_name, row
        assert row["status"] == "graded" and row["score"] == f"{student.score:g} / {MAX_SCORE}", row


def test_the_assignment_name_on_the_formgraders_own_page_opens_its_folder(instructor):
    page = instructor
    page.driver.get(page.server.url("formgrader/manage_assignments"))
    page.find("table td.name a", text=AID).click()  # opens a new tab outside JupyterLab
    wait_until(lambda: len(page.driver.window_handles) == 2, 10, "the assignment's folder to open in a new tab")
    page.driver.switch_to.window(page.driver.window_handles[-1])
    wait_until(lambda: page.driver.execute_script("return document.readyState") == "complete", 30, "the page")
    status, _ = page.server.get(urlsplit(page.driver.current_url).path)
    assert status == 200, f"{page.driver.current_url} answers {status}"
    listing = page.find("body", text=f"{AID}.ipynb")
    page.shot("assignment-link")
    assert "404" not in page.driver.title and "404" not in listing.text


def test_a_students_feedback_can_be_read_in_jupyterlab(instructor):
    page = instructor
    student = next(s for s in STUDENTS if 0 < s.score < MAX_SCORE)
    page.driver.get(page.server.url(f"lab/tree/feedback/{student.id}/{AID}/{AID}.html"))
    frame = page.find(".jp-HTMLViewer:not(.lm-mod-hidden) iframe", timeout=60)
    page.driver.switch_to.frame(frame)
    text = page.find("body", text="Score").text
    page.driver.switch_to.default_content()
    page.shot("feedback-in-lab")
    page.driver.switch_to.frame(frame)
    failure = page.find(".output_subarea, .jp-OutputArea-output", text="σ'(0) is wrong")
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", failure)
    page.driver.switch_to.default_content()
    page.shot("feedback-failure")
    assert f"{student.score:.1f} / {MAX_SCORE:.1f}" in text, text[:500]
    assert "test_sigmoid_prime" in text and "σ'(0) is wrong" in text, text[:2000]
