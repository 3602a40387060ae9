"""Every file, image, registry, tag, host, e-mail, URL, port and id a user types or
configures is checked at the edge: one line naming it and the fix, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from plonedev.cli.app import app
from tests.conftest import write_pyproject


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _refused(root: Path, args: list[str], *fragments: str) -> None:
    """`plonedev ARGS` in `root` fails with one error line holding `fragments`, writing nothing."""
    before = _tree(root)
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""
    assert _tree(root) == before


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_pyproject(tmp_path, 'runtime = "native"\n')
    return tmp_path


@pytest.mark.parametrize(
    ("section", "fragments"),
    [
        ('constraints = "pins.txt"', ("tool.plonedev.constraints: file 'pins.txt' not found",)),
        (
            'constraints = "ftp://example.org/c.txt"',
            ("tool.plonedev.constraints: expected a file or an http(s):// URL",),
        ),
        ('constraints = "https:///c.txt"', ("tool.plonedev.constraints: expected a file",)),
        ('frontend = "web"', ("tool.plonedev.frontend: 'web' has no package.json",)),
        ('frontend = "pyproject.toml"', ("tool.plonedev.frontend: 'pyproject.toml' is not a",)),
        (
            'profiles = ["collective.foo"]',
            ("tool.plonedev.profiles: expected GenericSetup profile ids", "'collective.foo'"),
        ),
        ('plone-version = "latest"', ("tool.plonedev.plone-version: expected a Plone release",)),
        ('admin-user = "ad:min"', ("tool.plonedev.admin-user: expected a login name",)),
        ('site-id = "my site"', ("tool.plonedev.site-id: expected a Zope id",)),
        ("[tool.plonedev.ports]\nbackend = 0", ("tool.plonedev.ports.backend: expected a port",)),
        (
            "[tool.plonedev.ports]\nvarnish = 65536",
            ("tool.plonedev.ports.varnish: expected a port between 1 and 65535",),
        ),
        (
            '[tool.plonedev.images]\npostgres = "reg..example.org/postgres:16"',
            ("tool.plonedev.images.postgres: expected an image reference",),
        ),
        (
            '[tool.plonedev.images]\nvarnish = "Varnish:7"',
            ("tool.plonedev.images.varnish: expected an image reference",),
        ),
    ],
)
@pytest.mark.parametrize("command", ["status", "doctor", "export-stack", "build"])
def test_config_values(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    section: str,
    fragments: tuple[str, ...],
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write_pyproject(tmp_path, section + "\n")
    args = [command, "--host", "www.example.org"] if command == "export-stack" else [command]
    _refused(tmp_path, args, "pyproject.toml: ", *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--host", "www example org"], ("--host 'www example org' is not a host name",)),
        (["--host", "-www.example.org"], ("--host",)),
        (["--host", "www.example.org/plone"], ("--host",)),
        (["--registry", "https://registry.example.org"], ("--registry", "not a registry name")),
        (["--registry", "registry.example.org/Team"], ("--registry",)),
        (["--registry", "reg..example.org"], ("--registry",)),
        (["--tag", "1.0 beta"], ("--tag '1.0 beta' is not an image tag",)),
        (["--tag", ".hidden"], ("--tag",)),
        (["--tag", "x" * 129], ("--tag",)),
        (["--acme-email", "admin"], ("--acme-email 'admin' is not an e-mail address",)),
        (["--acme-email", "admin@localhost"], ("--acme-email",)),
        (["--acme-email", "ad min@example.org"], ("--acme-email",)),
        (["--ingress-image", "Traefik:3"], ("--ingress-image 'Traefik:3'",)),
        (["--ingress", "caddy"], ("--ingress 'caddy' is not known",)),
        (["--http-port", "0"], ("--http-port must be between 1 and 65535",)),
        (["--https-port", "65536"], ("--https-port must be between 1 and 65535",)),
        (["--backend-replicas", "0"], ("--backend-replicas must be between 1 and 64",)),
        (["--frontend-replicas", "100"], ("--frontend-replicas must be between 1 and 64",)),
        (["-o", "."], ("is a folder",)),
    ],
)
def test_export_stack_options(project: Path, args: list[str], fragments: tuple[str, ...]) -> None:
    host = [] if "--host" in args else ["--host", "www.example.org"]
    _refused(project, ["export-stack", *host, *args], *fragments)


def test_a_project_name_docker_refuses_in_an_image_name(project: Path) -> None:
    write_pyproject(project, 'name = "a_-b"\n')
    _refused(project, ["export-stack", "--host", "www.example.org"], "'a_-b-backend:latest'")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--registry", "registry.example.org/Team"], ("--registry",)),
        (["--tag", "a:b"], ("--tag 'a:b' is not an image tag",)),
        (["--push"], ("--push needs --registry",)),
    ],
)
def test_build_options(project: Path, args: list[str], fragments: tuple[str, ...]) -> None:
    _refused(project, ["build", *args], *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["collective foo"], ("'collective foo' is not a package name",)),
        (["collective.foo", "--git", "not a url"], ("--git 'not a url' is not a git URL",)),
        (["collective.foo", "--git", "ftp://example.org/foo.git"], ("--git",)),
        (["collective.foo", "--git", "https://example.org"], ("--git",)),
        (["collective.foo", "--git", "no-such-folder"], ("--git 'no-such-folder'",)),
        (
            ["collective.foo", "--git", "https://example.org/foo.git", "--branch", "a b"],
            ("--branch 'a b' is not a git branch or tag name",),
        ),
        (
            ["collective.foo", "--git", "https://example.org/foo.git", "--tag", "-1.0"],
            ("--tag '-1.0'",),
        ),
        (["collective.foo", "--path", "missing"], ("--path missing: no such folder",)),
        (["collective.foo", "--path", "pyproject.toml"], ("--path pyproject.toml",)),
        (["collective.foo", "--path", "sources"], ("--path sources: no pyproject.toml",)),
    ],
)
def test_add_addon_arguments(project: Path, args: list[str], fragments: tuple[str, ...]) -> None:
    (project / "sources").mkdir()  # a folder without a package in it
    _refused(project, ["add-addon", *args], *fragments)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--directory", "../web"], ("--directory '../web': expected a folder inside",)),
        (["--directory", "/srv/web"], ("--directory",)),
        (["--addon", "Volto Site"], ("'Volto Site' is not an npm package name",)),
    ],
)
def test_add_frontend_options(project: Path, args: list[str], fragments: tuple[str, ...]) -> None:
    _refused(project, ["add-frontend", *args], *fragments)


def test_init_on_a_file(project: Path) -> None:
    _refused(project, ["init", "pyproject.toml"], "is a file, not a folder")
