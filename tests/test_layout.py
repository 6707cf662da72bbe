"""The units of the tree import each other in one direction only (see the README's "What is where")."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: unit -> the project's units it may import. Students' code sees only the first two rows;
#: nothing may import the authoring sources or the sample class except the demo and the tests.
MAY_IMPORT = {
    "datasets": set(),
    "backprop_kit": set(),
    "solutions": {"datasets"},
    "sandbox_runner": {"backprop_kit"},
    "grader": {"backprop_kit", "sandbox_runner", "datasets"},
    "authoring": {"solutions"},
    "sample_class": {"grader", "authoring"},
}


def project_imports(path):
    """The project's units that one Python file imports (anywhere in the file, lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in MAY_IMPORT)
    return found


def unit_files(unit):
    """The unit's own modules (the notebooks' sources in ``authoring/notebooks`` are notebook code, not the unit's)."""
    return [p for p in (ROOT / unit).rglob("*.py") if "notebooks" not in p.relative_to(ROOT / unit).parts]


@pytest.mark.parametrize("unit", sorted(MAY_IMPORT))
def test_imports_run_one_way(unit):
    files = unit_files(unit)
    assert files
    wrong = {f"{p.relative_to(ROOT)} imports {other}" for p in files for other in project_imports(p) - {unit}
             if other not in MAY_IMPORT[unit]}
    assert not wrong, "\n".join(sorted(wrong))


def test_the_check_sees_a_wrong_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from sample_class.catalogue import CATALOGUE\n    return CATALOGUE\n")
    assert project_imports(module) == {"sample_class"}
