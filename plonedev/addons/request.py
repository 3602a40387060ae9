"""What the user asked to add: an add-on from the package index, a git source or a folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from plonedev.config import parse_requirement
from plonedev.errors import PlonedevError


class Origin(StrEnum):
    INDEX = "index"  # tool.plonedev.addons, installed from the package index
    GIT = "git"  # an mx.ini section checked out by mxdev into sources/
    PATH = "path"  # an mx.ini section with vcs = fs: a folder on this machine


@dataclass(frozen=True)
class AddonRequest:
    name: str  # the distribution name as the user wrote it
    requirement: str  # what goes into tool.plonedev.addons ("" for git and path)
    origin: Origin
    url: str = ""  # git
    branch: str = ""  # git: follow this branch
    tag: str = ""  # git: pin this tag (mx.ini `rev`)
    path: Path | None = None  # path: absolute
    extras: str = ""  # path: the extras mx.ini installs it with ("test")

    @property
    def key(self) -> str:
        return canonical(self.name)


def canonical(name: str) -> str:
    """The normalised distribution name (PEP 503): `Collective_Foo` and `collective.foo`
    name the same package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    parsed = parse_requirement(requirement)
    return parsed.name if parsed else requirement.strip()


# What git (and mx.ini) take as a remote: scheme://host/path, file:///path, user@host:path.
_GIT_SCHEMES = ("https", "http", "ssh", "git", "git+ssh")
_SCP_LIKE = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+")
# A ref name git accepts (git check-ref-format, simplified): no blanks, '..', '~^:?*[\\',
# no leading '-' or '/', no trailing '/', '.' or '.lock'.
_GIT_REF = re.compile(r"(?!-)(?!/)(?!.*\.\.)(?!.*(?:/|\.|\.lock)$)[^\s~^:?*\[\\]+")


def _check_git_url(url: str) -> None:
    if re.search(r"\s", url) is None:
        parsed = urlsplit(url)
        if parsed.scheme in _GIT_SCHEMES and parsed.netloc and parsed.path:
            return
        if parsed.scheme == "file" and parsed.path:
            return
        if _SCP_LIKE.fullmatch(url):
            return
        if not parsed.scheme and Path(url).is_dir():
            return  # a local repository, as `git clone /srv/repo.git` takes it
    raise PlonedevError(
        f"--git {url!r} is not a git URL",
        "give the URL `git clone` takes, e.g. https://git.example.org/team/collective.foo.git",
    )


def parse_request(
    name: str,
    *,
    git: str | None = None,
    branch: str | None = None,
    tag: str | None = None,
    path: Path | None = None,
    cwd: Path,
) -> AddonRequest:
    """Check the command line's combination of options and return what to add."""
    text = name.strip()
    match = parse_requirement(text)
    if match is None:
        raise PlonedevError(
            f"{name!r} is not a package name or requirement",
            "write it as collective.foo or collective.foo==1.2",
        )
    if git and path is not None:
        raise PlonedevError("--git and --path exclude each other", "choose where the code is")
    if (branch or tag) and not git:
        raise PlonedevError("--branch and --tag go with --git", "add --git URL")
    if branch and tag:
        raise PlonedevError("--branch and --tag exclude each other", "follow a branch or pin a tag")
    plain = match.name
    if (git or path is not None) and text != plain:
        raise PlonedevError(
            f"{name!r}: a version or extras only apply to add-ons from the package index",
            f"write just the name ({plain}); the checkout decides the version",
        )
    if git:
        _check_git_url(git)
        for flag, ref in (("--branch", branch), ("--tag", tag)):
            if ref is not None and not _GIT_REF.fullmatch(ref):
                raise PlonedevError(
                    f"{flag} {ref!r} is not a git branch or tag name",
                    "give the name as `git branch -a` or `git tag` lists it",
                )
        return AddonRequest(plain, "", Origin.GIT, url=git, branch=branch or "", tag=tag or "")
    if path is not None:
        folder = (cwd / path).resolve()
        if not folder.is_dir():
            raise PlonedevError(
                f"--path {path}: no such folder", "point it at the package's folder"
            )
        if not any((folder / f).is_file() for f in ("pyproject.toml", "setup.py", "setup.cfg")):
            raise PlonedevError(
                f"--path {path}: no pyproject.toml, setup.py or setup.cfg in {folder}",
                "point it at the folder of the package (where its pyproject.toml is)",
            )
        return AddonRequest(plain, "", Origin.PATH, path=folder)
    # packaging's own spelling: `collective.foo [a, b] == 1.2` -> `collective.foo[a,b]==1.2`
    return AddonRequest(plain, str(match), Origin.INDEX)
