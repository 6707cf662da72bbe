"""The instructor's tools print their output, not the kernel's: no "Kernel is running over
TCP without encryption" warning. ``backprop-grader`` starts no Jupyter kernel (the student's
code runs in the sandbox's own IPython); the kernels nbgrader itself starts in the course
folder (``nbgrader validate``, its own Execute) use CurveZMQ-encrypted TCP, set in the
course's configuration (grader.course.Course.config)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import Course, curve_encryption_available

BIN = Path(sys.executable).parent
SOLVED = Path(__file__).parents[1] / "assignments" / "01_sigmoid_neurons" / "01_sigmoid_neurons.ipynb"
WARNING = "running over TCP without encryption"
NOTE = ("note: without --master the notebook's own test cells run in this process: use it only on notebooks "
        "you trust")


def run(*command, cwd=None):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", MPLBACKEND="Agg")
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_course_configuration_encrypts_nbgrader_kernels(tmp_path):
    course = Course(tmp_path / "course")
    course.write_config()
    written = (course.root / "nbgrader_config.py").read_text(encoding="utf-8").splitlines()
    assert ("c.KernelManager.transport_encryption = 'auto'" in written) == curve_encryption_available()
    assert not any("KernelManager.transport =" in line for line in written)  # not IPC: see Course.config


def test_validate_prints_no_kernel_warning():
    done = run("backprop-grader", "validate", str(SOLVED))
    assert done.returncode == 0, done.stderr
    assert "total 15/15" in done.stdout
    assert WARNING not in done.stderr and "[IPKernelApp]" not in done.stderr
    assert done.stderr.splitlines()[0] == NOTE


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("quiet") / "course"
    return root, run("backprop-grader", "--course", str(root), "build", "01_sigmoid_neurons")


@pytest.mark.slow
def test_build_prints_no_kernel_warning(built):
    root, done = built
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"01_sigmoid_neurons: master notebook copied from the package to {root.resolve() / 'source' / '01_sigmoid_neurons'}",
        f"01_sigmoid_neurons: released to {root.resolve() / 'release' / '01_sigmoid_neurons'} "
        "(3 graded cells, 15 points; lints passed)"]
    assert WARNING not in done.stderr and "[IPKernelApp]" not in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not curve_encryption_available(), reason="jupyter_client or libzmq cannot encrypt kernels here")
def test_nbgrader_validate_in_the_course_folder_prints_no_kernel_warning(built):
    """nbgrader's own validate starts a Jupyter kernel, configured by the course's nbgrader_config.py."""
    root, done = built
    assert done.returncode == 0, done.stderr
    checked = run("nbgrader", "validate", str(SOLVED), cwd=root)
    assert checked.returncode == 0, checked.stderr
    assert "Success! Your notebook passes all the tests." in checked.stdout
    assert WARNING not in checked.stderr and "[IPKernelApp]" not in checked.stderr
