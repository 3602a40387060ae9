"""Create the Plone site over HTTP against the running backend, once.

plone.distribution (Plone 6.1+) publishes `POST /@sites` on the Zope root: it validates
the answers against the distribution's schema and creates the site in one transaction.
Extra GenericSetup profiles go through plone.restapi's `@addons/<product>/import/<name>`.
A site that exists is seen with one cheap anonymous request (`GET /<site>/@@ok`), so the
warm path of `plonedev up` costs a few milliseconds. Standard library only.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from plonedev.config import parse_profile
from plonedev.errors import PlonedevError

Auth = tuple[str, str]
DISTRIBUTIONS = ("volto", "classic")
# Local requests must never go through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


_CREATED_LATER = (
    "install it from the site's Add-ons control panel once fixed "
    "(or delete the database to start over)"
)


@dataclass(frozen=True)
class SiteResult:
    created: bool
    seconds: float


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def site_exists(base_url: str, site_id: str, auth: Auth | None = None, timeout: float = 10) -> bool:
    """Whether the Zope root holds `site_id` (Plone's public @@ok view answers under it)."""
    response = request("GET", f"{_root(base_url)}/{quote(site_id)}/@@ok", auth, timeout=timeout)
    if response.status in (200, 401, 403):
        return True  # 401/403: something is there, and it is not public (a private site)
    if response.status == 404:
        return False
    raise PlonedevError(
        f"the backend answered HTTP {response.status} for /{site_id}/@@ok",
        "see the backend log (`plonedev logs backend`)",
    )


def ensure_site(
    base_url: str,
    site_id: str,
    *,
    distribution: str,
    title: str,
    admin_user: str,
    admin_password: str,
    profiles: Sequence[str] = (),
    timeout: float = 300,
    setup_content: bool = False,
    language: str = "en",
    timezone: str = "UTC",
) -> SiteResult:
    """Create the site (with `distribution`, then `profiles`) unless it exists already.

    `timeout` bounds each request; creating a site takes a few seconds, example content
    (`setup_content`) more. An existing site is never touched.
    """
    started = time.monotonic()
    auth = (admin_user, admin_password)
    if site_exists(base_url, site_id, auth):
        return SiteResult(False, time.monotonic() - started)
    parsed = [_parse_profile(profile) for profile in profiles]  # refuse before creating
    if distribution not in DISTRIBUTIONS:
        raise PlonedevError(
            f"unknown distribution {distribution!r}",
            f"set tool.plonedev.distribution to one of {', '.join(DISTRIBUTIONS)}",
        )
    answers = {
        "site_id": site_id,
        "title": title,
        "distribution": distribution,
        "default_language": language,
        "portal_timezone": timezone,
        "setup_content": setup_content,
    }
    response = request("POST", f"{_root(base_url)}/@sites", auth, answers, timeout)
    check(
        response,
        f"creating the site {site_id!r}",
        admin_user,
        not_found="the backend has no @sites service (plone.distribution): use Plone 6.1 or newer",
    )
    # The site exists by now and a later run will not create it again: say so.
    for profile, (product, name) in zip(profiles, parsed, strict=True):
        where = f"site {site_id!r} was created, but its profile {profile!r}"
        _install_profile(base_url, site_id, (product, name), where, auth, timeout)
    return SiteResult(True, time.monotonic() - started)


def install_missing_profiles(
    base_url: str, site_id: str, profiles: Sequence[str], auth: Auth, timeout: float = 300
) -> list[str]:
    """Install the configured add-on profiles an existing site lacks; return them.

    A teammate's new add-on reaches a site created before it this way. One GET of the
    site's @addons decides: only a profile that is an add-on's install profile, and that
    @addons reports as not installed, is installed. Any other profile (an extra one, an
    add-on @addons does not list) cannot be told installed or not, and importing it again
    could change content: it is left alone.
    """
    if not profiles:
        return []
    parsed = [_parse_profile(profile) for profile in profiles]
    listing = request("GET", f"{_root(base_url)}/{quote(site_id)}/@addons", auth, timeout=timeout)
    check(listing, f"listing the add-ons of the site {site_id!r}", auth[0])
    data = listing.json()
    items = data.get("items", []) if isinstance(data, dict) else []
    known = {str(i.get("id")): i for i in items if isinstance(i, dict)}
    installed = []
    for profile, (product, name) in zip(profiles, parsed, strict=True):
        addon = known.get(product)
        if addon is None or addon.get("install_profile_id") != f"{product}:{name}":
            continue
        if addon.get("is_installed"):
            continue
        where = f"the configured profile {profile!r}"
        later = "fix it, then run `plonedev up` again (it installs what the site lacks)"
        _install_profile(base_url, site_id, (product, name), where, auth, timeout, later)
        installed.append(profile)
    return installed


def _parse_profile(profile: str) -> tuple[str, str]:
    try:
        return parse_profile(profile)
    except ValueError:
        raise PlonedevError(
            f"profile {profile!r} is not a GenericSetup profile id",
            "write it as package:name, e.g. collective.foo:default",
        ) from None


def _install_profile(
    base_url: str,
    site_id: str,
    profile: tuple[str, str],
    where: str,
    auth: Auth,
    timeout: float,
    later: str = _CREATED_LATER,
) -> None:
    product, name = profile
    addon = f"{_root(base_url)}/{quote(site_id)}/@addons/{quote(product)}"
    response = request("POST", f"{addon}/import/{quote(name)}", auth, timeout=timeout)
    check(response, f"{where} failed", auth[0])
    # @addons answers 204 even when it found no such profile: ask what happened.
    info = request("GET", addon, auth, timeout=timeout).json()
    if not isinstance(info, dict):
        raise PlonedevError(
            f"{where} was not found: is {product} installed in the backend with its ZCML "
            "loaded (a plone.autoinclude entry point, or an explicit ZCML include)?",
            later,
        )
    if info.get("install_profile_id") == f"{product}:{name}" and not info.get("is_installed"):
        raise PlonedevError(f"{where} did not install (see the backend log)", later)


def check(response: Response, action: str, admin_user: str, not_found: str = "") -> None:
    if response.status < 300:
        return
    if response.status in (401, 403):
        raise PlonedevError(
            f"{action}: the backend refused the admin user {admin_user!r} (HTTP {response.status})",
            "the database has another password for it: use that one, or start from an "
            "empty database",
        )
    data = response.json()
    detail = ""
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            detail = str(error.get("message") or error.get("type") or "")
    if not detail:
        detail = response.body.decode("utf-8", "replace").strip()[:200]
    hint = "see the backend log (`plonedev logs backend`)"
    if response.status == 404 and not_found:
        hint = not_found
    raise PlonedevError(f"{action}: HTTP {response.status}: {detail}", hint)


def request(
    method: str,
    url: str,
    auth: Auth | None,
    payload: object = None,
    timeout: float = 10,
) -> Response:
    headers = {"Accept": "application/json"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if auth is not None:
        # Sent up front: Zope answers 401 first only to browsers it can redirect.
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    sent = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with _OPENER.open(sent, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read())
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PlonedevError(
            f"the backend at {url.split('/', 3)[2]} did not answer {method} {url}: {reason}",
            "check that the backend runs (`plonedev status`); see `plonedev logs backend`",
        ) from None


def _root(base_url: str) -> str:
    return base_url.rstrip("/")


__all__ = [
    "DISTRIBUTIONS",
    "Auth",
    "Response",
    "SiteResult",
    "check",
    "ensure_site",
    "install_missing_profiles",
    "request",
    "site_exists",
]
