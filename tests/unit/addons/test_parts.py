"""The pieces of `plonedev add`: rendered into a fresh add-on, registered, loadable XML
and Python; a piece that exists is refused before anything is written."""

from __future__ import annotations

import py_compile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from plonedev.addons.parts import Kind, PartPlan, part_name, plan_part
from plonedev.addons.scaffold import addon_name, render_addon
from plonedev.errors import PlonedevError

ADDON = "acme.hello"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    target = tmp_path / "sources" / ADDON
    render_addon(addon_name(ADDON), target)
    return target / "src" / "acme" / "hello"


def _apply(kind: Kind, name: str, package: Path) -> PartPlan:
    plan = plan_part(kind, part_name(kind, name), ADDON, package)
    for path, text in plan.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for path in plan.files:
        if path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)
        if path.suffix in (".xml", ".zcml"):
            ET.parse(path)  # a broken edit would not load in Zope either
    return plan


def _rel(plan: PartPlan, package: Path) -> set[str]:
    return {str(path.relative_to(package)) for path in plan.files}


def test_a_content_type_has_its_class_schema_fti_and_types_entry(package: Path) -> None:
    plan = _apply(Kind.CONTENT_TYPE, "TaskList", package)
    assert _rel(plan, package) == {
        "content/__init__.py",
        "content/task_list.py",
        "profiles/default/types/TaskList.xml",
        "profiles/default/types.xml",
    }
    fti = ET.parse(package / "profiles/default/types/TaskList.xml").getroot()
    props = {p.get("name"): p.text for p in fti.iter("property")}
    assert props["klass"] == "acme.hello.content.task_list.TaskList"
    assert props["schema"] == "acme.hello.content.task_list.ITaskList"
    types = ET.parse(package / "profiles/default/types.xml").getroot()
    assert [o.get("name") for o in types] == ["TaskList"]
    assert plan.profile_changed and plan.new_folders == (
        package / "content",
        package / "profiles/default/types",
    )


def test_a_second_content_type_is_appended_and_the_first_stays(package: Path) -> None:
    _apply(Kind.CONTENT_TYPE, "Task", package)
    _apply(Kind.CONTENT_TYPE, "Project", package)
    types = ET.parse(package / "profiles/default/types.xml").getroot()
    assert [o.get("name") for o in types] == ["Task", "Project"]


def test_a_view_is_registered_beside_the_existing_one(package: Path) -> None:
    before = (package / "browser/configure.zcml").read_text()
    plan = _apply(Kind.VIEW, "summary", package)
    assert _rel(plan, package) == {
        "browser/summary.py",
        "browser/templates/summary.pt",
        "browser/configure.zcml",
    }
    pages = ET.parse(package / "browser/configure.zcml").getroot()
    assert [p.get("name") for p in pages] == ["hello-hello", "summary"]
    assert (
        (package / "browser/configure.zcml").read_text().startswith(before.split("</configure>")[0])
    )


def test_a_behavior_gets_its_own_subpackage_included(package: Path) -> None:
    _apply(Kind.BEHAVIOR, "featured", package)
    zcml = (package / "behaviors/configure.zcml").read_text()
    assert 'name="acme.hello.featured"' in zcml and 'provides=".featured.IFeatured"' in zcml
    assert '<include package=".behaviors" />' in (package / "configure.zcml").read_text()
    assert (package / "behaviors/__init__.py").is_file()


def test_an_upgrade_step_raises_the_profile_version(package: Path) -> None:
    plan = _apply(Kind.UPGRADE_STEP, "reindex", package)
    assert plan.version == "1002"
    assert "<version>1002</version>" in (package / "profiles/default/metadata.xml").read_text()
    steps = ET.parse(package / "upgrades/configure.zcml").getroot()
    last = list(steps)[-1]
    assert (last.get("source"), last.get("destination")) == ("1001", "1002")
    assert last.get("handler") == ".v1002.reindex"
    assert "def reindex(context)" in (package / "upgrades/v1002.py").read_text()


def test_a_controlpanel_has_its_page_registry_records_and_configlet(package: Path) -> None:
    _apply(Kind.CONTROLPANEL, "settings", package)
    zcml = (package / "controlpanel/configure.zcml").read_text()
    assert 'name="settings-controlpanel"' in zcml
    records = ET.parse(package / "profiles/default/registry.xml").getroot()[0]
    assert records.get("prefix") == "acme.hello.settings"
    assert records.get("interface") == "acme.hello.controlpanel.settings.ISettingsSettings"
    configlet = ET.parse(package / "profiles/default/controlpanel.xml").getroot()[0]
    assert configlet.get("action_id") == "acme.hello.settings"


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (Kind.CONTENT_TYPE, "Task"),
        (Kind.VIEW, "summary"),
        (Kind.BEHAVIOR, "featured"),
        (Kind.CONTROLPANEL, "settings"),
    ],
)
def test_a_piece_that_exists_is_refused(package: Path, kind: Kind, name: str) -> None:
    _apply(kind, name, package)
    with pytest.raises(PlonedevError, match="already"):
        plan_part(kind, part_name(kind, name), ADDON, package)


def test_an_upgrade_handler_that_exists_is_refused(package: Path) -> None:
    _apply(Kind.UPGRADE_STEP, "reindex", package)
    with pytest.raises(PlonedevError, match="upgrade-step 'reindex' already"):
        plan_part(Kind.UPGRADE_STEP, part_name(Kind.UPGRADE_STEP, "reindex"), ADDON, package)


def test_the_existing_view_name_is_refused(package: Path) -> None:
    with pytest.raises(PlonedevError, match="already"):
        plan_part(Kind.VIEW, part_name(Kind.VIEW, "hello"), ADDON, package)
