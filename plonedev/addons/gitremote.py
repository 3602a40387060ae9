"""Ask a git remote what it has before mx.ini names it: a URL that cannot be cloned, or a
branch or tag it does not have, fails here in a second with nothing changed yet."""

from __future__ import annotations

import os
import subprocess

from plonedev.errors import PlonedevError
from plonedev.sources.git import describe_git_failure, no_prompt_env

_TIMEOUT = 120.0


def remote_branch(url: str, *, branch: str = "", tag: str = "") -> str:
    """The branch to write into mx.ini ("" when a tag is pinned instead).

    Without --branch it is the remote's default branch: mxdev would assume `main`, and a
    repository whose default is `master` would fail to clone.
    """
    if tag:
        if not _ls_remote(url, "--tags", pattern=f"refs/tags/{tag}"):
            raise PlonedevError(
                f"cannot check out {url}: it has no tag {tag!r}",
                "check the tag (`git ls-remote --tags URL` lists them)",
            )
        return ""
    if branch:
        if not _ls_remote(url, "--heads", pattern=f"refs/heads/{branch}"):
            raise PlonedevError(
                f"cannot check out {url}: it has no branch {branch!r}",
                "check the branch (`git ls-remote --heads URL` lists them)",
            )
        return branch
    for line in _ls_remote(url, "--symref", pattern="HEAD").splitlines():
        ref, _, what = line.partition("\t")
        if ref.startswith("ref: refs/heads/") and what.strip() == "HEAD":
            return ref.removeprefix("ref: refs/heads/").strip()
    raise PlonedevError(
        f"cannot check out {url}: the repository has no default branch (is it empty?)",
        "push a branch to it, or name one with --branch",
    )


def _ls_remote(url: str, option: str, *, pattern: str) -> str:
    try:
        done = subprocess.run(
            ["git", "ls-remote", option, url, pattern],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **no_prompt_env(), "LC_ALL": "C"},
            check=False,
        )
    except FileNotFoundError:
        raise PlonedevError(
            "git is not installed", "install git (Debian: apt-get install git)"
        ) from None
    except subprocess.TimeoutExpired:
        raise PlonedevError(
            f"cannot clone {url}: no answer within {_TIMEOUT:.0f} s", "check the network"
        ) from None
    if done.returncode != 0:
        reason, _ = describe_git_failure(done.stderr)
        raise PlonedevError(
            f"cannot clone {url}: {reason}",
            "check the URL and that you can reach it (`git ls-remote URL`)",
        )
    return done.stdout
