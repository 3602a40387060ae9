"""`plonedev watch` driven as a developer does: a subprocess, its output, saved files."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.integration.plone_project import PlonedevProject


class Watcher:
    """`plonedev watch` in a subprocess; its output lines, as they come."""

    def __init__(self, project: PlonedevProject, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "plonedev", *args],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "300"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = 120) -> str:
        """The next output line matching `pattern` (earlier lines are kept in `seen`)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.seen))

    def output_since(self, marker: str) -> str:
        index = max(i for i, line in enumerate(self.seen) if marker in line)
        return "\n".join(self.seen[index:])

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def save(path: Path, text: str) -> None:
    """Save the way many editors do: write a temporary file, rename it over the old one."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def next_second() -> None:
    # plone.reload compares whole-second modification times.
    time.sleep(1.05 - time.time() % 1)


def add_extra_view(package: Path) -> None:
    """A new module and the ZCML that registers it as @@demo-extra ("extra view"): what
    only a restart picks up."""
    browser = package / "browser"
    (browser / "extra.py").write_text(
        "from Products.Five.browser import BrowserView\n\n\n"
        "class ExtraView(BrowserView):\n"
        "    def __call__(self):\n"
        '        return "extra view"\n'
    )
    zcml = browser / "configure.zcml"
    save(
        zcml,
        zcml.read_text().replace(
            "</configure>",
            '  <browser:page name="demo-extra" for="*" class=".extra.ExtraView"\n'
            '      permission="zope2.View" />\n\n</configure>',
        ),
    )
