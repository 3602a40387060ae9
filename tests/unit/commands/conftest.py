"""A project whose runtime, backend environment and site are the fakes of fakes.py."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from plonedev import registry
from plonedev.addons.environment import BackendEnvironment, DistInfo
from plonedev.commands.up import up
from plonedev.credentials import ensure_admin_password
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext, RunningProject
from plonedev.report import QuietReporter, Reporter
from plonedev.runtime.protocol import Runtime
from plonedev.runtimes.native import Native
from plonedev.runtimes.registry import RUNTIMES
from plonedev.sources import SourcesResult
from tests.conftest import write_pyproject
from tests.unit.commands.fakes import (
    FakeEnvironment,
    FakePlone,
    RecordingRuntime,
    generated_file,
    serve,
)

MX_INI = "[settings]\ndefault-target = sources\n"
# An add-on from the index, with an entry point; one in a local folder, without.
FOO = DistInfo(
    "collective.foo", True, "collective.foo", "1.2", autoinclude=True, import_name="collective.foo"
)
TODO = DistInfo("acme.todo", True, "acme.todo", "0.1", editable=True, import_name="acme_todo")


@dataclass
class FakeProject:
    root: Path
    runtime: RecordingRuntime
    environment: FakeEnvironment
    plone: FakePlone
    prepared: list[bool] = field(default_factory=list)  # `with_frontend` of each prepare

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.root)

    def configure(self, section: str = "") -> None:
        """pyproject.toml with `section` in [tool.plonedev], the backend on the fake site."""
        write_pyproject(
            self.root,
            f'runtime = "native"\n{section}\n[tool.plonedev.ports]\nbackend = {self.plone.port}\n',
        )

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = tomllib.loads(self.paths.pyproject.read_text())["tool"]["plonedev"]
        return config

    def generated(self) -> str:
        """The file the fake environment writes from the config (ZCML includes)."""
        return generated_file(self.paths).read_text()

    def local_addon(self) -> Path:
        """acme.todo's code in sources/, to add with --path."""
        self.environment.available = {"acme.todo": TODO}
        folder = self.root / "sources" / "acme.todo"
        folder.mkdir(parents=True)
        (folder / "pyproject.toml").write_text('[project]\nname = "acme.todo"\nversion = "0.1"\n')
        return folder

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the project but the lock and the run folder, by its path."""
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file() and not path.is_relative_to(self.paths.run)
        }


class FakeServices:
    """A runtime kind's services, environment and preparation from the fakes (mixed in
    before the real kind, whose other capabilities stay)."""

    def __init__(self, project: FakeProject) -> None:
        self.project = project

    def services(self, paths: ProjectPaths) -> Runtime:
        return self.project.runtime

    def environment(self, context: ProjectContext) -> BackendEnvironment:
        return self.project.environment

    def prepare(
        self, running: RunningProject, synced: SourcesResult, reporter: Reporter, frontend: bool
    ) -> str:
        self.project.prepared.append(frontend)
        return ensure_admin_password(running.context.paths.admin_password_file)


class FakeNative(FakeServices, Native):
    """The native runtime with the fakes' runtime, environment and preparation."""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProject]:
    monkeypatch.setenv(registry.STATE_DIR_VARIABLE, str(tmp_path / "machine"))
    root = tmp_path / "project"
    root.mkdir()
    (root / "mx.ini").write_text(MX_INI)
    project = FakeProject(root, RecordingRuntime(), FakeEnvironment(), FakePlone())
    monkeypatch.setitem(RUNTIMES, "native", FakeNative(project))
    served = serve(project.plone)
    project.configure()
    try:
        yield project
    finally:
        served.shutdown()
        served.server_close()


@pytest.fixture
def running(fake: FakeProject) -> FakeProject:
    """The project up, with its site; collective.foo installable from the index."""
    fake.environment.available = {"collective.foo": FOO}
    up(fake.root, QuietReporter())
    fake.plone.addon("collective.foo")
    fake.runtime.calls.clear()
    return fake
