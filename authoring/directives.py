"""The two directives a source cell may hold, and their expansion into notebook code.

**Reference code by name.** In a ``locked`` or ``solution`` cell, a line
``from solutions.costs import quadratic_cost, QUADRATIC`` at the cell's top level stands for the
source of those names in ``solutions``: a function or class as written there (in a solution
cell with its body between the solution markers), a module-level constant as its assignment
line. The notebook's code is then the reference code itself, so the two cannot drift. Any
other import of ``solutions`` (in another kind of cell, indented, renamed with ``as``, spread
over several lines or sharing its line) is refused: a notebook must never import it.

**Shared test code.** A cell with the ``snippet="name"`` option holds code that several cells
use; it is not a notebook cell itself. A line ``# snippet: name`` stands for that code. Snippets
of ``notebooks/shared.py`` serve every notebook; a notebook's own serve the cells after them.
"""

import ast
import importlib
import inspect
import re

from IPython.core.inputtransformer2 import TransformerManager

from .cells import with_solution_markers

SNIPPET_LINE = re.compile(r"^\s*# snippet:\s*(?P<name>\S*)\s*$")
#: The cells that may hold reference imports, and whether their functions get solution markers.
REFERENCE_ROLES = {"locked": False, "solution": True}


class SourceError(ValueError):
    """A source cell breaks a rule of the builder; the message says where and which."""


def python_of(source):
    """The cell's code as plain Python (IPython magics such as ``%matplotlib`` turned into calls)."""
    return TransformerManager().transform_cell(source)


def _imports_solutions(node):
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] == "solutions"
    return isinstance(node, ast.Import) and any(a.name.split(".")[0] == "solutions" for a in node.names)


def reference_imports(source, role, where):
    """The reference imports of one cell, by line: ``{line index: (module, names)}``.

    Parameters
    ----------
    source : str
        The cell's code.
    role : str or None
        The cell's role; only :data:`REFERENCE_ROLES` may pull reference code.
    where : str
        The cell's place in its source file, for messages.

    Raises
    ------
    SourceError
        For an import of ``solutions`` that is not a plain top-level reference import.
    """
    try:
        tree = ast.parse(python_of(source))
    except SyntaxError as error:
        raise SourceError(f"{where}: not valid Python ({error.msg}, line {error.lineno} of the cell)") from None
    top = {id(node) for node in tree.body}
    found = {}
    lines = source.split("\n")
    for node in ast.walk(tree):
        if not _imports_solutions(node):
            continue
        line = node.lineno
        if role not in REFERENCE_ROLES:
            raise SourceError(f"{where}, line {line} of the cell: only locked and solution cells may name "
                              "reference code (a notebook never imports solutions)")
        plain = (isinstance(node, ast.ImportFrom) and id(node) in top and node.col_offset == 0
                 and node.end_lineno == line and lines[line - 1].strip() == ast.unparse(node)
                 and not any(alias.asname for alias in node.names))
        if not plain:
            raise SourceError(f"{where}, line {line} of the cell: write a reference import as one top-level line "
                              "`from solutions.<module> import <name>, ...` (no `as`, no parentheses, nothing else "
                              "on the line)")
        found[line - 1] = (node.module, [alias.name for alias in node.names])
    return found


def assignment_source(module, name):
    """The line(s) of ``module``'s top-level assignment to ``name``, exactly as written there."""
    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return ast.get_source_segment(source, node)
    raise LookupError(f"{module.__name__} does not assign {name} itself: import it from the module that defines it")


def reference_source(module_name, name, with_markers):
    """The source of ``module_name.name`` and whether it is an assignment (not a def or class).

    Raises
    ------
    LookupError
        When the module has no such name, or a function or class is imported under another name.
    """
    module = importlib.import_module(module_name)
    if not hasattr(module, name):
        raise LookupError(f"{module_name} defines no {name}")
    value = getattr(module, name)
    if inspect.isfunction(value) or inspect.isclass(value):
        if value.__name__ != name:
            raise LookupError(f"{module_name}.{name} is {value.__module__}.{value.__name__}: use that name")
        return (with_solution_markers(value) if with_markers else inspect.getsource(value).rstrip()), False
    return assignment_source(module, name), True


def expand_reference(module_name, names, with_markers):
    """The code a reference import stands for: definitions two blank lines apart, consecutive
    constants on consecutive lines."""
    pieces = [reference_source(module_name, name, with_markers) for name in names]
    text = pieces[0][0]
    for (_, before_is_constant), (source, is_constant) in zip(pieces, pieces[1:]):
        text += ("\n" if before_is_constant and is_constant else "\n\n\n") + source
    return text


def expand_snippets(source, snippets, where):
    """``source`` with every ``# snippet: name`` line replaced by that snippet's code.

    Raises
    ------
    SourceError
        For a snippet no earlier cell (nor ``shared.py``) defines, or an indented directive.
    """
    lines = []
    for number, line in enumerate(source.split("\n"), start=1):
        match = SNIPPET_LINE.match(line)
        if not match:
            lines.append(line)
            continue
        name = match["name"]
        if line != f"# snippet: {name}":
            raise SourceError(f"{where}, line {number} of the cell: write `# snippet: {name}` at the start of the line")
        if name not in snippets:
            raise SourceError(f"{where}: snippet {name!r} is used before a cell defines it")
        lines.append(snippets[name])
    return "\n".join(lines)


def expand(source, snippets, role=None, where="cell"):
    """The notebook code of one source cell: snippets inserted, then reference imports expanded.

    Parameters
    ----------
    source : str
        The cell's code.
    snippets : dict of str to str
        The snippets defined so far, by name.
    role : str, optional
        The cell's role (``locked``, ``solution``, ``tests`` or None).
    where : str
        The cell's place in its source file, for messages.

    Returns
    -------
    str
    """
    source = expand_snippets(source, snippets, where)
    references = reference_imports(source, role, where)
    if not references:
        return source
    lines = source.split("\n")
    for index, (module_name, names) in references.items():
        try:
            lines[index] = expand_reference(module_name, names, REFERENCE_ROLES[role])
        except (LookupError, ValueError) as error:
            raise SourceError(f"{where}, line {index + 1} of the cell: {error}") from None
    return "\n".join(lines)
