"""The backend image's inputs: the Dockerfile, its ignore file, requirements, instance."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.config import load_config
from plonedev.errors import PlonedevError
from plonedev.render import backend_image as image
from plonedev.render.owned import MARKER
from tests.conftest import write_pyproject

MXDEV_REQUIREMENTS = """\
###############################################################################
# mxdev combined constraints
-c constraints-mxdev.txt

###############################################################################
# mxdev development sources
-e ./sources/plonedev-demo
-e ./sources/collective.foo[test]
./sources/pinned.addon

Plone==6.2.2
plone.reload
"""


def test_split_keeps_third_party_lines_and_lists_the_addons(tmp_path: Path) -> None:
    split = image.split_requirements(MXDEV_REQUIREMENTS, tmp_path)
    assert "Plone==6.2.2" in split.third_party
    assert "plone.reload" in split.third_party
    assert "-c " not in split.third_party
    assert "#" not in split.third_party  # mxdev's comments name the project's path
    assert "sources/" not in split.third_party
    assert [(s.path, s.editable, s.extras) for s in split.sources] == [
        ("sources/plonedev-demo", True, ""),
        ("sources/collective.foo", True, "[test]"),
        ("sources/pinned.addon", False, ""),
    ]
    files = image.sources_files(split)
    assert files["sources-editable.txt"].splitlines() == [
        "-e ./sources/plonedev-demo",
        "-e ./sources/collective.foo[test]",
        "./sources/pinned.addon",
    ]
    assert files["sources.txt"].splitlines() == [
        "./sources/plonedev-demo",
        "./sources/collective.foo[test]",
        "./sources/pinned.addon",
    ]


def test_constraints_lose_the_comments_that_name_the_project() -> None:
    text = "# begin constraints from: /home/me/project/c.txt\nZope==5.13\n\n# end\n"
    assert image.portable_constraints(text) == "Zope==5.13\n"


def test_an_addon_outside_the_project_cannot_be_built(tmp_path: Path) -> None:
    with pytest.raises(PlonedevError, match="outside the project"):
        image.split_requirements("-e /elsewhere/collective.foo\n", tmp_path / "project")


def test_dockerfile_has_the_marker_targets_and_no_syntax_line() -> None:
    text = image.dockerfile()
    assert MARKER in text.splitlines()[0]
    assert "# syntax" not in text.lower()
    for target in ("AS dev", "AS prod"):
        assert target in text
    assert "--mount=type=secret,id=ca" in text
    assert "--mount=type=cache,target=/root/.cache/uv" in text
    assert "--compile-bytecode" in text
    assert "ARG PYTHON_IMAGE" in text
    assert "/etc/ssl/certs" not in text  # never replaced: the bundle comes as a secret
    assert "USER plone" in text and "HEALTHCHECK" in text and "STOPSIGNAL SIGINT" in text


def test_dockerignore_sends_only_what_the_image_needs() -> None:
    text = image.dockerignore(("sources/plonedev-demo",))
    lines = text.splitlines()
    assert MARKER in lines[0]
    assert "*" in lines  # everything else stays out: var/, .git, a local venv
    assert "!sources/plonedev-demo" in lines
    assert "!.plonedev/docker" in lines
    assert ".plonedev/docker/ca-bundle.pem" in lines  # a secret is never in an image


def test_bin_scripts_are_shipped_with_their_modes() -> None:
    scripts = image.bin_scripts()
    assert set(scripts) == {
        "entrypoint",
        "create-site",
        "create_site.py",
        "healthcheck.py",
        "run-zope.py",
    }
    assert scripts["entrypoint"][1] == 0o755
    assert "from Zope2.Startup.serve import main" in scripts["run-zope.py"][0]
    assert "plone.distribution.api" in scripts["create_site.py"][0]
    assert "site_api.create(app" in scripts["create_site.py"][0]


def test_container_instance_listens_inside_and_uses_service_names(tmp_path: Path) -> None:
    zeo = load_config(write_pyproject(tmp_path, 'storage = "zeo"\n'))
    files = image.instance_files(zeo)
    assert "listen = 0.0.0.0:8080" in files["etc/zope.ini"]
    assert "server zeo:8100" in files["etc/zope.conf"]
    assert "address 0.0.0.0:8100" in files["zeo/zeo.conf"]
    assert "path /data/filestorage/Data.fs" in files["zeo/zeo.conf"]
    rel = load_config(write_pyproject(tmp_path, 'storage = "relstorage"\n'))
    conf = image.instance_files(rel)["etc/zope.conf"]
    assert "dsn host=postgres port=5432 dbname=plone user=plone" in conf
    assert "zeo/zeo.conf" not in image.instance_files(rel)


def test_build_args_follow_the_config(tmp_path: Path) -> None:
    rel = load_config(write_pyproject(tmp_path, 'storage = "relstorage"\n'))
    args = image.build_args(rel, "python:3.11-slim", "0.9.0")
    assert args == {
        "PYTHON_IMAGE": "python:3.11-slim",
        "UV_VERSION": "0.9.0",
        "APT_PACKAGES": image.RELSTORAGE_APT,
    }
