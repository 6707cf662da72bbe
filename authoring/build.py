"""Write the nbgrader source notebooks of every assignment from their sources.

    python -m authoring.build            # (re)write assignments/*/*.ipynb
    python -m authoring.build --check    # exit 1 if a committed notebook is stale

A source is ``authoring/notebooks/<assignment>.py``, a jupytext percent file. A code cell's
header may carry ``role="locked" | "solution" | "tests"``, ``grade_id="..."``, ``points=N``
(tests only) or ``snippet="name"`` (see :mod:`authoring.directives`).
"""

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

from .cells import cell_id, nbgrader_metadata, notebook
from .directives import expand

ROOT = Path(__file__).resolve().parents[1]
SOURCES_DIR = Path(__file__).resolve().parent / "notebooks"
ASSIGNMENTS_DIR = ROOT / "assignments"
#: The cell options a source may use; jupytext's own layout keys are dropped.
OPTIONS = {"role", "grade_id", "points", "snippet"}
JUPYTEXT_LAYOUT = {"lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "title", "region_name"}


def sources(folder=SOURCES_DIR):
    """The assignments' source files in course order (their names start with the number)."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.py"))


def assignment_id(source_path):
    """The assignment (folder) name of a source file: its stem, e.g. ``01_sigmoid_neurons``."""
    return Path(source_path).stem


def cell_options(cell, where):
    """The cell's options, after checking that each is one the builder knows."""
    options = {key: value for key, value in cell.metadata.items() if key not in JUPYTEXT_LAYOUT}
    unknown = set(options) - OPTIONS
    if unknown:
        raise ValueError(f"{where}: unknown cell option(s) {sorted(unknown)}; known: {sorted(OPTIONS)}")
    return options


def notebook_cell(cell, index, snippets, where):
    """The notebook cell a source cell becomes at position ``index`` (None for a snippet, which is
    remembered instead)."""
    options = cell_options(cell, where)
    if cell.cell_type == "markdown":
        new = nbformat.v4.new_markdown_cell(cell.source)
        new["id"] = cell_id(None, index)
        return new
    if "snippet" in options:
        snippets[options["snippet"]] = cell.source
        return None
    role = options.get("role")
    source = expand(cell.source, snippets, references=role in ("locked", "solution"), with_markers=role == "solution")
    new = nbformat.v4.new_code_cell(source)
    new["id"] = cell_id(options.get("grade_id"), index)
    if role is not None:
        if "grade_id" not in options:
            raise ValueError(f"{where}: a {role} cell needs a grade_id")
        new.metadata["nbgrader"] = nbgrader_metadata(role, options["grade_id"], options.get("points"))
    elif set(options) - {"role"}:
        raise ValueError(f"{where}: grade_id and points belong to cells with a role")
    return new


def build(source_path):
    """The nbgrader source notebook of one source file."""
    source = jupytext.read(source_path, fmt="py:percent")
    snippets, cells = {}, []
    for index, cell in enumerate(source.cells):
        new = notebook_cell(cell, len(cells), snippets, f"{Path(source_path).name}, cell {index + 1}")
        if new is not None:
            cells.append(new)
    return notebook(cells)


def notebook_path(aid, root=ASSIGNMENTS_DIR):
    """assignments/<id>/<id>.ipynb"""
    return Path(root) / aid / f"{aid}.ipynb"


def render(nb):
    """The notebook's file text (what is written to disk)."""
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the source notebooks from their jupytext sources.")
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ from their sources")
    parser.add_argument("--root", type=Path, default=ASSIGNMENTS_DIR, help="assignments folder")
    args = parser.parse_args(argv)
    stale = []
    for source_path in sources():
        nb = build(source_path)
        nbformat.validate(nb)
        path = notebook_path(assignment_id(source_path), args.root)
        text = render(nb)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    for path in stale:
        print(f"stale: {path} (run python -m authoring.build)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
