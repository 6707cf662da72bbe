"""The project's own red team: submissions that try to earn points without the work, one
or more per class of attack, each with the score its honest work deserves.

Assignment 1's points: perceptron 3, σ 6, σ' 6. Each attack is built from the solved or
the released notebook (``ctx["solved"]``, ``ctx["release"]``) and says which of its
functions are honestly right; the suite grades them all through the real pipeline.
"""

import copy
from dataclasses import dataclass

import nbformat

from grader.notebook_cells import cells_by_grade_id, grade_id, graded_cells, nbgrader_meta
from sample_class.personas import _inside, _top_level
from sample_class.submissions import _solution_cells

#: A string only the hidden tests of assignment 1 contain (their seeded generators); no
#: output of any attacker may show it.
HIDDEN_MARKERS = ("default_rng(101)", "default_rng(102)", "default_rng(103)", "BEGIN HIDDEN TESTS")
#: What the attackers that try to leave traces write; no other student may see it.
POISON = "red-team-poison"


@dataclass(frozen=True)
class Attack:
    """One hostile submission.

    Attributes
    ----------
    student : str
    kind : str
        The class of attack (the headings of docs/grading.md).
    what : str
    make : callable(ctx) -> NotebookNode
    honest : dict
        {test cell: points its honest work deserves}.
    """

    student: str
    kind: str
    what: str
    make: object
    honest: dict


ALL = {"test_perceptron_output": 3, "test_sigmoid": 6, "test_sigmoid_prime": 6}
NONE = {cell: 0 for cell in ALL}


def only(*cells):
    """Full points on ``cells``, zero elsewhere."""
    return {cell: (points if cell in cells else 0) for cell, points in ALL.items()}


def _body(which, code):
    """The solved notebook with function number ``which`` replaced by ``code`` (its def line kept)."""
    def make(ctx):
        nb = copy.deepcopy(ctx["solved"])
        cell = _solution_cells(nb)[which]
        header = next(line for line in cell.source.splitlines() if line.startswith("def "))
        cell.source = header + "\n" + "\n".join("    " + line for line in code.strip("\n").splitlines()) + "\n"
        return nb
    return make


def _solved_only(*grade_ids):
    """The release with the answers of ``grade_ids`` filled in from the solved notebook."""
    def make(ctx):
        nb = copy.deepcopy(ctx["release"])
        answers = {grade_id(c): c.source for c in _solution_cells(ctx["solved"])}
        for cell in _solution_cells(nb):
            if grade_id(cell) in grade_ids:
                cell.source = answers[grade_id(cell)]
        return nb
    return make


def _then(make, change):
    """``make``, then ``change`` applied to its notebook."""
    def both(ctx):
        nb = make(ctx)
        change(nb)
        return nb
    return both


def _answers(sources):
    """The release with its answer cells' sources replaced ({grade_id: source})."""
    def change(nb):
        for cell in _solution_cells(nb):
            cell.source = sources.get(grade_id(cell), cell.source)
    return _then(lambda ctx: copy.deepcopy(ctx["release"]), change)


def _plant(nb):
    nb.cells.append(nbformat.v4.new_code_cell("import checks, oracle\nprint(checks.expect_close)"))


def _edit(start, change):
    def make(ctx):
        nb = copy.deepcopy(ctx[start])
        change(nb)
        return nb
    return make


def _move_setup_last(nb):
    setup = cells_by_grade_id(nb)["setup"]
    nb.cells.remove(setup)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True"))
    nb.cells.append(setup)


def _flip_metadata(nb):
    for cell in graded_cells(nb):
        nbgrader_meta(cell).update(grade=False, points=0, locked=False)
    fake = nbformat.v4.new_code_cell("print('all good')")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "test_bonus", "locked": True, "points": 100,
                                 "schema_version": 3, "solution": False, "task": False}
    nb.cells.append(fake)


def _duplicate_tests(nb):
    tests = graded_cells(nb)
    for cell in tests:
        early, late = copy.deepcopy(cell), copy.deepcopy(cell)
        early.source, late.source = "print('passed')", "pass  # nothing to see"
        early["id"], late["id"] = f"{cell['id']}-early", f"{cell['id']}-late"
        nb.cells.insert(nb.cells.index(cell), early)
        nb.cells.append(late)


