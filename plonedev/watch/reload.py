"""plone.reload over HTTP: re-execute changed Python modules in the running Zope.

`POST /@@reload` with action=code (Zope root, Manager) answers an HTML page whose
status block lists the files it reloaded ("Code reloaded:\\n\\n/path/a.py") or says
"No code reloaded!". It works only in debug mode, with plone.reload's ZCML loaded.
plone.reload compares whole-second modification times, so a file saved twice within
one second is not reloaded the second time: the caller checks the list it gets back.
"""

from __future__ import annotations

import base64
import html
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Local requests must never go through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_STATUS = re.compile(r"<h2>Status</h2>\s*<pre[^>]*>(.*?)</pre>", re.DOTALL)


class ReloadError(Exception):
    """The reload did not run: the reason, in one line, for the user."""


class BackendUnreachable(ReloadError):
    """Nothing answered: the backend is not running (or still starting)."""


@dataclass(frozen=True)
class CodeReload:
    reloaded: tuple[Path, ...]
    seconds: float


def reload_code(base_url: str, user: str, password: str, *, timeout: float = 60.0) -> CodeReload:
    """Ask the Zope at `base_url` to reload its changed modules; raise ReloadError when
    it cannot (BackendUnreachable when nothing answers)."""
    started = time.monotonic()
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (our own backend, http only)
        f"{base_url.rstrip('/')}/@@reload",
        data=urllib.parse.urlencode({"action": "code"}).encode(),
        headers={"Authorization": f"Basic {token}"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise ReloadError(_http_problem(exc.code)) from None
    except (OSError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendUnreachable(f"the backend did not answer ({reason})") from None
    return CodeReload(parse_reloaded(body), time.monotonic() - started)


def parse_reloaded(body: str) -> tuple[Path, ...]:
    """The files plone.reload's answer lists as reloaded; ReloadError if it reloaded nothing
    because it cannot (production mode)."""
    match = _STATUS.search(body)
    if match is None:
        raise ReloadError(
            "plone.reload refused: Zope is not in debug mode (set tool.plonedev.debug = true)"
        )
    status = html.unescape(match.group(1)).strip()
    if not status.startswith("Code reloaded:"):
        return ()
    lines = status.removeprefix("Code reloaded:").splitlines()
    return tuple(Path(line.strip()) for line in lines if line.strip())


def _http_problem(code: int) -> str:
    if code == 404:
        return "plone.reload is not loaded in the backend (HTTP 404 for /@@reload)"
    if code in (401, 403):
        return f"the backend refused the admin credentials for /@@reload (HTTP {code})"
    # A module that fails to execute (SyntaxError, ImportError...) ends here: the
    # traceback is in the backend's log.
    return f"plone.reload failed (HTTP {code})"
