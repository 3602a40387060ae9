"""The site's add-ons through plone.restapi's @addons service: list, install, uninstall.

@addons knows an add-on by its import name (`collective.foo`, `plonedev_demo`), and only
one with a GenericSetup profile that is not hidden. It answers 204 to an install whatever
happened, so every change is checked by reading the add-on again.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from plonedev.errors import PlonedevError

# Local requests must never go through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class SiteAddon:
    id: str
    title: str
    version: str
    install_profile_id: str
    is_installed: bool


class SiteAddons:
    def __init__(
        self, base_url: str, site_id: str, auth: tuple[str, str], timeout: float = 300
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/{quote(site_id)}/@addons"
        self.site_id = site_id
        self.auth = auth
        self.timeout = timeout

    def list(self) -> dict[str, SiteAddon]:
        data = self._call("GET", self.url, "listing the site's add-ons")
        items = data.get("items", []) if isinstance(data, dict) else []
        return {addon.id: addon for addon in map(_addon, items) if addon is not None}

    def get(self, addon_id: str) -> SiteAddon | None:
        """The add-on, or None when @addons does not know it (no profile, or not loaded)."""
        return _addon(self._call("GET", self._of(addon_id), f"reading the add-on {addon_id}"))

    def install(self, addon_id: str) -> SiteAddon:
        self._call("POST", f"{self._of(addon_id)}/install", f"installing {addon_id}")
        addon = self.get(addon_id)
        if addon is None or not addon.is_installed:
            raise PlonedevError(
                f"the site {self.site_id!r} did not install {addon_id}",
                "see the backend log (`plonedev logs backend`) for the profile's error",
            )
        return addon

    def uninstall(self, addon_id: str) -> SiteAddon | None:
        self._call("POST", f"{self._of(addon_id)}/uninstall", f"uninstalling {addon_id}")
        addon = self.get(addon_id)
        if addon is not None and addon.is_installed:
            raise PlonedevError(
                f"the site {self.site_id!r} did not uninstall {addon_id}",
                "see the backend log (`plonedev logs backend`) for the profile's error",
            )
        return addon

    def _of(self, addon_id: str) -> str:
        return f"{self.url}/{quote(addon_id)}"

    def _call(self, method: str, url: str, action: str) -> Any:
        token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310  (a URL plonedev builds: http only)
            url,
            data=b"" if method == "POST" else None,
            headers={"Accept": "application/json", "Authorization": f"Basic {token}"},
            method=method,
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                body = answer.read()
        except urllib.error.HTTPError as exc:
            raise _http_error(action, exc.code, exc.read(), self.auth[0]) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise PlonedevError(
                f"{action}: the backend did not answer: {getattr(exc, 'reason', exc)}",
                "check that it runs (`plonedev status`)",
            ) from None
        try:
            return json.loads(body) if body else None
        except ValueError:
            return None


def _addon(data: Any) -> SiteAddon | None:
    if not isinstance(data, dict) or not data.get("id"):
        return None  # @addons answers [] for an add-on it does not know
    return SiteAddon(
        id=str(data["id"]),
        title=str(data.get("title") or ""),
        version=str(data.get("version") or ""),
        install_profile_id=str(data.get("install_profile_id") or ""),
        is_installed=bool(data.get("is_installed")),
    )


def _http_error(action: str, status: int, body: bytes, user: str) -> PlonedevError:
    if status in (401, 403):
        return PlonedevError(
            f"{action}: the site refused the admin user {user!r} (HTTP {status})",
            "the database has another password for it (see var/admin-password)",
        )
    detail = ""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            detail = str(error.get("message") or error.get("type") or "")
    detail = detail or body.decode("utf-8", "replace").strip()[:200]
    return PlonedevError(
        f"{action}: HTTP {status}: {detail}",
        "see the backend log (`plonedev logs backend`)",
    )
