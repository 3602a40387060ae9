"""A restart starts the next process once the old one let go of its port and its lock
files, not once it has exited: Zope's interpreter teardown takes seconds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from plonedev.model import PortBinding, Project, Service, TcpCheck
from plonedev.paths import ProjectPaths
from plonedev.runtime import processes
from plonedev.runtime.native import NativeRuntime
from plonedev.runtime.ports import free_port
from plonedev.runtime.release import lock_is_free, released

# Like Zope on SIGINT: lets go of its lock and its socket at once, then takes a while
# to exit.
SLOW_EXIT = textwrap.dedent(
    """
    import fcntl, signal, socket, sys, time
    lock = open(sys.argv[2], "a")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    def stop(*_):
        lock.close()
        server.close()
        time.sleep(float(sys.argv[3]))
        sys.exit(0)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            server.accept()[0].close()
        except OSError:
            time.sleep(0.01)
    """
)


def _service(tmp_path: Path, port: int, exit_seconds: float) -> Service:
    lock = tmp_path / "Data.fs.lock"
    return Service(
        name="backend",
        description="slow to exit",
        command=(sys.executable, "-c", SLOW_EXIT, str(port), str(lock), str(exit_seconds)),
        cwd=tmp_path,
        ports=(PortBinding("backend", "127.0.0.1", port),),
        health=TcpCheck("127.0.0.1", port),
        stop_signal="SIGINT",
        stop_timeout=10,
        locks=(lock,),
    )


def test_a_lock_held_by_another_process_is_not_free(tmp_path: Path) -> None:
    lock = tmp_path / "Data.fs.lock"
    assert lock_is_free(lock)  # no file yet
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import fcntl, time; f = open({str(lock)!r}, 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert not lock_is_free(lock)
    finally:
        holder.kill()
        holder.wait()
    assert lock_is_free(lock)


def test_a_restart_does_not_wait_for_the_old_process_to_exit(tmp_path: Path) -> None:
    port = free_port()
    service = _service(tmp_path, port, exit_seconds=3)
    project = Project("p", tmp_path, (service,))
    runtime = NativeRuntime(ProjectPaths(tmp_path))
    runtime.up(project, lambda e: None)
    try:
        old = runtime.state.read()["backend"].handle
        assert not released(service)  # its port and its lock are held
        started = time.monotonic()
        runtime.restart(project, ("backend",), lambda e: None)
        took = time.monotonic() - started
        new = runtime.state.read()["backend"].handle
        assert new.pid != old.pid and new.is_alive()
        assert took < 2.5, f"the restart waited for the old process's exit ({took:.1f} s)"
        assert not old.is_alive()  # the rest of its exit was cut short
    finally:
        runtime.down(project, lambda e: None)


def test_a_plain_stop_waits_for_the_exit(tmp_path: Path) -> None:
    port = free_port()
    runtime = NativeRuntime(ProjectPaths(tmp_path))
    project = Project("p", tmp_path, (_service(tmp_path, port, exit_seconds=1),))
    runtime.up(project, lambda e: None)
    handle = runtime.state.read()["backend"].handle
    runtime.down(project, lambda e: None)
    assert not handle.is_alive()


def test_without_a_release_check_stop_returns_once_the_group_is_gone(tmp_path: Path) -> None:
    log = tmp_path / "log"
    handle, process = processes.spawn(
        (sys.executable, "-c", "import time; time.sleep(30)"), cwd=tmp_path, env={}, log_file=log
    )
    assert processes.stop(handle, "SIGTERM", 5)
    assert not handle.is_alive()
    process.wait()
