"""`plonedev add`: bad input is one line, exit 2, nothing written; against the fakes, a
piece is written and the backend restarted, and a piece the site does not show puts the
add-on back byte for byte (the real thing: tests/integration/test_add_part_native.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.addons.scaffold import addon_name, render_addon
from plonedev.commands.add_part import add_part
from plonedev.errors import EXIT_USER_ERROR, PlonedevError
from plonedev.report import QuietReporter
from tests.conftest import run_plonedev, write_pyproject
from tests.unit.commands.conftest import FakeProject

ADDON = "acme.hello"
SECTION = f"\n[{ADDON}]\nurl = {ADDON}\nvcs = fs\n"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _with_addon(root: Path) -> None:
    render_addon(addon_name(ADDON), root / "sources" / ADDON)
    mx_ini = root / "mx.ini"
    mx_ini.write_text(mx_ini.read_text() + SECTION)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    (tmp_path / "mx.ini").write_text("[settings]\ndefault-target = sources\n")
    _with_addon(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("acme.other", "view", "summary"), "acme.other is not in mx.ini's sources"),
        ((ADDON, "portlet", "news"), "unknown kind 'portlet'"),
        ((ADDON, "view", "my-view"), "'my-view' is not a valid view name"),
        ((ADDON, "content-type", "1Task"), "'1Task' is not a valid content type id"),
        ((ADDON, "view", "hello-hello"), "not a valid view name"),
        ((ADDON, "upgrade-step", "class"), "not a valid upgrade-step name"),
        ((ADDON, "view", "hello"), "has a view 'hello' already"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    project: Path, args: tuple[str, ...], words: str
) -> None:
    before = _tree(project)
    done = run_plonedev(project, "add", *args)
    assert done.returncode == EXIT_USER_ERROR
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert _tree(project) == before


def test_a_piece_that_exists_already_is_refused(project: Path) -> None:
    package = project / "sources" / ADDON / "src" / "acme" / "hello"
    (package / "behaviors").mkdir()
    (package / "behaviors" / "featured.py").write_text("")
    before = _tree(project)
    done = run_plonedev(project, "add", ADDON, "behavior", "featured")
    assert done.returncode == EXIT_USER_ERROR
    assert "has a behavior 'featured' already (hello/behaviors/featured.py)" in done.stderr
    assert _tree(project) == before


def test_without_a_site_the_piece_is_written_and_the_backend_started_for_it(
    fake: FakeProject,
) -> None:
    _with_addon(fake.root)
    result = add_part(fake.root, ADDON, "view", "summary", QuietReporter())
    package = fake.root / "sources" / ADDON / "src" / "acme" / "hello"
    assert 'name="summary"' in (package / "browser" / "configure.zcml").read_text()
    assert (package / "browser" / "summary.py").is_file()
    assert result.backend == "restarted"  # a ZCML change: watch restarts for it too
    assert result.note.startswith("no site 'Plone' yet")
    assert fake.runtime.calls == ["up backend", "stop backend"]


def test_a_piece_the_site_does_not_show_puts_the_addon_back_byte_for_byte(
    running: FakeProject,
) -> None:
    _with_addon(running.root)
    before = _tree(running.root / "sources")
    with pytest.raises(PlonedevError) as raised:
        add_part(running.root, ADDON, "behavior", "featured", QuietReporter())
    # The fake site has no Behaviors vocabulary: the behavior is not there after the restart.
    assert raised.value.message.startswith("listing the behaviors: HTTP 404")
    assert "add rolled back" in raised.value.message
    assert _tree(running.root / "sources") == before
    assert not (running.root / "sources" / ADDON / "src" / "acme" / "hello" / "behaviors").exists()
    # Restarted on the new files, then on the old ones again.
    assert running.runtime.calls == ["restart backend", "restart backend"]


def test_a_content_type_id_the_site_cannot_list_writes_nothing(running: FakeProject) -> None:
    _with_addon(running.root)
    before = _tree(running.root / "sources")
    with pytest.raises(PlonedevError, match="listing the content types"):
        add_part(running.root, ADDON, "content-type", "Task", QuietReporter())
    assert _tree(running.root / "sources") == before
    assert running.runtime.calls == []
