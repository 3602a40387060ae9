"""A changed `storage` with the site's data in the old one, natively and for real: `up`
refuses in one line and changes nothing; `up --fresh` starts an empty site in the new
storage and leaves the old data alone (the decisions: tests/unit/commands/test_up_storage.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.plone_project import (
    PlonedevProject,
    make_project,
    set_storage,
    site_call,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Iterator[PlonedevProject]:
    project = make_project(tmp_path, 'runtime = "native"', with_demo=False)
    yield project
    project.run("down", check=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_changed_storage_is_refused_until_up_fresh_which_keeps_the_old_data(
    project: PlonedevProject,
) -> None:
    project.run("up")
    site_call(project, "POST", "", {"@type": "Document", "id": "doc", "title": "Mine"})
    project.run("down")
    data_fs = project.root / "var" / "filestorage" / "Data.fs"
    kept = _digest(data_fs)

    set_storage(project, "zeo")
    refused = project.run("up", check=False)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.strip() == (
        'Error: the site\'s data is in filestorage (var/filestorage) but storage = "zeo" '
        '— set storage = "filestorage" back, or run `plonedev up --fresh` to start an empty '
        "site in zeo (the filestorage data stays in var/)"
    )
    assert "Traceback" not in refused.stdout + refused.stderr
    assert not (project.root / "var" / "zeo").exists()  # nothing started
    assert _digest(data_fs) == kept

    fresh = project.run("up", "--fresh")
    assert "site created" in fresh.stdout
    status, _ = project.request("GET", f"{project.backend}/Plone/++api++/doc", auth=True)
    assert status == 404  # an empty site, in ZEO
    assert (project.root / "var" / "zeo" / "Data.fs").is_file()
    assert (project.root / "var" / "storage").read_text() == "zeo\n"
    project.run("down")
    assert _digest(data_fs) == kept  # the FileStorage's site stays, untouched

    set_storage(project, "filestorage")
    back = project.run("up", check=False)
    assert back.returncode == 2, back.stdout + back.stderr
    assert back.stderr.strip().startswith(
        'Error: the site\'s data is in zeo (var/zeo) but storage = "filestorage" '
        '— set storage = "zeo" back, or run `plonedev up --fresh` to use the site already '
        "in filestorage"
    )
