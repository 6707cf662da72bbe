"""Students' markdown, made safe to show: the formgrader and the feedback render a
submission's markdown cells as HTML without sanitizing them, so a ``<script>`` or an
``onerror=`` there would run in the instructor's (or the student's) browser.

:class:`SafeMarkdown` runs in the autograde pipeline (after the execution step) and in
the feedback pipeline: each markdown cell the student could edit is rendered to HTML as
nbconvert renders it, its math as MathML (:mod:`grader.markdown_math`, so that it shows with
no script), then cleaned with bleach to an allowlist of tags, attributes and URL schemes;
what is not allowed is shown as text, so an attempt stays visible. The allowlist takes
MathML's presentation elements and layout attributes, so a cell cleaned once comes out of a
second cleaning (the feedback's, of the autograded copy) the same. Read-only cells (the
course's own text) are left as they are.

The cleaned HTML is also inert to a second markdown rendering (the formgrader renders the
autograded copy's cells as markdown again, with no sanitizer): brackets in the output are
written as character references, so no markdown link or reference definition can form; no
``class`` is kept but ``math-error`` on ``code``; a link or image may only point to an
http(s) or mailto address, a relative one, or a ``data:image``. A notebook's students' cells
convert at most :data:`FORMULA_BUDGET` formulas (the rest are shown as their TeX); a cell
larger than :data:`MAX_CELL_CHARACTERS`, or one nbconvert cannot render (an attachment it
does not have), is shown as its escaped source with a note.
"""

import functools
import html
import json
import re

import bleach
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from .markdown_math import MATHML_ATTRIBUTES, MATHML_TAGS, render_markdown
from .notebook_cells import is_locked

TAGS = sorted(set(bleach.ALLOWED_TAGS) | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "pre", "code",
                                          "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "img", "sup",
                                          "sub", "del", "ins", "kbd", "details", "summary"} | MATHML_TAGS)
ATTRIBUTES = {"*": ["id", "title"], "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
              "th": ["align"], "td": ["align"], **{tag: list(MATHML_ATTRIBUTES) for tag in sorted(MATHML_TAGS)}}
#: The only ``class`` values kept, by element: those :mod:`grader.markdown_math` writes.
CLASSES = {"code": {"math-error"}}
PROTOCOLS = ["http", "https", "mailto", "data"]
#: Formulas converted to MathML in one notebook's students' cells (the course's notebooks hold ≤ ~300).
FORMULA_BUDGET = 2000
#: A students' cell larger than this (characters) is shown as its source, not rendered.
MAX_CELL_CHARACTERS = 200_000
#: Characters markdown reads as link syntax, and how they are written in the cleaned HTML.
INERT = {"[": "&#91;", "]": "&#93;"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_RESOURCE_KEY = "safe_markdown_formulas_left"


def _allowed_attribute(tag, name, value):
    """bleach's attribute filter: :data:`ATTRIBUTES`, :data:`CLASSES`, and links or images to
    http(s), mailto, relative addresses or ``data:image`` only."""
    if name == "class":
        return value in CLASSES.get(tag, ())
    if name not in ATTRIBUTES.get(tag, ()) and name not in ATTRIBUTES["*"]:
        return False
    if name in ("href", "src"):
        url = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
        scheme = _SCHEME.match(url)
        return scheme is None or scheme.group(1) in ("http", "https", "mailto") or url.startswith("data:image/")
    return True


def _clean(page):
    """``page`` cleaned to the allowlist, its link syntax written inert (:data:`INERT`)."""
    cleaned = bleach.clean(page, tags=TAGS, attributes=_allowed_attribute, protocols=PROTOCOLS)
    for char, reference in INERT.items():
        cleaned = cleaned.replace(char, reference)
    return cleaned


def source_as_text(source, note):
    """A cell's ``source`` shown as escaped text, after ``note`` (what happened to it)."""
    shown = html.escape(source)
    for char, reference in INERT.items():
        shown = shown.replace(char, reference)
    return f"<p><em>{html.escape(note)}</em></p>\n<pre><code>{shown}</code></pre>\n"


@functools.lru_cache(maxsize=4096)
def _render(source, attachments_json, formula_budget):
    """(cleaned HTML, formulas met) of one cell; see :func:`safe_markdown`."""
    if len(source) > MAX_CELL_CHARACTERS:
        return source_as_text(source, f"This cell is larger than {MAX_CELL_CHARACTERS} characters: "
                                      "its source, not rendered:"), 0
    try:
        page, formulas = render_markdown(source, formula_budget=formula_budget,
                                         attachments=json.loads(attachments_json))
    except Exception as error:  # nbconvert's InvalidNotebook (a missing attachment), or input it cannot parse
        return source_as_text(source, f"This cell could not be rendered ({error}): its source:"), 0
    return _clean(page), formulas


def safe_markdown(source, attachments=None, formula_budget=FORMULA_BUDGET):
    """The markdown ``source`` as sanitized HTML (which markdown renders as itself), its math
    as MathML. Cached: the same cell in many submissions is rendered once.

    Parameters
    ----------
    source : str
    attachments : dict or None
        The cell's ``attachments`` (name → mime bundle), for ``attachment:`` images.
    formula_budget : int or None
        At most this many formulas are converted; the others are shown as their TeX.
    """
    return safe_markdown_counted(source, attachments, formula_budget)[0]


def safe_markdown_counted(source, attachments=None, formula_budget=FORMULA_BUDGET):
    """:func:`safe_markdown`, and the number of formulas the cell holds."""
    return _render(source, json.dumps(attachments or {}, sort_keys=True), formula_budget)


class SafeMarkdown(NbGraderPreprocessor):
    """Sanitize the markdown cells a student could edit (see the module docstring)."""

    formula_budget = Integer(FORMULA_BUDGET, help="Formulas converted to MathML per notebook's students' cells."
                             ).tag(config=True)

    def preprocess(self, nb, resources):
        resources[_RESOURCE_KEY] = self.formula_budget
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not is_locked(cell):
            left = resources.get(_RESOURCE_KEY, self.formula_budget)
            cell.source, formulas = safe_markdown_counted(cell.source, cell.get("attachments"), max(left, 0))
            resources[_RESOURCE_KEY] = left - formulas
        return cell, resources