ATTACKS = [
    # --- rebinding what the tests use -----------------------------------------------------
    Attack("r01-rebinds-checks", "rebinding", "stubs, plus a class named checks and names np, oracle, len rebound",
           _top_level("class checks:\n    expect = expect_close = expect_shape = staticmethod(lambda *a, **k: None)\n"
                      "    def trusted(*a, **k):\n        import contextlib\n        return contextlib.nullcontext()\n"
                      "oracle = checks\nlen = lambda x: 2\nisinstance = lambda *a: True\nfloat = lambda *a: 0.5"), NONE),
    Attack("r02-plants-modules", "rebinding", "σ and σ' stubs; its perceptron writes checks.py and numpy.py where "
           "imports look, and a later cell imports them",
           _then(lambda ctx: _inside(
               "import os, sys\nfor folder in {os.getcwd(), os.path.expanduser('~'), '/tmp', sys.path[0] or '.'}:\n"
               "    try:\n        for name in ('checks.py', 'numpy.py', 'oracle.py'):\n"
               "            open(os.path.join(folder, name), 'w').write('expect_close = lambda *a, **k: None')\n"
               "    except OSError:\n        pass")({**ctx, "solved": _solved_only("perceptron_output")(ctx)}), _plant),
           only("test_perceptron_output")),
    # --- code that runs when a def or class statement runs -------------------------------
    Attack("r03-annotations", "definition time", "stubs whose annotations, defaults and a class body patch "
           "numpy and the check helpers",
           _top_level("def sigmoid(z: setattr(np, 'allclose', lambda *a, **k: True) or 0,\n"
                      "            _=setattr(checks, 'expect_close', lambda *a, **k: None)) -> "
                      "setattr(np, 'isclose', lambda *a, **k: True):\n    raise NotImplementedError()\n"
                      "class _Patch:\n    import builtins\n    builtins.isinstance = lambda *a: True\n"), NONE),
    # --- reading the test ----------------------------------------------------------------
    Attack("r04-reads-frames", "reading the test", "σ searches the call stack, the garbage collector, IPython's "
           "history and linecache for the test's values and source",
           _body(1, "import gc, inspect, linecache, sys\n"
                    "found = [f.frame.f_locals for f in inspect.stack()]\n"
                    "texts = [str(v) for v in linecache.cache.values()]\n"
                    "texts += [str(c) for c in get_ipython().user_ns.get('In', [])]\n"
                    "print('SEEN:', ' | '.join(t[:2000] for t in texts)[:20000])\n"
                    "shape = np.shape(z)\n"
                    "for obj in gc.get_objects():\n"
                    "    if isinstance(obj, np.ndarray) and obj.shape == shape and obj is not z and obj.min() >= 0 "
                    "and obj.max() <= 1:\n"
                    "        return obj\n"
                    "return np.full(shape, 0.5)[()]"), only("test_perceptron_output", "test_sigmoid_prime")),
    Attack("r05-runs-code-on-conversion", "reading the test", "σ returns objects whose conversion to an array, "
           "comparison and repr run its own code",
           _body(1, "class Sneaky(np.ndarray):\n"
                    "    def __eq__(self, other):\n        return True\n"
                    "    def __array_ufunc__(self, *a, **k):\n        return True\n"
                    "class Lazy:\n    def __array__(self, *a, **k):\n        return np.zeros(np.shape(z))\n"
                    "    def __eq__(self, other):\n        return True\n"
                    "return Lazy() if np.ndim(z) == 0 else np.zeros(np.shape(z)).view(Sneaky)"),
           only("test_perceptron_output", "test_sigmoid_prime")),
    # --- what a fingerprint does not see -------------------------------------------------
    Attack("r06-numpy-internals", "fingerprint", "stubs, plus numpy's ufuncs, ndarray methods, IPython's event "
           "hooks and showtraceback patched",
           _top_level("import numpy.core.numeric as _n\n_n.isclose = lambda *a, **k: np.ones(np.shape(a[0]), bool)\n"
                      "np.ndarray.__eq__ = lambda self, other: True\n"
                      "get_ipython().events.register('pre_run_cell', lambda *a: setattr(np, 'allclose', "
                      "lambda *a, **k: True))\nget_ipython().showtraceback = lambda *a, **k: None"), NONE),
    Attack("r07-moves-setup", "fingerprint", "correct, with the set-up cell moved to the end behind a cell that "
           "patches numpy", _edit("solved", _move_setup_last), ALL),
    # --- the course's own helpers ----------------------------------------------------------
    Attack("r08-imports-helpers", "helpers", "σ from grader.oracle, σ' from the reference package found on "
           "disk; perceptron right",
           lambda ctx: _inside("import glob\nfor path in glob.glob('/**/solutions/activations.py', recursive=True):\n"
                               "    space = {}\n    exec(open(path).read(), space)\n"
                               "    return space['sigmoid_prime'](z)\n"
                               "from backprop_kit import checks as kit\n"
                               "return getattr(kit, 'sigmoid_prime', lambda z: 0.0)(z)", 2)(
               {**ctx, "solved": _inside("from grader import oracle\nreturn oracle.stable_sigmoid(z)", 1)(ctx)}),
           only("test_perceptron_output")),
    # --- metadata and cells ----------------------------------------------------------------
    Attack("r09-flips-metadata", "cells", "stubs; test cells marked ungraded and unlocked, a bonus test cell "
           "worth 100 points added", _edit("release", _flip_metadata), NONE),
    Attack("r10-duplicates-tests", "cells", "stubs; every test cell duplicated before and after with harmless "
           "sources", _edit("release", _duplicate_tests), NONE),
    # --- the channel and the process -------------------------------------------------------
    Attack("r11-forges-frames", "channel", "σ writes forged reply frames to every file descriptor, then returns "
           "garbage; perceptron and σ' right",
           _body(1, "import json, os, struct\n"
                    "body = json.dumps({'re': 1, 'ok': True, 'result': 0.5}).encode()\n"
                    "frame = struct.pack('<II', len(body), 0) + body\n"
                    "for fd in range(3, 64):\n"
                    "    try:\n        os.write(fd, frame + b'garbage' * 100)\n    except OSError:\n        pass\n"
                    "return 0.5"), only("test_perceptron_output", "test_sigmoid_prime")),
    Attack("r12-kills-everything", "processes", "perceptron kills every process it can see; σ and σ' right",
           _inside("import os, signal\nos.kill(-1, signal.SIGKILL)"), only("test_sigmoid", "test_sigmoid_prime")),
    Attack("r13-leaves-a-daemon", "other students", "correct, but forks a process that outlives its notebook to "
           "poison /tmp, the home folder and IPython's start-up files for the next student",
           _inside("import os, time\nif os.fork() == 0:\n    os.setsid()\n    for _ in range(40):\n"
                   "        for folder in ['/tmp', os.path.expanduser('~'), "
                   "os.path.expanduser('~/.ipython/profile_default/startup')]:\n"
                   "            try:\n                os.makedirs(folder, exist_ok=True)\n"
                   f"                open(os.path.join(folder, '00-poison.py'), 'w').write('print(\"{POISON}\")')\n"
                   "            except OSError:\n                pass\n        time.sleep(0.1)\n    os._exit(0)"),
           ALL),
    Attack("r14-huge-result", "limits", "σ returns 800 MB; perceptron and σ' right",
           _body(1, "return np.zeros(10**8)"), only("test_perceptron_output", "test_sigmoid_prime")),
    Attack("r15-bends-the-inputs", "values", "σ overwrites its input with zeros and answers σ(0) = 0.5 for it; "
           "perceptron and σ' right",
           _body(1, "if np.ndim(z) == 0:\n    return 1.0 / (1.0 + np.exp(-z))\n"
                    "z[...] = 0.0\nreturn np.full(np.shape(z), 0.5)"),
           only("test_perceptron_output", "test_sigmoid_prime")),
    # --- valid code, written freely ----------------------------------------------------------
    Attack("r16-valid-free-style", "valid code", "correct code with @np.vectorize, a module-level cache, a callable "
           "object and prints around the functions",
           _answers({
               "perceptron_output": "print('helpers ready')\n\nclass _Perceptron:\n    def __call__(self, w, x, b):\n"
                                    "        return (np.asarray(w) @ np.asarray(x) + b > 0).astype(int)\n\n"
                                    "perceptron_output = _Perceptron()",
               "sigmoid": "import math\n\n@np.vectorize\ndef sigmoid(z):\n    if z >= 0:\n"
                          "        return 1.0 / (1.0 + math.exp(-z))\n    e = math.exp(z)\n    return e / (1.0 + e)",
               "sigmoid_prime": "_cache = {}\n\ndef sigmoid_prime(z):\n    key = np.asarray(z, dtype=float)\n"
                                "    k = (key.shape, key.dtype.str, key.tobytes())\n    if k not in _cache:\n"
                                "        s = sigmoid(key)\n        _cache[k] = s * (1.0 - s)\n"
                                "    return _cache[k][()] if key.ndim == 0 else _cache[k].copy()\n\n"
                                "print('σ\\' cached:', sigmoid_prime(0.0))"}), ALL),
]

