"""Helpers shared by the tests that grade a generated class end to end: a released course
with the class in it, and its scores as nbgrader's Gradebook holds them."""

import copy

from nbgrader.api import Gradebook

from grader.course import COURSE_ID
from grader.notebook_cells import is_solution
from sample_class.personas import generate_class


def grade_cells(course, aid):
    """{student: {grade cell: score}}, one entry per submission in the gradebook."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        submissions = gb.assignment_submissions(aid)
        scores = {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades} for s in submissions}
        assert len(scores) == len(submissions), "a student has more than one submission"
        return scores


def make_class(released_courses, target, aid, students):
    """A copy of the released course at ``target`` holding ``students`` ({id: persona})."""
    course = released_courses.copy(target, [aid])
    generate_class(course, [aid], students)
    return course


def slow_but_right(seconds):
    """A persona: perfect work whose first answer cell sleeps ``seconds`` first (a long job,
    to kill something in the middle of)."""
    def write(ctx):
        nb = copy.deepcopy(ctx["solved"])
        cell = next(c for c in nb.cells if c.cell_type == "code" and is_solution(c))
        cell.source = f"import time\ntime.sleep({seconds})\n" + cell.source
        return nb
    return (f"perfect work, {seconds} s slow to run", write)
