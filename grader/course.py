"""The instructor's course folder and its nbgrader configuration.

A course folder holds what nbgrader keeps per course: ``release/``, ``submitted/``,
``autograded/``, ``feedback/`` and the gradebook (SQLite ``gradebook.db`` unless a database
URL is given, e.g. ``postgresql://user@host/course``). The source notebooks are read in
place from the repository's ``assignments/`` folder.
"""

from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

COURSE_ID = "backprop"
#: The repository's nbgrader source notebooks (built from ``authoring/notebooks`` by ``python -m authoring.build``).
ASSIGNMENTS_DIR = Path(__file__).resolve().parents[1] / "assignments"


def curve_encryption_available():
    """Whether jupyter_client can encrypt its kernels' traffic: it has the
    ``KernelManager.transport_encryption`` setting (8.9 and later) and libzmq has CurveZMQ
    ("auto" is refused otherwise)."""
    import zmq
    from jupyter_client.manager import KernelManager
    return "transport_encryption" in KernelManager.class_trait_names() and bool(zmq.has("curve"))


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
    source : Path
        Folder of the nbgrader source assignments (one sub-folder each).
    """

    root: Path
    db_url: str | None = None
    source: Path = field(default=ASSIGNMENTS_DIR)

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.source = Path(self.source).resolve()

    @property
    def gradebook_url(self):
        """The gradebook's database URL."""
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    def assignment_ids(self):
        """Sorted ids of the source assignments (folders holding <id>/<id>.ipynb)."""
        return sorted(p.name for p in self.source.iterdir() if (p / f"{p.name}.ipynb").is_file())

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
        from .feedback import FEEDBACK_PREPROCESSORS, FEEDBACK_TEMPLATE
        cfg.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
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
        """Write ``nbgrader_config.py`` so nbgrader's own commands work in the course folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        lines = ["c = get_config()  # noqa", "# written by the course's grader: the same settings it uses"]
        lines += [f"c.{name} = {value!r}" for name, value in config_lines(self.config())]
        (self.root / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
