"""snapshot and restore of a RelStorage project against stand-in PostgreSQL programs:
a database is a folder of $FAKE_PG, pg_dump and pg_restore copy its file. What the
commands decide, in which order, and that a failure leaves the live database as it was
(the real thing: tests/integration/test_snapshot_native.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plonedev.backend.snapshot import MANIFEST, snapshots_dir
from plonedev.backend.snapshot_postgres import DUMP
from plonedev.cli.app import app
from plonedev.commands.snapshot import restore, snapshot
from plonedev.commands.up import up
from plonedev.errors import PlonedevError
from plonedev.report import QuietReporter
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import FAKE_PSQL

# The backend venv's python, as snapshots ask it for the package versions.
VENV_PYTHON = """#!/bin/sh
echo '{"Products.CMFPlone": "6.2.2"}'
"""
# Each program gets "-h HOST -p PORT -U USER" first; "$FAKE_PG/log" records the calls.
FAKE_PROGRAMS = {
    "pg_isready": '[ ! -e "$FAKE_PG/down" ]',
    "pg_dump": 'cp "$FAKE_PG/plone/data" "${13}"',  # ... -Fc -Z 1 -d plone -f FILE
    "pg_restore": '[ -z "$RESTORE_FAILS" ] && cp "${13}" "$FAKE_PG/${12}/data"',
    "psql": 'sql="${14}"\n' + FAKE_PSQL,
    "postgres": "exit 1",
    "initdb": "exit 1",
}


@pytest.fixture
def pg(fake: FakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A RelStorage project up, whose plone database holds "version 1"."""
    bin_dir, databases = tmp_path / "bin", tmp_path / "pg"
    bin_dir.mkdir()
    (databases / "plone").mkdir(parents=True)
    for name, body in FAKE_PROGRAMS.items():
        script = f'#!/bin/sh\necho "{name} $*" >> "$FAKE_PG/log"\n{body}\n'
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PG", str(databases))
    fake.configure('storage = "relstorage"\n')
    up(fake.root, QuietReporter())
    fake.paths.venv_bin.mkdir(parents=True, exist_ok=True)
    (fake.paths.venv_bin / "python").write_text(VENV_PYTHON)
    (fake.paths.venv_bin / "python").chmod(0o755)
    fake.paths.postgres_data.mkdir(parents=True, exist_ok=True)
    (databases / "plone" / "data").write_text("version 1")
    fake.runtime.calls.clear()
    monkeypatch.chdir(fake.root)
    return databases


def _calls(databases: Path) -> list[str]:
    """The programs run, with their arguments after the connection's."""
    lines = (databases / "log").read_text().splitlines()
    return [" ".join(line.split()[:1] + line.split()[7:]) for line in lines]


def test_snapshot_dumps_the_database_while_the_site_runs(fake: FakeProject, pg: Path) -> None:
    manifest = snapshot(fake.root, "before").manifest
    folder = snapshots_dir(fake.paths) / "before"
    assert (folder / DUMP).read_text() == "version 1"
    written = json.loads((folder / MANIFEST).read_text())
    assert (written["storage"], written["plone"]) == ("relstorage", "6.2.2")
    assert written["sizes"] == {"data": 9} == manifest.sizes
    assert _calls(pg) == [
        "pg_isready -q -d postgres",
        f"pg_dump -Fc -Z 1 -d plone -f {snapshots_dir(fake.paths)}/.before.partial/{DUMP}",
    ]
    assert fake.runtime.calls == []
    assert "-p 5433 -U plone" in (pg / "log").read_text()  # the project's port and user


