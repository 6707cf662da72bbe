"""nbgrader's exchange, the whole loop, with two real student accounts on this machine.

The instructor (this process's account) builds and releases assignment 1 to a local exchange
folder. Two students, each a Unix account of their own made for the test, fetch it with
nbgrader's own ``fetch_assignment``, work on it, and ``submit``; one of them also submits a
notebook under the other's name (``nbgrader submit --student``). The instructor collects, grades, generates and releases the
feedback; each student fetches their own feedback. Checked on the way: the forged submission is
refused and the victim's own one graded; neither student can read the other's submission; the
gradebook keeps the exchange's timestamps; each feedback page is its student's.
"""

import os
import re
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.notebook_cells import BEGIN_SOLUTION, END_SOLUTION, grade_id, is_solution

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
COURSE_ID = "backprop"
CLI = [sys.executable, "-m", "grader"]


REPO = Path(__file__).resolve().parents[1]


def _can_make_accounts():
    return os.geteuid() == 0 and all(shutil.which(tool) for tool in ("useradd", "userdel", "setpriv", "unshare"))


def _first_closed_folder(path):
    """The outermost folder above ``path`` that other accounts cannot enter, or None."""
    for folder in reversed(Path(path).resolve().parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _mounts_for_students(stage):
    """Shell commands, for a private mount namespace, that let other accounts reach this
    Python, its virtual environment and the repository where they sit below a folder closed to
    them (e.g. a Python installed under /root): the folder is covered by an empty tmpfs into
    which each of them is bound again. The machine itself is not changed."""
    targets = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO]
    by_folder = {}
    for target in targets:
        closed = _first_closed_folder(target)
        if closed is not None:
            by_folder.setdefault(closed, []).append(target)
    commands = []
    for index, (closed, inside) in enumerate(by_folder.items()):
        staged = [stage / f"{index}-{n}" for n in range(len(inside))]
        for target, place in zip(inside, staged):
            commands += [f"mkdir -p {shlex.quote(str(place))}", f"mount --bind {shlex.quote(str(target))} {shlex.quote(str(place))}"]
        commands.append(f"mount -t tmpfs -o mode=755 tmpfs {shlex.quote(str(closed))}")
        for target, place in zip(inside, staged):
            commands += [f"mkdir -p {shlex.quote(str(target))}", f"mount --bind {shlex.quote(str(place))} {shlex.quote(str(target))}"]
    return commands