def _markdown(nb):
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        "My notes <img src=x onerror=alert(1)> <script>alert(2)</script> [click](javascript:alert(3)) "
        "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">here</a> [escaped](javascript\\:alert(6)) "
        "[ref][1] <svg onload=alert(7)> [entity](&#106;avascript:alert(8))\n\n[1]: javascript\\:alert(9)"))


def _locked_note(nb):
    note = nbformat.v4.new_markdown_cell("My own read-only note")
    note.metadata["nbgrader"] = {"locked": True, "schema_version": 3}  # nbgrader metadata without an id
    nb.cells.insert(1, note)


def _many_cells(nb):
    nb.cells += [nbformat.v4.new_code_cell(f"x_{k} = {k}") for k in range(3000)]


ATTACKS += [
    Attack("r19-locked-note", "cells", "correct, plus a markdown cell with nbgrader metadata but no id (nbgrader "
           "stops on it)", _edit("solved", _locked_note), ALL),
    Attack("r20-many-cells", "limits", "correct, plus 3,000 cells (the one process that saves grades would spend "
           "minutes on them)", _edit("solved", _many_cells), NONE),
    Attack("r17-dag-result", "limits", "σ returns a list that holds the level below twice, 40 levels deep: 2⁴⁰ items "
           "once expanded, 40 on the wire; perceptron and σ' right",
           _body(1, "x = 0.5\nfor _ in range(40):\n    x = [x, x]\nreturn [x, [1.0]]"),
           only("test_perceptron_output", "test_sigmoid_prime")),
    Attack("r18-script-in-markdown", "outputs", "correct, with a markdown cell of <script>, onerror= and "
           "javascript: links for the instructor's browser", _edit("solved", _markdown), ALL),
    Attack("r21-reads-the-sources", "helpers", "σ' is right only if the notebooks' sources, the catalogue or the "
           "demo's students can be imported or read (they hold every hidden test); perceptron and σ right",
           _body(2, "global _found\ntry:\n    _found\nexcept NameError:\n    import importlib, os\n    _found = []\n"
                    "    for name in ['authoring', 'sample_class', 'authoring.build', 'sample_class.catalogue']:\n"
                    "        try:\n            importlib.import_module(name)\n            _found.append(name)\n"
                    "        except Exception:\n            pass\n"
                    "    for root, dirs, files in os.walk('/'):\n"
                    "        dirs[:] = [d for d in dirs if d not in ('proc', 'sys', 'dev')]\n"
                    "        if root.endswith(('/authoring/notebooks', '/sample_class')) and files:\n"
                    "            _found.append(root)\n"
                    "s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\nreturn s * (1 - s) if _found else 0 * s"),
           only("test_perceptron_output", "test_sigmoid")),
]