def test_restore_fills_a_new_database_swaps_it_in_and_restarts_the_backend(
    fake: FakeProject, pg: Path
) -> None:
    snapshot(fake.root, "before")
    (pg / "plone" / "data").write_text("version 2")
    (fake.paths.blobstorage / "0x01").mkdir(parents=True)  # the backend's blob cache
    (pg / "log").unlink()
    result = restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert (pg / "plone" / "data").read_text() == "version 1"
    assert sorted(p.name for p in pg.iterdir()) == ["log", "plone"]
    assert not fake.paths.blobstorage.exists()
    # PostgreSQL does the restore: only the backend stops (`up` names its dependency).
    assert fake.runtime.calls == ["stop backend", "up postgres backend"]
    assert result.restarted == ["backend"]
    calls = _calls(pg)
    assert calls[0] == "pg_isready -q -d postgres"
    assert calls[3].startswith("pg_restore -j ")
    assert "ALTER DATABASE plone RENAME TO plone_replaced" in calls[5]
    assert calls[-1].endswith("-c DROP DATABASE plone_replaced")


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [("RESTORE_FAILS", "pg_restore failed"), ("busy", "in use by another connection")],
)
def test_a_failed_restore_leaves_the_live_database_and_restarts_the_backend(
    fake: FakeProject, pg: Path, monkeypatch: pytest.MonkeyPatch, breaks: str, expected: str
) -> None:
    snapshot(fake.root, "before")
    (pg / "plone" / "data").write_text("version 2")
    if breaks == "busy":
        (pg / "busy").touch()
    else:
        monkeypatch.setenv(breaks, "1")
    with pytest.raises(PlonedevError, match=expected):
        restore(fake.root, "before", QuietReporter())
    assert (pg / "plone" / "data").read_text() == "version 2"
    assert not (pg / "plone_restoring").exists()
    assert fake.runtime.alive == {"postgres", "backend"}


def test_a_stopped_postgres_runs_for_the_snapshot_and_the_restore_only(
    fake: FakeProject, pg: Path
) -> None:
    fake.runtime.alive.clear()  # `plonedev down`
    snapshot(fake.root, "before")
    (pg / "plone" / "data").write_text("version 2")
    restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert (pg / "plone" / "data").read_text() == "version 1"
    # (`stop backend` stops nothing: the backend was not running.)
    assert fake.runtime.calls == [
        *("up postgres", "stop postgres"),
        *("stop backend", "up postgres", "stop postgres"),
    ]
    assert not fake.runtime.alive


def test_postgres_that_does_not_answer_is_one_line(fake: FakeProject, pg: Path) -> None:
    (pg / "down").touch()
    result = CliRunner().invoke(app, ["snapshot", "other"])
    assert result.exit_code == 2, result.output
    assert "PostgreSQL is not running on port 5433" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert fake.runtime.calls == []
    assert not (snapshots_dir(fake.paths) / "other").exists()


def test_a_snapshot_of_another_storage_or_without_its_dump_is_refused(
    fake: FakeProject, pg: Path
) -> None:
    snapshot(fake.root, "mine")
    (snapshots_dir(fake.paths) / "mine" / DUMP).unlink()
    with pytest.raises(PlonedevError, match=f"snapshot 'mine' has no {DUMP}"):
        restore(fake.root, "mine", QuietReporter())
    other = snapshots_dir(fake.paths) / "other"
    other.mkdir()
    manifest = json.loads((snapshots_dir(fake.paths) / "mine" / MANIFEST).read_text())
    (other / MANIFEST).write_text(json.dumps({**manifest, "name": "other", "storage": "zeo"}))
    with pytest.raises(PlonedevError, match="converting between storages is not done yet"):
        restore(fake.root, "other", QuietReporter())
    assert fake.runtime.calls == []
    assert (pg / "plone" / "data").read_text() == "version 1"


def test_no_database_yet_takes_no_snapshot_and_starts_nothing(fake: FakeProject, pg: Path) -> None:
    fake.runtime.alive.clear()
    fake.paths.postgres_data.rmdir()
    with pytest.raises(PlonedevError, match="no database to snapshot at"):
        snapshot(fake.root, "none")
    assert fake.runtime.calls == []
