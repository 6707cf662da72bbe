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
"""

import functools

import bleach
from nbgrader.preprocessors import NbGraderPreprocessor

from .markdown_math import MATHML_ATTRIBUTES, MATHML_TAGS, markdown_to_html
from .notebook_cells import is_locked

TAGS = sorted(set(bleach.ALLOWED_TAGS) | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "pre", "code",
                                          "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "img", "sup",
                                          "sub", "del", "ins", "kbd", "details", "summary"} | MATHML_TAGS)
ATTRIBUTES = {"*": ["class", "id", "title"], "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
              "th": ["align"], "td": ["align"], **{tag: list(MATHML_ATTRIBUTES) for tag in sorted(MATHML_TAGS)}}
PROTOCOLS = ["http", "https", "mailto", "data"]


@functools.lru_cache(maxsize=4096)
def safe_markdown(source):
    """The markdown ``source`` as sanitized HTML (which markdown renders as itself), its math
    as MathML. Cached: the course's own text is the same in every submission and is rendered once."""
    return bleach.clean(markdown_to_html(source), tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS)


class SafeMarkdown(NbGraderPreprocessor):
    """Sanitize the markdown cells a student could edit (see the module docstring)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not is_locked(cell):
            cell.source = safe_markdown(cell.source)
        return cell, resources
