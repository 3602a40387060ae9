"""The site's add-ons through plone.restapi's @addons service: list, install, uninstall.

@addons knows an add-on by its import name (`collective.foo`, `plonedev_demo`), and only
one with a GenericSetup profile that is not hidden. It answers 204 to an install whatever
happened, so every change is checked by reading the add-on again. The HTTP is
plonedev.backend.site's (the same Zope, the same errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from plonedev.backend.site import check, request
from plonedev.errors import PlonedevError


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
        response = request(method, url, self.auth, timeout=self.timeout)
        check(response, action, self.auth[0])
        return response.json()


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
