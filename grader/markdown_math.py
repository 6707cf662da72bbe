"""Markdown with its math as MathML, so a page shows formulas with no script and no network.

nbconvert leaves the TeX of a markdown cell (``$…$``, ``$$…$$``, ``\\[…\\]``,
``\\begin{env}…\\end{env}``) for MathJax, which its templates load from a CDN: offline the
reader sees raw TeX. Here the same markdown parser hands each formula to latex2mathml,
and the page carries MathML, which Chromium, Firefox and Safari render natively.

The MathML is cleaned before it is written: latex2mathml copies ``\\href`` and ``\\style``
into attributes and ``\\text{…}`` into unescaped text, so only the presentation elements and
attributes of :data:`MATHML_TAGS` and :data:`MATHML_ATTRIBUTES` are kept, and all text is
escaped. A formula latex2mathml cannot read is shown as its TeX, escaped, in a
``<code class="math-error">``.
"""

import re
import unicodedata
import xml.etree.ElementTree as ET
from html import escape

from latex2mathml.converter import convert_to_element
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

#: The MathML elements a page may carry: presentation markup as latex2mathml writes it
#: (no ``semantics``/``annotation-xml``, which may hold HTML; no ``maction``).
MATHML_TAGS = frozenset({"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
                         "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
                         "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr", "mstyle", "mpadded",
                         "mphantom", "menclose", "merror"})
#: Their attributes: layout only (no ``href``, ``style``, ``class`` or event handlers).
MATHML_ATTRIBUTES = ("display", "displaystyle", "scriptlevel", "mathvariant", "mathcolor", "mathbackground",
                     "stretchy", "fence", "separator", "form", "accent", "accentunder", "largeop",
                     "movablelimits", "symmetric", "minsize", "maxsize", "lspace", "rspace", "width", "height",
                     "depth", "voffset", "linethickness", "notation", "columnalign", "rowalign", "columnspacing",
                     "rowspacing", "columnlines", "rowlines", "frame", "framespacing", "equalrows",
                     "equalcolumns", "align")
#: TeX environments latex2mathml does not know, as one it does that lays them out the same.
ENVIRONMENTS = {"aligned": "split"}
#: mathvariant values written as Unicode's mathematical alphanumerics (MathML Core, and so
#: Chromium, ignores the attribute but for "normal"): their name in Unicode character names.
VARIANTS = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "double-struck": "DOUBLE-STRUCK",
            "script": "SCRIPT", "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
            "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
            "sans-serif-italic": "SANS-SERIF ITALIC", "monospace": "MONOSPACE"}
#: Delimiters (and the slash) TeX sets at their own size unless \left, \right, \big… or a matrix
#: sizes them (latex2mathml marks those stretchy; MathML's operator dictionary stretches them all).
DELIMITERS = frozenset("()[]{}|/\u2016\u2223\u2308\u2309\u230a\u230b\u27e8\u27e9")
#: Symbols that are ordinary in TeX (no space around them) but spaced operators in MathML.
ORDINARY = frozenset("./|\u2016")
#: Signs, and the closing delimiters after which a sign is binary rather than unary.
SIGNS, CLOSING = frozenset("+\u2212\u00b1\u2213"), frozenset(")]}|\u2016\u2309\u230b\u27e9")
_REFERENCE = re.compile(r"&#x([0-9A-Fa-f]{1,6});")
_ENVIRONMENT = re.compile(r"\\(begin|end)\{(%s)\}" % "|".join(ENVIRONMENTS))


def tex_to_mathml(tex, display=False):
    """One formula as a MathML ``<math>`` element (text), or None if it is not TeX latex2mathml reads.

    Parameters
    ----------
    tex : str
        The formula without its delimiters, e.g. ``r"\\delta^L = \\nabla_a C \\odot \\sigma'(z^L)"``.
    display : bool
        A display formula (``$$…$$``) rather than one in the text.
    """
    tex = _ENVIRONMENT.sub(lambda m: f"\\{m.group(1)}{{{ENVIRONMENTS[m.group(2)]}}}", tex)
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml's errors are plain Exceptions (and malformed input raises others)
        return None
    for element in root.iter():
        _clean(element)
    _tex_layout(root)
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def math_html(tex, display=False):
    """The HTML of one formula: its MathML, or its TeX as escaped text if it does not convert."""
    mathml = tex_to_mathml(tex, display)
    if mathml is not None:
        return mathml
    return tex_source_html(tex, display)


def _clean(element):
    """Keep ``element`` to the allowlist: an unknown element becomes an ``mrow`` (its content
    stays), unknown attributes go, the character references latex2mathml writes into its text
    become the characters, and mathvariant becomes Unicode's styled letters where they exist."""
    if element.tag not in MATHML_TAGS:
        element.tag = "mrow"
    for name in [name for name in element.attrib if name not in MATHML_ATTRIBUTES]:
        del element.attrib[name]
    element.text = _characters(element.text)
    element.tail = _characters(element.tail)
    variant = element.attrib.get("mathvariant")
    if variant in VARIANTS and element.text:
        styled = _styled(element.text, VARIANTS[variant])
        if styled is not None:
            element.text = styled
            del element.attrib["mathvariant"]


