"""The project-local backend venv, created and filled by uv.

An install is skipped when nothing that decides its outcome changed: a stamp in the venv
records a digest of the requested Python, the venv's Python version, the requirements and
constraints files, every local file they pull in (`-r`, `-c`, the build files of `-e`
paths) and the caller's extra inputs. The stamp is written only after uv succeeded, so a
failed install is retried on the next run; a failed install never deletes the venv.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.files import contents_digest, values_digest, write_atomic
from plonedev.paths import ProjectPaths
from plonedev.streaming import run_streaming

STAMP_NAME = ".plonedev-install.json"
# Files of a local project that decide what gets installed from it.
BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# The distributions as {name: version} (what a snapshot's data was written with).
VERSIONS_SCRIPT = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


@dataclass(frozen=True)
class InstallResult:
    installed: bool  # False: the stamp matched and nothing ran
    seconds: float
    reason: str  # why it installed, or "up to date"


def venv_python(venv: Path) -> Path:
    if sys.platform == "win32":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def venv_script(venv: Path, name: str) -> Path:
    if sys.platform == "win32":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


def installed_packages(paths: ProjectPaths) -> dict[str, str]:
    """The venv's distributions by name ({} without a venv), sorted."""
    python = venv_python(paths.venv)
    if not python.exists():
        return {}
    output = run_streaming(
        [str(python), "-c", VERSIONS_SCRIPT],
        cwd=paths.root,
        what="reading the backend's package versions",
        hint="run `plonedev up` to install the backend",
    )
    return sorted_versions(output)


