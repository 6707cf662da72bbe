"""What a person does in JupyterLab, as selenium steps: open a notebook, use the menus, type
into a cell, run the notebook, press a toolbar button, read what the page shows."""

import re

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_processes import wait_until

EXECUTED_PROMPT = re.compile(r"^\[\d+\]:$")
#: The cells of the open notebook, in the notebook's order (JupyterLab's windowing is off in the
#: tests' settings, so every cell is in the page).
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"


class LabPage:
    """JupyterLab in a browser.

    Parameters
    ----------
    driver : selenium WebDriver
    server : LabServer or None
        The server (None for a page of its own, such as a file).
    screenshots : Screenshots
        Where each step's picture goes.
    """

    def __init__(self, driver, server, screenshots):
        self.driver = driver
        self.server = server
        self.screenshots = screenshots

    def shot(self, name, element=None):
        """Screenshot of the window, after scrolling ``element`` (if given) into view."""
        if element is not None:
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        return self.screenshots.take(self.driver, name)

    def wait(self, condition, timeout, what):
        """:func:`wait_until` ``condition()`` holds, retrying when the page replaced an element it read."""
        def fresh():
            try:
                return condition()
            except StaleElementReferenceException:
                return None
        return wait_until(fresh, timeout, what, interval=0.25)

    def find(self, css, timeout=30, within=None, text=None):
        """The first displayed element matching ``css`` (and containing ``text``), waiting for it."""
        def found():
            try:
                for element in (within or self.driver).find_elements(By.CSS_SELECTOR, css):
                    if element.is_displayed() and (text is None or text in element.text):
                        return element
            except StaleElementReferenceException:
                return None
        return wait_until(found, timeout, f"{css!r}" + (f" showing {text!r}" if text else ""))

    def log_in(self):
        """Open JupyterLab with the server's token, which leaves the login cookie for every page."""
        self.driver.get(self.server.url("lab"))
        self.find(".lm-MenuBar-item", timeout=60)

    def open_notebook(self, path, timeout=60):
        """Open the notebook at ``path`` (relative to the server's root) and wait for its kernel."""
        self.driver.get(self.server.url(f"lab/tree/{path}"))
        self.find(CELLS, timeout=timeout)
        self.wait_idle(timeout)

    def kernel_status(self):
        """The open notebook's kernel status as its toolbar shows it ("idle", "busy", …)."""
        try:
            indicator = self.driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) "
                                                                  ".jp-Notebook-ExecutionIndicator")
            return indicator.get_attribute("data-status")
        except WebDriverException:
            return None

    def wait_idle(self, timeout=60):
        """Wait until the notebook's kernel is idle."""
        self.wait(lambda: self.kernel_status() == "idle", timeout, "the kernel to be idle")

    def menu(self, *labels):
        """Click through the menu bar: ``menu("Run", "Run All Cells")``."""
        self.find(".lm-MenuBar-item", text=labels[0]).click()
        for label in labels[1:]:
            self.find(".lm-Menu .lm-Menu-item .lm-Menu-itemLabel", text=label).click()

    def cells(self):
        """The notebook's cell elements, in order."""
        return self.driver.find_elements(By.CSS_SELECTOR, CELLS)

    def cell(self, index):
        """Cell ``index`` (the notebook's numbering, from 0)."""
        return self.cells()[index]

    def prompts(self):
        """The input prompts of the code cells (``[3]:``, ``[*]:``, ``[ ]:``)."""
        return [p.text.strip() for p in self.driver.find_elements(By.CSS_SELECTOR, f"{CELLS}.jp-CodeCell .jp-InputPrompt")]

    def prompt(self, index):
        """Cell ``index``'s input prompt (``[3]:``, ``[*]:``, ``[ ]:``)."""
        return self.cell(index).find_element(By.CSS_SELECTOR, ".jp-InputPrompt").text.strip()

    def _settled(self, started):
        """A waiting condition: ``started()`` holds, no cell is queued or running and the kernel is idle."""
        def settled():
            return started() and not any("*" in p for p in self.prompts()) and self.kernel_status() == "idle"
        return settled

    def run_all(self, timeout=120):
        """Run → Run All Cells, and wait until the run is over (it stops at the first error,
        as JupyterLab's Run All does, leaving the cells after it unrun)."""
        before = self.prompts()
        self.menu("Run", "Run All Cells")
        self.wait(self._settled(lambda: self.prompts()[0] != before[0]), timeout, "Run All to finish")

    def run_cells(self, first, count, timeout=60):
        """Select cell ``first`` and press Shift+Enter ``count`` times (run and advance), then
        wait until those cells have run."""
        indices = range(first, first + count)
        before = [self.prompt(i) for i in indices]
        self.cell(first).find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
        keys = ActionChains(self.driver)
        for _ in indices:
            keys.key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT)
        keys.perform()

        def ran():
            now = [self.prompt(i) for i in indices]
            return all(EXECUTED_PROMPT.match(p) and p != old for p, old in zip(now, before))
        self.wait(self._settled(ran), timeout, f"cells {first}–{first + count - 1} to run")

    def output_text(self, index):
        """The text of cell ``index``'s outputs as the page shows it."""
        areas = self.cell(index).find_elements(By.CSS_SELECTOR, ".jp-OutputArea")
        return "\n".join(area.text for area in areas)

    def replace_last_line(self, index, lines):
        """Type into cell ``index``'s editor: its last line (after the indentation) becomes ``lines``.

        The editor keeps the indentation on Enter, so each typed line starts where the last
        line started.
        """
        editor = self.cell(index).find_element(By.CSS_SELECTOR, ".cm-content")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", editor)
        editor.click()
        editor.send_keys(Keys.CONTROL, Keys.END)
        editor.send_keys(Keys.SHIFT, Keys.HOME)
        editor.send_keys(Keys.ENTER.join(lines))
        editor.send_keys(Keys.ESCAPE)

    def toolbar_button(self, label):
        """The open notebook's toolbar button showing ``label``."""
        return self.find(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar .jp-Toolbar-item "
                         "jp-button, .jp-NotebookPanel:not(.lm-mod-hidden) .jp-NotebookPanel-toolbar "
                         ".jp-Toolbar-item button", text=label)

    def dialog(self, title, timeout=120):
        """The dialog titled ``title`` once it shows: ``(element, body text)``."""
        dialog = self.find(".jp-Dialog-content", timeout=timeout, text=title)
        body = dialog.find_element(By.CSS_SELECTOR, ".jp-Dialog-body")
        return dialog, body.get_attribute("textContent")  # all of it, also what is scrolled out of view

    def close_dialog(self, dialog):
        """Press the dialog's first button (OK)."""
        dialog.find_element(By.CSS_SELECTOR, ".jp-Dialog-footer button").click()
