"""Reload the VCL of a running varnishd through varnishadm, keeping its cache.

`vcl.load` compiles the new VCL next to the active one, `vcl.use` switches to it in
one step: in-flight requests finish on the old VCL, cached objects stay (the cache
does not belong to a VCL). A VCL that does not compile is never made active.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError, ServiceError
from plonedev.varnish.process import compiler_message, varnishadm_path


@dataclass(frozen=True)
class AdminAddress:
    """The admin interface of a varnishd (its -T address and -S secret file)."""

    host: str
    port: int
    secret_file: Path


@dataclass(frozen=True)
class ContainerAdmin:
    """A varnishd in a container: its own varnishadm, through `docker exec`."""

    container: str  # id or name
    docker: str = "docker"


# A varnishd's working directory (-n; varnishadm reads address and secret from it),
# its admin address, or its container.
AdminTarget = Path | AdminAddress | ContainerAdmin


@dataclass(frozen=True)
class ReloadResult:
    name: str  # the VCL now active
    seconds: float  # compile + switch
    discarded: tuple[str, ...]  # older VCLs unloaded


def reload_vcl(
    target: AdminTarget, vcl_path: Path, *, keep: int = 3, timeout: float = 60.0
) -> ReloadResult:
    """Load `vcl_path` under a new name and make it active; keep the `keep` most recent
    VCLs (the active one included, older ones cold) and discard the rest."""
    if isinstance(target, Path) and not _manager_alive(target):
        raise _unreachable(target, "varnishd is not running")
    admin = _admin_argv(target)
    name = f"plonedev_{time.time_ns()}"
    started = time.monotonic()
    loaded = _run(admin, f"vcl.load {name} {_quote(str(vcl_path.absolute()))}", timeout)
    if loaded.returncode != 0:
        output = loaded.stdout + loaded.stderr
        if "VCC-compiler" in output or "VCL compilation failed" in output:
            raise PlonedevError(
                f"{vcl_path}: VCL does not compile, Varnish keeps the previous one: "
                f"{compiler_message(output)}",
                "fix the VCL at the line shown",
            )
        raise _unreachable(target, output)
    used = _run(admin, f"vcl.use {name}", timeout)
    if used.returncode != 0:
        _run(admin, f"vcl.discard {name}", timeout)
        raise ServiceError(
            f"Varnish could not switch to the new VCL: {_last_line(used.stdout + used.stderr)}",
            "see the varnish log (plonedev logs varnish)",
        )
    seconds = time.monotonic() - started
    return ReloadResult(name, seconds, _tidy(admin, max(keep, 1), timeout))


def _tidy(admin: tuple[str, ...], keep: int, timeout: float) -> tuple[str, ...]:
    """Discard all but the newest `keep` VCLs; make the kept inactive ones cold, so
    their backend probes stop (each warm VCL probes its backends)."""
    listed = _run(admin, "vcl.list -j", timeout)
    if listed.returncode != 0:
        return ()
    # [version, command, timestamp, {vcl}, ...], oldest first.
    entries = [entry for entry in json.loads(listed.stdout)[3:] if isinstance(entry, dict)]
    inactive = [
        entry for entry in entries if entry.get("status") == "available" and not entry.get("label")
    ]
    spare = keep - 1  # the active VCL is one of those kept
    old = inactive[: max(len(inactive) - spare, 0)]
    kept = inactive[len(old) :]
    discarded = []
    for entry in old:
        if _run(admin, f"vcl.discard {entry['name']}", timeout).returncode == 0:
            discarded.append(str(entry["name"]))
    for entry in kept:
        if entry.get("state") != "cold":
            _run(admin, f"vcl.state {entry['name']} cold", timeout)
    return tuple(discarded)


def ban(target: AdminTarget, expression: str, timeout: float = 10.0) -> None:
    """Add a ban (varnishadm `ban`): cached objects it matches are never served again."""
    if isinstance(target, Path) and not _manager_alive(target):
        raise _unreachable(target, "varnishd is not running")
    done = _run(_admin_argv(target), f"ban {expression}", timeout)
    if done.returncode != 0:
        raise ServiceError(
            f"Varnish refused the ban {expression!r}: {_last_line(done.stdout + done.stderr)}",
            "see the varnish log (plonedev logs varnish)",
        )


def admin_ping(target: AdminTarget, timeout: float = 5.0) -> bool:
    """True when the varnishd manager answers on its admin interface."""
    if isinstance(target, Path) and not _manager_alive(target):
        return False
    try:
        return _run(_admin_argv(target), "ping", timeout).returncode == 0
    except ServiceError:
        return False


def _manager_alive(workdir: Path) -> bool:
    # varnishadm waits 5 s for a varnishd that is not there; its pid file answers now
    # (a clean stop removes it).
    try:
        pid = int((workdir / "_.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def _admin_argv(target: AdminTarget) -> tuple[str, ...]:
    if isinstance(target, ContainerAdmin):
        return (target.docker, "exec", target.container, "varnishadm")
    varnishadm = varnishadm_path()
    if isinstance(target, AdminAddress):
        return (
            varnishadm,
            "-T",
            f"{target.host}:{target.port}",
            "-S",
            str(target.secret_file.absolute()),
        )
    return (varnishadm, "-n", str(target.absolute()))


def _run(admin: tuple[str, ...], command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    # One argument: varnishadm joins its arguments with spaces without quoting them,
    # so the command line is quoted here, in the CLI's own syntax.
    try:
        return subprocess.run(
            [*admin, command], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ServiceError(
            f"varnishadm did not answer within {timeout:.0f} s ({command.split()[0]})",
            "check that varnishd is running (plonedev status)",
        ) from None


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _unreachable(target: AdminTarget, output: str) -> ServiceError:
    if isinstance(target, AdminAddress):
        where = f"{target.host}:{target.port}"
    elif isinstance(target, ContainerAdmin):
        where = f"container {target.container[:12]}"
    else:
        where = str(target)
    return ServiceError(
        f"cannot reach the Varnish admin interface at {where}: {_last_line(output)}",
        "start Varnish first (plonedev up)",
    )


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no answer"
