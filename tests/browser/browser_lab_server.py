"""A JupyterLab server for one test: the main virtual environment's ``jupyter lab`` (with
nbgrader's lab and server extensions), on a free port, behind a token, with a home and Jupyter
folders of its own."""

import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from browser_processes import end_all, tree, wait_until

VENV_BIN = Path(sys.executable).parent
#: JupyterLab settings for a test: every cell in the page (not only the visible ones), and no
#: pop-up asking to fetch news or check for updates over the network.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_lab_settings(settings_dir, settings):
    """Write ``{plugin id: {setting: value}}`` as JupyterLab user settings into ``settings_dir``."""
    for plugin, values in settings.items():
        package, name = plugin.rsplit("/", 1)
        path = Path(settings_dir) / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


class LabServer:
    """``jupyter lab`` serving ``root`` until :meth:`stop`.

    Parameters
    ----------
    root : Path
        The folder the server shows (``ServerApp.root_dir``).
    workdir : Path
        Folder for the server's home, Jupyter config/data/runtime folders and log (created).
    cwd : Path, optional
        Working directory of the server (default ``root``); nbgrader's formgrader reads the
        ``nbgrader_config.py`` found there.
    config_dirs : sequence of Path
        Extra Jupyter configuration folders (``JUPYTER_CONFIG_PATH``).
    """

    def __init__(self, root, workdir, cwd=None, config_dirs=()):
        self.root = Path(root).resolve()
        self.workdir = Path(workdir).resolve()
        self.cwd = Path(cwd or root).resolve()
        self.config_dirs = [Path(d).resolve() for d in config_dirs]
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log = self.workdir / "jupyter-lab.log"
        self.process = None

    def environment(self):
        """The server's environment: this one without its Jupyter settings, isolated folders instead."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "IPYTHON"))}
        home = self.workdir / "home"
        folders = {"HOME": home, "JUPYTER_CONFIG_DIR": self.workdir / "config", "JUPYTER_DATA_DIR": self.workdir / "data",
                   "JUPYTER_RUNTIME_DIR": self.workdir / "runtime", "IPYTHONDIR": home / ".ipython",
                   "JUPYTERLAB_SETTINGS_DIR": self.workdir / "lab-settings",
                   "JUPYTERLAB_WORKSPACES_DIR": self.workdir / "lab-workspaces"}
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        env.update({key: str(folder) for key, folder in folders.items()})
        if self.config_dirs:
            env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(map(str, self.config_dirs))
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
        env["MPLBACKEND"] = "Agg"
        return env

    def command(self):
        """The ``jupyter lab`` command line."""
        return [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly"]

    def url(self, path=""):
        """The address of ``path`` on this server, token included."""
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{separator}token={self.token}"

    def get(self, path):
        """``(status, body)`` of a GET of ``path`` on the server (an HTTP error is a status too)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path.lstrip('/')}",
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def _answers(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with status {self.process.returncode}:\n{self.log_tail()}")
        try:
            return self.get("api/status")[0] == 200
        except OSError:
            return False

    def start(self, timeout=60):
        """Start the server and wait until its API answers; return self."""
        env = self.environment()
        write_lab_settings(env["JUPYTERLAB_SETTINGS_DIR"], LAB_SETTINGS)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(self._answers, timeout, f"jupyter lab on port {self.port}", interval=0.25)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.log_tail()}") from None
        return self

    def log_tail(self, lines=40):
        """The last ``lines`` lines of the server's log."""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self):
        """Shut the server down with its kernels; return what had to be killed (empty if nothing)."""
        if self.process is None:
            return []
        processes = tree(self.process.pid)  # the kernels sit in process groups of their own
        if self.process.poll() is None:
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {self.token}"})
            try:
                urllib.request.urlopen(request, timeout=10).close()
                self.process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                pass
        problems = end_all(processes, [self.process.pid], grace=10.0)
        return [f"jupyter lab: {problem}" for problem in problems]
