"""`up` with the docker runtime and the storage setting changed: the same rule as
natively (test_up_storage.py), decided from the project's named volumes as the engine
lists them (a fake engine here; the real thing: tests/integration/test_up_storage_compose.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from typer.testing import CliRunner

from plonedev.backend import site_storage
from plonedev.cli.app import app
from plonedev.commands.up import up
from plonedev.config import Storage
from plonedev.report import QuietReporter
from plonedev.runtime.docker_site_storage import compose_places
from plonedev.runtimes import docker
from plonedev.runtimes.docker import Docker
from plonedev.runtimes.registry import RUNTIMES
from tests.conftest import write_pyproject
from tests.unit.commands.conftest import FakeProject, FakeServices

TO_ZEO = (
    'Error: the site\'s data is in filestorage (the backend-data volume) but storage = "zeo" '
    '— set storage = "filestorage" back, or run `plonedev up --fresh` to start an empty '
    "site in zeo (the filestorage data stays in the backend-data volume)"
)


@dataclass
class FakeEngine:
    """The engine's volumes of the project "demo", by their names without the prefix."""

    names: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def volumes(self, project: str) -> list[str]:
        self.asked.append(project)
        return sorted(f"{project}_{name}" for name in self.names)


class FakeDocker(FakeServices, Docker):
    """The docker runtime with the fakes' services and preparation; its storage places
    are the real ones, read from the fake engine."""


@pytest.fixture
def engine(fake: FakeProject, monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    engine = FakeEngine()
    monkeypatch.setitem(RUNTIMES, "docker", FakeDocker(fake))
    monkeypatch.setattr(docker, "Engine", lambda: engine)
    _configure(fake)
    return engine


def _configure(fake: FakeProject, storage: Storage = Storage.FILESTORAGE) -> None:
    write_pyproject(
        fake.root,
        f'runtime = "docker"\nstorage = "{storage.value}"\n'
        f"[tool.plonedev.ports]\nbackend = {fake.plone.port}\n",
    )


def _up_cli(fake: FakeProject, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(fake.root)
    done = CliRunner().invoke(app, ["up", *args])
    assert "Traceback" not in done.output
    return done.exit_code, done.stderr.strip()


def test_a_changed_storage_is_refused_from_the_volumes_before_anything_starts(
    fake: FakeProject, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    up(fake.root, QuietReporter())
    assert site_storage.record_path(fake.paths).read_text() == "filestorage\n"
    engine.names = {"backend-data"}  # what the first up's containers made
    fake.runtime.calls.clear()
    fake.plone.requests.clear()
    _configure(fake, Storage.ZEO)
    before = fake.snapshot()
    code, stderr = _up_cli(fake, monkeypatch)
    assert (code, stderr) == (2, TO_ZEO)
    assert engine.asked[-1] == "demo"
    assert fake.runtime.calls == [] and fake.plone.requests == []
    assert fake.prepared == [False]  # only the first up's
    assert fake.snapshot() == before


def test_up_fresh_accepts_the_change_and_going_back_is_refused_in_turn(
    fake: FakeProject, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    up(fake.root, QuietReporter())
    engine.names = {"backend-data"}
    _configure(fake, Storage.ZEO)
    fake.plone.site = False  # the new storage is empty
    assert up(fake.root, QuietReporter(), fresh=True).site_created is True
    assert site_storage.record_path(fake.paths).read_text() == "zeo\n"
    engine.names.add("zeo-data")  # backend-data stays: FileStorage's site is in it
    up(fake.root, QuietReporter())
    _configure(fake)
    code, stderr = _up_cli(fake, monkeypatch)
    assert code == 2
    # backend-data is also ZEO's blob cache: whether it has a site is not known.
    assert stderr == (
        'Error: the site\'s data is in zeo (the zeo-data volume) but storage = "filestorage" '
        '— set storage = "zeo" back, or run `plonedev up --fresh` to use filestorage\'s '
        "older site or start an empty one (the zeo data stays in the zeo-data volume)"
    )
    assert _up_cli(fake, monkeypatch, "--fresh")[0] == 0
    assert site_storage.record_path(fake.paths).read_text() == "filestorage\n"
    places = compose_places("demo", engine.volumes("demo"))
    assert site_storage.holding(fake.paths, places) == (Storage.FILESTORAGE,)


def test_without_a_record_a_storage_with_a_volume_of_its_own_holds_the_site(
    fake: FakeProject, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project from before the record: backend-data is only the blob cache of the
    site in PostgreSQL."""
    engine.names = {"backend-data", "postgres-data"}
    code, stderr = _up_cli(fake, monkeypatch)
    assert code == 2
    assert stderr.startswith(
        "Error: the site's data is in relstorage (the postgres-data volume) but storage = "
        '"filestorage"'
    )
    engine.names = {"backend-data"}  # FileStorage alone: its volume holds the site
    assert _up_cli(fake, monkeypatch)[0] == 0


def test_volumes_removed_by_down_volumes_hold_nothing(
    fake: FakeProject, engine: FakeEngine
) -> None:
    site_storage.record(fake.paths, Storage.ZEO)
    _configure(fake, Storage.RELSTORAGE)
    up(fake.root, QuietReporter())  # no volumes: as a new project
    assert site_storage.record_path(fake.paths).read_text() == "relstorage\n"