def sorted_versions(output: str) -> dict[str, str]:
    """VERSIONS_SCRIPT's answer (its last line), sorted by name."""
    versions: dict[str, str] = json.loads(output.strip().splitlines()[-1])
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def find_uv() -> str:
    """The uv binary shipped by the `uv` package (a plonedev dependency)."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        raise PlonedevError(
            "uv not found",
            "reinstall plonedev: uv is one of its dependencies (`pip install -U plonedev`)",
        ) from None


def ensure_environment(
    venv: Path,
    *,
    python: str,
    requirements: Path,
    constraints: Path,
    inputs: Sequence[Path] = (),
    on_line: Callable[[str], None] | None = None,
    force: bool = False,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> InstallResult:
    """Create `venv` with `python` and install `requirements` under `constraints` into it.

    uv runs in `cwd` (default: the requirements' folder): relative `-e ./sources/x`
    lines resolve from there, so pass the project root for mxdev's output.

    `env` adds variables for uv (e.g. SSL_CERT_FILE for a corporate CA bundle).
    Raises ToolFailed with the end of uv's output when uv fails.
    """
    started = time.monotonic()
    workdir = (cwd or requirements.parent).absolute()
    record = _read_stamp(venv)
    have_venv = venv_python(venv).exists()
    python_ok = have_venv and _python_matches(venv, python, record)
    files_digest = _files_digest(python, requirements, constraints, inputs, workdir)

    up_to_date = (
        python_ok
        and not force
        and record is not None
        and record.get("digest") == _digest(files_digest, _venv_version(venv))
    )
    if up_to_date:
        return InstallResult(False, time.monotonic() - started, "up to date")

    if not have_venv:
        reason = "new environment"
    elif not python_ok:
        reason = f"Python changed to {python}"
    elif force:
        reason = "forced"
    elif record is None:
        reason = "no record of a complete install"
    else:
        reason = "requirements changed"

    uv = find_uv()
    run_env = _uv_env(env)
    if not python_ok:
        command = [uv, "venv", "--no-project", "--no-progress", "--python", python, str(venv)]
        if venv.exists():
            command.insert(2, "--clear")  # a venv for another Python cannot be reused
        _run_uv(command, run_env, workdir, on_line, python)
    _run_uv(
        [
            uv,
            "pip",
            "install",
            "--no-progress",
            "--python",
            str(venv_python(venv)),
            "--compile-bytecode",  # PYTHONDONTWRITEBYTECODE=1 machines would never get .pyc
            "-r",
            str(requirements),
            "-c",
            str(constraints),
        ],
        run_env,
        workdir,  # uv resolves `-e ./sources/x` from its working directory
        on_line,
        python,
    )
    _write_stamp(venv, python, _digest(files_digest, _venv_version(venv)))
    return InstallResult(True, time.monotonic() - started, reason)


def environment_inputs(
    requirements: Path, constraints: Path, cwd: Path | None = None
) -> list[Path]:
    """Every local file the install reads: the two files and what they reference."""
    workdir = (cwd or requirements.parent).absolute()
    seen: list[Path] = []
    for top in (requirements, constraints):
        for path in _walk(top, workdir, set()):
            if path not in seen:
                seen.append(path)
    return seen


# --- the stamp -------------------------------------------------------------------------


def _files_digest(
    python: str, requirements: Path, constraints: Path, inputs: Sequence[Path], cwd: Path
) -> str:
    return contents_digest(
        [*environment_inputs(requirements, constraints, cwd), *inputs],
        values={"python": python},
        name=lambda path: str(path.absolute()),
    )


def _digest(files_digest: str, version: str) -> str:
    return values_digest([files_digest, version])


def _read_stamp(venv: Path) -> dict[str, str] | None:
    try:
        data = json.loads((venv / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_stamp(venv: Path, python: str, digest: str) -> None:
    write_atomic(venv / STAMP_NAME, json.dumps({"python": python, "digest": digest}))


def _venv_version(venv: Path) -> str:
    """The venv's Python version from pyvenv.cfg (uv writes version_info, venv version)."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            return value.strip()
    return ""


def _python_matches(venv: Path, python: str, record: dict[str, str] | None) -> bool:
    if record is not None:
        return record.get("python") == python
    # No stamp (an earlier install failed): compare versions when the request names one,
    # and keep the venv when it cannot be told (uv reinstalls into it either way).
    wanted = re.search(r"(\d+(?:\.\d+)*)$", python)
    version = _venv_version(venv)
    if wanted is None or not version:
        return True
    return version == wanted.group(1) or version.startswith(wanted.group(1) + ".")


# --- requirements files --------------------------------------------------------------

_OPTION = re.compile(
    r"^(?P<opt>-r|-c|-e|--requirement|--constraint|--editable)(?:\s*=\s*|\s+|(?=[^\s-]))"
    r"(?P<value>\S.*)$"
)


def _walk(path: Path, cwd: Path, visiting: set[Path]) -> Iterator[Path]:
    """`path` and the local files it references, depth first; URLs are skipped.

    Like uv: `-r`/`-c` paths are relative to the file naming them, project paths
    (`-e ./sources/x`) to the working directory uv runs in.
    """
    path = Path(os.path.normpath(path.absolute()))  # "a/../b" must equal "b" for cycles
    yield path
    if path in visiting or not path.is_file():
        return
    visiting.add(path)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        match = _OPTION.match(line)
        if match:
            option, value = match["opt"], match["value"].strip().strip("'\"")
        elif line.startswith(("./", "../", "/")):
            option, value = "-e", line  # a plain local project path
        else:
            continue
        if "://" in value:
            continue  # remote: its line is already part of the digest
        if option in ("-e", "--editable"):
            project = cwd / value  # an absolute value replaces cwd
            yield from (project / name for name in BUILD_FILES if (project / name).exists())
        else:
            yield from _walk(path.parent / value, cwd, visiting)


# --- running uv ----------------------------------------------------------------------


def _uv_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    run_env = dict(os.environ)
    run_env.pop("VIRTUAL_ENV", None)  # the target is always passed explicitly
    run_env["NO_COLOR"] = "1"
    run_env.update(extra or {})
    return run_env


def _run_uv(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    on_line: Callable[[str], None] | None,
    python: str,
) -> None:
    if not cwd.is_dir():
        raise PlonedevError(f"{cwd}: not a directory", "run plonedev inside the project")
    step = "creating the backend venv" if command[1] == "venv" else "installing the backend"
    run_streaming(
        command,
        cwd=cwd,
        what=f"uv {step}",
        hint=lambda output: _hint(output, python),
        env=env,
        on_line=on_line,
    )


def _hint(output: str, python: str) -> str:
    text = output.lower()
    if "no interpreter found" in text or ("failed to download" in text and "cpython" in text):
        return f"install Python {python}, or set tool.plonedev.python to an installed version"
    # uv says "no solution found" for an unknown name too: that case first.
    if "not found in the package registry" in text or "no matching distribution" in text:
        return "check the package name, or check the add-on out from mx.ini into sources/"
    if "no solution found" in text or "unsatisfiable" in text:
        return (
            "a requirement conflicts with the constraints: change the pin named above "
            "(or the add-on's own requirement) and run `plonedev up` again"
        )
    if "distribution not found at" in text or "does not appear to be a python project" in text:
        return "a local path in the requirements does not exist: check mx.ini and sources/"
    if "certificate" in text or "dns error" in text or "connect" in text:
        return (
            "uv could not reach the package index: check the network or proxy "
            "(behind an intercepting proxy set tool.plonedev.ca-bundle)"
        )
    return "fix the problem uv names above and run `plonedev up` again"


__all__ = [
    "InstallResult",
    "ensure_environment",
    "environment_inputs",
    "find_uv",
    "venv_python",
    "venv_script",
]
