from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.sources import is_dirty
from plonedev.sources.git import describe_git_failure
from plonedev.sources.inputs import requirement_inputs


def test_references_are_followed_from_the_root(tmp_path: Path) -> None:
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "base.txt").write_text("-c https://example.org/c.txt\nsix==1\n")
    (tmp_path / "requirements.txt").write_text("-c constraints/base.txt\nrequests\n")
    req_in = tmp_path / "in.txt"
    req_in.write_text("-r requirements.txt\n-c constraints/base.txt\nPlone\n")

    inputs = requirement_inputs(req_in, tmp_path)

    assert inputs.files == (
        req_in,
        tmp_path / "requirements.txt",
        tmp_path / "constraints" / "base.txt",
    )
    assert inputs.urls == ("https://example.org/c.txt",)


def test_a_missing_constraints_file_is_an_error_not_an_empty_file(tmp_path: Path) -> None:
    req_in = tmp_path / "in.txt"
    req_in.write_text("-c constraints/typo.txt\nPlone\n")
    with pytest.raises(PlonedevError, match=r"in.txt: constraints/typo.txt: file not found"):
        requirement_inputs(req_in, tmp_path)


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("fatal: '/tmp/x' does not appear to be a git repository", "repository not found"),
        (
            "remote: Repository not found.\nfatal: repository 'https://h/x/' not found",
            "repository not found",
        ),
        (
            "fatal: unable to access 'https://h/': Could not resolve host: h",
            "the host cannot be reached",
        ),
        (
            "fatal: could not read Username for 'https://h': terminal prompts disabled",
            "access denied",
        ),
        ("git@h: Permission denied (publickey).", "access denied"),
        ("Host key verification failed.", "the ssh host key is unknown"),
        ("error: something odd\nfatal: the last word", "the last word"),
    ],
)
def test_git_failures_are_described(stderr: str, reason: str) -> None:
    assert describe_git_failure(stderr)[0] == reason


def test_a_plain_directory_is_not_dirty(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    assert is_dirty(tmp_path) is None
    assert is_dirty(tmp_path / "missing") is None
