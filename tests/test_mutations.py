"""The mutation suite: every catalogued mistake, made from the reference by a small code
change, is graded through the real pipeline (release, parallel autograde, nbgrader's
gradebook). Its own cell must lose its points, every other cell keep them, and the message
should name the mistake. Correct alternative implementations must keep full marks.

Each test runs once per assignment (``-k 06_deep_networks`` grades one assignment only)."""

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.course import COURSE_ID, Course
from grader.executors import LocalProcessExecutor
from grader.release import build
from grader.notebook_cells import failure_message, grade_id
from sample_class.catalogue import CATALOGUE, CHEATS
from sample_class.submissions import solved_submission, write_submission
from sample_class.variants import VALID_VARIANTS

from notebook_tools import replace_function

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted({m.assignment for m in CATALOGUE} | {v[0] for v in VALID_VARIANTS} | {c[1] for c in CHEATS})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return Course(tmp_path_factory.mktemp("mutants"))


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, course):
    """One assignment's reference, mutants, cheats and variants, graded; the tests run once per
    assignment (``pytest -k 06`` grades only assignment 6)."""
    aid = request.param
    build(course, aid)
    source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
    release = nbformat.read(course.path("release", ".", aid) / f"{aid}.ipynb", as_version=4)
    solved = solved_submission(source, release)
    write_submission(course, "reference", aid, solved)
    for m in (m for m in CATALOGUE if m.assignment == aid):
        write_submission(course, f"mutant-{m.key}", aid, replace_function(solved, m.function, swap=m.swap)[0])
    for key, caid, fn, src in CHEATS:
        if caid == aid:
            write_submission(course, f"cheat-{key}", aid, replace_function(solved, fn, new_source=src)[0])
    for k, (vaid, fn, src) in enumerate(VALID_VARIANTS):
        if vaid == aid:
            write_submission(course, f"variant-{k:02d}-{fn}", aid, replace_function(solved, fn, new_source=src)[0])
    autograde(course, aid, LocalProcessExecutor(2), Limits(cell_timeout=20, notebook_timeout=120), progress=False)
    grades, messages = {}, {}
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        for sub in gb.assignment_submissions(aid):
            grades[sub.student.id] = {g.name: (g.score, g.max_score) for nb in sub.notebooks for g in nb.grades}
            path = course.path("autograded", sub.student.id, aid) / f"{aid}.ipynb"
            nb = nbformat.read(path, as_version=4)
            messages[sub.student.id] = {grade_id(c): failure_message(c) for c in nb.cells}
    return aid, grades, messages


def test_reference_scores_full_marks(graded):
    aid, grades, _ = graded
    assert all(score == most for score, most in grades["reference"].values()), aid


def test_mutants_are_killed_without_collateral_and_named(graded):
    aid, grades, messages = graded
    mutants = [m for m in CATALOGUE if m.assignment == aid]
    if not mutants:
        pytest.skip(f"the catalogue has no entry for {aid}")
    killed = collateral = named = 0
    unnamed = []
    for m in mutants:
        g = grades[f"mutant-{m.key}"]
        killed += g[m.costs][0] < g[m.costs][1]
        collateral += sum(score < most for cell, (score, most) in g.items() if cell != m.costs)
        message = messages[f"mutant-{m.key}"].get(m.costs, "")
        if any(word.lower() in message.lower() for word in m.says):
            named += 1
        else:
            unnamed.append(f"{m.key}: {message[:160]}")
    n = len(mutants)
    print(f"\n{aid}: mutants {n}: kill rate {killed / n:.0%}, collateral cells lost {collateral}, "
          f"messages naming the mistake {named}/{n} = {named / n:.0%}")
    for line in unnamed:
        print("  not named:", line)
    assert killed == n, [m.key for m in mutants if grades[f"mutant-{m.key}"][m.costs][0] >= 1]
    assert collateral == 0
    assert named / n >= 0.75


def test_valid_variants_keep_full_marks(graded):
    aid, grades, messages = graded
    false_negatives = []
    variants = [(k, fn) for k, (vaid, fn, _) in enumerate(VALID_VARIANTS) if vaid == aid]
    for k, fn in variants:
        student = f"variant-{k:02d}-{fn}"
        lost = {cell: messages[student].get(cell) for cell, (score, most) in grades[student].items()
                if score < most}
        if lost:
            false_negatives.append((student, lost))
    print(f"\n{aid}: valid variants {len(variants)}: false negatives {len(false_negatives)}")
    assert not false_negatives


def test_cheats_lose_their_cell_only(graded):
    aid, grades, messages = graded
    for key, caid, fn, _ in CHEATS:
        if caid != aid:
            continue
        g = grades[f"cheat-{key}"]
        assert g[f"test_{fn}"][0] == 0, (key, messages[f"cheat-{key}"].get(f"test_{fn}"))
        assert all(score == most for cell, (score, most) in g.items() if cell != f"test_{fn}"), key
