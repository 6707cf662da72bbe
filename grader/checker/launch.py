"""Starting the student's process: in a bubblewrap sandbox, forked from a warm zygote where
the machine allows it, else one fresh sandboxed Python per process (or, without
bubblewrap, an unsandboxed one with a warning).

Inside the sandbox: the system and the Python installation read-only, the student kit
(``backprop_kit``), ``datasets`` and the runner (``sandbox_runner``), a private empty home,
``/tmp`` and ``/dev/shm``. Not there: the network, the gradebook, the course folder, other
submissions, the source notebooks, the hidden tests, ``grader`` (oracles, checks),
``solutions``, and Jupyter's configuration folders. The only way out is the socket to the
checker, which carries data only.
"""

import importlib.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import weakref
from pathlib import Path

from sandbox_runner.wire import PeerClosed, PeerTimeout, WireError, _recv_exactly, recv_frame, send_frame

from .cgroups import confinement

STUDENT_PACKAGES = ["backprop_kit", "datasets", "sandbox_runner"]
#: Installed (not editable) copies of these would sit in site-packages, which the sandbox sees: they are masked.
HIDDEN_PACKAGES = ["grader", "solutions", "authoring", "sample_class"]
HOME = "/home/student"
TMPFS_BYTES = 512 * 2**20  # /tmp and the home folder, each
SHM_BYTES = 64 * 2**20
#: Processes (threads included) a sandbox may hold at once, and what a zygote needs besides a child.
MAX_PROCESSES = 256
ZYGOTE_BYTES = 2**30
_PID = struct.Struct("<i")


def sandbox_available():
    """True when bubblewrap can isolate the student's process on this machine (and util-linux's
    prlimit, which sets the memory cap of a fresh sandboxed process, is there)."""
    return shutil.which("bwrap") is not None and shutil.which("prlimit") is not None


def _package_dir(name):
    spec = importlib.util.find_spec(name)
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def student_env():
    """The environment of the student's process (nothing of the grader's is passed on)."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "MPLCONFIGDIR": "/tmp/matplotlib",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline", "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "NBGRADER_EXECUTION": "autograde", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}


def _prefixes():
    return sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})


def student_mounts():
    """The folders bound read-only into the sandbox besides the system: the Python
    installation and the student packages."""
    return _prefixes() + [_package_dir(package) for package in STUDENT_PACKAGES]


def bwrap_argv(private_mounts=True):
    """bubblewrap arguments of the student's sandbox (see the module docstring).

    Everything is read-only except ``/tmp``, the home folder and ``/dev/shm``, each a small
    tmpfs of this sandbox's own. With ``private_mounts=False`` (the fork server's zygote)
    only the zygote's ``/tmp`` is writable: every child mounts fresh ones of its own
    (:func:`sandbox_runner.forkserver.isolate`), so nothing one child writes is visible to
    the next.
    """
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", "65534", "--gid", "65534", "--clearenv",
            # the private /tmp first: later mounts may lie below /tmp (a checkout or venv there)
            "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    for path in ["/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"]:
        if Path(path).exists():
            argv += ["--ro-bind", path, path]
    mounted = _prefixes()
    for path in student_mounts():
        argv += ["--ro-bind", str(path), str(path)]
    for config in [Path("/etc/jupyter"), *(path / "etc" / "jupyter" for path in mounted)]:
        if config.is_dir():  # Jupyter and nbgrader settings (a gradebook URL with its password, say)
            argv += ["--tmpfs", str(config), "--remount-ro", str(config)]
    for package in HIDDEN_PACKAGES:  # an installed (not editable) copy would sit in site-packages
        spec = importlib.util.find_spec(package)
        if spec is not None:
            folder = _package_dir(package)
            if any(folder.is_relative_to(path) for path in mounted):
                argv += ["--tmpfs", str(folder), "--remount-ro", str(folder)]
    argv += ["--dir", HOME]
    if private_mounts:
        argv += ["--size", str(TMPFS_BYTES), "--tmpfs", HOME, "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm"]
    argv += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", HOME]
    for key, value in student_env().items():
        argv += ["--setenv", key, value]
    return argv


class StudentProcess:
    """A running student process: the checker's end of its socket, and a way to stop it."""

    def __init__(self, sock, kill):
        self.sock, self._kill = sock, kill

    def kill(self):
        """Stop the process (and every process it started) at once."""
        try:
            self._kill()
        except OSError:
            pass
        finally:
            self.sock.close()


