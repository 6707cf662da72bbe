"""`backprop-grader student-setup`: what Jupyter itself then reports of nbgrader's pages for a
student (``jupyter labextension list`` and ``jupyter server extension list`` read the folder the
command wrote). The browser suite opens JupyterLab on such a folder and looks at the menu."""

import json
import os
import re
import subprocess
import sys

import pytest

from grader.cli import main

pytestmark = pytest.mark.slow  # each jupyter command takes 2–3 s

INSTRUCTOR_ONLY = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list"}


def _jupyter(config_dir, *args):
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
    done = subprocess.run([sys.executable, "-m", "jupyter", *args], env=env, capture_output=True, text=True,
                          check=True)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def _disabled_lab_plugins(config_dir):
    """{plugin: locked?} of nbgrader's lab plugins that are off, as JupyterLab's server works out
    the page configuration it sends to the browser (jupyterlab_server.config.get_page_config)."""
    code = ("import json; from jupyterlab_server.config import get_page_config; "
            "from jupyter_core.paths import jupyter_path; c = get_page_config(jupyter_path('labextensions')); "
            "print(json.dumps([c.get('disabledExtensions', []), c.get('lockedExtensions', [])]))")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    disabled, locked = json.loads(done.stdout)
    return {name: name in locked for name in disabled if name.startswith("@jupyter/nbgrader:")}


def _server_extensions_of(config_dir):
    """{extension: enabled?} as the folder ``config_dir`` sets them."""
    listing = _jupyter(config_dir, "server", "extension", "list")
    own = listing.split(f"Config dir: {config_dir}")[1].split("Config dir:")[0]
    return {name: state == "enabled" for name, state in re.findall(r"^\s+(nbgrader\.\S+) (enabled|disabled)", own, re.M)}


@pytest.fixture
def setup(tmp_path, capsys):
    def run(*extra):
        config_dir = tmp_path / "student-config"
        assert main([*extra, "student-setup", "--config-dir", str(config_dir)]) == 0
        return config_dir, capsys.readouterr().out
    return run


def test_with_an_exchange_students_keep_validate_and_their_assignment_list(setup, tmp_path):
    config_dir, out = setup("--exchange", str(tmp_path / "exchange"))
    # off, and locked: JupyterLab's plugin manager cannot switch them back on
    assert _disabled_lab_plugins(config_dir) == dict.fromkeys(INSTRUCTOR_ONLY, True)
    assert _server_extensions_of(config_dir) == {"nbgrader.server_extensions.formgrader": False,
                                                 "nbgrader.server_extensions.course_list": False}
    config = (config_dir / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.course_id = 'backprop'" in config
    assert f"c.Exchange.root = {str(tmp_path / 'exchange')!r}" in config
    assert "lab plugin off and locked: @jupyter/nbgrader:formgrader" in out


def test_without_an_exchange_the_assignment_list_goes_too(setup):
    config_dir, _ = setup()
    assert set(_disabled_lab_plugins(config_dir)) == INSTRUCTOR_ONLY | {"@jupyter/nbgrader:assignment-list"}
    assert _server_extensions_of(config_dir)["nbgrader.server_extensions.assignment_list"] is False
    assert "Exchange.root" not in (config_dir / "nbgrader_config.py").read_text()


def test_the_instructors_own_environment_is_not_touched(setup):
    before = _disabled_lab_plugins(os.environ.get("JUPYTER_CONFIG_DIR", os.path.expanduser("~/.jupyter")))
    setup()
    after = _disabled_lab_plugins(os.environ.get("JUPYTER_CONFIG_DIR", os.path.expanduser("~/.jupyter")))
    assert after == before
