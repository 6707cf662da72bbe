"""Students' markdown, made safe to show: the formgrader and the feedback render a
submission's markdown cells as HTML without sanitizing them, so a ``<script>`` or an
``onerror=`` there would run in the instructor's (or the student's) browser.

:class:`SafeMarkdown` runs in the autograde pipeline (after the execution step) and in
the feedback pipeline: each markdown cell the student could edit is rendered to HTML as
nbconvert renders it, then cleaned with bleach to an allowlist of tags, attributes and URL
schemes; what is not allowed is shown as text, so an attempt stays visible. Read-only
cells (the course's own text) are left as they are.
"""

import re

import bleach
from nbconvert.filters.markdown import markdown2html
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

TAGS = sorted(set(bleach.ALLOWED_TAGS) | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "pre", "code",
                                          "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "img", "sup",
                                          "sub", "del", "ins", "kbd", "details", "summary"})
ATTRIBUTES = {"*": ["class", "id", "title"], "a": ["href", "title"], "img": ["src", "alt", "title", "width", "height"],
              "th": ["align"], "td": ["align"]}
PROTOCOLS = ["http", "https", "mailto", "data"]
#: Markdown can only carry active content through raw HTML or entities (which need "<" or
#: "&") or a link with a script URL; text without any of these renders as harmless HTML.
MAYBE_ACTIVE = re.compile(r"[<&]|javascript:|vbscript:|data:", re.IGNORECASE)


def safe_markdown(source):
    """The markdown ``source`` as sanitized HTML (which markdown renders as itself)."""
    return bleach.clean(markdown2html(source), tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS)


class SafeMarkdown(NbGraderPreprocessor):
    """Sanitize the markdown cells a student could edit (see the module docstring)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and not utils.is_locked(cell) and MAYBE_ACTIVE.search(cell.source):
            cell.source = safe_markdown(cell.source)
        return cell, resources
