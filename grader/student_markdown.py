"""Students' markdown, made safe to show: the formgrader and the feedback render a
submission's markdown cells as HTML without sanitizing them, so a ``<script>`` or an
``onerror=`` there would run in the instructor's (or the student's) browser.

:class:`SafeMarkdown` runs in the autograde pipeline (after the execution step) and in
the feedback pipeline: each markdown cell the student could edit is rendered to HTML as
nbconvert renders it, then cleaned with bleach to an allowlist of tags, attributes and URL
schemes; what is not allowed is shown as text, so an attempt stays visible. Read-only
cells (the course's own text) are left as they are.
"""

import functools

import bleach
from nbconvert.filters.markdown import markdown2html
from nbgrader.preprocessors import NbGraderPreprocessor

from .notebook_cells import is_locked

TAGS = sorted(set(bleach.ALLOWED_TAGS) | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "pre", "code",
                                          "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "img", "sup",
                                          "sub", "del", "ins", "kbd", "details", "summary"})
ATTRIBUTES = {"*": ["class", "id", "title"], "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
              "th": ["align"], "td": ["align"]}
PROTOCOLS = ["http", "https", "mailto", "data"]


@functools.lru_cache(maxsize=4096)
def safe_markdown(source):
    """The markdown ``source`` as sanitized HTML (which markdown renders as itself). Cached:
    the course's own text is the same in every submission and is rendered once."""
    return bleach.clean(markdown2html(source), tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS)


class SafeMarkdown(NbGraderPreprocessor):
    """Sanitize the markdown cells a student could edit (see the module docstring)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not is_locked(cell):
            cell.source = safe_markdown(cell.source)
        return cell, resources
