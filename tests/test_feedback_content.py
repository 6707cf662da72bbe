"""What the students' feedback page shows, offline: the outputs of the student's cells (prints,
plots as embedded images) with their execution counts, and the math as MathML — every formula
of the five notebooks, with no script and nothing loaded from the network. Formulas cannot
carry markup into the page, whether they come from the course's text, a student's markdown
or a cell's ``text/latex`` output.

The fast tests convert the notebooks' formulas and attack strings; the slow ones grade a
submission of assignment 5 for real (released, autograded in the sandbox, fed back through
nbgrader's GenerateFeedback) and read its page."""

import base64
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.feedback import generate_feedback, latex_output_html
from grader.markdown_math import markdown_to_html, math_html, tex_to_mathml
from grader.notebook_cells import BEGIN_HIDDEN, END_HIDDEN
from grader.student_markdown import safe_markdown
from sample_class.submissions import solved_submission, write_submission

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "assignments").glob("*/*.ipynb"))
NBSP = "\u00a0"


class FormulaCollector(IPythonRenderer):
    """nbconvert's markdown renderer noting each formula its parser hands over (what MathJax
    would typeset on nbconvert's own page), as ``(tex, display)``."""

    def __init__(self):
        super().__init__(escape=False)
        self.found = []

    def block_math(self, body):
        self.found.append((body, True))
        return ""

    def inline_math(self, body):
        self.found.append((body, False))
        return ""

    def latex_environment(self, name, body):
        self.found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", True))
        return ""


def formulas(nb):
    """Every formula of the notebook's markdown cells, in order."""
    collector = FormulaCollector()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            MarkdownWithMath(renderer=collector).render(cell.source)
    return collector.found


def untranslated(mathml):
    """What of a formula's TeX came through as text instead of markup: commands, column
    separators, latex2mathml's placeholder for a line break it could not lay out, errors."""
    root = ET.fromstring(mathml)  # also: well-formed
    left = [f"{el.tag}: {el.text!r}" for el in root.iter() if el.text and ("\\" in el.text or el.text.strip() == "&")]
    left += [el.tag for el in root.iter() if el.tag == "merror" or (el.tag == "mspace" and "linebreak" in el.attrib)]
    return left


def text_of(element):
    """The text of a MathML element, spaces (and no-break spaces) removed."""
    return "".join(element.itertext()).replace(NBSP, "").replace(" ", "")


def math_root(tex, display=False):
    mathml = tex_to_mathml(tex, display)
    assert mathml is not None, tex
    return ET.fromstring(mathml)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_every_formula_of_the_notebooks_converts(path):
    found = formulas(nbformat.read(path, as_version=4))
    assert len(found) > 20, "the notebook's markdown holds the course's math"
    problems = {}
    for tex, display in found:
        mathml = tex_to_mathml(tex, display)
        problems[tex] = "not converted" if mathml is None else untranslated(mathml)
    assert {tex: problem for tex, problem in problems.items() if problem} == {}


