"""`plonedev i18n` with the real i18ndude on the demo add-on's sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.plone_project import PlonedevProject, make_project

pytestmark = pytest.mark.slow  # runs i18ndude in its own tool environment (uv tool run)

PACKAGE = Path("sources/plonedev-demo/src/plonedev_demo")
LOCALES = PACKAGE / "locales"


def _template(project: PlonedevProject, *messages: str) -> None:
    body = "\n".join(f'  <p i18n:translate="">{message}</p>' for message in messages)
    (project.root / PACKAGE / "browser" / "card.pt").write_text(
        f'<div xmlns:i18n="http://xml.zope.org/namespaces/i18n" i18n:domain="plonedev_demo">\n'
        f"{body}\n</div>\n"
    )


def _catalogs(project: PlonedevProject) -> dict[str, str]:
    folder = project.root / LOCALES
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.po*"))}


def test_i18n_builds_the_catalogs_and_check_catches_a_new_message(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _template(project, "A first message")

    first = project.run("i18n", "--language", "de")
    assert "updated: sources/plonedev-demo/src/plonedev_demo/locales/plonedev_demo.pot" in (
        first.stdout.replace("\n", "")
    )
    catalogs = _catalogs(project)
    assert set(catalogs) == {"plonedev_demo.pot", "de/LC_MESSAGES/plonedev_demo.po"}
    assert 'msgid "A first message"' in catalogs["plonedev_demo.pot"]
    assert 'msgid "A first message"' in catalogs["de/LC_MESSAGES/plonedev_demo.po"]
    assert project.run("i18n", "--check").returncode == 0

    _template(project, "A first message", "A new message")
    check = project.run("i18n", "--check", check=False)
    assert check.returncode == 1
    assert "outdated" in check.stderr
    assert _catalogs(project) == catalogs  # --check writes nothing

    project.run("i18n")
    assert 'msgid "A new message"' in _catalogs(project)["de/LC_MESSAGES/plonedev_demo.po"]
    assert project.run("i18n", "--check").returncode == 0


def test_a_run_that_changes_no_message_leaves_the_files_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _template(project, "A first message")
    project.run("i18n", "-l", "de")
    before = {p: p.stat().st_mtime_ns for p in (project.root / LOCALES).rglob("*.po*")}
    again = project.run("i18n")
    assert "Up to date" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in before} == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("i18n", "no.such.addon"), "'no.such.addon' is not an add-on in mx.ini"),
        (("i18n", "--language", "../x"), "is not a language code"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    project = make_project(tmp_path)
    done = project.run(*args, check=False)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project.root / LOCALES).exists()
