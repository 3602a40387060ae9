"""A new piece of an add-on, seen from the running site: make it take effect, then prove
it is there (the command rolls back when it is not).

Content types and control panels live in the site's database (portal_types, the
registry, portal_controlpanel): the add-on's default profile is imported again through
plone.restapi (`POST @addons/ID/import/default`, what reinstalling does, without the
uninstall). Views, behaviors and upgrade steps need only the restarted code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from plonedev.addons.parts import Kind, PartPlan
from plonedev.backend.site import check, request
from plonedev.errors import PlonedevError


@dataclass(frozen=True)
class PartSite:
    base_url: str
    site_id: str
    auth: tuple[str, str]

    @property
    def site(self) -> str:
        return f"{self.base_url.rstrip('/')}/{quote(self.site_id)}"

    def installed(self, package: str) -> bool:
        data = self._get(f"@addons/{quote(package)}", f"reading the add-on {package}")
        return isinstance(data, dict) and bool(data.get("is_installed"))

    def import_profile(self, package: str) -> None:
        url = f"{self.site}/@addons/{quote(package)}/import/default"
        response = request("POST", url, self.auth, timeout=300)
        check(response, f"importing the profile {package}:default", self.auth[0])

    def where(self, plan: PartPlan) -> str:
        """The address that shows the piece."""
        name, package = plan.name, plan.package
        return {
            Kind.CONTENT_TYPE: f"{self.site}/@types/{quote(name.name)}",
            Kind.VIEW: f"{self.site}/@@{quote(name.name)}",
            Kind.BEHAVIOR: f"{self.site}/@vocabularies/Behaviors",
            Kind.UPGRADE_STEP: f"{self.site}/@addons/{quote(package)}",
            Kind.CONTROLPANEL: f"{self.site}/@@{quote(name.name)}-controlpanel",
        }[plan.kind]

    def verify(self, plan: PartPlan) -> None:
        """PlonedevError unless the site shows the piece."""
        if not self._shows(plan):
            raise PlonedevError(
                f"the site does not show the new {plan.kind.value} {plan.name.name!r} "
                f"({self.where(plan)})",
                "see the backend log (`plonedev logs backend`) for what failed to load",
            )

    def refuse_taken(self, plan: PartPlan) -> None:
        """A content type id the site has already (Plone's Document, another add-on's):
        importing the profile would overwrite that type's definition."""
        if plan.kind is Kind.CONTENT_TYPE and self._has_type(plan.name.name):
            raise PlonedevError(
                f"the site has a content type {plan.name.name!r} already",
                "choose another id: the add-on's profile would replace that type's definition",
            )

    def _has_type(self, type_id: str) -> bool:
        types = self._get("@types", "listing the content types")
        return any(item.get("@id", "").endswith(f"/@types/{type_id}") for item in types)

    def _shows(self, plan: PartPlan) -> bool:
        name, package = plan.name, plan.package
        if plan.kind is Kind.CONTENT_TYPE:
            return self._has_type(name.name)
        if plan.kind is Kind.VIEW:
            response = request("GET", self.where(plan), self.auth)
            return response.status == 200
        if plan.kind is Kind.BEHAVIOR:
            data = self._get("@vocabularies/Behaviors?b_size=-1", "listing the behaviors")
            tokens = {item.get("token") for item in data.get("items", [])}
            return f"{package}.{name.module}" in tokens
        if plan.kind is Kind.UPGRADE_STEP:
            data = self._get(f"@addons/{quote(package)}", f"reading the add-on {package}")
            info = data.get("upgrade_info") or {} if isinstance(data, dict) else {}
            return str(info.get("newVersion")) == plan.version
        panels = self._get("@controlpanels", "listing the control panels")
        page = request("GET", self.where(plan), self.auth)
        listed = any(item.get("@id", "").endswith(f"/{name.module}") for item in panels)
        return page.status == 200 and listed

    def _get(self, path: str, action: str) -> Any:
        response = request("GET", f"{self.site}/{path}", self.auth, timeout=60)
        check(response, action, self.auth[0])
        return response.json()
