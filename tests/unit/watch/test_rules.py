"""The rules: which change asks what of which service, and how a batch folds."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.watch.changes import ChangeKind, FileChange
from plonedev.watch.rules import (
    BACKEND,
    FRONTEND,
    PROJECT,
    VARNISH,
    Action,
    Do,
    RuleContext,
    classify,
    plan,
)

ROOT = Path("/p")
DEMO = ROOT / "sources" / "demo"
PKG = DEMO / "src" / "demo"

CTX = RuleContext(
    root=ROOT,
    sources=(DEMO, ROOT / "sources" / "other"),
    sync_inputs=frozenset({ROOT / "mx.ini", ROOT / "requirements.txt", ROOT / "constraints/c.txt"}),
    config_files=frozenset({ROOT / "pyproject.toml"}),
    compose=ROOT / "compose",
    frontend=ROOT / "frontend",
    debug=True,
    vcl=frozenset({ROOT / "compose" / "varnish" / "default.vcl"}),
)
NO_DEBUG = RuleContext(**{**vars(CTX), "debug": False})

M, A, D = ChangeKind.MODIFIED, ChangeKind.ADDED, ChangeKind.DELETED


@pytest.mark.parametrize(
    ("kind", "path", "ctx", "expected"),
    [
        # Python code of a source: reloaded in place in debug mode.
        (M, PKG / "greeting.py", CTX, (BACKEND, Do.RELOAD_CODE)),
        (M, DEMO / "tests" / "test_x.py", CTX, (BACKEND, Do.RELOAD_CODE)),
        (A, PKG / "greeting.py", CTX, (BACKEND, Do.RELOAD_CODE)),  # an atomic save
        (D, PKG / "greeting.py", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "greeting.py", NO_DEBUG, (BACKEND, Do.RESTART)),
        # Read when Zope starts.
        (M, PKG / "configure.zcml", CTX, (BACKEND, Do.RESTART)),
        (A, PKG / "browser" / "configure.zcml", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "profiles" / "default" / "metadata.xml", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "profiles" / "default" / "types" / "Doc.xml", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "locales" / "de" / "LC_MESSAGES" / "demo.po", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "locales" / "de" / "LC_MESSAGES" / "demo.mo", CTX, (BACKEND, Do.RESTART)),
        (M, PKG / "i18n" / "demo-de.po", CTX, (BACKEND, Do.RESTART)),
        # Templates: debug mode re-reads them.
        (M, PKG / "browser" / "view.pt", CTX, None),
        (M, PKG / "browser" / "view.pt", NO_DEBUG, (BACKEND, Do.RESTART)),
        # A source's metadata: install again.
        (M, DEMO / "pyproject.toml", CTX, (BACKEND, Do.REINSTALL)),
        (M, DEMO / "setup.py", CTX, (BACKEND, Do.REINSTALL)),
        (M, DEMO / "setup.cfg", CTX, (BACKEND, Do.REINSTALL)),
        (M, PKG / "setup.py", CTX, (BACKEND, Do.RELOAD_CODE)),  # only at the source's top
        # Nothing to do.
        (M, DEMO / "README.md", CTX, None),
        (M, PKG / "browser" / "static" / "app.js", CTX, None),
        (M, PKG / "data.xml", CTX, None),
        (D, PKG / "old_folder", CTX, None),
        # The project's inputs.
        (M, ROOT / "mx.ini", CTX, (BACKEND, Do.SYNC)),
        (M, ROOT / "requirements.txt", CTX, (BACKEND, Do.SYNC)),
        (A, ROOT / "constraints/c.txt", CTX, (BACKEND, Do.SYNC)),
        (M, ROOT / "pyproject.toml", CTX, (PROJECT, Do.RECONFIGURE)),
        (M, ROOT / "compose" / "compose.yaml", CTX, (PROJECT, Do.RECONFIGURE)),
        # The VCL Varnish loads: into the running Varnish, not a new configuration.
        (M, ROOT / "compose" / "varnish" / "default.vcl", CTX, (VARNISH, Do.RELOAD_VCL)),
        (M, ROOT / "compose" / "varnish" / "other.vcl", CTX, (PROJECT, Do.RECONFIGURE)),
        # The frontend: its dev server reloads code; dependencies need an install.
        (M, ROOT / "frontend" / "package.json", CTX, (FRONTEND, Do.REINSTALL)),
        (M, ROOT / "frontend" / "pnpm-lock.yaml", CTX, (FRONTEND, Do.REINSTALL)),
        (M, ROOT / "frontend" / "src" / "App.jsx", CTX, None),
        (M, ROOT / "frontend" / "packages" / "x" / "package.json", CTX, None),
        # Not the project's code.
        (M, ROOT / "README.md", CTX, None),
        (M, Path("/elsewhere/x.py"), CTX, None),
    ],
)
def test_classify(
    kind: ChangeKind, path: Path, ctx: RuleContext, expected: tuple[str, Do] | None
) -> None:
    assert classify(FileChange(kind, path), ctx) == expected


def test_a_new_folder_in_a_source_restarts_but_a_deleted_one_does_not_by_itself() -> None:
    folder = PKG / "newpkg"
    assert classify(FileChange(A, folder, is_dir=True), CTX) == (BACKEND, Do.RESTART)
    assert classify(FileChange(M, folder, is_dir=True), CTX) is None


def test_the_frontend_rule_holds_without_a_frontend_folder_configured() -> None:
    ctx = RuleContext(**{**vars(CTX), "frontend": None})
    assert classify(FileChange(M, ROOT / "frontend" / "package.json"), ctx) is None


def _changes(*paths: Path, kind: ChangeKind = M) -> list[FileChange]:
    return [FileChange(kind, path) for path in paths]


def test_one_batch_of_500_files_is_one_action() -> None:
    files = [PKG / f"m{i}.py" for i in range(500)]
    assert plan(_changes(*files), CTX) == (Action(BACKEND, Do.RELOAD_CODE, tuple(files)),)


def test_restart_beats_reload_and_its_cause_is_named_first() -> None:
    files = [PKG / f"m{i}.py" for i in range(499)]
    zcml = PKG / "configure.zcml"
    (action,) = plan(_changes(*files, zcml), CTX)
    assert action.service == BACKEND
    assert action.do is Do.RESTART
    assert action.triggers[0] == zcml
    assert len(action.triggers) == 500


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ((PKG / "a.py", DEMO / "setup.py"), Do.REINSTALL),
        ((DEMO / "setup.py", ROOT / "mx.ini"), Do.SYNC),
        ((PKG / "a.py", PKG / "b.zcml", ROOT / "requirements.txt"), Do.SYNC),
        ((PKG / "profiles" / "default" / "x.xml", PKG / "a.py"), Do.RESTART),
    ],
)
def test_the_strongest_need_of_a_service_wins(paths: tuple[Path, ...], expected: Do) -> None:
    (action,) = plan(_changes(*paths), CTX)
    assert (action.service, action.do) == (BACKEND, expected)
    assert set(action.triggers) == set(paths)


def test_a_mixed_batch_gives_one_action_per_service_project_first() -> None:
    batch = _changes(
        ROOT / "frontend" / "package.json",
        PKG / "greeting.py",
        ROOT / "pyproject.toml",
        ROOT / "compose" / "compose.yaml",
        DEMO / "README.md",
    )
    assert plan(batch, CTX) == (
        Action(
            PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml", ROOT / "compose" / "compose.yaml")
        ),
        Action(BACKEND, Do.RELOAD_CODE, (PKG / "greeting.py",)),
        Action(FRONTEND, Do.REINSTALL, (ROOT / "frontend" / "package.json",)),
    )


def test_a_batch_of_nothing_relevant_is_no_action() -> None:
    assert plan(_changes(DEMO / "README.md", ROOT / "notes.txt"), CTX) == ()
    assert plan([], CTX) == ()


def test_do_is_ordered_weakest_first() -> None:
    assert [do.rank for do in Do] == sorted(do.rank for do in Do)
    assert Do.RELOAD_CODE.rank < Do.RESTART.rank < Do.REINSTALL.rank < Do.SYNC.rank