def test_the_six_notebooks_are_the_course():
    assert [p.parent.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    every = " ".join(tex for path in NOTEBOOKS for tex, _ in formulas(nbformat.read(path, as_version=4)))
    for notation in (r"\odot", r"\partial", r"\frac", r"\sigma'", r"^T", r"^\top", r"\begin{bmatrix}",
                     r"\begin{pmatrix}", r"\begin{cases}", r"\underbrace", r"\boxed", r"\mathsf", r"\mathbb"):
        assert notation in every, notation  # so the test above covers it


def test_the_course_notation_keeps_its_structure():
    assert text_of(math_root(r"(s \odot t)_j = s_j\, t_j")) == "(s⊙t)j=sjtj"
    fraction = math_root(r"\frac{\partial C_x}{\partial w^l_{jk}}").find(".//mfrac")
    assert [text_of(part) for part in fraction] == ["∂Cx", "∂wjkl"]  # msubsup: base, subscript, superscript
    prime = math_root(r"\sigma'(z)").find(".//msup")
    assert [text_of(part) for part in prime] == ["σ", "′"]
    for tex in (r"(W^{l+1})^\top", r"(W^{l+1})^T"):
        transposed = math_root(tex).findall(".//msup")[-1]
        assert text_of(transposed[1]) in ("⊤", "T"), tex
    assert [text_of(part) for part in math_root(r"\tfrac12").find(".//mfrac")] == ["1", "2"]
    boxed = math_root(r"\boxed{\delta^L = \nabla_a C_x \odot \sigma'(z^L)}", display=True)
    assert boxed.get("display") == "block" and boxed.find(".//menclose").get("notation") == "box"
    assert text_of(math_root(r"\mathbb 1[j=k]")) == "\U0001d7d9[j=k]"  # double-struck one
    assert text_of(math_root(r"B = \tilde W^{\mathsf T}")).endswith("\U0001d5b3")  # sans-serif T
    assert text_of(math_root(r"\text{path through } a^3_1").find(".//mtext")) == "paththrough"


@pytest.mark.parametrize("environment", ["bmatrix", "aligned"])
def test_a_matrix_or_an_aligned_block_is_a_table(environment):
    tex = rf"\begin{{{environment}}} a &= b + 1 \\ c &= -d \end{{{environment}}}"
    table = math_root(tex, display=True).find(".//mtable")
    rows = [[text_of(cell) for cell in row] for row in table]
    assert rows == [["a", "=b+1"], ["c", "=−d"]]


def test_operators_are_laid_out_as_tex_does():
    """MathML's operator dictionary stretches every bar and bracket to its row and spaces a
    slash, a bar and a sign; TeX keeps a delimiter at text size unless \\left/\\big or a
    matrix sizes it, sets a slash or a bar with no space, and makes a sign after an opening
    or an operator unary."""
    def operators(tex, symbols, display=False):
        return [mo.attrib for mo in math_root(tex, display).iter("mo") if mo.text in symbols]

    assert [mo.get("stretchy") for mo in operators(r"C_x = \tfrac12\,\lVert a - y\rVert^2", "‖")] == ["false"] * 2
    assert [mo.get("stretchy") for mo in operators(r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}", "[]", True)] == [None] * 2
    assert [mo.get("stretchy") for mo in operators(r"\Bigl( \frac{1}{2} \Bigr)", "()", True)] == ["true"] * 2
    for symbol, tex in [("/", r"\partial C/\partial z"), ("|", r"\max |g - \hat g|")]:
        assert {(mo.get("lspace"), mo.get("rspace")) for mo in operators(tex, symbol)} == {("0em", "0em")}, tex
    assert [mo.get("form") for mo in operators(r"(-0.5, 3) = -y + (x) - 1", "+−")] == ["prefix", "prefix", None, None]


#: Markup a formula might try to smuggle into the page, and the markdown around it.
ATTACKS = [r"$\href{javascript:alert(1)}{x}$", r"$\text{<script>alert(2)</script>}$",
           r"$\text{<img src=x onerror=alert(3)>}$", r"$\style{background:url(javascript:alert(4))}{x}$",
           r"$\class{x onload=alert(5)}{y}$", r"$\text{&#x3C;script&#x3E;alert(6)&#x3C;/script&#x3E;}$",
           r"$$\text{</math><script>alert(7)</script>}$$", r"$\color{red\" onmouseover=\"alert(8)}{x}$",
           r"\begin{align} x &= \text{<iframe src=javascript:alert(9)>} \end{align}"]
#: Raw MathML in a student's markdown (the student's markdown may hold HTML).
RAW_MATHML = ['<math href="javascript:alert(10)"><mi>x</mi></math>',
              '<math><mtext><img src=x onerror=alert(11)></mtext></math>',
              '<math><annotation-xml encoding="text/html"><script>alert(12)</script></annotation-xml></math>',
              '<math><mi><style><img src=x onerror=alert(13)></style></mi></math>',
              '<math><mtext><table><mglyph><style><img src=x onerror=alert(14)>']
ACTIVE_TAGS = {"script", "style", "iframe", "object", "embed", "annotation-xml", "foreignobject", "link", "meta"}


def active_markup(page):
    """Elements and attributes of ``page`` that could run or load something."""
    found = []
    for tag in BeautifulSoup(page, "html.parser").find_all(True):
        if tag.name in ACTIVE_TAGS:
            found.append(str(tag)[:80])
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            script_url = re.match(r"\s*(javascript|vbscript|data:text)", html.unescape(value), re.I)
            if name.startswith("on") or (name in ("style", "href", "src") and script_url):
                found.append(f"{tag.name} {name}={value[:60]!r}")
            if tag.name in ("math", "mi", "mo", "mrow", "mtext", "mstyle") and name in ("href", "style", "src"):
                found.append(f"{tag.name} {name}={value[:60]!r}")
    return found


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_formula_carries_no_markup(attack):
    rendered = {"course text": markdown_to_html(attack), "student markdown": safe_markdown(attack),
                "text/latex output": latex_output_html(attack)}
    for door, page in rendered.items():
        assert active_markup(page) == [], door
        assert "<math" in page or 'class="math-error"' in page, door  # still shown: as math, or as its TeX


@pytest.mark.parametrize("attack", RAW_MATHML)
def test_raw_mathml_in_a_students_markdown_is_cleaned(attack):
    page = safe_markdown(f"My notes {attack} end")
    assert active_markup(page) == []
    assert safe_markdown(page).strip() == page.strip()  # cleaning again changes nothing (but a newline)


def test_a_students_math_is_cleaned_once_for_all():
    """The feedback cleans the autograded copy's markdown again: the MathML comes out the same."""
    source = "Since $\\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))$,\n\n$$\\delta^L = (a^L - y) \\odot \\sigma'(z^L)$$"
    once = safe_markdown(source)
    assert once.count("<math") == 2 and "$" not in once
    assert safe_markdown(once).strip() == once.strip()  # (the renderer ends a block with a newline)


def test_a_formula_that_does_not_read_shows_as_its_tex():
    page = safe_markdown("see $\\left( <b>1</b>$ here")  # no \\right
    shown = BeautifulSoup(page, "html.parser").find("code", class_="math-error")
    assert shown is not None and shown.get_text() == "$\\left( <b>1</b>$"
    assert BeautifulSoup(page, "html.parser").find("b") is None
    assert math_html("\\frac{", display=True).endswith(">$$\\frac{$$</code>")


@pytest.mark.parametrize("latex, display", [("$\\displaystyle \\frac{1}{2}$", "inline"), ("$$x^2$$", "block"),
                                            ("\\[ x \\odot y \\]", "block"), ("\\begin{pmatrix}1\\\\2\\end{pmatrix}",
                                                                             "block")])
def test_a_latex_output_shows_as_mathml(latex, display):
    shown = BeautifulSoup(latex_output_html(latex), "html.parser")
    [formula] = shown.find_all("math")
    assert formula.get("display") == display


@pytest.mark.parametrize("latex", ["Hello <b>there</b>", "$a$ and $b$", "plain text"])
def test_a_latex_output_that_is_not_one_formula_shows_as_text(latex):
    assert latex_output_html(latex) == html.escape(latex)


# --- a graded submission's page --------------------------------------------------------------

AID = "05_training"
STUDENT = "ada-notes"
LIMITS = Limits(cell_timeout=60, notebook_timeout=300)
#: A markdown cell of the student's own: math, and markup that must not reach the page.
NOTES = ("**My notes.** With $\\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))$ the output error is\n\n"
         "$$\\delta^L = (a^L - y) \\odot \\sigma'(z^L).$$\n\n" + " ".join(ATTACKS[:4]))


@pytest.fixture(scope="module")
def graded(released_courses, tmp_path_factory):
    course = released_courses.copy(tmp_path_factory.mktemp("feedback-content") / "course", [AID])
    source = nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(course.path("release", ".", AID) / f"{AID}.ipynb", as_version=4)
    submitted = solved_submission(source, release)
    submitted.cells.insert(2, nbformat.v4.new_markdown_cell(NOTES))
    write_submission(course, STUDENT, AID, submitted)
    [result] = autograde(course, AID, None, LIMITS, progress=False)
    assert result.student == STUDENT and result.score == result.max_score, result.reasons
    paths, problems = generate_feedback(course, AID, STUDENT)
    assert not problems and len(paths) == 1
    graded = nbformat.read(course.path("autograded", STUDENT, AID) / f"{AID}.ipynb", as_version=4)
    return paths[0].read_text(encoding="utf-8"), graded, submitted, source


def parsed(page):
    """The page as BeautifulSoup parses it (a fresh tree: tests may cut it)."""
    return BeautifulSoup(page, "html.parser")


def code_cells(soup):
    return soup.find_all("div", class_="code_cell")


def stdout_of(cell):
    """The printed text of a notebook code cell."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.mark.slow
def test_each_code_cell_shows_its_outputs(graded):
    page, nb, _, _ = graded
    soup = parsed(page)
    shown, cells = code_cells(soup), [c for c in nb.cells if c.cell_type == "code"]
    assert len(shown) == len(cells)
    plots = 0
    for page_cell, cell in zip(shown, cells):
        pngs = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        images = [img["src"] for img in page_cell.find_all("img")]
        assert [src.removeprefix("data:image/png;base64,") for src in images] == [p.strip() for p in pngs]
        assert all(base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for src in images)
        plots += len(images)
        printed = "".join(pre.get_text() for pre in page_cell.select("div.output_stdout pre"))
        assert printed == stdout_of(cell)
    assert plots >= 1


@pytest.mark.slow
def test_the_training_experiment_shows_its_curves_and_its_print(graded):
    page, nb, _, _ = graded
    soup = parsed(page)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(cells) if "train_digits(epochs=30)" in c.source and "print(" in c.source)
    shown = code_cells(soup)[index]
    printed = " ".join(pre.get_text() for pre in shown.select("div.output_stdout pre"))
    match = re.search(r"30 epochs in [\d.]+ s: test accuracy ([\d.]+)%, training cost ([\d.]+)", printed)
    assert match, printed
    assert float(match.group(1)) >= 90  # the reference solution learns the digits (chance: 10%)
    [curves] = shown.find_all("img")
    assert curves["src"].startswith("data:image/png;base64,")


@pytest.mark.slow
def test_every_code_cell_shows_its_execution_count(graded):
    page, _, _, _ = graded
    prompts = [" ".join(cell.find("div", class_="input_prompt").get_text().split())
               for cell in code_cells(parsed(page))]
    assert prompts == [f"In [{n}]:" for n in range(1, len(prompts) + 1)]


@pytest.mark.slow
def test_the_math_is_mathml_and_no_tex_is_left(graded):
    page, _, submitted, _ = graded
    markdown = parsed(page).find_all("div", class_="text_cell_render")
    shown = sum(len(cell.find_all("math")) for cell in markdown)
    assert shown == len(formulas(submitted))  # one <math> per formula of the submission's markdown
    for cell in markdown:
        for code in cell.find_all(["code", "pre"]):
            code.decompose()
        text = cell.get_text()
        assert not re.search(r"\$[^$\s][^$]*\$", text), text[:200]
        assert "\\frac" not in text and "\\partial" not in text


@pytest.mark.slow
def test_the_page_loads_nothing_and_runs_nothing(graded):
    page, _, _, _ = graded
    soup = parsed(page)
    assert soup.find_all("script") == []  # MathJax included: the math needs no script
    for tag in soup.find_all(["link", "img", "iframe", "source", "audio", "video", "embed", "object"]):
        for name in ("href", "src", "data"):
            assert not re.match(r"\s*(https?:)?//", tag.get(name, "")), str(tag)[:100]
    styles = " ".join(style.get_text() for style in soup.find_all("style"))
    assert "@import" not in styles and not re.search(r"url\(\s*['\"]?\s*(https?:)?//", styles)


@pytest.mark.slow
def test_the_students_notes_keep_their_math_and_lose_their_scripts(graded):
    page, _, _, _ = graded
    markdown = parsed(page).find_all("div", class_="text_cell_render")
    [notes] = [cell for cell in markdown if "My notes." in cell.get_text()]
    assert len(notes.find_all("math")) == 2 + 4  # the two of the notes, and the four attacks shown as math
    assert any(msup.get_text() == "σ′" for msup in notes.find_all("msup"))
    assert active_markup(str(notes)) == []


@pytest.mark.slow
def test_no_hidden_test_source_is_shown(graded):
    page, _, _, source = graded
    visible, hidden = set(), set()
    for cell in source.cells:
        before, _, rest = cell.source.partition(BEGIN_HIDDEN)
        inside, _, after = rest.partition(END_HIDDEN)
        visible.update(line.strip() for line in (before + "\n" + after).splitlines())
        hidden.update(line.strip() for line in inside.splitlines())
    hidden = {line for line in hidden if len(line) > 12 and not any(line in shown for shown in visible)}
    assert len(hidden) > 5
    text = parsed(page).get_text()
    assert BEGIN_HIDDEN not in text and END_HIDDEN not in text
    assert sorted(line for line in hidden if line in text) == []
