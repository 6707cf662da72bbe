"""The instructor tool installed like a package: the built wheel, in a fresh virtual environment,
builds a course from the notebooks it carries and grades it.

The fresh environment gets the project's dependencies (numpy, nbgrader, …) as links to the
files of this environment's site-packages, everything except this checkout's editable install,
so the test downloads nothing and takes seconds; then ``pip install --no-deps --no-index`` puts
the wheel in. A check below confirms that every module of the project comes from the wheel.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
AID = "01_sigmoid_neurons"


def _run(*args, cwd, check=True):
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
    return done


def _clean_copy(target):
    """The checkout's files that git knows or would add (no build/ left-overs, no caches) in
    ``target``: a wheel built there holds exactly what a fresh clone's would."""
    listed = _run("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=REPO).stdout
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(fresh venv's bin folder, a working folder outside the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", dist,
         _clean_copy(work / "checkout"), cwd=work)
    wheels = sorted(dist.glob("backprop_course-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "fresh"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    fresh_site = Path(_run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                           cwd=work).stdout.strip())
    shutil.copytree(sysconfig.get_path("purelib"), fresh_site, dirs_exist_ok=True, copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns("__editable__*", "backprop_course-*", "__pycache__"))
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index",
         "--quiet", wheels[0], cwd=work)
    return venv / "bin", work


def test_everything_comes_from_the_wheel(installed):
    bin_dir, work = installed
    code = ("import grader, solutions, datasets, backprop_kit, sandbox_runner, grader.course as c;"
            "print(*[m.__file__ for m in (grader, solutions, datasets, backprop_kit, sandbox_runner)]);"
            "print(*sorted(c.packaged_notebooks().items()))")
    out = _run(bin_dir / "python", "-c", code, cwd=work).stdout
    modules, notebooks = out.splitlines()
    site = str(bin_dir.parent)
    assert all(path.startswith(site) for path in modules.split()), modules
    assert str(REPO) not in out
    ids = sorted(p.name for p in (REPO / "assignments").iterdir() if (p / f"{p.name}.ipynb").is_file())
    assert len(ids) == 6
    for aid in ids:
        assert f"'{aid}'" in notebooks and f"{site}/share/backprop-course/assignments/{aid}.ipynb" in notebooks


def test_the_installed_tool_builds_and_grades_a_course(installed):
    bin_dir, work = installed
    course = work / "course"
    built = _run(bin_dir / "backprop-grader", "--course", course, "build", AID, cwd=work).stdout
    assert f"{AID}: master notebook copied from the package to {course / 'source' / AID}" in built
    assert "15 points; lints passed" in built
    packaged = REPO / "assignments" / AID / f"{AID}.ipynb"
    assert (course / "source" / AID / f"{AID}.ipynb").read_bytes() == packaged.read_bytes()
    # a solved and a blank submission, made from the course's own files
    from sample_class.submissions import solved_submission
    source = nbformat.read(course / "source" / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / AID / f"{AID}.ipynb", as_version=4)
    for student, nb in (("solved", solved_submission(source, release)), ("blank", release)):
        (work / "in" / student).mkdir(parents=True)
        nbformat.write(nb, work / "in" / student / f"{AID}.ipynb")
    _run(bin_dir / "backprop-grader", "--course", course, "collect", AID, work / "in", cwd=work)
    table = _run(bin_dir / "backprop-grader", "--course", course, "autograde", AID, "--no-progress", cwd=work).stdout
    rows = {line.split()[0]: line.split()[1] for line in table.splitlines()[1:] if not line.startswith(" ")}
    assert rows == {"blank": "0/15", "solved": "15/15"}, table


def test_an_edited_course_copy_is_built_as_it_is(installed):
    bin_dir, work = installed
    course = work / "edited"
    _run(bin_dir / "backprop-grader", "--course", course, "build", AID, cwd=work)
    master = course / "source" / AID / f"{AID}.ipynb"
    nb = nbformat.read(master, as_version=4)
    nb.cells[0].source += "\n\nThis term's deadline: Friday."
    nbformat.write(nb, master)
    rebuilt = _run(bin_dir / "backprop-grader", "--course", course, "build", AID, cwd=work).stdout
    assert "differs from the packaged notebook" in rebuilt
    released = nbformat.read(course / "release" / AID / f"{AID}.ipynb", as_version=4)
    assert released.cells[0].source.endswith("This term's deadline: Friday.")
