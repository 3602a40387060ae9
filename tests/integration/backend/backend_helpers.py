"""Helpers for the backend integration tests: ports, process groups, waiting."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from plonedev.backend.environment import InstallResult
from plonedev.constraints import bundled_constraints

_BUNDLED = bundled_constraints("6.2.2")
assert _BUNDLED is not None, "plonedev ships the 6.2.2 pin set"
CONSTRAINTS = _BUNDLED
PLONE_PYTHON = "3.11"  # the pin set was verified on 3.11
REQUIREMENTS = "Plone\nZEO\nRelStorage[postgresql]\nplone.reload\n"


@dataclass(frozen=True)
class PloneVenv:
    path: Path
    requirements: Path
    first_install: InstallResult


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Processes:
    """Starts each command in its own process group; kills every group it started."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(
        self, name: str, command: Sequence[str], env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **(env or {})},
            )
        self.running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
        """SIGINT (what Zope and runzeo shut down cleanly on), then SIGKILL."""
        try:
            os.killpg(proc.pid, signal.SIGINT)
            return proc.wait(timeout)
        except ProcessLookupError:
            return proc.wait()
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            if proc in self.running:
                self.running.remove(proc)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill_all(self) -> None:
        for proc in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.running.clear()


def wait_for_http(url: str, proc: subprocess.Popen[bytes], log: str, timeout: float = 120) -> float:
    """Seconds until `url` answers 200; fails early, with the log, if the process died."""
    started = time.monotonic()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}:\n{log[-3000:]}")
        try:
            with opener.open(url, timeout=2) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout}s:\n{log[-3000:]}")


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout}s")
