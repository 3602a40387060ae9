"""`plonedev --version` and shell completion, as a user types them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plonedev import __version__


def _plonedev(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plonedev", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_version_prints_the_installed_version() -> None:
    done = _plonedev("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"plonedev {__version__}"


def test_help_offers_completion() -> None:
    done = _plonedev("--help", COLUMNS="200")
    assert "--install-completion" in done.stdout
    assert "--show-completion" in done.stdout


def test_bash_completion_completes_command_names() -> None:
    # What the script from --show-completion asks the installed `plonedev` for at a TAB.
    done = subprocess.run(
        [str(Path(sys.executable).with_name("plonedev"))],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "_PLONEDEV_COMPLETE": "complete_bash",
            "COMP_WORDS": "plonedev add-",
            "COMP_CWORD": "1",
        },
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "add-addon" in done.stdout.split()
    assert "add-frontend" in done.stdout.split()