def _tex_layout(root):
    """Lay out operators as TeX does where MathML's operator dictionary differs:

    - the delimiters of :data:`DELIMITERS` keep their size (not stretchy) unless latex2mathml
      says otherwise (``\\left``, ``\\bigl``) or they enclose a matrix (an ``mtable`` beside);
    - the symbols of :data:`ORDINARY` get no space around them (``∂C/∂z``, ``|g|``, ``2..L``);
    - a sign after an operator or an opening delimiter is unary (``(-0.5, 3)``, ``= -y``).
    """
    for parent in root.iter():
        children = list(parent)
        for index, child in enumerate(children):
            if child.tag != "mo":
                continue
            before = children[index - 1] if index else None
            beside = children[max(index - 1, 0):index] + children[index + 1:index + 2]
            if (child.text in DELIMITERS and "stretchy" not in child.attrib
                    and not any(other.tag == "mtable" for other in beside)):
                child.set("stretchy", "false")
            if child.text in ORDINARY and not {"lspace", "rspace"} & set(child.attrib):
                child.attrib.update(lspace="0em", rspace="0em")
            if (child.text in SIGNS and "form" not in child.attrib and before is not None
                    and before.tag == "mo" and before.text not in CLOSING):
                child.set("form", "prefix")


def _characters(text):
    """``text`` with latex2mathml's ``&#x…;`` references as the characters they name."""
    if not text:
        return text

    def character(match):
        code = int(match.group(1), 16)
        valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else match.group(0)

    return _REFERENCE.sub(character, text)


def _styled(text, variant):
    """``text`` (ASCII letters and digits) in Unicode's mathematical ``variant``; None if a
    character has no such form."""
    styled = []
    for char in text:
        if not char.isascii() or not char.isalnum():
            return None
        if char.isdigit():
            names = [f"MATHEMATICAL {variant} DIGIT {unicodedata.name(char).split()[-1]}"]
        else:
            case = "CAPITAL" if char.isupper() else "SMALL"
            # a few letters live among the letterlike symbols ("DOUBLE-STRUCK CAPITAL R" is ℝ)
            names = [f"MATHEMATICAL {variant} {case} {char.upper()}", f"{variant} {case} {char.upper()}"]
        for name in names:
            try:
                styled.append(unicodedata.lookup(name))
                break
            except KeyError:
                continue
        else:
            return None
    return "".join(styled)


def tex_source_html(tex, display=False, note="not read as TeX"):
    """One formula as its TeX, escaped, in a ``<code class="math-error">`` titled ``note``."""
    delimiter = "$$" if display else "$"
    return f'<code class="math-error" title="{escape(note)}">{escape(delimiter + tex + delimiter)}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with each formula written as MathML (:func:`math_html`).

    Parameters
    ----------
    formula_budget : int or None
        How many formulas are converted at most; the others are shown as their TeX
        (:func:`tex_source_html`). None: no limit. :attr:`formulas` counts those met.
    renderer_options
        Passed to nbconvert's ``IPythonRenderer``.
    """

    def __init__(self, formula_budget=None, **renderer_options):
        super().__init__(**renderer_options)
        self.formula_budget = formula_budget
        self.formulas = 0

    def _formula(self, tex, display):
        self.formulas += 1
        if self.formula_budget is not None and self.formulas > self.formula_budget:
            return tex_source_html(tex, display, note="over the formula limit: not converted")
        return math_html(tex, display)

    def block_math(self, body):
        return self._formula(body, display=True)

    def inline_math(self, body):
        return self._formula(body, display=False)

    def latex_environment(self, name, body):
        return self._formula(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)


def render_markdown(source, formula_budget=None, **renderer_options):
    """Markdown ``source`` as nbconvert renders it (raw HTML passed through), its math as MathML,
    and the number of formulas it holds.

    Parameters
    ----------
    source : str
    formula_budget : int or None
        At most this many formulas are converted (see :class:`MathMLRenderer`).
    renderer_options
        Passed to nbconvert's ``IPythonRenderer`` (attachments, anchor links, …).

    Returns
    -------
    tuple of (str, int)
    """
    renderer = MathMLRenderer(formula_budget=formula_budget, escape=False, **renderer_options)
    return MarkdownWithMath(renderer=renderer).render(source), renderer.formulas


def markdown_to_html(source, **renderer_options):
    """Markdown ``source`` as HTML, its math as MathML (:func:`render_markdown`, no formula limit)."""
    return render_markdown(source, **renderer_options)[0]
