"""A student's feedback page opened as the student gets it: a file on their own machine,
opened with the network blocked. Its formulas must render and the plot their notebook drew
must show, from the page alone."""

import re

import pytest

from browser_chromium import skip_module_without_selenium
from browser_course import AID, STUDENTS

skip_module_without_selenium()  # before anything that imports selenium

from selenium.webdriver.common.by import By  # noqa: E402

from browser_lab_page import LabPage  # noqa: E402

pytestmark = pytest.mark.slow

#: TeX left unrendered in a page's text: a $…$ span, or a TeX command such as \sigma or \frac.
RAW_TEX = re.compile(r"\$[^$\n]+\$|\\[A-Za-z]{2,}")
#: Rendered math: MathML, or MathJax's output.
MATH = "math, mjx-container"
#: Markdown cells and outputs in nbconvert's classic template (nbgrader's feedback) and its lab template.
MARKDOWN = ".text_cell_render, .jp-MarkdownCell .jp-RenderedMarkdown"
OUTPUT_IMAGES = ".output_subarea img, .jp-OutputArea-output img"
#: What the page loads (scripts, style sheets, images, frames), and what the browser fetched for it.
LOADS = """return Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src]'))
              .map(e => e.getAttribute('src') || e.getAttribute('href'));"""
REQUESTED = "return performance.getEntriesByType('resource').map(e => e.name);"


def shown(elements):
    """The elements that the browser lays out with a size (rendered, not hidden)."""
    return [e for e in elements if e.size["width"] > 0 and e.size["height"] > 0]


def test_the_feedback_shows_math_and_the_plot_offline(graded_course, chromium, screenshots):
    student = next(s for s in STUDENTS if s.score == 15)  # every function done: the plot was drawn
    page_path = graded_course.root / "feedback" / student.id / AID / f"{AID}.html"
    driver = chromium(offline=True)
    page = LabPage(driver, None, screenshots)
    driver.get(page_path.as_uri())
    page.wait(lambda: driver.execute_script("return document.readyState") == "complete", 30, "the page to load")

    loaded = driver.execute_script(LOADS) + driver.execute_script(REQUESTED)
    remote = sorted({url for url in loaded if url.startswith(("http:", "https:", "//"))})
    assert not remote, f"the page needs the network: {remote}"

    def rendered_math():
        return shown(driver.find_elements(By.CSS_SELECTOR, MATH))
    page.wait(lambda: len(rendered_math()) >= 20, 20, "the page's formulas to render (MathML or MathJax)")
    markdown = driver.find_elements(By.CSS_SELECTOR, MARKDOWN)
    assert markdown, "no markdown cell on the page"
    page.shot("top", markdown[0])
    assert shown(markdown[0].find_elements(By.CSS_SELECTOR, MATH)), "the objectives' formulas are not rendered"
    raw = {m.group(0) for cell in markdown for m in RAW_TEX.finditer(cell.text)}
    assert not raw, f"unrendered TeX in the markdown cells: {sorted(raw)[:10]}"

    plots = [img for img in shown(driver.find_elements(By.CSS_SELECTOR, OUTPUT_IMAGES))
             if img.get_property("naturalWidth") > 200]
    assert len(plots) == 1, f"expected the plot of σ and σ', found {len(plots)} images"
    page.shot("plot", plots[0])
