"""Write the nbgrader source notebooks of every assignment from their sources.

    python -m authoring.build            # (re)write assignments/*/*.ipynb
    python -m authoring.build --check    # exit 1 if a committed notebook is stale

A source is ``authoring/notebooks/<assignment>.py``, a jupytext percent file. A code cell's
header may carry ``role="locked" | "solution" | "tests"``, ``grade_id="..."``, ``points=N``
(tests only) or ``snippet="name"`` (see :mod:`authoring.directives`); ``notebooks/shared.py``
holds the snippets every notebook may use.
"""

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from grader.course import ASSIGNMENTS_DIR

from .cells import cell_id, nbgrader_metadata, notebook
from .directives import SourceError, expand

SOURCES_DIR = Path(__file__).resolve().parent / "notebooks"
SHARED = SOURCES_DIR / "shared.py"
#: The cell options a source may use; jupytext's own layout keys are dropped.
OPTIONS = {"role", "grade_id", "points", "snippet"}
JUPYTEXT_LAYOUT = {"lines_to_next_cell", "lines_to_end_of_cell_marker", "cell_marker", "title", "region_name"}
#: What jupytext makes of a header option it cannot read (e.g. ``points=5 role=tests``, unquoted).
UNREADABLE = "incorrectly_encoded_metadata"
GENERATED_ID = re.compile(r"^cell-\d{3}$")


def sources(folder=SOURCES_DIR):
    """The assignments' source files in course order (their names start with the number)."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.py"))


def assignment_id(source_path):
    """The assignment (folder) name of a source file: its stem, e.g. ``01_sigmoid_neurons``."""
    return Path(source_path).stem


def read_source(path):
    """The source's cells and, for each, where it stands (``file, line N``) for messages.

    Returns
    -------
    cells : list of NotebookNode
    places : list of str
    """
    text = Path(path).read_text(encoding="utf-8")
    cells = jupytext.reads(text, fmt="py:percent").cells
    headers = [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith("# %%")]
    lines = headers if len(headers) == len(cells) else [None] * len(cells)
    places = [f"{Path(path).name}, line {n}" if n else f"{Path(path).name}, cell {k + 1}" for k, n in enumerate(lines)]
    return cells, places


def cell_options(cell, where):
    """The cell's options, after checking that each is one the builder knows for its kind of cell.

    Raises
    ------
    SourceError
    """
    options = {key: value for key, value in cell.metadata.items() if key not in JUPYTEXT_LAYOUT}
    if UNREADABLE in options:
        raise SourceError(f"{where}: cannot read the cell header {options[UNREADABLE]!r}: "
                          'write options as key="value" or key=number, e.g. role="tests" points=5')
    unknown = set(options) - OPTIONS
    if unknown:
        raise SourceError(f"{where}: unknown cell option(s) {sorted(unknown)}; known: {sorted(OPTIONS)}")
    if cell.cell_type == "raw":
        raise SourceError(f"{where}: raw cells are not part of a course notebook")
    if cell.cell_type == "markdown" and options:
        raise SourceError(f"{where}: a markdown cell takes no options (it is text the student reads)")
    if "snippet" in options and len(options) > 1:
        raise SourceError(f"{where}: a snippet cell takes no other option (it is not a notebook cell)")
    if "role" not in options and set(options) & {"grade_id", "points"}:
        raise SourceError(f"{where}: grade_id and points belong to cells with a role")
    return options


def code_cell(cell, options, snippets, where):
    """The notebook code cell of a source code cell (its directives expanded, its nbgrader metadata set)."""
    role = options.get("role")
    new = nbformat.v4.new_code_cell(expand(cell.source, snippets, role, where))
    if role is not None:
        grade_id = options.get("grade_id")
        if not isinstance(grade_id, str) or not grade_id or GENERATED_ID.match(grade_id):
            raise SourceError(f"{where}: a {role} cell needs a grade_id that says what it holds "
                              f"(not {grade_id!r})")
        try:
            new.metadata["nbgrader"] = nbgrader_metadata(role, grade_id, options.get("points"))
        except ValueError as error:
            raise SourceError(f"{where}: {error}") from None
    return new


def snippets_of(path, snippets):
    """Add the snippet cells of ``path`` to ``snippets`` (a name may be defined once)."""
    cells, places = read_source(path)
    for cell, where in zip(cells, places):
        name = cell_options(cell, where).get("snippet")
        if name is not None:
            define_snippet(snippets, name, cell.source, where)
    return snippets


def define_snippet(snippets, name, source, where):
    """Remember one snippet, refusing a second definition of its name."""
    if not isinstance(name, str) or not re.fullmatch(r"\w+", name):
        raise SourceError(f"{where}: a snippet's name is one word, not {name!r}")
    if name in snippets:
        raise SourceError(f"{where}: snippet {name!r} is defined twice")
    snippets[name] = source


def build(source_path, shared=SHARED):
    """The nbgrader source notebook of one source file.

    Parameters
    ----------
    source_path : path
        A percent file of ``authoring/notebooks``.
    shared : path or None
        The file of snippets every notebook may use.

    Returns
    -------
    NotebookNode

    Raises
    ------
    SourceError
        For a cell that breaks a rule, with the file and line of its header.
    """
    snippets = snippets_of(shared, {}) if shared and Path(shared).exists() else {}
    cells, places = read_source(source_path)
    built, seen = [], {}
    for cell, where in zip(cells, places):
        options = cell_options(cell, where)
        if "snippet" in options:
            define_snippet(snippets, options["snippet"], cell.source, where)
            continue
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = code_cell(cell, options, snippets, where)
        new["id"] = cell_id(options.get("grade_id"), len(built))
        if new["id"] in seen:
            raise SourceError(f"{where}: grade_id {new['id']!r} is already used at {seen[new['id']]}")
        seen[new["id"]] = where
        built.append(new)
    return notebook(built)


def notebook_path(aid, root=ASSIGNMENTS_DIR):
    """assignments/<id>/<id>.ipynb"""
    return Path(root) / aid / f"{aid}.ipynb"


def render(nb):
    """The notebook's file text (what is written to disk)."""
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    """Build every source; write the notebooks (or, with ``--check``, list the stale ones).

    Nothing is written unless every source builds. Returns the exit status: 0, 1 (stale
    notebooks with ``--check``) or 2 (a source breaks a rule).
    """
    parser = argparse.ArgumentParser(description="Write the source notebooks from their jupytext sources.")
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ from their sources")
    parser.add_argument("--root", type=Path, default=ASSIGNMENTS_DIR, help="assignments folder")
    args = parser.parse_args(argv)
    texts = {}
    for source_path in sources():
        try:
            nb = build(source_path)
        except SourceError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        nbformat.validate(nb)
        texts[notebook_path(assignment_id(source_path), args.root)] = render(nb)
    stale = [path for path, text in texts.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path} (run python -m authoring.build)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
