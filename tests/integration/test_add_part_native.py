"""`plonedev add` against a real Plone, natively: each new piece is usable at once.

One project runs for the module with acme.hello created in it; each test adds one piece
as a developer would and asks the site for it over HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.integration.plone_project import PlonedevProject, make_native_init_project

pytestmark = pytest.mark.slow

ADDON = "acme.hello"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    project = make_native_init_project(tmp_path_factory.mktemp("parts"))
    project.run("up")
    project.run("create-addon", ADDON)
    yield project
    project.run("down", check=False)


def _add(project: PlonedevProject, kind: str, name: str) -> str:
    started = time.monotonic()
    done = project.run("add", ADDON, kind, name)
    print(f"\nadd {kind} {name}: {time.monotonic() - started:.1f} s until usable")
    return done.stdout


def _get(project: PlonedevProject, path: str) -> tuple[int, object]:
    status, body = project.request("GET", f"{project.backend}/Plone/{path}", auth=True)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def test_a_content_type_is_listed_in_types(project: PlonedevProject) -> None:
    assert "backend restarted" in _add(project, "content-type", "Task")
    status, types = _get(project, "@types")
    assert status == 200 and isinstance(types, list)
    assert "Task" in {item["title"] for item in types}
    status, _ = project.request(
        "POST", f"{project.backend}/Plone", {"@type": "Task", "title": "First"}, auth=True
    )
    assert status == 201


def test_a_type_the_site_has_is_refused_and_nothing_written(project: PlonedevProject) -> None:
    package = project.root / "sources" / ADDON / "src" / "acme" / "hello"
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    done = project.run("add", ADDON, "content-type", "Document", check=False)
    assert done.returncode == 2
    assert "the site has a content type 'Document' already" in done.stdout + done.stderr
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file()} == before


def test_a_view_answers(project: PlonedevProject) -> None:
    _add(project, "view", "summary")
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@summary", auth=True, accept="text/html"
    )
    assert status == 200 and "summary of acme.hello" in body


def test_a_behavior_is_registered(project: PlonedevProject) -> None:
    _add(project, "behavior", "featured")
    status, data = _get(project, "@vocabularies/Behaviors?b_size=-1")
    assert status == 200 and isinstance(data, dict)
    assert "acme.hello.featured" in {item["token"] for item in data["items"]}


def test_an_upgrade_step_is_pending_for_the_addon(project: PlonedevProject) -> None:
    _add(project, "upgrade-step", "reindex")
    status, data = _get(project, f"@addons/{ADDON}")
    assert status == 200 and isinstance(data, dict)
    info = data["upgrade_info"]
    assert info["available"] and str(info["newVersion"]) == "1002"
    status, _ = project.request(
        "POST", f"{project.backend}/Plone/@addons/{ADDON}/upgrade", auth=True
    )
    assert status in (200, 204)


def test_a_controlpanel_is_listed_and_its_records_exist(project: PlonedevProject) -> None:
    _add(project, "controlpanel", "settings")
    status, panels = _get(project, "@controlpanels")
    assert status == 200 and isinstance(panels, list)
    assert any(item["@id"].endswith("/@controlpanels/settings") for item in panels)
    status, value = _get(project, "@registry/acme.hello.settings.enabled")
    assert (status, value) == (200, False)
    status, _ = project.request(
        "GET", f"{project.backend}/Plone/@@settings-controlpanel", auth=True, accept="text/html"
    )
    assert status == 200
