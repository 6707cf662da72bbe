"""The instructor's course folder and its nbgrader configuration.

A course folder holds what nbgrader keeps per course: ``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and the gradebook (SQLite ``gradebook.db``
unless a database URL is given, e.g. ``postgresql://user@host/course``).

``source/<id>/<id>.ipynb`` is the course's own copy of each master notebook: ``build`` fills
in the ones it lacks from the notebooks this package ships (:func:`packaged_notebooks`) and
never overwrites one, so an instructor may edit the copy. A course may also read its sources
from anywhere else (``Course(root, source=...)``, ``backprop-grader --source DIR``), e.g. an
author's checkout of ``assignments/``.
"""

import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

COURSE_ID = "backprop"
#: The repository's nbgrader source notebooks (built from ``authoring/notebooks`` by ``python -m authoring.build``).
ASSIGNMENTS_DIR = Path(__file__).resolve().parents[1] / "assignments"
#: Where an installed wheel puts the same notebooks, under an installation's data folder
#: (``pyproject.toml``'s data-files: ``<data>/share/backprop-course/assignments/<id>.ipynb``).
INSTALLED_NOTEBOOKS = Path("share", "backprop-course", "assignments")
#: nbgrader's collect step for this course, by import name (so that a course's configuration
#: does not import the exchange apps; tests/test_exchange.py checks that it names the class).
EXCHANGE_COLLECT = "grader.exchange.OwnerCheckedCollect"


def _data_folders():
    """The data folders an installation of this package may use: the running environment's
    (``sys.prefix``) and the user's (``pip install --user``)."""
    folders = [Path(sysconfig.get_path("data")), Path(sys.prefix)]
    user_scheme = sysconfig.get_preferred_scheme("user")
    folders.append(Path(sysconfig.get_path("data", user_scheme)))
    return list(dict.fromkeys(folders))


def packaged_notebooks():
    """The master notebooks this package ships, by assignment id.

    A checkout (or an editable install) reads ``assignments/<id>/<id>.ipynb`` beside the
    package; an installed wheel reads its data folder (:data:`INSTALLED_NOTEBOOKS`).

    Returns
    -------
    dict of str -> Path
        ``{"01_sigmoid_neurons": Path(".../01_sigmoid_neurons.ipynb"), ...}``; empty if neither
        place holds any.
    """
    if ASSIGNMENTS_DIR.is_dir():
        found = {p.name: p / f"{p.name}.ipynb" for p in ASSIGNMENTS_DIR.iterdir() if (p / f"{p.name}.ipynb").is_file()}
        if found:
            return dict(sorted(found.items()))
    for folder in _data_folders():
        installed = folder / INSTALLED_NOTEBOOKS
        if installed.is_dir():
            return {p.stem: p for p in sorted(installed.glob("*.ipynb"))}
    return {}


def curve_encryption_available():
    """Whether jupyter_client can encrypt its kernels' traffic: it has the
    ``KernelManager.transport_encryption`` setting (8.9 and later) and libzmq has CurveZMQ
    ("auto" is refused otherwise)."""
    import zmq
    from jupyter_client.manager import KernelManager
    return "transport_encryption" in KernelManager.class_trait_names() and bool(zmq.has("curve"))


#: The line of a course's ``nbgrader_config.py`` below which the instructor's own settings go.
OWN_SETTINGS = "# ---- your own settings: everything below this line is kept when the course writes this file ----"


def saved_exchange(root):
    """The exchange folder the course's ``nbgrader_config.py`` names, or None (no file, or no
    ``Exchange.root`` in it), so that ``--exchange`` need be given only once."""
    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        return None
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    return config.Exchange.root if "root" in config.Exchange else None


