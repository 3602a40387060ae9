"""`up` installs plone.app.caching and points its purging at Varnish once, and leaves a
site that purges Varnish already alone: against a small stdlib server that plays the
site's @addons and @registry services (the real ones: tests/integration/test_caching_*)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from plonedev.backend.caching import PROXIES_RECORD, ensure_caching
from tests.unit.backend.test_site_profiles import _Addons

PROXY = "http://varnish:80"


class _Site(_Addons):  # its JSON answers
    installed: ClassVar[bool] = False
    registry: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        self.requests.append(f"GET {self.path}")
        if self.path.endswith("/@addons/plone.app.caching"):
            self._answer({"id": "plone.app.caching", "is_installed": self.installed})
        else:
            self._answer(self.registry.get(self.path.rsplit("/", 1)[1], []))

    def do_POST(self) -> None:
        self.requests.append(f"POST {self.path}")
        type(self).installed = True
        self._answer(None, 204)

    def do_PATCH(self) -> None:
        self.requests.append(f"PATCH {self.path}")
        length = int(self.headers["Content-Length"])
        self.registry.update(json.loads(self.rfile.read(length)))
        self._answer(None, 204)


@pytest.fixture
def site() -> Iterator[str]:
    _Site.installed, _Site.registry, _Site.requests = False, {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_site_without_caching_gets_it_with_purging_to_varnish(site: str) -> None:
    assert ensure_caching(site, "Plone", (PROXY,), ("admin", "pw"))
    posts = [r for r in _Site.requests if r.startswith("POST")]
    assert posts == [
        "POST /Plone/@addons/plone.app.caching/install",
        "POST /Plone/@addons/plone.app.caching/import/with-caching-proxy",
    ]
    registry = _Site.registry
    assert registry[PROXIES_RECORD] == [PROXY]
    assert registry["plone.cachepurging.interfaces.ICachePurgingSettings.enabled"] is True
    purged = registry["plone.app.caching.interfaces.IPloneCacheSettings.purgedContentTypes"]
    assert "Document" in purged
    mapping = registry["plone.caching.interfaces.ICacheSettings.operationMapping"]
    assert mapping["plone.content.itemView"] == "plone.app.caching.moderateCaching"


def test_a_site_that_purges_varnish_already_is_left_alone(site: str) -> None:
    _Site.installed = True
    _Site.registry = {PROXIES_RECORD: [PROXY]}
    assert not ensure_caching(site, "Plone", (PROXY,), ("admin", "pw"))
    assert [r.split()[0] for r in _Site.requests] == ["GET", "GET"]


def test_a_new_varnish_address_is_set_without_installing_again(site: str) -> None:
    _Site.installed = True
    _Site.registry = {PROXIES_RECORD: ["http://127.0.0.1:8000"]}
    assert ensure_caching(site, "Plone", (PROXY,), ("admin", "pw"))
    assert not [r for r in _Site.requests if r.startswith("POST")]
    assert _Site.registry[PROXIES_RECORD] == [PROXY]
