from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.addons.request import Origin, canonical, parse_request, requirement_name
from plonedev.errors import PlonedevError


def test_index_requirements_are_tidied(tmp_path: Path) -> None:
    request = parse_request("collective.foo [a, b] == 1.2", cwd=tmp_path)
    assert (request.origin, request.name, request.requirement) == (
        Origin.INDEX,
        "collective.foo",
        "collective.foo[a,b]==1.2",
    )
    assert parse_request("collective.foo", cwd=tmp_path).requirement == "collective.foo"


def test_git_request(tmp_path: Path) -> None:
    request = parse_request("collective.foo", git="https://x/foo.git", tag="1.0", cwd=tmp_path)
    assert (request.origin, request.url, request.tag, request.branch) == (
        Origin.GIT,
        "https://x/foo.git",
        "1.0",
        "",
    )


def test_path_request_resolves_against_the_working_directory(tmp_path: Path) -> None:
    package = tmp_path / "code" / "foo"
    package.mkdir(parents=True)
    (package / "pyproject.toml").write_text("[project]\nname='foo'\n")
    request = parse_request("foo", path=Path("code/foo"), cwd=tmp_path)
    assert (request.origin, request.path) == (Origin.PATH, package)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "not a name"}, "is not a package name"),
        ({"name": "a", "git": "u", "path": Path()}, "exclude each other"),
        ({"name": "a", "branch": "b"}, "--branch and --tag go with --git"),
        ({"name": "a", "git": "u", "branch": "b", "tag": "t"}, "exclude each other"),
        ({"name": "a==1", "git": "u"}, "only apply to add-ons from the package index"),
        ({"name": "a", "path": Path("nowhere")}, "no such folder"),
        ({"name": "a", "path": Path()}, "no pyproject.toml"),
    ],
)
def test_bad_combinations(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PlonedevError, match=message):
        parse_request(cwd=tmp_path, **kwargs)  # type: ignore[arg-type]


def test_names() -> None:
    assert canonical("Collective_Foo.bar") == "collective-foo-bar"
    assert requirement_name("collective.foo[x]>=1,<2") == "collective.foo"
