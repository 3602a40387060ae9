"""The frontend image's launcher (start-prod.cjs): PID 1 that stops on a signal, after
serving DRAIN_SECONDS more, so a rolling update never finds a task gone while the
ingress still sends to it. Run with the host's Node on a stand-in build/server.js."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import urllib.request
from importlib import resources
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")

SERVER = """\
require('http').createServer((req, res) => res.end('ok')).listen(%d, '127.0.0.1',
  () => console.log('listening'));
"""


def _launch(tmp_path: Path, drain: str) -> tuple[subprocess.Popen[str], int]:
    launcher = resources.files("plonedev").joinpath(
        "templates", "frontend", "volto-dev", "start-prod.cjs"
    )
    (tmp_path / "start-prod.cjs").write_text(launcher.read_text(encoding="utf-8"))
    port = free_port()
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "server.js").write_text(SERVER % port)
    process = subprocess.Popen(
        ["node", str(tmp_path / "start-prod.cjs")],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "DRAIN_SECONDS": drain},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "listening"
    return process, port


def _answers(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
        return bool(response.read() == b"ok")


def test_it_serves_during_the_drain_then_exits_cleanly(tmp_path: Path) -> None:
    process, port = _launch(tmp_path, "1.5")
    try:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert _answers(port)  # still serving after the stop signal
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started >= 1.4
    finally:
        process.kill()


def test_without_a_drain_it_stops_at_once(tmp_path: Path) -> None:
    process, _ = _launch(tmp_path, "")
    try:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2
    finally:
        process.kill()
