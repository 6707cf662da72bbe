"""Everything a fixture launched for the browser tests, stopped together and proved gone."""

from pathlib import Path

import pytest

from browser_chromium import Chromium
from browser_lab_server import LabServer


#: Set on a test's item when its call failed (by the browser tests' conftest).
FAILED = pytest.StashKey[bool]()


def failed(request):
    """Whether the test of ``request`` failed (its call, not its set-up)."""
    return request.node.stash.get(FAILED, False)


class Launched:
    """The browsers and JupyterLab servers one fixture started.

    Parameters
    ----------
    workdir : Path
        Folder for their profiles, homes and logs.
    """

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.browsers = []
        self.servers = []

    def chromium(self, offline=False):
        """Start a headless Chromium (see :class:`Chromium`); return its WebDriver."""
        browser = Chromium(self.workdir / f"chromium-{len(self.browsers)}", offline=offline)
        self.browsers.append(browser)
        return browser.start()

    def lab_server(self, root, cwd=None, config_dirs=()):
        """Start JupyterLab on ``root`` (see :class:`LabServer`); return the server once it answers."""
        server = LabServer(root, self.workdir / f"lab-{len(self.servers)}", cwd=cwd, config_dirs=config_dirs)
        self.servers.append(server)
        return server.start()

    def last_screenshots(self, screenshots):
        """A screenshot of every browser, named "failure" (a crashed browser takes none)."""
        for browser in self.browsers:
            try:
                print(f"last screenshot: {screenshots.take(browser.driver, 'failure')}")
            except Exception as error:  # its processes are still ended by stop()
                print(f"no last screenshot: {error}")

    def stop(self):
        """Stop the browsers, then the servers; return what outlived them (empty if nothing)."""
        return [problem for thing in [*self.browsers, *self.servers] for problem in thing.stop()]

    def close(self):
        """:meth:`stop`, and fail the test if a process outlived it."""
        problems = self.stop()
        if problems:
            pytest.fail("processes outlived their test:\n" + "\n".join(problems))