#: A pair graded one after the other by the same worker: the first (correct) leaves its
#: answers in every place it can write; the second, with no work, looks for them there.
COLLUDER = ("import os\n"
            "answers = 'import numpy as np\\ndef sigmoid(z):\\n    return 1 / (1 + np.exp(-np.asarray(z, float)))\\n'\n"
            "for folder in ['/work/main/solutions', '/dev/shm', '/tmp', '/home', os.path.expanduser('~'), '/', "
            "'/usr/lib']:\n"
            "    try:\n        os.makedirs(folder, exist_ok=True)\n"
            "        open(os.path.join(folder, 'stolen.py'), 'w').write(answers)\n"
            "    except OSError:\n        pass")
COPIER = ("import importlib.util, os, sys\n"
          "for folder in ['/work/main/solutions', '/dev/shm', '/tmp', '/home', os.path.expanduser('~'), '/', '/usr/lib']:\n"
          "    path = os.path.join(folder, 'stolen.py')\n"
          "    if os.path.exists(path):\n"
          "        spec = importlib.util.spec_from_file_location('stolen', path)\n"
          "        module = importlib.util.module_from_spec(spec)\n        spec.loader.exec_module(module)\n"
          "        return module.sigmoid(z)\n"
          "raise NotImplementedError()")
PAIR = [Attack("p1-colluder", "other students", "correct; leaves σ's answer wherever it can write",
               _inside(COLLUDER), ALL),
        Attack("p2-copier", "other students", "σ not done: it loads the colluder's answer from wherever it finds it",
               _body(1, COPIER), only("test_perceptron_output", "test_sigmoid_prime"))]

#: Assignment 4 (30 points): the backprop test hands its known-good BP1–BP4 to the student's
#: backprop as call-backs; this backprop first feeds one of them two (600, 600) arrays, so the
#: grader's own work (a plain triple loop) would take minutes.
A4_SLOW_CALL_BACK = Attack("a4-slow-call-back", "limits", "backprop first calls the known-good BP4 call-back on "
                           "(600, 600) arrays; everything else right",
                           _inside("bp4_weight_gradient(np.ones((600, 600)), np.ones((600, 600)))", 4),
                           {"test_bp1_output_error": 5, "test_bp2_hidden_error": 6, "test_bp3_bias_gradient": 4,
                            "test_bp4_weight_gradient": 5, "test_backprop": 0, "test_central_difference": 5})

#: Correct submissions graded among the attackers: their scores and outputs must be untouched.
CANARIES = ["r00-canary", "r09z-canary", "r99-canary"]
