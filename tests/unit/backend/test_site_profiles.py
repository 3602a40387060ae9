"""`up` on an existing site installs the configured add-on profiles it lacks, and nothing
else: checked against a small stdlib server that plays the site's @addons service (the
real one answers in tests/integration/test_addons_compose.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from plonedev.backend.site import install_missing_profiles
from plonedev.errors import PlonedevError


class _Addons(BaseHTTPRequestHandler):
    addons: ClassVar[dict[str, dict[str, Any]]] = {}
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(f"GET {self.path}")
        if self.path == "/Plone/@addons":
            self._answer({"items": list(self.addons.values())})
        else:
            self._answer(self.addons.get(self.path.rsplit("/", 1)[1], []))

    def do_POST(self) -> None:
        self.requests.append(f"POST {self.path}")
        product = self.path.split("/")[3]
        if product != "broken.addon":
            self.addons[product]["is_installed"] = True
        self._answer(None, 204)

    def _answer(self, payload: object, status: int = 200) -> None:
        body = b"" if status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _addon(product: str, installed: bool, profile: str = "default") -> dict[str, Any]:
    return {"id": product, "install_profile_id": f"{product}:{profile}", "is_installed": installed}


@pytest.fixture
def site() -> Iterator[str]:
    _Addons.requests = []
    _Addons.addons = {
        "collective.new": _addon("collective.new", False),
        "collective.old": _addon("collective.old", True),
        "collective.extra": _addon("collective.extra", False),
        "broken.addon": _addon("broken.addon", False),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Addons)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_only_missing_install_profiles_are_installed(site: str) -> None:
    profiles = [
        "collective.new:default",  # not installed: installed now
        "collective.old:default",  # installed already
        "collective.extra:content",  # not the add-on's install profile: cannot tell
        "not.listed:default",  # unknown to @addons
    ]
    installed = install_missing_profiles(site, "Plone", profiles, ("admin", "pw"))
    assert installed == ["collective.new:default"]
    assert _Addons.requests == [
        "GET /Plone/@addons",
        "POST /Plone/@addons/collective.new/import/default",
        "GET /Plone/@addons/collective.new",
    ]


def test_no_profiles_no_request(site: str) -> None:
    assert install_missing_profiles(site, "Plone", [], ("admin", "pw")) == []
    assert _Addons.requests == []


def test_a_profile_that_does_not_install_is_an_error_that_keeps_the_data(site: str) -> None:
    with pytest.raises(PlonedevError) as caught:
        install_missing_profiles(site, "Plone", ["broken.addon:default"], ("admin", "pw"))
    assert caught.value.message == (
        "the configured profile 'broken.addon:default' did not install (see the backend log)"
    )
    assert "delete the database" not in caught.value.hint
