"""plone.app.caching in the site, purging the Varnish in front of it.

Installed over plone.restapi (`@addons`, `@registry`) by `plonedev up` when Varnish is
on, for a new site and for one made before Varnish was. One GET decides on the warm
path: a site whose caching proxies are already ours is left alone, so settings changed
in the control panel stay. The production stack's backend image gets the same records
as a file (caching_settings_file), applied in the database by its create_site.py.
Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from plonedev.backend.site import Auth, check, request

PRODUCT = "plone.app.caching"
# The rules for a site behind a caching proxy (files and feeds cached in the proxy).
PROXY_PROFILE = "with-caching-proxy"
PROXIES_RECORD = "plone.cachepurging.interfaces.ICachePurgingSettings.cachingProxies"
# Every type a visitor sees as a page: plone.app.caching purges only these (its default
# is File, Image and News Item, so an edited Document would stay stale).
PURGED_TYPES = (
    "Collection",
    "Document",
    "Event",
    "File",
    "Folder",
    "Image",
    "Link",
    "News Item",
    "Plone Site",
)
# plone.app.caching's rule sets, with pages cached in the proxy (moderateCaching:
# s-maxage, purged on change) instead of only revalidated in the browser (weakCaching,
# which Varnish cannot cache).
OPERATIONS = {
    "plone.resource": "plone.app.caching.strongCaching",
    "plone.stableResource": "plone.app.caching.strongCaching",
    "plone.content.itemView": "plone.app.caching.moderateCaching",
    "plone.content.folderView": "plone.app.caching.moderateCaching",
    "plone.content.feed": "plone.app.caching.moderateCaching",
    "plone.content.file": "plone.app.caching.moderateCaching",
    "plone.content.dynamic": "plone.app.caching.terseCaching",
}


def caching_records(proxies: Sequence[str]) -> dict[str, Any]:
    """The registry records that make Plone cacheable by Varnish and purge it."""
    return {
        "plone.caching.interfaces.ICacheSettings.enabled": True,
        "plone.caching.interfaces.ICacheSettings.operationMapping": OPERATIONS,
        # Logged-in users get no proxy caching headers (Varnish passes them anyway).
        "plone.app.caching.moderateCaching.anonOnly": True,
        "plone.app.caching.interfaces.IPloneCacheSettings.purgedContentTypes": list(PURGED_TYPES),
        "plone.cachepurging.interfaces.ICachePurgingSettings.enabled": True,
        PROXIES_RECORD: list(proxies),
        # Paths as the editing request saw them: the VCL maps them to what it cached.
        "plone.cachepurging.interfaces.ICachePurgingSettings.virtualHosting": False,
    }


def caching_settings_file(proxies: Sequence[str]) -> str:
    """The same settings as a file for the image's create_site.py (CACHING_SETTINGS),
    which applies them in the database before the production backend serves."""
    settings = {
        "product": PRODUCT,
        "profile": PROXY_PROFILE,
        "proxies_record": PROXIES_RECORD,
        "records": caching_records(proxies),
    }
    return json.dumps(settings, indent=2, sort_keys=True) + "\n"


def ensure_caching(
    base_url: str, site_id: str, proxies: Sequence[str], auth: Auth, timeout: float = 120
) -> bool:
    """Install plone.app.caching with its caching-proxy profile and point its purging at
    `proxies`, unless the site purges them already; True when something changed."""
    site = f"{base_url.rstrip('/')}/{quote(site_id)}"
    addon = f"{site}/@addons/{PRODUCT}"
    info = request("GET", addon, auth, timeout=timeout)
    check(info, f"reading the add-on {PRODUCT} of the site {site_id!r}", auth[0])
    data = info.json()
    installed = isinstance(data, dict) and bool(data.get("is_installed"))
    if installed:
        current = request("GET", f"{site}/@registry/{PROXIES_RECORD}", auth, timeout=timeout)
        if current.status == 200 and current.json() == list(proxies):
            return False
    else:
        for step in ("install", f"import/{PROXY_PROFILE}"):
            done = request("POST", f"{addon}/{step}", auth, timeout=timeout)
            check(done, f"installing {PRODUCT} ({step}) in the site {site_id!r}", auth[0])
    records = caching_records(proxies)
    done = request("PATCH", f"{site}/@registry", auth, records, timeout)
    check(done, f"setting the caching proxies of the site {site_id!r}", auth[0])
    return True
