"""The course's own text, read from the built notebooks in course order (01 … 06), without running them.

Three kinds of slip are kept out of what a student reads (markdown cells and docstrings):

(a) a name written as code — `name` in markdown; ``name``, `name` or :func:`name` in a docstring — exists:
    bound in a code cell of this notebook or an earlier one, a real attribute of a module the notebook
    imports (looked up on the module itself, so `np.random.default_rng` must be numpy's), a Python builtin
    or a standard-library module. See :class:`Namespace` for the rules;
(b) no internal label of a syllabus source ("seed 000", "seeds/", a source file's name): a source is
    named as a reader knows it (author, title);
(c) every markdown cell renders as the HTML export and the feedback render it (nbconvert's
    ``HTMLExporter.markdown2html``: mistune with nbconvert's math parsers) with no list item made out of a
    line of a formula, and every formula reaches the page verbatim, its backslash escapes (\\, \\; \\! \\{ …)
    included.

Only what a student sees is read: hidden tests are cut out, as the release cuts them.
"""

import ast
import builtins
import functools
import html
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import MarkdownWithMath

from grader.notebook_cells import BEGIN_HIDDEN, END_HIDDEN

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("assignments/*/*.ipynb"))      # the folders 01_… to 06_ give the course order


# ---------------------------------------------------------------- reading the notebooks

@dataclass(frozen=True)
class Text:
    """A piece of student text and where it stands."""
    notebook: str
    cell_id: str
    kind: str          # "markdown" or "docstring of NAME"
    text: str

    def where(self):
        return f"{self.notebook}, cell {self.cell_id} ({self.kind})"


@functools.lru_cache(maxsize=None)
def read_notebook(path):
    return nbformat.read(path, as_version=4)


def student_source(cell):
    """A code cell as the release shows it: hidden tests cut out, IPython magics and shell lines
    commented out so that the rest parses as Python."""
    source = re.sub(re.escape(BEGIN_HIDDEN) + r".*?" + re.escape(END_HIDDEN), "", cell.source, flags=re.S)
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def code_trees(path):
    """(cell id, parsed student source) of every code cell of a notebook."""
    return [(cell.get("id", "?"), ast.parse(student_source(cell)))
            for cell in read_notebook(path).cells if cell.cell_type == "code"]


def docstrings(tree):
    """(owner, docstring) of the module and of every function and class in a parsed cell."""
    return [(getattr(node, "name", "the cell"), ast.get_docstring(node))
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and ast.get_docstring(node)]


def student_texts(path):
    """Every markdown cell and every docstring of a notebook, as :class:`Text`."""
    name = path.stem
    texts = [Text(name, cell.get("id", "?"), "markdown", cell.source)
             for cell in read_notebook(path).cells if cell.cell_type == "markdown"]
    for cell_id, tree in code_trees(path):
        texts += [Text(name, cell_id, f"docstring of {owner}", doc) for owner, doc in docstrings(tree)]
    return texts


def visible_sources(path):
    """(cell id, text) of every cell as the student sees it: markdown, and code without hidden tests."""
    return [(cell.get("id", "?"), cell.source if cell.cell_type == "markdown" else student_source(cell))
            for cell in read_notebook(path).cells if cell.cell_type in ("markdown", "code")]


def fail_on(problems, advice):
    """Fail with the advice and one line per problem (notebook, cell id, the offending text)."""
    assert not problems, advice + ":\n" + "\n".join(problems)


# ---------------------------------------------------------------- (a) names written as code

def markdown_code_spans(source):
    """The inline code spans of a markdown cell, parsed as nbconvert parses it (math is not mistaken for
    code, and a fenced block such as a diagram is not a code span)."""
    tokens, _ = MarkdownWithMath(renderer=None).parse(source)
    spans = []

    def walk(items):
        for token in items:
            if token.get("type") == "codespan":
                spans.append(token["raw"])
            walk(token.get("children", ()))

    walk(tokens)
    return spans


DOCSTRING_CODE = re.compile(r"(?::[\w:.-]+:)?(?:``(?P<literal>.+?)``|`(?P<ref>[^`\n]+)`)")


