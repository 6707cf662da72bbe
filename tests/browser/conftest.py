"""Fixtures of the browser tests: headless Chromium, JupyterLab servers, a graded class, and
the screenshots of each step (``build/screenshots/<test>/``, listed in the summary). Without
Chromium, its driver or selenium the tests are skipped, and the summary says so loudly."""

import pytest

from browser_chromium import SKIP_MESSAGE, why_unavailable
from browser_course import graded_class
from browser_launch import FAILED, Launched, failed
from browser_screenshots import Screenshots

SCREENSHOT_FOLDERS = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember a failed test, so that its browsers take a last screenshot."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True


@pytest.fixture
def browser_needed():
    """Skip the test, and say so in the summary, when no browser can run here."""
    reason = why_unavailable()
    if reason:
        pytest.skip(f"{SKIP_MESSAGE}: {reason}")


@pytest.fixture
def screenshots(request, browser_needed):
    """The test's :class:`Screenshots`; the folder is printed and listed in the summary."""
    shots = Screenshots(request.node.name)
    SCREENSHOT_FOLDERS.append(shots.folder)
    print(f"screenshots of {request.node.name}: {shots.folder}")
    return shots


@pytest.fixture
def launched(request, tmp_path, screenshots):
    """The test's :class:`Launched`: its browsers take a last screenshot if the test failed,
    and everything it started is stopped after the test, which fails if a process stays."""
    things = Launched(tmp_path)
    yield things
    if failed(request):
        things.last_screenshots(screenshots)
    things.close()


@pytest.fixture
def chromium(launched):
    """``chromium(offline=False)`` starts a headless browser and returns its WebDriver."""
    return launched.chromium


@pytest.fixture
def lab_server(launched):
    """``lab_server(root, cwd=None, config_dirs=())`` starts JupyterLab on ``root`` (kernels
    and all shut down after the test) and returns the :class:`LabServer`."""
    return launched.lab_server


@pytest.fixture(scope="session")
def graded_course(released_courses, tmp_path_factory):
    """Assignment 1 graded for a small class, with feedback (:func:`browser_course.graded_class`)."""
    if why_unavailable():
        pytest.skip(f"{SKIP_MESSAGE}: {why_unavailable()}")
    return graded_class(released_courses, tmp_path_factory.mktemp("graded-class"))


def browser_skips(terminalreporter):
    """The skip messages of the browser tests that could not run for want of a browser."""
    reports = terminalreporter.stats.get("skipped", [])
    messages = [report.longrepr[2] for report in reports if isinstance(report.longrepr, tuple)]
    return [message for message in messages if SKIP_MESSAGE in message]


def pytest_terminal_summary(terminalreporter):
    skips = browser_skips(terminalreporter)
    if skips:
        terminalreporter.section("browser tests", sep="!", red=True, bold=True)
        reason = skips[0].split(f"{SKIP_MESSAGE}: ", 1)[-1]
        terminalreporter.write_line(f"{SKIP_MESSAGE} ({len(skips)} skipped): {reason}", red=True, bold=True)
    if SCREENSHOT_FOLDERS:
        terminalreporter.section("browser screenshots")
        for folder in SCREENSHOT_FOLDERS:
            terminalreporter.write_line(str(folder))
