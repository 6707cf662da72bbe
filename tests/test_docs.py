"""The instructors' page lists the whole catalogue and every hostile submission."""

from pathlib import Path

from sample_class.personas import HOSTILE
from sample_class.catalogue import CATALOGUE

PAGE = (Path(__file__).parents[1] / "docs" / "grading.md").read_text(encoding="utf-8")


def test_every_catalogue_entry_is_documented():
    for m in CATALOGUE:
        assert f"`{m.key}`" in PAGE and m.wrote in PAGE and f"`{m.costs}`" in PAGE


def test_every_hostile_submission_is_documented():
    for student, (what, _) in HOSTILE.items():
        assert f"`{student}`" in PAGE and what in PAGE
