"""Check out the add-ons listed in mx.ini and write the files the installer reads.

mxdev does the work, in process: Configuration reads mx.ini, resolve_dependencies reads
the requirements plonedev generated (inlining the constraints, with the pins of source
packages commented out), WorkingCopies clones or updates each source, write produces
requirements-mxdev.txt and constraints-mxdev.txt in `out_dir`, never in the user's tree.

Paths in the outputs are relative to the project root, as mxdev writes them
(`-e ./sources/collective.foo`): the installer runs with the root as its working
directory. The `-c constraints-mxdev.txt` line is relative to the requirements file
itself, which is how pip and uv resolve a reference inside a requirements file. A source
outside the root is written with its absolute path.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from plonedev.errors import ConfigError, PlonedevError
from plonedev.sources.fetch import fetch_sources
from plonedev.sources.inputs import fingerprint, requirement_inputs
from plonedev.sources.mxdev_session import Session, mxdev_session, working_directory
from plonedev.sources.mxini import SourceSpec, list_sources
from plonedev.sources.result import SourcesResult, load_record, save_record

REQUIREMENTS_OUT = "requirements-mxdev.txt"
CONSTRAINTS_OUT = "constraints-mxdev.txt"


def sync_sources(
    root: Path,
    *,
    requirements_in: Path,
    out_dir: Path,
    threads: int = 4,
    offline: bool = False,
    on_line: Callable[[str], None] | None = None,
) -> SourcesResult:
    """Fetch the sources of root/mx.ini (no mx.ini: none) and write mxdev's two outputs.

    `requirements_in` and `out_dir` may be relative to `root`. A git checkout with
    uncommitted or unpushed work is not updated (a warning says why); it stays installed.
    `offline` fetches nothing: existing checkouts are used as they are. mxdev's log goes
    to `on_line`, one line at a time, possibly from the checkout threads. Raises
    PlonedevError (ConfigError for mx.ini) and never reads stdin.
    """
    root = root.resolve()
    requirements_in, out_dir = root / requirements_in, root / out_dir
    specs = list_sources(root)
    _check_fs_sources(specs)
    inputs = requirement_inputs(requirements_in, root)
    key = fingerprint(root=root, out_dir=out_dir, offline=offline, inputs=inputs, specs=specs)
    if not any(_needs_network(spec, offline) for spec in specs):
        previous = load_record(out_dir, key)
        if previous is not None:
            if on_line is not None:
                on_line("Sources unchanged since the last sync.")
            return previous
    out_dir.mkdir(parents=True, exist_ok=True)
    with mxdev_session(on_line) as session:
        try:
            result = _sync(root, specs, requirements_in, out_dir, threads, offline, session)
        except SystemExit:  # mxdev gives up this way (e.g. a duplicate vcs plugin)
            said = [line for lines in session.errors.values() for line in lines]
            raise PlonedevError(
                f"mxdev stopped: {said[-1] if said else 'no reason given'}"
            ) from None
    save_record(out_dir, key, result)
    return result


def _sync(
    root: Path,
    specs: tuple[SourceSpec, ...],
    requirements_in: Path,
    out_dir: Path,
    threads: int,
    offline: bool,
    session: Session,
) -> SourcesResult:
    from mxdev.processing import resolve_dependencies, write
    from mxdev.state import State

    requirements_out, constraints_out = out_dir / REQUIREMENTS_OUT, out_dir / CONSTRAINTS_OUT
    with working_directory(root):
        config = _configuration(root, threads, offline)
        config.settings["requirements-in"] = str(requirements_in)
        config.settings["requirements-out"] = str(requirements_out)
        config.settings["constraints-out"] = str(constraints_out)
        for package in config.packages.values():
            # Checkouts and mxdev's existence checks then work from any directory.
            package["path"] = os.path.normpath(root / package["path"])
        state = State(configuration=config)
        try:
            state.requirements, state.constraints = resolve_dependencies(
                file_or_url=str(requirements_in),
                package_keys=config.package_keys,
                override_keys=config.override_keys,
                ignore_keys=config.ignore_keys,
                offline=offline,
                cache_dir=out_dir / "mxdev-cache",  # not ./.mxdev_cache in the user's tree
            )
        except Exception as exc:  # mxdev raises bare Exception/RuntimeError for downloads
            raise PlonedevError(
                f"cannot read the requirements: {exc}",
                "check the network, or point `constraints` at a local file",
            ) from None
    sources = fetch_sources(specs, config.packages, threads, offline, session)
    constraints_out.unlink(missing_ok=True)
    try:
        write(state)
    except (RuntimeError, OSError) as exc:
        raise PlonedevError(f"cannot write the mxdev outputs: {exc}") from None
    if not constraints_out.exists():  # mxdev writes none when there are no constraints
        constraints_out.write_text("# no constraints\n", encoding="utf-8")
    _fix_source_lines(requirements_out, config.packages, root)
    warnings = tuple(
        f"[{s.name}] not updated: {s.reason}"
        if s.state == "skipped-dirty"
        else f"[{s.name}] {s.reason}"
        for s in sources
        if s.reason
    )
    return SourcesResult(requirements_out, constraints_out, sources, warnings)


def _configuration(root: Path, threads: int, offline: bool) -> Any:
    from mxdev.config import Configuration

    overrides = {"threads": max(1, threads), "offline": offline}
    with _mx_ini_or_empty(root / "mx.ini") as mx_ini:
        try:
            return Configuration(mxini=str(mx_ini), override_args=overrides)
        except ValueError as exc:  # list_sources checks the same things first
            raise ConfigError(f"mx.ini: {exc}") from None


@contextmanager
def _mx_ini_or_empty(mx_ini: Path) -> Iterator[Path]:
    if mx_ini.is_file():
        yield mx_ini
        return
    with tempfile.TemporaryDirectory(prefix="plonedev-mx-") as tmp:
        empty = Path(tmp) / "mx.ini"
        empty.write_text("[settings]\n", encoding="utf-8")
        yield empty


def _fix_source_lines(
    requirements: Path, packages: Mapping[str, dict[str, Any]], root: Path
) -> None:
    """Point each source line at the real checkout.

    mxdev writes "./{target}/{name}" whatever `path` says, and "./" before an absolute
    target; with the defaults the line is already right and stays unchanged.
    """
    text = requirements.read_text(encoding="utf-8")
    for name, package in packages.items():
        prefix = "-e " if package["install-mode"] == "editable" else ""
        subdir = f"/{package['subdirectory']}" if package["subdirectory"] else ""
        extras = f"[{package['extras']}]" if package["extras"] else ""
        written = f"{prefix}./{package['target']}/{name}{subdir}{extras}"
        path = Path(package["path"])
        where = f"./{path.relative_to(root).as_posix()}" if path.is_relative_to(root) else str(path)
        right = f"{prefix}{where}{subdir}{extras}"
        if written != right:
            text = text.replace(f"\n{written}\n", f"\n{right}\n")
            text = text.replace(f"\n# {written}  #", f"\n# {right}  #")
    requirements.write_text(text, encoding="utf-8")


def _check_fs_sources(specs: tuple[SourceSpec, ...]) -> None:
    for spec in specs:
        if spec.vcs == "fs" and not spec.path.is_dir():
            raise ConfigError(
                f"mx.ini: [{spec.name}]: vcs = fs, but {spec.path} does not exist",
                "create the package there, or fix `url`/`target` in mx.ini",
            )


def _needs_network(spec: SourceSpec, offline: bool) -> bool:
    if spec.vcs == "fs" or offline:
        return False
    return spec.update or not spec.path.exists()
