"""Numbered screenshots of a browser test's steps, in ``build/screenshots/<test>/``."""

import re
import shutil
from pathlib import Path

SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "build" / "screenshots"


class Screenshots:
    """A test's screenshot folder (emptied when the test starts).

    Parameters
    ----------
    test_name : str
        The pytest node name; the folder is named after it.
    """

    def __init__(self, test_name):
        self.folder = SCREENSHOTS_DIR / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.taken = []

    def take(self, driver, name):
        """Save the browser window as ``NN-<name>.png``; return its path."""
        slug = re.sub(r"[^\w.-]+", "-", name)
        path = self.folder / f"{len(self.taken) + 1:02d}-{slug}.png"
        if not driver.save_screenshot(str(path)):
            raise RuntimeError(f"the browser could not take the screenshot {path}")
        self.taken.append(path)
        return path
