"""What git says about a checkout: is there local work an update could disturb?

Asked of git itself (not mxdev), before mxdev touches anything: mxdev would otherwise
prompt on stdin for a dirty checkout, or refuse to update it and exit the process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_TIMEOUT = 30.0


def no_prompt_env() -> dict[str, str]:
    """Variables that make git fail instead of waiting for a password or a host-key answer.

    Checkouts run in threads with their output captured: nobody would see the prompt.
    An ssh command the user configured is kept (it may already be non-interactive).
    """
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if not os.environ.get("GIT_SSH_COMMAND") and not os.environ.get("GIT_SSH"):
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env


def is_dirty(path: Path) -> str | None:
    """Why updating the git checkout at `path` could lose work, or None if it is safe.

    Reasons: uncommitted changes (untracked files included), commits ahead of the
    upstream branch, or commits on no remote at all. A path that is not the top of its
    own git checkout (missing, a plain directory, a `vcs = fs` package inside the
    project's repository) has nothing to lose: None.
    """
    if not (path / ".git").exists():
        return None
    status = _git(path, "status", "--porcelain=v1", "--branch", "--untracked-files=normal")
    if status is None:
        return "git cannot read its status"
    lines = status.splitlines()
    branch, changed = (lines[0], lines[1:]) if lines and lines[0].startswith("## ") else ("", lines)
    if changed:
        return f"it has uncommitted changes ({_list_files(changed)})"
    if "[ahead " in branch:
        ahead = branch.split("[ahead ", 1)[1].split("]")[0].split(",")[0]
        return f"it has {_commits(int(ahead))} not pushed to {_upstream(branch)}"
    local = _git(path, "rev-list", "--count", "HEAD", "--not", "--remotes")
    if local is None:
        return (
            "it has no commits yet" if "No commits yet" in branch else "git cannot list its commits"
        )
    if int(local.strip() or "0"):
        return f"it has {_commits(int(local))} not pushed to any remote"
    return None


def describe_git_failure(stderr: str) -> tuple[str, str]:
    """(reason, hint) for a failed clone or fetch, from git's error output."""
    text = stderr.lower()
    if any(s in text for s in ("not found", "does not exist", "does not appear to be a git")):
        return "repository not found", "check the url in mx.ini and that you have access to it"
    if "could not resolve host" in text or "could not connect" in text:
        return (
            "the host cannot be reached",
            "check the network and the url in mx.ini",
        )
    if "host key verification failed" in text:
        return "the ssh host key is unknown", "connect once with `ssh <host>` to accept its key"
    if any(
        s in text
        for s in ("authentication failed", "permission denied", "terminal prompts disabled")
    ) or ("could not read" in text and "username" in text):
        return (
            "access denied",
            "plonedev runs git without prompts: load your key into an ssh agent or "
            "set up a git credential helper",
        )
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reason = lines[-1].removeprefix("fatal: ") if lines else "git failed"
    return reason, "run the same git command by hand to see the full error"


def _git(path: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(path), *args],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **no_prompt_env(), "LC_ALL": "C"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _list_files(porcelain: list[str], shown: int = 3) -> str:
    names = [line[3:] for line in porcelain]
    more = len(names) - shown
    listed = ", ".join(names[:shown])
    return f"{listed} and {more} more" if more > 0 else listed


def _upstream(branch_line: str) -> str:
    # "## main...origin/main [ahead 1]" -> "origin/main"
    head = branch_line.removeprefix("## ").split(" ")[0]
    return head.split("...", 1)[1] if "..." in head else "its upstream"


def _commits(count: int) -> str:
    return f"{count} commit" if count == 1 else f"{count} commits"
