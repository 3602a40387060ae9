"""`up` with the storage setting changed while the site's data is in the old storage:
refused before anything changes, unless --fresh (plonedev.backend.site_storage; the real
thing: tests/integration/test_up_storage_change.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plonedev.backend import site_storage
from plonedev.cli.app import app
from plonedev.commands.up import up
from plonedev.config import Storage
from plonedev.errors import PlonedevError
from plonedev.report import QuietReporter
from tests.unit.commands.conftest import FakeProject

CREATE = ("POST", "/@sites")
TO_ZEO = (
    'Error: the site\'s data is in filestorage (var/filestorage) but storage = "zeo" '
    '— set storage = "filestorage" back, or run `plonedev up --fresh` to start an empty '
    "site in zeo (the filestorage data stays in var/)"
)


def _site_in(fake: FakeProject, storage: Storage) -> None:
    """What the real storage leaves in var/ (the fakes start no database)."""
    data = site_storage.data_path(fake.paths, storage)
    if storage is Storage.RELSTORAGE:
        data.mkdir(parents=True)
    else:
        data.parent.mkdir(parents=True, exist_ok=True)
        data.write_bytes(b"FS21 " + storage.value.encode())


def _up_cli(fake: FakeProject, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(fake.root)
    done = CliRunner().invoke(app, ["up", *args])
    assert "Traceback" not in done.output
    return done.exit_code, done.stderr.strip()


def test_the_first_up_records_the_storage_that_holds_the_site(fake: FakeProject) -> None:
    up(fake.root, QuietReporter())
    assert site_storage.record_path(fake.paths).read_text() == "filestorage\n"


def test_a_changed_storage_is_refused_in_one_line_before_anything_starts_or_changes(
    fake: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    up(fake.root, QuietReporter())
    _site_in(fake, Storage.FILESTORAGE)
    fake.runtime.calls.clear()
    fake.plone.requests.clear()
    fake.configure('storage = "zeo"\n')
    before = fake.snapshot()
    code, stderr = _up_cli(fake, monkeypatch)
    assert (code, stderr) == (2, TO_ZEO)
    assert fake.runtime.calls == [] and fake.plone.requests == []
    assert fake.prepared == [False]  # only the first up's
    assert fake.snapshot() == before


def test_up_fresh_starts_an_empty_site_in_the_new_storage_and_keeps_the_old_data(
    fake: FakeProject,
) -> None:
    up(fake.root, QuietReporter())
    _site_in(fake, Storage.FILESTORAGE)
    old = fake.paths.filestorage.read_bytes()
    fake.configure('storage = "zeo"\n')
    fake.plone.site = False  # the new storage is empty
    result = up(fake.root, QuietReporter(), fresh=True)
    assert result.site_created is True and fake.runtime.alive == {"zeo", "backend"}
    assert site_storage.record_path(fake.paths).read_text() == "zeo\n"
    assert fake.paths.filestorage.read_bytes() == old
    # From now on the site is in ZEO: a plain up runs, and going back is refused.
    _site_in(fake, Storage.ZEO)
    up(fake.root, QuietReporter())
    fake.configure()
    with pytest.raises(
        PlonedevError, match=r"data is in zeo \(var/zeo\) but storage = \"filestorage\""
    ):
        up(fake.root, QuietReporter())


def test_going_back_to_a_storage_that_has_an_older_site_says_fresh_uses_it(
    fake: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    _site_in(fake, Storage.FILESTORAGE)
    _site_in(fake, Storage.RELSTORAGE)
    site_storage.record(fake.paths, Storage.RELSTORAGE)
    code, stderr = _up_cli(fake, monkeypatch)
    assert code == 2
    assert stderr == (
        'Error: the site\'s data is in relstorage (var/postgres) but storage = "filestorage" '
        '— set storage = "relstorage" back, or run `plonedev up --fresh` to use the site '
        "already in filestorage (the relstorage data stays in var/)"
    )
    code, _ = _up_cli(fake, monkeypatch, "--fresh")
    assert code == 0
    assert site_storage.record_path(fake.paths).read_text() == "filestorage\n"
    assert (fake.paths.postgres_data).is_dir()  # never deleted


def test_without_a_record_the_storage_is_inferred_from_the_data_in_var(
    fake: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    _site_in(fake, Storage.ZEO)  # a project from before the record
    code, stderr = _up_cli(fake, monkeypatch)
    assert code == 2
    assert 'the site\'s data is in zeo (var/zeo) but storage = "filestorage"' in stderr
    fake.configure('storage = "zeo"\n')
    up(fake.root, QuietReporter())
    assert site_storage.record_path(fake.paths).read_text() == "zeo\n"


def test_a_record_whose_data_is_gone_holds_nothing(fake: FakeProject) -> None:
    """`down --volumes` deleted the data: any storage starts, as on a new project."""
    site_storage.record(fake.paths, Storage.FILESTORAGE)
    fake.configure('storage = "relstorage"\n')
    assert site_storage.holding(fake.paths) == ()
    up(fake.root, QuietReporter())
    assert site_storage.record_path(fake.paths).read_text() == "relstorage\n"
