"""What of a submission runs during grading: the locked cells, and only the *definitions*
in the student's answer cells.

Grading needs the student's functions, not the code around them. Answer cells are reduced
to imports, function definitions (without decorators that could run code) and constant
assignments; the student's own extra code cells do not run at all. So top-level code that
would change numpy, the test helpers or IPython before the tests — or simply crash, hang or
print for minutes — never executes; the functions themselves are tested as written.
"""

import ast

SAFE_DECORATORS = {"staticmethod", "classmethod", "property", "lru_cache", "cache", "functools.lru_cache",
                   "functools.cache"}


def _is_constant(node):
    """Literals, and arithmetic, tuples and lists of literals."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_constant(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left) and _is_constant(node.right)
    return False


def _is_plain_reference(node):
    """A name or dotted name (np.float64, sigmoid) — looking it up runs no student code."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _decorator_name(node):
    return ast.unparse(node.func if isinstance(node, ast.Call) else node)


def _safe_function(node):
    defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
    return (all(_is_constant(d) or _is_plain_reference(d) for d in defaults)
            and all(_decorator_name(d) in SAFE_DECORATORS for d in node.decorator_list))


def _keep(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _safe_function(node)
    if isinstance(node, ast.Assign):
        return all(isinstance(t, ast.Name) for t in node.targets) and _is_constant(node.value)
    if isinstance(node, ast.ClassDef):
        return not node.decorator_list and not node.bases and not node.keywords and all(_keep(n) for n in node.body)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # a docstring or a bare string
    return False


def definitions_only(source):
    """The source reduced to what :func:`_keep` allows, and the number of statements dropped.

    Source that does not parse is returned as is: running it raises the SyntaxError the
    student should see.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, 0
    kept = [node for node in tree.body if _keep(node)]
    dropped = len(tree.body) - len(kept)
    return "\n\n".join(ast.get_source_segment(source, node) for node in kept), dropped


def grading_sources(nb):
    """{cell index: source to run, or None to skip} for the code cells of a sanitized notebook."""
    plan = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            plan[index] = definitions_only(cell.source)[0]
        elif meta.get("locked") or meta.get("grade"):
            plan[index] = cell.source
        else:
            plan[index] = None
    return plan
