"""A course's own copy of the master notebooks (``<course>/source``), filled from the package and
never overwritten, and a source folder named with ``source=``, which is only read."""

from pathlib import Path

import pytest

from grader.course import Course, packaged_notebooks

REPO_ASSIGNMENTS = Path(__file__).resolve().parents[1] / "assignments"
IDS = sorted(p.name for p in REPO_ASSIGNMENTS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def test_a_checkout_ships_the_repositorys_notebooks():
    assert len(IDS) == 6
    assert packaged_notebooks() == {aid: REPO_ASSIGNMENTS / aid / f"{aid}.ipynb" for aid in IDS}


def test_a_new_course_can_build_every_packaged_assignment(tmp_path):
    course = Course(tmp_path / "course")
    assert course.source == course.root / "source" and course.has_own_sources
    assert course.assignment_ids() == []  # nothing copied yet
    assert course.buildable_ids() == IDS


def test_the_course_copy_is_made_once_and_never_overwritten(tmp_path):
    course = Course(tmp_path / "course")
    assert course.add_packaged_sources(["01_sigmoid_neurons"]) == (["01_sigmoid_neurons"], [])
    copy = course.source / "01_sigmoid_neurons" / "01_sigmoid_neurons.ipynb"
    assert copy.read_bytes() == packaged_notebooks()["01_sigmoid_neurons"].read_bytes()
    assert course.add_packaged_sources(["01_sigmoid_neurons"]) == ([], [])
    copy.write_text(copy.read_text() + " ")  # an instructor's edit
    edited = copy.read_bytes()
    assert course.add_packaged_sources(["01_sigmoid_neurons"]) == ([], ["01_sigmoid_neurons"])
    assert copy.read_bytes() == edited
    added, _ = course.add_packaged_sources()
    assert added == IDS[1:] and course.assignment_ids() == IDS


def test_an_unknown_assignment_is_refused_by_name(tmp_path):
    with pytest.raises(KeyError, match="no_such_assignment: no such assignment"):
        Course(tmp_path / "course").add_packaged_sources(["no_such_assignment"])


def test_a_named_source_folder_is_only_read(tmp_path):
    course = Course(tmp_path / "course", source=tmp_path / "typo")
    assert not course.has_own_sources and course.buildable_ids() == []
    with pytest.raises(KeyError, match="only read, never filled from the package"):
        course.add_packaged_sources(["01_sigmoid_neurons"])
    assert not (tmp_path / "typo").exists()
    authors = Course(tmp_path / "course", source=REPO_ASSIGNMENTS)
    assert authors.buildable_ids() == IDS and authors.add_packaged_sources(IDS) == ([], [])


def test_the_course_collects_with_the_owner_check(tmp_path):
    from traitlets.utils.importstring import import_item
    from grader.exchange import OwnerCheckedCollect
    assert import_item(Course(tmp_path / "course").config().ExchangeFactory.collect) is OwnerCheckedCollect


def test_the_course_remembers_its_exchange(tmp_path):
    from grader.course import saved_exchange
    assert saved_exchange(tmp_path / "course") is None
    Course(tmp_path / "course").write_config()
    assert saved_exchange(tmp_path / "course") is None
    Course(tmp_path / "course", exchange=tmp_path / "exchange").write_config()
    assert saved_exchange(tmp_path / "course") == str(tmp_path / "exchange")


def test_the_instructors_own_settings_survive_a_rewrite(tmp_path):
    from grader.course import OWN_SETTINGS
    course = Course(tmp_path / "course")
    course.write_config()
    config = course.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "c.ExchangeCollect.check_owner = False\n")
    course.write_config()
    text = config.read_text()
    assert text.count(OWN_SETTINGS) == 1 and text.endswith(f"{OWN_SETTINGS}\nc.ExchangeCollect.check_owner = False\n")
    from traitlets.config.loader import PyFileConfigLoader
    loaded = PyFileConfigLoader(config.name, path=str(config.parent)).load_config()
    assert loaded.ExchangeCollect.check_owner is False and loaded.CourseDirectory.course_id == "backprop"