def docstring_code_spans(doc):
    """The ``literal``, `reference` and :role:`target` spans of a docstring (a role's leading ~ dropped)."""
    return [(m["literal"] or m["ref"]).lstrip("~") for m in DOCSTRING_CODE.finditer(doc)]


def code_spans(text):
    return markdown_code_spans(text.text) if text.kind == "markdown" else docstring_code_spans(text.text)


def parse_span(span):
    """A code span as Python, or None when it is not Python (`{'w2': ∂J/∂w², …}`, `# YOUR CODE HERE` is an
    empty program). An equation set as code, `np.log(0) = -inf`, is read as a comparison; a bare method,
    `.reshape(n, 1)`, as a method of ndarray."""
    span = span.strip()
    if span.startswith("."):
        span = NDARRAY + span
    for candidate in (span, re.sub(r"(?<![=!<>])=(?!=)", "==", span, count=1)):
        try:
            return ast.parse(candidate)
        except SyntaxError:
            continue
    return None


NDARRAY = "_ndarray_"


def dotted_references(tree):
    """Every name a span reads, with the attributes it reads from it: `np.random.default_rng(seed)` gives
    ("np", "random", "default_rng") and ("seed",). What a span binds (`seed=0`, `x = …`) is no reference."""
    references = []

    def chain(node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        return (node.id, *reversed(parts)) if isinstance(node, ast.Name) else None

    def visit(node):
        found = chain(node) if isinstance(node, ast.Attribute) else None
        if found:
            references.append(found)
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            references.append((node.id,))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return references


class Namespace:
    """What the notebooks read so far define, to look up the names their text writes as code.

    The rules, strict where a name can be checked and silent where it cannot:

    * a name bound anywhere in a code cell exists — function, class, parameter, assignment, loop, ``with``
      or comprehension target — because the text speaks of parameters and locals too (`zs`, `grad_b`);
    * a name imported by a notebook is resolved for real, and so is every attribute read from it
      (`np.random.default_rng`, `checks.expect_close`); so is a builtin (`float`) and a standard-library
      module the text names (`itertools.product`);
    * a class of the notebook knows the names of its body, and so does a top-level instance of it
      (`QUADRATIC = Cost(…)`): `QUADRATIC.output_error` is checked, `QUADRATIC.gradient` fails;
    * the attributes of any other variable are not checked (its type is not known without running);
    * one-letter names are math set in code font (`m` inputs, an `(n, m)` array), `inf` and `nan` are
      floats as NumPy prints them, and `display` is IPython's: these always pass.
    """

    ALWAYS = {"display", "inf", "nan"}
    LIBRARIES = {"numpy", "matplotlib"} | set(sys.stdlib_module_names)

    def __init__(self):
        self.bound = set()
        self.imports = {}             # name -> (module, attribute or None)
        self.classes = {}             # class name -> names bound in its body
        self.instances = {}           # top-level name -> the notebook class it is an instance of

    def add(self, tree):
        """Take in one parsed code cell."""
        for node in ast.walk(tree):
            self._add_node(node)
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name) and node.value.func.id in self.classes):
                self.instances.update({t.id: node.value.func.id for t in node.targets if isinstance(t, ast.Name)})

    def _add_node(self, node):
        """Record what one syntax node binds."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bound.add(node.name)
        if isinstance(node, ast.ClassDef):
            self.classes[node.name] = set().union(*(self._binds(item) for item in node.body))
        if isinstance(node, ast.arg):
            self.bound.add(node.arg)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                self.imports[alias.asname or top] = (alias.name if alias.asname else top, None)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                self.imports[alias.asname or alias.name] = (node.module, alias.name)

    @staticmethod
    def _binds(statement):
        """The names one statement of a class body binds (methods, fields, class attributes)."""
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return {statement.name}
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            return {statement.target.id}
        if isinstance(statement, ast.Assign):
            return {t.id for t in statement.targets if isinstance(t, ast.Name)}
        return set()

    def _head(self, head):
        """(the object a name stands for, or None when its attributes cannot be checked; a problem or None)."""
        if head == NDARRAY:
            return importlib.import_module("numpy").ndarray, None
        if head in self.imports:
            module, attribute = self.imports[head]
            try:
                return (importlib.import_module(module) if attribute is None
                        else attribute_of(importlib.import_module(module), attribute)), None
            except (ImportError, AttributeError) as error:
                return None, f"`{head}` is imported by the notebook but does not import here: {error}"
        if head in self.bound or head in self.ALWAYS or len(head) == 1:
            return None, None
        if hasattr(builtins, head):
            return getattr(builtins, head), None
        if head in self.LIBRARIES:
            try:
                return importlib.import_module(head), None
            except ImportError:
                return None, f"`{head}` does not import"
        return None, f"`{head}` is defined in no code cell of this notebook or an earlier one"

    def problem(self, reference):
        """Why a dotted reference (a name and the attributes read from it) does not exist, or None."""
        head, *attributes = reference
        notebook_class = self.instances.get(head, head if head in self.classes else None)
        if notebook_class:
            if attributes and attributes[0] not in self.classes[notebook_class]:
                return f"`{head}` (a {notebook_class} of the notebook) has no attribute `{attributes[0]}`"
            return None
        obj, why = self._head(head)
        path = head
        for attribute in attributes if obj is not None else ():
            try:
                obj = attribute_of(obj, attribute)
            except AttributeError:
                return f"`{path}` has no attribute `{attribute}`"
            path += "." + attribute
        return why


def attribute_of(obj, name):
    """getattr, also for a submodule not imported yet (numpy.linalg, matplotlib.pyplot)."""
    if hasattr(obj, name):
        return getattr(obj, name)
    if isinstance(obj, type(sys)):
        try:
            return importlib.import_module(f"{obj.__name__}.{name}")
        except ImportError:
            pass
    raise AttributeError(name)


def missing_names(path, namespace):
    """The code spans of a notebook's text whose names do not exist; ``namespace`` holds what the earlier
    notebooks define and takes in this one's code first."""
    for _, tree in code_trees(path):
        namespace.add(tree)
    problems = []
    for text in student_texts(path):
        for span in code_spans(text):
            tree = parse_span(span)
            for reference in dotted_references(tree) if tree else ():
                why = namespace.problem(reference)
                if why:
                    problems.append(f"{text.where()}: `{span}` — {why}")
    return problems


