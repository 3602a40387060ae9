"""How site creation reports problems (the real creation is in tests/integration/backend).

A small stdlib HTTP server plays a Zope root without any site; it records what it got.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from plonedev.backend.site import ensure_site, site_exists
from plonedev.errors import PlonedevError


class _EmptyZope(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str, str, bytes]]] = []
    post_status = 401

    def do_GET(self) -> None:
        self._record(b"")
        self._answer(404, {"type": "NotFound"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._record(self.rfile.read(length))
        self._answer(self.post_status, {"error": {"type": "Unauthorized", "message": "nope"}})

    def _record(self, body: bytes) -> None:
        auth = self.headers.get("Authorization") or ""
        self.requests.append((self.command, self.path, auth, body))

    def _answer(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def empty_zope() -> Iterator[str]:
    _EmptyZope.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyZope)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_missing_site_is_a_404_on_its_ok_view(empty_zope: str) -> None:
    assert site_exists(empty_zope, "Plone") is False
    assert _EmptyZope.requests[0][:2] == ("GET", "/Plone/@@ok")


def test_creation_posts_the_answers_with_basic_auth(empty_zope: str) -> None:
    with pytest.raises(PlonedevError) as caught:
        ensure_site(
            empty_zope,
            "Plone",
            distribution="volto",
            title="My site",
            admin_user="admin",
            admin_password="pw",
        )
    assert "refused the admin user 'admin'" in caught.value.message
    method, path, auth, body = _EmptyZope.requests[-1]
    assert (method, path) == ("POST", "/@sites")
    assert auth == "Basic YWRtaW46cHc="  # admin:pw
    answers = json.loads(body)
    assert answers["site_id"] == "Plone" and answers["title"] == "My site"
    assert answers["distribution"] == "volto"


def test_server_errors_carry_the_message(empty_zope: str) -> None:
    _EmptyZope.post_status = 500
    try:
        with pytest.raises(PlonedevError, match="HTTP 500: nope"):
            ensure_site(
                empty_zope,
                "Plone",
                distribution="classic",
                title="t",
                admin_user="a",
                admin_password="p",
            )
    finally:
        _EmptyZope.post_status = 401


def test_unknown_distribution(empty_zope: str) -> None:
    with pytest.raises(PlonedevError, match="unknown distribution"):
        ensure_site(
            empty_zope,
            "Plone",
            distribution="headless",
            title="t",
            admin_user="a",
            admin_password="p",
        )


def test_a_backend_that_does_not_answer() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(PlonedevError, match="did not answer"):
        site_exists(f"http://127.0.0.1:{port}", "Plone", timeout=2)


def test_a_bad_profile_id_is_refused_before_the_site_is_created(empty_zope: str) -> None:
    with pytest.raises(PlonedevError, match="not a GenericSetup profile id"):
        ensure_site(
            empty_zope,
            "Plone",
            distribution="volto",
            title="t",
            admin_user="a",
            admin_password="p",
            profiles=("collective.foo",),
        )
    assert [method for method, *_ in _EmptyZope.requests] == ["GET"]