class Account:
    """A Unix account made for the test, with a private home; removed afterwards."""

    def __init__(self, name, root):
        self.name = name
        self.mounts = _mounts_for_students(Path(root) / ".stage")
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
        entry = pwd.getpwnam(name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.home = Path(root) / name
        self.home.mkdir()
        os.chown(self.home, self.uid, self.gid)
        self.home.chmod(0o700)

    def run(self, *args, cwd=None, env=None, check=True):
        """Run ``args`` as this account, in its home, with a clean environment."""
        environment = {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
                       "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "MPLBACKEND": "Agg", **(env or {})}
        command = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--",
                   "env", "-i", *[f"{k}={v}" for k, v in environment.items()], *args]
        script = "; ".join([*self.mounts, f"exec {shlex.join(command)}"])
        done = subprocess.run(["unshare", "--mount", "--", "sh", "-ec", script], cwd=cwd or self.home,
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} as {self.name} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def nbgrader(self, *args, env=None, check=True):
        return self.run(sys.executable, "-m", "nbgrader", *args, "--course", COURSE_ID, env=env, check=check)

    def remove(self):
        subprocess.run(["userdel", self.name], check=False)


def _instructor(course, exchange, *args):
    done = subprocess.run([*CLI, "--course", str(course.root), "--exchange", str(exchange), *args],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _solve(notebook, source, only=None):
    """Fill the answer cells of ``notebook`` (a student's file) from the master ``source``."""
    nb = nbformat.read(notebook, as_version=4)
    answers = {grade_id(c): c.source for c in source.cells if is_solution(c)}
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers and (only is None or grade_id(cell) in only):
            cell.source = "\n".join(line for line in answers[grade_id(cell)].splitlines()
                                    if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
    stat_before = notebook.stat()
    nbformat.write(nb, notebook)
    os.chown(notebook, stat_before.st_uid, stat_before.st_gid)


@pytest.fixture(scope="module")
def loop(released_courses, tmp_path_factory):
    """Run the whole loop once; return what the checks need."""
    if not _can_make_accounts():
        pytest.skip("LOUD SKIP: the exchange round trip needs root, useradd, userdel and setpriv to make two "
                    "student accounts; none of it was tested here")
    world = Path(tempfile.mkdtemp(prefix="exchange-test-", dir="/tmp"))  # outside pytest's private tmp
    world.chmod(0o755)
    tag = f"bp{os.getpid() % 100000}"
    accounts = {}
    try:
        accounts = {who: Account(f"{tag}{who}", world) for who in ("alice", "bob")}
        exchange, student_config = world / "exchange", world / "student-config"
        course = released_courses.copy(tmp_path_factory.mktemp("exchange-course") / "course", [AID])
        course.exchange = exchange
        course.write_config()
        released = _instructor(course, exchange, "exchange", "release", AID)
        _instructor(course, exchange, "student-setup", "--config-dir", str(student_config))
        for path in [student_config, *student_config.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {"JUPYTER_CONFIG_DIR": str(student_config)}
        alice, bob = accounts["alice"], accounts["bob"]
        source = nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4)
        for student in (alice, bob):
            student.nbgrader("fetch_assignment", AID, env=env)
        _solve(alice.home / AID / f"{AID}.ipynb", source)
        _solve(bob.home / AID / f"{AID}.ipynb", source, only={"sigmoid"})
        for student in (alice, bob):
            student.nbgrader("submit", AID, env=env)
        # bob hands in his own notebook again, claiming to be alice (the newest "alice" submission).
        forged = bob.nbgrader("submit", AID, "--student", alice.name, env=env)
        # ... and makes a newer submission of his own by hand, whose notebook is a link to
        # alice's: a copy made with the instructor's rights would follow it.
        inbound = exchange / COURSE_ID / "inbound"
        linked = inbound / f"{bob.name}+{AID}+2099-01-01 00:00:00.000000 UTC+linked"
        bob.run("sh", "-c", f'mkdir "{linked}" && ln -s "{alice.home / AID / (AID + ".ipynb")}" "{linked / (AID + ".ipynb")}"')
        # ... a newer one nested deeper than a collect walks, and one whose name cannot be read:
        # neither may stop the collection of the class.
        deep = inbound / f"{bob.name}+{AID}+2100-01-01 00:00:00.000000 UTC+deep"
        bob.run("sh", "-c", f'mkdir "{deep}" && cd "{deep}" && for i in $(seq 40); do mkdir d && cd d; done')
        bob.run("mkdir", str(inbound / f"{bob.name}+{AID}+not a time+x"))
        peek = bob.run("ls", str(inbound), check=False)
        collected = _instructor(course, exchange, "exchange", "collect", AID)
        graded = _instructor(course, exchange, "autograde", AID, "--no-progress", "--workers", "2")
        _instructor(course, exchange, "feedback", AID)
        released_feedback = _instructor(course, exchange, "exchange", "release-feedback", AID)
        for student in (alice, bob):
            student.nbgrader("fetch_feedback", AID, env=env)
        yield dict(course=course, alice=alice, bob=bob, released=released, forged=forged, peek=peek,
                   collected=collected, graded=graded, released_feedback=released_feedback, inbound=inbound,
                   env=env, source=source, exchange=exchange)
    finally:
        for account in accounts.values():
            account.remove()
        shutil.rmtree(world, ignore_errors=True)


def _feedback_page(student):
    pages = sorted((student.home / AID / "feedback").glob(f"*/{AID}.html"))
    assert len(pages) == 1, f"{student.name} fetched {pages}"
    return pages[0].read_text(encoding="utf-8")


def test_release_reaches_the_exchange(loop):
    assert "Released as:" in loop["released"].stdout
    outbound = loop["course"].exchange / COURSE_ID / "outbound" / AID
    assert (outbound / f"{AID}.ipynb").is_file() and (outbound / "backprop_kit").is_dir()


def test_a_release_is_replaced_only_with_force(loop):
    course = loop["course"]
    command = [*CLI, "--course", str(course.root), "exchange", "release", AID]  # the course remembers its exchange
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 1 and "Destination already exists, add --force to overwrite" in again.stderr
    assert "Traceback" not in again.stderr
    forced = subprocess.run([*command, "--force"], capture_output=True, text=True)
    assert forced.returncode == 0 and "Released as:" in forced.stdout


def test_a_submission_under_another_students_name_is_refused(loop):
    alice, bob = loop["alice"], loop["bob"]
    assert f"refused: '{alice.name}+{AID}+" in loop["collected"].stderr
    assert f"owned by {bob.name}" in loop["collected"].stderr
    # alice's own submission is the one collected: her notebook is solved, bob's is not.
    submitted = loop["course"].root / "submitted" / alice.name / AID / f"{AID}.ipynb"
    assert pwd.getpwuid(os.stat(submitted).st_uid).pw_name in (alice.name, "root")
    answers = [c.source for c in nbformat.read(submitted, as_version=4).cells if is_solution(c)]
    assert not any("raise NotImplementedError" in a for a in answers)


def test_a_submission_holding_a_link_is_refused(loop):
    bob = loop["bob"]
    assert f"refused: '{bob.name}+{AID}+2099-01-01 00:00:00.000000 UTC+linked': it holds links" in loop["collected"].stderr
    # bob's own earlier submission is collected instead (its score is checked below: 6, not 15)
    submitted = loop["course"].root / "submitted" / bob.name / AID
    assert not any(path.is_symlink() for path in submitted.rglob("*"))
    assert "2099" not in (submitted / "timestamp.txt").read_text()


def test_students_cannot_read_each_others_submissions(loop):
    assert loop["peek"].returncode != 0 and "Permission denied" in loop["peek"].stderr
    mode = stat.S_IMODE(loop["inbound"].stat().st_mode)
    assert not mode & stat.S_IROTH, oct(mode)


def test_grades_follow_the_work(loop):
    from nbgrader.api import Gradebook
    alice, bob = loop["alice"], loop["bob"]
    with Gradebook(loop["course"].gradebook_url) as gb:
        alice_sub = gb.find_submission(AID, alice.name)
        bob_sub = gb.find_submission(AID, bob.name)
        assert alice_sub.score == pytest.approx(alice_sub.max_score) and alice_sub.max_score == 15
        # bob answered only sigmoid: its 6 points, not σ' or the perceptron.
        assert bob_sub.score == pytest.approx(6)
        # the exchange's submission times reach the gradebook (the formgrader shows them) ...
        assert alice_sub.timestamp is not None and bob_sub.timestamp is not None
        # ... and, with no roster, the students are listed by their ids, not as "None, None"
        assert (gb.find_student(alice.name).last_name, gb.find_student(alice.name).first_name) == (alice.name, "")


def test_each_student_fetches_their_own_feedback(loop):
    alice_page, bob_page = _feedback_page(loop["alice"]), _feedback_page(loop["bob"])
    assert "Score: 15.0 / 15.0" in alice_page
    assert "Score: 6.0 / 15.0" in bob_page
    assert alice_page != bob_page


def test_a_student_cannot_stop_the_collection(loop):
    bob, errors = loop["bob"], loop["collected"].stderr
    assert f"refused: '{bob.name}+{AID}+2100-01-01 00:00:00.000000 UTC+deep': " in errors and "nest deeper than 32" in errors
    assert f"refused: '{bob.name}+{AID}+not a time+x': its name cannot be read" in errors


def test_collected_submissions_are_the_instructors_own(loop):
    submitted = loop["course"].root / "submitted" / loop["alice"].name / AID
    for path in [submitted, *submitted.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


@pytest.fixture(scope="module")
def watched(loop):
    """After the loop: bob finishes his notebook and submits again while ``watch --from-exchange
    --release-feedback`` runs; both students fetch their feedback once more."""
    course, alice, bob, env = loop["course"], loop["alice"], loop["bob"], loop["env"]
    pages_before = {who: sorted((loop[who].home / AID / "feedback").glob(f"*/{AID}.html")) for who in ("alice", "bob")}
    _solve(bob.home / AID / f"{AID}.ipynb", loop["source"])
    bob.nbgrader("submit", AID, env=env)
    watch = _instructor(course, loop["exchange"], "watch", AID, "--from-exchange", "--release-feedback",
                        "--interval", "0.5", "--settle", "0.5", "--exit-when-idle", "3", "--workers", "2")
    for student in (alice, bob):
        student.nbgrader("fetch_feedback", AID, env=env)
    pages_after = {who: sorted((loop[who].home / AID / "feedback").glob(f"*/{AID}.html")) for who in ("alice", "bob")}
    return dict(loop, watch=watch.stdout, before=pages_before, after=pages_after)


def _graded_lines(output, student):
    return [line for line in output.splitlines() if re.match(rf"^\S+  {AID}  {student}  [\d.]+/15  graded ", line)]


def test_watch_grades_a_resubmission_from_the_exchange_and_releases_its_feedback(watched):
    from nbgrader.api import Gradebook
    alice, bob, output = watched["alice"], watched["bob"], watched["watch"]
    assert len(_graded_lines(output, bob.name)) == 1 and f"{bob.name}  15/15  graded" in output, output
    assert not _graded_lines(output, alice.name), output  # her submission did not change
    with Gradebook(watched["course"].gradebook_url) as gb:
        assert gb.find_submission(AID, bob.name).score == pytest.approx(15)
        assert gb.find_submission(AID, alice.name).score == pytest.approx(15)
    # bob's new submission has a page of its own next to the old one's; it shows the new grade
    new_pages = set(watched["after"]["bob"]) - set(watched["before"]["bob"])
    assert len(new_pages) == 1, watched["after"]["bob"]
    assert "Score: 15.0 / 15.0" in new_pages.pop().read_text(encoding="utf-8")


def test_watch_refuses_what_collect_refuses(watched):
    bob, output = watched["bob"], watched["watch"]
    assert f"refused '{bob.name}+{AID}+2099-01-01 00:00:00.000000 UTC+linked': it holds links" in output, output