@pytest.fixture(scope="module")
def name_problems():
    """The problems of each notebook's text, each notebook seeing the code of the earlier ones."""
    namespace = Namespace()
    return {path.stem: missing_names(path, namespace) for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_name_written_as_code_exists(path, name_problems):
    fail_on(name_problems[path.stem], "the text writes as code names that the notebooks do not have")


def test_the_name_check_catches_the_known_slips():
    """Undefined names, missing attributes and an unimported package fail; real names pass."""
    namespace = Namespace()
    namespace.add(ast.parse("import numpy as np\nfrom itertools import product\n"
                            "class Cost:\n    name: str\n    def value(self): pass\nQUADRATIC = Cost()\n"
                            "def sgd(weights, eta):\n    grad = 1"))
    for span in ["chain_111_cost", "SOFTMAX_CROSS_ENTROPY", "solutions.training.sgd", "np.random.default_rngg",
                 "QUADRATIC.output_error", "exp", "log(0) = -inf"]:
        assert any(namespace.problem(r) for r in dotted_references(parse_span(span))), span
    for span in ["np.random.default_rng(seed=0)", "sgd(weights, eta)", "QUADRATIC.value", "Cost.name",
                 "itertools.product", "np.exp(710)", "np.linalg.norm", "float", "print(inf)", "display(grad)",
                 "(n, m)", ".reshape(n, 1)", "W -= eta * grad", "x = [[1.0]]", "# YOUR CODE HERE"]:
        assert not [why for r in dotted_references(parse_span(span)) if (why := namespace.problem(r))], span


# ---------------------------------------------------------------- (b) internal names of the sources

def internal_source_pattern():
    """The internal labels, case-insensitive: "seed 000", "seed NNN", "seeds/" and the syllabus files'
    naming scheme (three digits, an underscore and 16 hex digits)."""
    patterns = [r"\bseeds?\s*#?\s*0\d\d\b", r"\bseeds?\s+#?\d{3}\b", r"\bseeds/", r"\b\d{3}_[0-9a-f]{16}\b"]
    return re.compile("|".join(patterns), re.I)


INTERNAL_SOURCE = internal_source_pattern()


def internal_source_names(path):
    """Where a notebook's visible text names a syllabus source by an internal label."""
    return [f"{path.stem}, cell {cell_id}: …{source[max(0, m.start() - 40):m.end() + 40]!r}…"
            for cell_id, source in visible_sources(path) for m in INTERNAL_SOURCE.finditer(source)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_sources_are_named_as_a_reader_knows_them(path):
    fail_on(internal_source_names(path), "name a source by its author or title (e.g. 'the lecture slides after "
                                         "Nielsen's chapter 2'), not by its seed number or file")


def test_the_seed_pattern_catches_what_it_should():
    for slip in ["the lecture slides of seed 000", "Seed 001 derives", "(seed 000, Nielsen)", "seed 000's formula",
                 "see seeds/README.md", "in 003_fc5afa0f068a4742.txt", "SEED 123"]:
        assert INTERNAL_SOURCE.search(slip), slip
    for fine in ["np.random.default_rng(seed)", "seed=0", "init_network(sizes, seed=7)", "(seeded)", "seed 7"]:
        assert not INTERNAL_SOURCE.search(fine), fine


# ---------------------------------------------------------------- (c) rendering

LIST_MARKER = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]+|$)(?P<rest>.*)$")
MATH_OR_OPERATOR = re.compile(r"^\s*[\\+\-=^_}&|<>]")
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")        # a backslash before ASCII punctuation: \, \; \! \{ \| …


