"""The two directives a source cell may hold, and their expansion into notebook code.

**Reference code by name.** In a ``locked`` or ``solution`` cell, a line
``from solutions.costs import quadratic_cost, QUADRATIC`` stands for the source of those names
in ``solutions``: a function or class as written there (in a solution cell with its body
between the solution markers), a module-level constant as its assignment line. The source
file stays runnable (the import really defines the names), and the notebook's code is the
reference code itself, so the two cannot drift.

**Shared test code.** A cell with the ``snippet="name"`` option holds code that several test
cells use; it is not a notebook cell itself. A line ``# snippet: name`` in a later cell stands
for that code.
"""

import ast
import importlib
import inspect
import re

from .cells import with_solution_markers

SNIPPET_LINE = re.compile(r"^# snippet: (?P<name>\w+)$")


def reference_import(line):
    """``(module, names)`` when ``line`` is ``from solutions... import a, b``, else None."""
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return None
    node = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "solutions" and node.level == 0:
        return node.module, [alias.name for alias in node.names]
    return None


def assignment_source(module, name):
    """The line(s) of ``module``'s top-level assignment to ``name``, exactly as written there."""
    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return ast.get_source_segment(source, node)
    raise LookupError(f"{module.__name__} has no top-level assignment to {name}")


def reference_source(module_name, name, with_markers):
    """The source of ``module_name.name`` and whether it is an assignment (not a def or class)."""
    module = importlib.import_module(module_name)
    if not hasattr(module, name):
        raise LookupError(f"{module_name} defines no {name}")
    value = getattr(module, name)
    if inspect.isfunction(value) or inspect.isclass(value):
        if with_markers:
            return with_solution_markers(value), False
        return inspect.getsource(value).rstrip(), False
    return assignment_source(module, name), True


def expand_reference(module_name, names, with_markers):
    """The code a reference import stands for: definitions two blank lines apart, consecutive
    constants on consecutive lines."""
    pieces = [reference_source(module_name, name, with_markers) for name in names]
    text = pieces[0][0]
    for (_, before_is_constant), (source, is_constant) in zip(pieces, pieces[1:]):
        text += ("\n" if before_is_constant and is_constant else "\n\n\n") + source
    return text


def expand(source, snippets, references=False, with_markers=False):
    """``source`` with every directive line replaced by what it stands for.

    Parameters
    ----------
    source : str
        One cell's code.
    snippets : dict of str to str
        The snippet cells seen so far, by name.
    references : bool
        Expand reference imports (``locked`` and ``solution`` cells only).
    with_markers : bool
        Put the bodies of referenced functions between solution markers (``solution`` cells).
    """
    lines = []
    for line in source.split("\n"):
        snippet = SNIPPET_LINE.match(line)
        reference = reference_import(line) if references and line.startswith("from solutions") else None
        if snippet:
            if snippet["name"] not in snippets:
                raise LookupError(f"snippet {snippet['name']!r} is used before a cell defines it")
            lines.append(snippets[snippet["name"]])
        elif reference:
            lines.append(expand_reference(*reference, with_markers))
        else:
            lines.append(line)
    return "\n".join(lines)