def config_lines(config, prefix=""):
    """``(dotted name, value)`` of every setting in ``config``, nested sections included
    (``GenerateFeedback.HTMLExporter.template_file``), as a config file assigns them."""
    for key, value in config.items():
        if isinstance(value, Config):
            yield from config_lines(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@dataclass
class Course:
    """Where a course lives and which gradebook it uses.

    Attributes
    ----------
    root : Path
        The course folder (created on demand).
    db_url : str or None
        SQLAlchemy URL of the gradebook; None means ``sqlite:///<root>/gradebook.db``.
    source : Path or None
        Folder of the nbgrader source assignments (one sub-folder each); None means the
        course's own ``<root>/source``.
    exchange : Path or None
        nbgrader's exchange folder (``Exchange.root``) for the JupyterHub flow
        (:mod:`grader.exchange`); None if the course does not use one.
    """

    root: Path
    db_url: str | None = None
    source: Path | None = None
    exchange: Path | None = None

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.source = Path(self.source).resolve() if self.source is not None else self.root / "source"
        self.exchange = Path(self.exchange).resolve() if self.exchange is not None else None

    @property
    def gradebook_url(self):
        """The gradebook's database URL."""
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    def assignment_ids(self):
        """Sorted ids of the source assignments (folders holding <id>/<id>.ipynb)."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if (p / f"{p.name}.ipynb").is_file())

    @property
    def has_own_sources(self):
        """Whether the masters are the course's own copy (``<root>/source``), which ``build``
        fills from the package, rather than a folder named with ``source=``, which is only read."""
        return self.source == self.root / "source"

    def buildable_ids(self):
        """Sorted ids of the assignments ``build`` can release: those of the source folder and,
        for a course with its own copy, every packaged one."""
        packaged = packaged_notebooks() if self.has_own_sources else {}
        return sorted(set(self.assignment_ids()) | set(packaged))

    def add_packaged_sources(self, assignments=None):
        """Copy the packaged master notebooks the course's source folder lacks.

        An assignment folder that exists is left as it is (the instructor's copy).

        Parameters
        ----------
        assignments : list of str, optional
            Only these (default: every packaged assignment).

        Returns
        -------
        added : list of str
            The assignments copied now.
        edited : list of str
            The assignments whose copy differs from the packaged notebook (edited in the
            course, or the package is newer).

        Raises
        ------
        KeyError
            An assignment asked for is neither in the source folder nor in the package, or
            not in a source folder that is not the course's own (which is never written).
        """
        if not self.has_own_sources:
            missing = [aid for aid in assignments or [] if not (self.source / aid / f"{aid}.ipynb").is_file()]
            if missing:
                raise KeyError(f"{', '.join(missing)}: no such assignment in {self.source} "
                               f"(expected <id>/<id>.ipynb there; it is only read, never filled from the package)")
            return [], []
        packaged = packaged_notebooks()
        wanted = list(packaged) if assignments is None else list(assignments)
        added, edited = [], []
        for aid in wanted:
            target = self.source / aid / f"{aid}.ipynb"
            if target.is_file():
                if aid in packaged and target.read_bytes() != packaged[aid].read_bytes():
                    edited.append(aid)
                continue
            if aid not in packaged:
                raise KeyError(f"{aid}: no such assignment in {self.source} or in the package "
                               f"(it ships {', '.join(packaged) or 'none'})")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(packaged[aid], target)
            added.append(aid)
        return added, edited

    def config(self, **overrides):
        """A traitlets Config for nbgrader's apps and converters, pointing at this course.

        Parameters
        ----------
        overrides : dict of section -> dict
            Extra settings, e.g. ``{"Execute": {"timeout": 10}}``.
        """
        cfg = Config()
        cfg.CourseDirectory.root = str(self.root)
        cfg.CourseDirectory.source_directory = str(self.source)
        cfg.CourseDirectory.course_id = COURSE_ID
        cfg.CourseDirectory.db_url = self.gradebook_url
        if self.exchange is not None:
            cfg.Exchange.root = str(self.exchange)
        # A submission owned by another account than the student it names is refused.
        cfg.ExchangeFactory.collect = EXCHANGE_COLLECT
        # nbgrader gives 0 to a cell with any stderr output, so a correct answer that merely
        # emits a warning would lose its points. Our tests fail by raising, never by printing:
        # drop every stderr stream before grading.
        cfg.IgnorePattern.enabled = True
        cfg.IgnorePattern.pattern = r"[\s\S]"
        # A deleted test cell comes back from the master copy (nbgrader's default leaves it out).
        cfg.OverwriteCells.add_missing_cells = True
        # The execution step: student code in a sandboxed process, tests in the grader's
        # (grader.trusted_execute), for nbgrader's own commands and the formgrader too.
        from .checker.limits import Limits
        from .trusted_execute import autograde_preprocessors, settings
        cfg.Autograde.autograde_preprocessors = autograde_preprocessors()
        for section, values in settings(Limits()).items():
            for key, value in values.items():
                cfg[section][key] = value
        # Kernels nbgrader itself starts (`nbgrader validate`, its own Execute): TCP encrypted
        # with CurveZMQ keys the kernel manager provisions, so ipykernel does not warn "Kernel is
        # running over TCP without encryption". (IPC, the warning's other advice, does not suit
        # nbclient: it names the sockets kernel-ipc-1…5 in the working directory, so two kernels
        # started there at once take each other's sockets.)
        if curve_encryption_available():
            cfg.KernelManager.transport_encryption = "auto"
        from .feedback import FEEDBACK_EXPORTER, FEEDBACK_PREPROCESSORS, FEEDBACK_TEMPLATE
        cfg.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
        cfg.GenerateFeedback.exporter_class = FEEDBACK_EXPORTER  # the math as MathML: shown offline
        cfg.GenerateFeedback.HTMLExporter.template_file = str(FEEDBACK_TEMPLATE)  # the summary names each test
        # A submission may carry hidden-test text in cells that are not test cells (a notebook
        # of another assignment): clear it there too instead of refusing the feedback.
        cfg.ClearHiddenTests.enforce_metadata = False
        for section, values in overrides.items():
            for key, value in values.items():
                cfg[section][key] = value
        return cfg

    def coursedir(self, **overrides):
        """nbgrader's CourseDirectory for this course."""
        self.root.mkdir(parents=True, exist_ok=True)
        return CourseDirectory(config=self.config(**overrides))

    def path(self, step, student, assignment):
        """``<root>/<step>/<student>/<assignment>`` (student ``"."`` for release and source)."""
        return self.root / step / student / assignment

    def write_config(self):
        """Write ``nbgrader_config.py`` so nbgrader's own commands work in the course folder.

        Everything below the line :data:`OWN_SETTINGS` is the instructor's and is kept when the
        file is written again (e.g. ``c.ExchangeCollect.check_owner = False``); it is read after
        the course's settings, so it overrides them for nbgrader's commands and the formgrader.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "nbgrader_config.py"
        own = ""
        if path.is_file():
            old = path.read_text(encoding="utf-8")
            own = old.split(OWN_SETTINGS + "\n", 1)[1] if OWN_SETTINGS + "\n" in old else ""
        lines = ["c = get_config()  # noqa", "# written by the course's grader: the same settings it uses"]
        lines += [f"c.{name} = {value!r}" for name, value in config_lines(self.config())]
        path.write_text("\n".join(lines) + "\n\n" + OWN_SETTINGS + "\n" + own, encoding="utf-8")