class FreshProcessLauncher:
    """One new Python per student process, in the sandbox unless ``sandbox`` is False.

    Parameters
    ----------
    limits : Limits
    sandbox : bool
    """

    def __init__(self, limits, sandbox):
        self.limits, self.sandbox = limits, sandbox
        self.count = 0

    def argv(self, fd):
        command = ["prlimit", f"--as={self.limits.memory_bytes}", sys.executable, "-m", "sandbox_runner",
                   "--fd", str(fd), "--max-bytes", str(self.limits.payload_bytes)]
        return bwrap_argv() + command if self.sandbox else command

    def spawn(self):
        ours, theirs = socket.socketpair()
        self.count += 1
        group = confinement(f"student-{self.count}", self.limits.memory_bytes, MAX_PROCESSES)
        env = student_env() if not self.sandbox else {}
        if not self.sandbox:
            env["HOME"] = os.environ.get("HOME", "/tmp")
            env.pop("MPLCONFIGDIR")
        process = subprocess.Popen(self.argv(theirs.fileno()), pass_fds=[theirs.fileno()], env=env or None,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True, preexec_fn=group.enter if group else None)
        theirs.close()

        return StudentProcess(ours, lambda: _end(process, group))

    def close(self):
        pass


class ForkServerLauncher:
    """Student processes forked from a zygote in the sandbox (see :mod:`sandbox_runner.forkserver`).

    A zygote that has died (killed, out of memory) is replaced at the next spawn.
    """

    def __init__(self, limits):
        self.limits = limits
        self._start()

    def _start(self):
        limits = self.limits
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # one request per message
        argv = bwrap_argv(private_mounts=False) + [
            sys.executable, "-m", "sandbox_runner.forkserver", "--control-fd", str(theirs.fileno()),
            "--memory-bytes", str(limits.memory_bytes), "--max-bytes", str(limits.payload_bytes),
            "--home", HOME, "--tmpfs-bytes", str(TMPFS_BYTES), "--shm-bytes", str(SHM_BYTES)]
        for path in student_mounts():
            if path.is_relative_to("/tmp"):
                argv += ["--keep", str(path)]
        self.group = confinement("zygote", limits.memory_bytes + ZYGOTE_BYTES, MAX_PROCESSES)
        self.process = subprocess.Popen(argv, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=self.group.enter if self.group else None)
        theirs.close()
        self.control.settimeout(120)
        try:
            ready = self.control.recv(1)
        except OSError:
            ready = b""
        if ready != b"R":
            self.close()
            raise RuntimeError("the fork server did not start")
        self.control.settimeout(30)
        self._finalizer = weakref.finalize(self, _stop, self.process, self.control, self.group)

    def spawn(self):
        try:
            return self._spawn()
        except (OSError, RuntimeError):
            self.close()
            self._start()  # a dead zygote is replaced once; a second failure is the caller's
            return self._spawn()

    def _spawn(self):
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"S"], [theirs.fileno()])
            (pid,) = _PID.unpack(_recv_exactly(self.control, _PID.size, time.monotonic() + 30))
        except (OSError, PeerClosed, PeerTimeout) as error:
            ours.close()
            raise RuntimeError(f"the fork server does not answer: {error}") from None
        finally:
            theirs.close()

        def kill():
            try:
                self.control.sendall(b"K" + _PID.pack(pid))
            except OSError:
                pass  # the zygote is gone, and its children with it
        return StudentProcess(ours, kill)

    def close(self):
        self._finalizer.detach() if hasattr(self, "_finalizer") else None
        _stop(self.process, self.control, self.group)


def _stop(process, control, group=None):
    control.close()
    _end(process, group)


def _end(process, group):
    """Kill a sandbox's process group, reap it, and remove its control group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    if group:
        group.remove()


_LAUNCHERS = {}


def launcher_for(limits):
    """This process's launcher for ``limits``, made on first use and reused afterwards.

    With the sandbox: the fork server when it starts and a first child answers, else
    fresh sandboxed processes. Without bubblewrap (and ``limits.sandbox`` not True):
    fresh unsandboxed processes, with a warning.
    """
    if limits in _LAUNCHERS:
        return _LAUNCHERS[limits]
    sandbox = sandbox_available() if limits.sandbox is None else limits.sandbox
    if sandbox and not sandbox_available():
        raise RuntimeError("the sandbox needs bubblewrap (bwrap) and prlimit: apt-get install bubblewrap")
    launcher = None
    if sandbox:
        try:
            launcher = ForkServerLauncher(limits)
            probe_student(launcher)
        except (OSError, RuntimeError):
            if launcher is not None:
                launcher.close()
            launcher = None
            print("note: nested namespaces are not available here: every student process starts afresh "
                  "(slower, equally isolated)", file=sys.stderr)
    if launcher is None:
        if not sandbox:
            print("warning: bubblewrap is not used: student code runs without the sandbox", file=sys.stderr)
        launcher = FreshProcessLauncher(limits, sandbox)
    _LAUNCHERS[limits] = launcher
    return launcher


def probe_student(launcher):
    """Start one student process and check that it answers; raise RuntimeError if not."""
    process = launcher.spawn()
    try:
        send_frame(process.sock, {"op": "exec", "id": 1, "source": "1"})
        reply, _ = recv_frame(process.sock, 2**20, time.monotonic() + 60)
        if reply.get("ok") is not True:
            raise RuntimeError("the student process does not answer")
    except (PeerClosed, PeerTimeout, WireError, OSError) as error:
        raise RuntimeError(f"the student process does not answer: {error}") from None
    finally:
        process.kill()