@functools.lru_cache(maxsize=None)
def exporter():
    return HTMLExporter()


def render(cell):
    """A markdown cell as the HTML export (and so the feedback) renders it."""
    return exporter().markdown2html({"cell": cell}, cell.source)


def math_spans(source):
    r"""(start, end, text) of the formulas of a markdown source: $$…$$ and $…$ outside code; a $…$ may run
    over a line break but not over a blank line (as JupyterLab reads it); \$ is a dollar sign."""
    hidden = re.sub(r"```.*?```|`[^`\n]*`", lambda m: " " * len(m[0]), source, flags=re.S)
    formula = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$|(?<![\\$])\$(?:[^$\n]|\n(?![ \t]*\n))+?(?<![\\$])\$", re.S)
    return [(m.start(), m.end(), source[m.start():m.end()]) for m in formula.finditer(hidden)]


def page_text(rendered):
    """The rendered HTML as a reader's text: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def list_item_texts(rendered):
    """The text each rendered <li> starts with."""
    return [page_text(item).strip() for item in re.findall(r"<li[^>]*>(.*?)(?=<li|</li>|<ul|<ol)", rendered, re.S)]


def markdown_unescaped(text):
    """What markdown makes of plain text: a backslash before punctuation disappears."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def marker_lines(source):
    """(line, its text after the list marker as markdown shows it, the formula it stands in or None) of
    every source line that starts like a list item."""
    formulas, offset, found = math_spans(source), 0, []
    for line in source.splitlines(keepends=True):
        m = LIST_MARKER.match(line.rstrip("\n"))
        if m:
            inside = next((text for start, end, text in formulas if start < offset < end), None)
            found.append((line.strip(), markdown_unescaped(m["rest"]).strip(), inside))
        offset += len(line)
    return found


def stray_list_items(cell, rendered):
    r"""List items the author did not write: a line inside a formula that became a list item, or a list item
    that starts like a piece of a formula (`+ \frac…` turned into a bullet)."""
    lines, problems = marker_lines(cell.source), []
    for item in list_item_texts(rendered):
        line, _, formula = next((entry for entry in lines if entry[1] and item.startswith(entry[1][:12])),
                                (None, None, None))
        if formula:
            problems.append(f"the line {line!r} of the formula {formula[:60]!r}… became a list item")
        elif MATH_OR_OPERATOR.match(item):
            problems.append(f"a list item starts like a piece of a formula: {(line or item)[:70]!r}")
    return problems


