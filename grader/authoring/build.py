"""Write the source notebooks of every assignment from their content modules.

    python -m grader.authoring.build            # (re)write assignments/*/*.ipynb
    python -m grader.authoring.build --check    # exit 1 if a committed notebook is stale
"""

import argparse
import importlib
import sys
from pathlib import Path

import nbformat

from .cells import notebook

#: Content modules in course order; each defines ASSIGNMENT (the folder name) and cells().
CONTENT = ["a1_sigmoid_neurons", "a2_cost_functions", "a3_hadamard_forward", "a4_backpropagation", "a5_training"]

ASSIGNMENTS_DIR = Path(__file__).resolve().parents[2] / "assignments"


def available_content():
    """The content modules that exist, in course order."""
    found = []
    for name in CONTENT:
        try:
            found.append(importlib.import_module(f"{__package__}.content.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"{__package__}.content.{name}":
                raise
    return found


def build(module):
    """The notebook of one content module."""
    return notebook(module.cells())


def notebook_path(module, root=ASSIGNMENTS_DIR):
    """assignments/<id>/<id>.ipynb"""
    return Path(root) / module.ASSIGNMENT / f"{module.ASSIGNMENT}.ipynb"


def render(nb):
    """The notebook's file text (what is written to disk)."""
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the source notebooks from their content modules.")
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ from their content")
    parser.add_argument("--root", type=Path, default=ASSIGNMENTS_DIR, help="assignments folder")
    args = parser.parse_args(argv)
    stale = []
    for module in available_content():
        nb = build(module)
        nbformat.validate(nb)
        path = notebook_path(module, args.root)
        text = render(nb)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    for path in stale:
        print(f"stale: {path} (run python -m grader.authoring.build)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
