"""A warm start for student processes: a sandboxed zygote that has imported numpy,
matplotlib and IPython once, and forks one isolated child per student process.

The zygote runs inside bubblewrap (no network, no gradebook, read-only system). Each child
then puts itself into namespaces of its own before it runs any student code:

* a user namespace (so that it may mount), and in it a mount namespace with fresh,
  private tmpfs mounts on ``/tmp``, the home folder, ``/dev/shm`` and ``/proc``; everything
  else is read-only (the zygote's sandbox remounts it so): nothing one student writes is
  visible to another, and no other process can be seen;
* a PID namespace whose first process is the student's: when it dies, every process the
  student started dies with it, and no process outside can be signalled;
* its own network and IPC namespaces;
* then it drops every capability and sets its memory limit (the grader may also put the
  whole zygote into a control group: :mod:`grader.checker.cgroups`).

The zygote itself is not dumpable, so a child cannot read or change its memory, and it
only ever receives "spawn" and "kill" requests: it never runs student code.

Control protocol on the zygote's socket (from the grader's worker)::

    b"S" with one file descriptor (SCM_RIGHTS)  ->  4-byte pid of the new child
    b"K" + 4-byte pid                           ->  the child and its namespace are killed

    python -m sandbox_runner.forkserver --control-fd N --memory-bytes M --home H --tmpfs-bytes T --shm-bytes S
"""

import argparse
import ctypes
import os
import resource
import signal
import socket
import struct
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_PID = struct.Struct("<i")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount_tmpfs(path, options):
    _check(_libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()), f"mount {path}")


def _fresh_tmp(options, keep, stash):
    """A new tmpfs on /tmp, with the read-only folders ``keep`` that lie below /tmp (a
    checkout or a virtual environment there) bound back into it; ``stash`` is an empty
    mount point used on the way."""
    if not keep:
        _mount_tmpfs("/tmp", options)
        return
    _check(_libc.mount(b"/tmp", stash.encode(), None, MS_BIND | MS_REC, None), "keep the old /tmp")
    _mount_tmpfs("/tmp", options)
    for path in keep:
        os.makedirs(path, exist_ok=True)
        old = os.path.join(stash, os.path.relpath(path, "/tmp")).encode()
        _check(_libc.mount(old, path.encode(), None, MS_BIND | MS_REC, None), f"bind {path}")  # keeps its read-only flag
    os.chmod("/tmp", 0o1777)
    _check(_libc.umount2(stash.encode(), MNT_DETACH), "drop the old /tmp")


def _drop_capabilities():
    """Empty the bounding, effective, permitted and inheritable capability sets."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: past the last
            break

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def isolate(settings):
    """Turn the calling (freshly forked) process into the first process of new namespaces.

    Returns in the new first process (PID 1 of its namespace); the process that called it
    waits for that one and exits with its status.

    Parameters
    ----------
    settings : argparse.Namespace
        home, tmpfs_bytes, shm_bytes, memory_bytes, keep (see :func:`main`).
    """
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
           "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")
    child = os.fork()  # the first process of the new PID namespace
    if child:
        _, status = os.waitpid(child, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    _fresh_tmp(f"size={settings.tmpfs_bytes},mode=1777", settings.keep, settings.home)
    _mount_tmpfs(settings.home, f"size={settings.tmpfs_bytes},mode=0755")
    _mount_tmpfs("/dev/shm", f"size={settings.shm_bytes},mode=1777")
    _mount_tmpfs("/proc", "size=1m,mode=0555")  # no other process is visible, not even the zygote
    _drop_capabilities()
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    resource.setrlimit(resource.RLIMIT_AS, (settings.memory_bytes, settings.memory_bytes))
    os.chdir(settings.home)
    os.environ.update(HOME=settings.home, MPLCONFIGDIR="/tmp/matplotlib")


def _preload():
    """Import what every notebook needs, once, before any fork."""
    import numpy  # noqa: F401
    import matplotlib
    matplotlib.use("module://matplotlib_inline.backend_inline")
    import matplotlib.pyplot  # noqa: F401
    from .runner import StudentPeer  # noqa: F401  (imports IPython)
    import backprop_kit.checks  # noqa: F401


def _child(fd, settings):
    try:
        isolate(settings)
        from .runner import StudentPeer
        StudentPeer(socket.socket(fileno=fd), settings.max_bytes).serve_forever()
    finally:
        os._exit(0)


def serve(control, settings):
    """Answer spawn and kill requests until the control socket closes."""
    children = set()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 4)
        except OSError:
            message, fds = b"", []
        if not message:
            break
        for pid in list(children):  # reap what has ended
            if os.waitpid(pid, os.WNOHANG)[0]:
                children.discard(pid)
        if message[:1] == b"S" and len(fds) == 1:
            pid = os.fork()
            if pid == 0:
                control.close()
                os.closerange(3, fds[0])
                os.closerange(fds[0] + 1, 65536)
                _child(fds[0], settings)
            os.close(fds[0])
            children.add(pid)
            control.sendall(_PID.pack(pid))
        elif message[:1] == b"K" and len(message) == 1 + _PID.size:
            (pid,) = _PID.unpack(message[1:])
            if pid in children:
                os.kill(pid, signal.SIGKILL)
            for fd in fds:
                os.close(fd)
        else:
            for fd in fds:
                os.close(fd)
    for pid in children:
        os.kill(pid, signal.SIGKILL)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fork isolated student processes from a warm zygote.")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--memory-bytes", type=int, required=True)
    parser.add_argument("--max-bytes", type=int, default=64 * 2**20)
    parser.add_argument("--home", required=True, help="the student's home folder (a mount point)")
    parser.add_argument("--tmpfs-bytes", type=int, required=True, help="size of each child's /tmp and home")
    parser.add_argument("--shm-bytes", type=int, required=True, help="size of each child's /dev/shm")
    parser.add_argument("--keep", action="append", default=[],
                        help="a read-only folder below /tmp that each child's fresh /tmp must show too")
    args = parser.parse_args(argv)
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    control = socket.socket(fileno=args.control_fd)
    _preload()
    control.sendall(b"R")  # ready
    serve(control, args)


if __name__ == "__main__":
    sys.exit(main())