def damaged_formulas(cell, rendered):
    """Formulas of the source that do not reach the page verbatim, with the backslash escapes they lose."""
    page, problems = page_text(rendered), []
    for _, _, formula in math_spans(cell.source):
        if formula in page:
            continue
        lost = sorted({e for e in ESCAPE.findall(formula) if page.count(e) < cell.source.count(e)})
        detail = f"loses {' '.join(lost)}" if lost else "is split or changed"
        problems.append(f"the formula {formula[:70]!r}… {detail} in the rendered HTML")
    return problems


def rendering_problems(path):
    """Every stray list item and damaged formula of a notebook's markdown cells."""
    problems = []
    for cell in read_notebook(path).cells:
        if cell.cell_type == "markdown":
            rendered = render(cell)
            problems += [f"{path.stem}, cell {cell.get('id', '?')}: {problem}"
                         for problem in stray_list_items(cell, rendered) + damaged_formulas(cell, rendered)]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_renders_without_stray_list_items_or_lost_math(path):
    fail_on(rendering_problems(path), "markdown that nbconvert's HTML (the feedback) renders wrongly — start no line "
                                      "of a formula with '+ ', '- ' or '* ', or set it as $$…$$ display math")


def test_the_rendering_checks_catch_the_known_slips():
    """The checks fail on the slip they are for and pass on its fix and on ordinary lists."""
    broken = nbformat.v4.new_markdown_cell("a change\n$\\Delta o \\approx \\frac{\\partial\\,o}{\\partial w}\\Delta w\n"
                                           "+ \\frac{\\partial\\,o}{\\partial b}\\Delta b$.")
    fixed = nbformat.v4.new_markdown_cell("a change\n\n$$\\Delta o \\approx \\frac{\\partial\\,o}{\\partial w}"
                                          "\\Delta w\n+ \\frac{\\partial\\,o}{\\partial b}\\Delta b.$$")
    lists = nbformat.v4.new_markdown_cell("* $s \\odot t$ keeps the shape\n* targets $\\{0, 1\\}$\n- plain\n"
                                          "1. **Input.** $a^1 = x$")
    assert stray_list_items(broken, render(broken))
    assert any("loses \\," in problem for problem in damaged_formulas(broken, render(broken)))
    for good in (fixed, lists):
        assert not stray_list_items(good, render(good)) and not damaged_formulas(good, render(good))


# ---------------------------------------------------------------- (d) δ is the error of one sample

#: δ set equal to a derivative of the batch cost C (not of one sample's Cₓ): for a batch of m samples
#: ∂C/∂z = δ/m, so δ = ∂C/∂z is off by that factor.
DELTA_OF_BATCH_COST = re.compile(
    r"\\delta[^=$]*=\s*(?:\\frac\{\\partial C\}\{\\partial z|\\partial C\s*/\s*\\partial z|\\nabla_\{z[^}]*\}\s*C(?!_x))")


def delta_slips(path):
    """Where a formula of a markdown cell defines δ as a derivative of C instead of Cₓ."""
    return [f"{path.stem}, cell {cell.get('id')}: {text!r}"
            for cell in read_notebook(path).cells if cell.cell_type == "markdown"
            for _, _, text in math_spans(cell.source) if DELTA_OF_BATCH_COST.search(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_delta_is_the_derivative_of_one_samples_cost(path):
    fail_on(delta_slips(path), "δ is per sample: write ∂Cₓ/∂z (for a batch ∂C/∂z = δ/m)")


def test_the_delta_check_catches_the_known_slips():
    for slip in [r"$\delta^l = \partial C/\partial z^l$", r"$$\delta^L_j = \frac{\partial C}{\partial z^L_j}$$",
                 r"$$\delta^l = \nabla_{z^l}C = W$$"]:
        assert DELTA_OF_BATCH_COST.search(slip), slip
    for fine in [r"$\delta^l = \partial C_x/\partial z^l$", r"$$\delta^L_j = \frac{\partial C_x}{\partial z^L_j}$$",
                 r"$$\delta^l = \nabla_{z^l}C_x$$", r"$\partial C/\partial b^l = \frac1m\sum_x \delta^l_x$"]:
        assert not DELTA_OF_BATCH_COST.search(fine), fine
