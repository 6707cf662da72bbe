import atexit
import os
import shutil
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
# A fresh matplotlib cache for this run (and the kernels it starts): a font cache left by
# another checkout or virtual environment can point at files that no longer exist.
os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="mplconfig-")
atexit.register(shutil.rmtree, os.environ["MPLCONFIGDIR"], True)
# One BLAS thread per process: notebooks run in parallel kernels on a small machine, and
# oversubscribed BLAS threads make them many times slower under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


import pytest  # noqa: E402


class ReleasedCourses:
    """Courses whose assignments are built once per test session and copied for each test
    module that grades submissions (building runs nbgrader and lints every release)."""

    def __init__(self, root):
        self.root = root
        self._built = None

    def copy(self, target, assignments):
        """A course at ``target`` with ``assignments`` built (gradebook and releases copied),
        and no other: what other tests built meanwhile is removed from the copy, so that it
        does not depend on which tests ran before it (in this process)."""
        from grader.course import Course
        from grader.release import build
        if self._built is None:
            self._built = Course(self.root / "built")
            self._built.write_config()
        from nbgrader.api import Gradebook
        with Gradebook(self._built.gradebook_url) as gb:
            present = {a.name for a in gb.assignments}
        for aid in assignments:
            if aid not in present:
                build(self._built, aid)
        shutil.copytree(self._built.root, target, ignore=shutil.ignore_patterns("submitted", "autograded", ".grading",
                                                                             "feedback", "nbgrader_config.py"))
        course = Course(target)
        course.write_config()
        _keep_only(course, assignments)
        return course


def _keep_only(course, assignments):
    """Remove from ``course`` (its gradebook, source and release folders) every built
    assignment but ``assignments``."""
    from nbgrader.api import Gradebook
    with Gradebook(course.gradebook_url) as gb:
        others = [a.name for a in gb.assignments if a.name not in assignments]
        for name in others:
            gb.remove_assignment(name)
    for name in others:
        for folder in ("source", "release"):
            shutil.rmtree(course.root / folder / name, ignore_errors=True)


@pytest.fixture(scope="session")
def released_courses(tmp_path_factory):
    return ReleasedCourses(tmp_path_factory.mktemp("released-courses"))
