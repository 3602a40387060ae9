"""Health checks, run from the host against a service's published ports."""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request

from plonedev.model import CommandCheck, HealthCheck, HttpCheck, TcpCheck


def is_healthy(check: HealthCheck, timeout: float = 2.0) -> bool:
    match check:
        case HttpCheck(url=url, headers=headers):
            return _http_ok(url, dict(headers), timeout)
        case TcpCheck(host=host, port=port):
            return _accepts(host, port, timeout)
        case CommandCheck(argv=argv):
            try:
                done = subprocess.run(argv, capture_output=True, timeout=timeout * 5, check=False)
            except (OSError, subprocess.TimeoutExpired):
                return False
            return done.returncode == 0


# Our services are local: an HTTP proxy from the environment must never see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http_ok(url: str, headers: dict[str, str], timeout: float) -> bool:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own service)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        # A 404 or 401 still proves the server answers; only 5xx means sick.
        return exc.code < 500
    except (OSError, ValueError):
        return False


def _accepts(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def fetch_page(url: str, timeout: float = 30.0) -> tuple[int, str]:
    """GET `url` as a browser asks for a page: (status, body); (0, reason) when nothing
    answers."""
    request = urllib.request.Request(url, headers={"Accept": "text/html"})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        return 0, str(exc)
