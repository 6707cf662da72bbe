"""The units of the tree import each other in one direction only (see the README's "What is where")."""

import ast
import re
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
    "authoring": {"solutions", "grader"},
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


#: Reading a cell's nbgrader metadata (writing it, ``metadata["nbgrader"] = …`` or ``del …``, is not reading).
METADATA_READ = re.compile(r"""metadata["'\]]*\s*(\.get\(\s*|\[\s*)["']nbgrader["'](?!\s*\]\s*=[^=])|"""
                           r"""nbgrader\.utils\s+import\s+.*\b(is_grade|is_solution|is_locked|is_task|has_failed)\b""")


def metadata_reads(path):
    """Lines of ``path`` that read nbgrader's cell metadata by hand."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for n, line in enumerate(lines, start=1)
            if METADATA_READ.search(line) and not line.lstrip().startswith(("del ", "#"))]


def test_only_notebook_cells_reads_nbgrader_metadata():
    files = [p for unit in ("grader", "sample_class", "authoring") for p in unit_files(unit)]
    files += sorted((ROOT / "tests").rglob("*.py"))
    exempt = {"notebook_cells.py", "test_notebook_cells.py", Path(__file__).name}  # the module, and its tests
    found = [line for p in files if p.name not in exempt for line in metadata_reads(p)]
    assert not found, "read it through grader.notebook_cells:\n" + "\n".join(found)


def test_the_metadata_check_sees_a_hand_read(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('meta = cell.metadata.get("nbgrader", {})\ncell.metadata["nbgrader"] = {}\n'
                      'gid = cell["metadata"]["nbgrader"]["grade_id"]\nfrom nbgrader.utils import is_grade\n')
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert [line.split(":")[1] for line in metadata_reads(module)] == ["1", "3", "4"]
    finally:
        ROOT = saved


def readme_units():
    """The units the README's "What is where" table lists, in its order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## What is where", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([\w.]+)/?` \|", table, re.M)


def test_the_readme_lists_the_units_in_import_order():
    """Each unit is listed, and only after every unit it may import."""
    listed = readme_units()
    assert set(MAY_IMPORT) <= set(listed), f"not in the README's table: {set(MAY_IMPORT) - set(listed)}"
    for unit, others in MAY_IMPORT.items():
        assert all(listed.index(other) < listed.index(unit) for other in others), f"{unit} is listed before what it imports"
    assert all((ROOT / unit).exists() for unit in listed)
