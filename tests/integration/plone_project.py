"""A real plonedev project in a temporary folder, driven through the `plonedev` CLI."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plonedev.postgres import find_programs
from plonedev.runtime.ports import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class PlonedevProject:
    root: Path
    ports: dict[str, int]

    def run(
        self, *args: str, check: bool = True, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "plonedev", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "COLUMNS": "200"},
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"plonedev {' '.join(args)} exited {done.returncode}\n"
                f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
        return done

    @property
    def password(self) -> str:
        return (self.root / "var" / "admin-password").read_text().strip()

    @property
    def backend(self) -> str:
        return f"http://127.0.0.1:{self.ports['backend']}"

    def site_title(self) -> str:
        status, body = self.request("GET", f"{self.backend}/Plone", auth=True)
        assert status == 200, body
        title: str = json.loads(body)["title"]
        return title

    def piped(self, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
        """`plonedev ARGS` with `stdin` piped in (no terminal), as in `echo ... | plonedev`."""
        return subprocess.run(
            [sys.executable, "-m", "plonedev", *args],
            cwd=self.root,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        auth: bool = False,
        accept: str = "application/json",
    ) -> tuple[int, str]:
        headers = {"Accept": accept}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            token = base64.b64encode(f"admin:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except urllib.error.URLError as exc:  # nothing listens: status 0, like a browser
            return 0, str(exc.reason)


BLOB = b"the file's bytes, kept in a blob\n" * 100  # a File's content: a blob


def site_call(
    project: PlonedevProject, method: str, path: str, body: dict[str, object] | None = None
) -> dict[str, Any]:
    """plone.restapi on the site Plone, as admin; the answer's JSON."""
    status, text = project.request(method, f"{project.backend}/Plone{path}", body, auth=True)
    assert status in (200, 201, 204), (method, path, status, text)
    return json.loads(text) if text else {}


def add_document_and_file(project: PlonedevProject) -> None:
    """The Document "doc" titled Before and the File "kept" holding BLOB."""
    site_call(project, "POST", "", {"@type": "Document", "id": "doc", "title": "Before"})
    file = {
        "data": base64.b64encode(BLOB).decode(),
        "encoding": "base64",
        "filename": "kept.txt",
        "content-type": "text/plain",
    }
    site_call(project, "POST", "", {"@type": "File", "id": "kept", "title": "Kept", "file": file})


@contextmanager
def storage_folder(storage: str, tmp: Path) -> Iterator[Path]:
    """A folder for a native project of `storage`: `tmp`, except for RelStorage under
    root: the cluster then runs as `postgres`, which must reach the project folder, and
    pytest's folders are private to root. Skips RelStorage without PostgreSQL."""
    if storage == "relstorage" and find_programs() is None:
        pytest.skip("PostgreSQL is not installed (scripts/provision.sh installs it)")
    if storage != "relstorage" or os.geteuid() != 0:
        yield tmp
        return
    base = Path(tempfile.mkdtemp(prefix="plonedev-rel-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def make_project(tmp: Path, section: str = "", *, with_demo: bool = True) -> PlonedevProject:
    """A copy of this repository's project (config, mx.ini, the demo add-on) on free ports."""
    root = tmp / "project"
    root.mkdir()
    ports = {name: free_port() for name in ("backend", "zeo", "postgres", "varnish")}
    port_lines = "\n".join(f"{name} = {port}" for name, port in ports.items())
    profiles = 'profiles = ["plonedev_demo:default"]\n' if with_demo else ""
    (root / "pyproject.toml").write_text(
        '[project]\nname = "itest"\nversion = "0"\n\n'
        f"[tool.plonedev]\n{profiles}{section}\n\n[tool.plonedev.ports]\n{port_lines}\n"
    )
    if with_demo:
        shutil.copy(REPO / "mx.ini", root / "mx.ini")
        shutil.copytree(
            REPO / "sources" / "plonedev-demo",
            root / "sources" / "plonedev-demo",
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    return PlonedevProject(root, ports)


def set_storage(project: PlonedevProject, storage: str) -> None:
    """`storage = STORAGE` in the project's [tool.plonedev], in place of any other."""
    pyproject = project.root / "pyproject.toml"
    lines = [
        line for line in pyproject.read_text().splitlines() if not line.startswith("storage = ")
    ]
    at = lines.index("[tool.plonedev]") + 1
    pyproject.write_text("\n".join([*lines[:at], f'storage = "{storage}"', *lines[at:]]) + "\n")


def make_native_init_project(tmp: Path, section: str = "") -> PlonedevProject:
    """A native project as `plonedev init` leaves it: an mx.ini with comments, an empty
    sources/ (no demo add-on); `section` adds to its [tool.plonedev]."""
    project = make_project(tmp, f'runtime = "native"\n{section}', with_demo=False)
    as_init_left_it(project)
    return project


def as_init_left_it(project: PlonedevProject) -> None:
    """An mx.ini with init's comments, an empty sources/ (no demo add-on)."""
    from plonedev.commands.init import MX_INI

    project.root.joinpath("mx.ini").write_text(MX_INI)
    project.root.joinpath("sources").mkdir()
    project.root.joinpath("sources", ".gitkeep").touch()
