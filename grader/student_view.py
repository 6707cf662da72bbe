"""What students see of nbgrader in JupyterLab: their Validate button, and their Assignment List
where the course uses nbgrader's exchange, but not the instructor's Formgrader, Create
Assignment or Course List.

nbgrader's JupyterLab extension shows all of them to everyone; its installation guide switches
them off one by one with ``jupyter labextension disable`` and ``jupyter server extension
disable``, which is what :func:`set_up_students` does. (The lab plugins through the command
itself; the server extensions through the same call of jupyter_server's the command makes,
``ExtensionConfigManager.disable``, because the command silently refuses an extension that
another configuration folder enabled.) Without an exchange the Assignment List can only say
"Error fetching courses!", so it is switched off too.

It writes into a Jupyter configuration folder: the environment's (``<sys.prefix>/etc/jupyter``,
for the students' image or virtual environment on a JupyterHub) or any folder the students'
servers read (``JUPYTER_CONFIG_DIR``, or a system folder such as ``/etc/jupyter``). Choose one
the students cannot write: a student may undo anything in a folder of their own.
"""

import os
import subprocess
import sys
from pathlib import Path

from jupyter_server.extension.config import ExtensionConfigManager

from .course import COURSE_ID

#: nbgrader's lab plugins and server extensions that only an instructor uses.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
#: The Assignment List: its lab plugin and its server extension (they need the exchange).
EXCHANGE_PLUGINS = ("@jupyter/nbgrader:assignment-list",)
EXCHANGE_SERVER_EXTENSIONS = ("nbgrader.server_extensions.assignment_list",)


class SetupFailed(Exception):
    """A Jupyter command refused a change; the message holds its output."""


def _jupyter(args, env):
    """Run ``jupyter ARGS`` with this Python; raise :class:`SetupFailed` if it fails."""
    done = subprocess.run([sys.executable, "-m", "jupyter", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupFailed(f"jupyter {' '.join(args)} failed:\n{done.stdout}{done.stderr}".rstrip())


def student_config_text(exchange):
    """The students' ``nbgrader_config.py``: the course id, and the exchange folder if any."""
    lines = ["c = get_config()  # noqa", "# the students' side of the course, written by backprop-grader student-setup",
             f"c.CourseDirectory.course_id = {COURSE_ID!r}"]
    if exchange is not None:
        lines.append(f"c.Exchange.root = {str(exchange)!r}")
    return "\n".join(lines) + "\n"


def set_up_students(config_dir=None, exchange=None):
    """Switch off nbgrader's instructor pages for the students and point them at the course.

    Parameters
    ----------
    config_dir : Path, optional
        The Jupyter configuration folder the students' servers read. Default: this
        environment's, ``<sys.prefix>/etc/jupyter``.
    exchange : Path, optional
        nbgrader's exchange folder; without one the Assignment List is switched off as well.

    Returns
    -------
    list of str
        What was switched off and written, one line each.
    """
    env = dict(os.environ)
    exchange = Path(exchange).resolve() if exchange is not None else None
    if config_dir is None:
        config_dir = Path(sys.prefix) / "etc" / "jupyter"
        lab_level = ["--level=sys_prefix"]
    else:
        # A folder of one's own is what Jupyter calls the user level, with JUPYTER_CONFIG_DIR set to it.
        config_dir = Path(config_dir).resolve()
        env["JUPYTER_CONFIG_DIR"] = str(config_dir)
        lab_level = ["--level=user"]
    config_dir.mkdir(parents=True, exist_ok=True)
    server_config = ExtensionConfigManager(read_config_path=[str(config_dir)],
                                           write_config_dir=str(config_dir / "jupyter_server_config.d"))
    plugins, extensions = list(INSTRUCTOR_PLUGINS), list(INSTRUCTOR_SERVER_EXTENSIONS)
    if exchange is None:
        plugins += EXCHANGE_PLUGINS
        extensions += EXCHANGE_SERVER_EXTENSIONS
    done = []
    # Locked as well: since JupyterLab 4.1 a disabled plugin that is not locked can be switched
    # back on in JupyterLab's plugin manager.
    _jupyter(["labextension", "disable", *lab_level, *plugins], env)
    _jupyter(["labextension", "lock", *lab_level, *plugins], env)
    done += [f"lab plugin off and locked: {plugin}" for plugin in plugins]
    for extension in extensions:
        server_config.disable(extension)
        done.append(f"server extension off: {extension}")
    config_file = config_dir / "nbgrader_config.py"
    config_file.write_text(student_config_text(exchange), encoding="utf-8")
    done.append(f"wrote {config_file}" + (f" (exchange {exchange})" if exchange is not None else " (no exchange)"))
    return done
