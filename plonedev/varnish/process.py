"""varnishd as a local process: find it, prepare its files, build its command line.

The supervisor runs the command in the foreground (-F) and stops it with SIGTERM (the
manager then stops its child). Each project gets its own working directory (-n), so
two projects never share a cache, a shared-memory log or an admin port.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.files import write_atomic, write_if_changed
from plonedev.varnish.vcl import HEALTH_PATH, VclSettings, render_vcl

# varnishd lives in sbin, which is not on an ordinary user's PATH.
_SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin", "/usr/local/opt/varnish/sbin")
_BIN_DIRS = ("/usr/bin", "/usr/local/bin", "/opt/homebrew/bin", "/usr/local/opt/varnish/bin")
# Development sizing: one thread pool with few idle threads and a small log space take
# 22 MB of memory and 17 MB of disk instead of 90 MB and 81 MB; enough for one developer.
_DEV_TUNING = ("-l", "16M", "-p", "thread_pools=1", "-p", "thread_pool_min=10")


def varnish_available() -> str | None:
    """The path of varnishd, or None when Varnish is not installed."""
    return _find("varnishd", _SBIN_DIRS)


def varnishadm_path() -> str:
    return _tool("varnishadm")


def varnishstat_path() -> str:
    return _tool("varnishstat")


def _tool(program: str) -> str:
    found = _find(program, _BIN_DIRS + _SBIN_DIRS)
    if found is None:
        raise PlonedevError(
            f"{program} was not found", "install Varnish (Debian: apt-get install varnish)"
        )
    return found


def _find(program: str, dirs: tuple[str, ...]) -> str | None:
    found = shutil.which(program)
    if found:
        return found
    for directory in dirs:
        candidate = Path(directory) / program
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _varnishd() -> str:
    found = varnish_available()
    if found is None:
        raise PlonedevError(
            "varnishd was not found",
            "install Varnish (Debian: apt-get install varnish) or set varnish = false",
        )
    return found


def varnish_command(
    vcl_path: Path,
    listen_host: str,
    listen_port: int,
    *,
    admin_port: int = 0,
    secret_file: Path,
    workdir: Path,
    storage: str = "malloc,64M",
) -> tuple[str, ...]:
    """varnishd in the foreground, serving `vcl_path` on listen_host:listen_port.

    The admin interface listens on 127.0.0.1 only, with the secret file; admin_port 0
    lets the kernel choose (varnishadm -n <workdir> finds it). The parent of `workdir`
    must exist (varnishd creates only the last directory; see prepare_varnish).
    """
    listen = (
        f"[{listen_host}]:{listen_port}" if ":" in listen_host else f"{listen_host}:{listen_port}"
    )
    return (
        _varnishd(),
        "-F",
        # No privilege separation: everything runs as the invoking user, so root (CI,
        # containers) behaves like a developer and the files stay the user's.
        "-j",
        "none",
        "-n",
        str(workdir.absolute()),
        "-a",
        listen,
        "-T",
        f"127.0.0.1:{admin_port}",
        "-S",
        str(secret_file.absolute()),
        "-f",
        str(vcl_path.absolute()),
        "-s",
        storage,
        *_DEV_TUNING,
    )


def write_secret(path: Path) -> bool:
    """Create the admin secret (random, mode 0600) unless it exists; True if created."""
    # An empty file is a write that was cut short: varnishd would refuse it.
    if path.is_file() and path.stat().st_size > 0:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, secrets.token_hex(32) + "\n", mode=0o600)
    return True


def prepare_varnish(
    settings: VclSettings, vcl_path: Path, secret_file: Path, workdir: Path
) -> bool:
    """Write the VCL (only when it changed) and the secret, and make room for the
    working directory. True when the VCL changed (a running varnishd needs reload_vcl)."""
    changed = write_if_changed(vcl_path, render_vcl(settings))
    write_secret(secret_file)
    workdir.parent.mkdir(parents=True, exist_ok=True)
    return changed


def check_vcl(vcl_path: Path, timeout: float = 60.0) -> None:
    """Compile `vcl_path` with `varnishd -C`; raise PlonedevError with the compiler's
    message when it does not compile."""
    with tempfile.TemporaryDirectory(prefix="plonedev-vcc-") as scratch:
        done = subprocess.run(
            [_varnishd(), "-C", "-j", "none", "-n", scratch, "-f", str(vcl_path.absolute())],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0:
        raise PlonedevError(
            f"{vcl_path}: VCL does not compile: {compiler_message(done.stderr)}",
            "fix the VCL at the line shown",
        )


def compiler_message(output: str, max_lines: int = 6) -> str:
    """The useful part of varnishd's compiler output, joined into one line."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Message from VCC-compiler"):
            lines = lines[index + 1 :]
            break
    return " | ".join(lines[:max_lines]) or "no message"


def health_url(host: str, port: int) -> str:
    """The URL a supervisor GETs to know Varnish serves: answered by the VCL itself."""
    netloc = f"[{host}]" if ":" in host else host
    return f"http://{netloc}:{port}{HEALTH_PATH}"


def varnish_healthy(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when Varnish answers its health path with 200 (no proxy, no backend involved)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", HEALTH_PATH)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        with contextlib.suppress(OSError):
            connection.close()
