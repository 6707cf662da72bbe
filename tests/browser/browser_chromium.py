"""Headless Chromium driven by selenium, with Debian's browser and driver only.

Selenium is given both paths (``/usr/bin/chromium``, ``/usr/bin/chromedriver``), so it never
runs Selenium Manager, and ``SE_OFFLINE`` forbids downloads should it try. The flags keep
Chromium from calling home: on a closed network its background connections are refused and
slow every page down.
"""

import importlib.util
import os
import tempfile
from pathlib import Path

from browser_processes import end_all, tree

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1400, 1000)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}"]
#: With these, no host name resolves and every http(s) request fails: pages must work offline.
OFFLINE_FLAGS = ["--host-resolver-rules=MAP * ~NOTFOUND"]
#: How a test says it was skipped for want of a browser (the summary counts these).
SKIP_MESSAGE = "BROWSER TESTS SKIPPED"
HOW_TO_INSTALL = "run `make` as root, or `apt-get install chromium chromium-driver` and `pip install -e '.[browser]'`"


def why_unavailable():
    """Why no browser test can run here (None when Chromium, its driver and selenium are present)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package")
    return f"missing {' and '.join(missing)} ({HOW_TO_INSTALL})" if missing else None


def skip_module_without_selenium():
    """Skip the calling test module (loudly, see :data:`SKIP_MESSAGE`) when selenium is not installed."""
    import pytest
    if importlib.util.find_spec("selenium") is None:
        pytest.skip(f"{SKIP_MESSAGE}: {why_unavailable()}", allow_module_level=True)


class Chromium:
    """One headless Chromium with a fresh profile, and the chromedriver that drives it.

    Parameters
    ----------
    workdir : Path
        Folder for the profile and chromedriver's log (created).
    offline : bool
        Block the network: no host name resolves and http(s) requests are refused (CDP),
        so a page can only use what it carries or what ``file://`` reaches.
    """

    def __init__(self, workdir, offline=False):
        self.workdir = Path(workdir)
        self.offline = offline
        self.driver = None
        self._service = None

    def start(self):
        """Launch the browser; return the selenium WebDriver."""
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        os.environ["SE_OFFLINE"] = "true"
        self.workdir.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS + (OFFLINE_FLAGS if self.offline else []):
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='profile-', dir=self.workdir)}")
        self._service = Service(executable_path=str(CHROMEDRIVER), log_output=str(self.workdir / "chromedriver.log"),
                                popen_kw={"start_new_session": True})
        self.driver = webdriver.Chrome(service=self._service, options=options)
        self.driver.set_page_load_timeout(60)
        if self.offline:
            self.driver.execute_cdp_cmd("Network.enable", {})
            self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*",
                                                                           "wss://*"]})
        return self.driver

    def stop(self):
        """Quit the browser and its driver; return what had to be killed (empty if nothing)."""
        if self._service is None or self._service.process is None:
            return []
        pid = self._service.process.pid
        processes = tree(pid)
        try:
            self.driver.quit()
        except Exception as error:  # the browser may have crashed: its processes are ended below
            print(f"chromium: quit failed ({error}); ending its processes")
        problems = end_all(processes, [pid], grace=10.0)
        return [f"chromium: {problem}" for problem in problems]
