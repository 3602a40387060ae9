"""A real varnishd with the Plone VCL in front of tiny Python HTTP servers.

The upstream servers send no caching headers (as Plone in development), answer /ok for
the probe and record what reaches them, so each test checks what a user would: the
X-Cache header, and whether the request reached the backend, with which headers.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError, ServiceError
from plonedev.runtime.ports import free_port
from plonedev.varnish import (
    DEVELOPMENT_CACHING,
    ROUTED_HEADER,
    AdminAddress,
    Upstream,
    VclSettings,
    admin_ping,
    prepare_varnish,
    reload_vcl,
    render_vcl,
    varnish_available,
    varnish_command,
    varnish_healthy,
)
from plonedev.varnish.process import varnishadm_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(varnish_available() is None, reason="varnishd is not installed"),
]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.name = name
        self.seen: list[Seen] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path and s.method != "HEAD"]


class _Handler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/ok":  # the probe would drown the interesting requests
            self.server.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        body = f"{self.server.name} {self.path} #{len(self.server.seen)}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/private"):
            self.send_header("Cache-Control", "private")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(name: str) -> Iterator[Recorder]:
    server = Recorder(name)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def cache(self) -> str:
        return self.headers.get("X-Cache", "")


@dataclass
class Varnish:
    port: int
    workdir: Path
    vcl: Path
    log: Path
    process: subprocess.Popen[bytes]
    started_in: float = field(default=0.0)

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read().decode())
        finally:
            connection.close()

    def vcl_list(self) -> list[tuple[str, str]]:
        """(status, name) of each loaded VCL, as varnishadm reports them."""
        done = subprocess.run(
            [varnishadm_path(), "-n", str(self.workdir), "vcl.list"],
            capture_output=True,
            text=True,
            check=True,
        )
        rows = [line.split() for line in done.stdout.splitlines() if line.strip()]
        return [(row[0], row[-1]) for row in rows]


@contextlib.contextmanager
def running_varnish(
    directory: Path, settings: VclSettings, admin_port: int = 0
) -> Iterator[Varnish]:
    directory.mkdir(parents=True, exist_ok=True)
    vcl, secret, workdir = directory / "default.vcl", directory / "secret", directory / "run" / "v"
    prepare_varnish(settings, vcl, secret, workdir)
    port = free_port()
    argv = varnish_command(
        vcl, "127.0.0.1", port, admin_port=admin_port, secret_file=secret, workdir=workdir
    )
    log = directory / "varnishd.log"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        while not varnish_healthy("127.0.0.1", port, timeout=0.5):
            if process.poll() is not None or time.monotonic() - started > 30:
                pytest.fail(f"varnishd did not start:\n{log.read_text()}")
            time.sleep(0.02)
        yield Varnish(port, workdir, vcl, log, process, time.monotonic() - started)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def backend() -> Iterator[Recorder]:
    with serving("backend") as server:
        yield server


@pytest.fixture(scope="module")
def varnish(backend: Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Varnish]:
    settings = VclSettings(backend=Upstream("127.0.0.1", backend.port))
    with running_varnish(tmp_path_factory.mktemp("varnish"), settings) as running:
        yield running


def test_second_anonymous_get_is_a_hit(varnish: Varnish, backend: Recorder) -> None:
    first = varnish.request("/anonymous")
    second = varnish.request("/anonymous")
    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.body == first.body
    assert len(backend.hits("/anonymous")) == 1
    assert varnish.started_in < 10


def test_anonymous_cookies_are_stripped_so_the_page_stays_cacheable(
    varnish: Varnish, backend: Recorder
) -> None:
    assert varnish.request("/tracked", headers={"Cookie": "_ga=GA1.1"}).cache == "MISS"
    assert varnish.request("/tracked", headers={"Cookie": "_ga=other; x=1"}).cache == "HIT"
    (seen,) = backend.hits("/tracked")
    assert "Cookie" not in seen.headers


@pytest.mark.parametrize(
    ("kind", "credentials"),
    [
        ("classic", {"Cookie": "__ac=c2Vzc2lvbg"}),
        ("volto", {"Cookie": "_ga=1; auth_token=eyJhbGciOi"}),
        ("basic", {"Authorization": "Basic YWRtaW46YWRtaW4="}),
    ],
)
def test_authenticated_requests_are_never_cached(
    varnish: Varnish, backend: Recorder, kind: str, credentials: dict[str, str]
) -> None:
    path = f"/members-{kind}"
    assert varnish.request(path).cache == "MISS"  # an anonymous copy is now cached
    for _ in range(2):
        answer = varnish.request(path, headers=credentials)
        assert answer.cache == "MISS"
    seen = backend.hits(path)
    assert len(seen) == 3
    for name, value in credentials.items():
        assert seen[-1].headers[name] == value  # credentials reach Plone unchanged


def test_private_answers_and_posts_are_not_cached(varnish: Varnish, backend: Recorder) -> None:
    assert [varnish.request("/private-page").cache for _ in range(2)] == ["MISS", "MISS"]
    assert [varnish.request("/form", "POST").cache for _ in range(2)] == ["MISS", "MISS"]
    assert len(backend.hits("/private-page")) == 2
    assert len(backend.hits("/form")) == 2


def test_routed_header_reaches_the_backend(varnish: Varnish, backend: Recorder) -> None:
    varnish.request("/routed")
    varnish.request("/routed-pass", headers={"Cookie": "__ac=x"})
    for path in ("/routed", "/routed-pass"):
        assert backend.hits(path)[0].headers[ROUTED_HEADER] == "1"


def test_purge_and_ban_from_localhost(varnish: Varnish, backend: Recorder) -> None:
    for path in ("/purge-me", "/ban/a", "/ban/b", "/banned-not"):
        varnish.request(path)
        assert varnish.request(path).cache == "HIT"
    purged = varnish.request("/purge-me", "PURGE")
    assert purged.status == 200
    assert varnish.request("/purge-me").cache == "MISS"
    assert len(backend.hits("/purge-me")) == 2

    assert varnish.request("/ban/", "BAN").status == 200
    assert varnish.request("/ban/a").cache == "MISS"
    assert varnish.request("/ban/b").cache == "MISS"
    assert varnish.request("/banned-not").cache == "HIT"


def test_purge_is_refused_outside_the_acl(backend: Recorder, tmp_path: Path) -> None:
    settings = VclSettings(
        backend=Upstream("127.0.0.1", backend.port), purge_acl=("10.255.255.0/24",)
    )
    with running_varnish(tmp_path, settings) as varnish:
        varnish.request("/protected")
        assert varnish.request("/protected", "PURGE").status == 405
        assert varnish.request("/", "BAN").status == 405
        assert varnish.request("/protected").cache == "HIT"
        assert len(backend.hits("/protected")) == 1


def test_health_path_answers_without_the_backend(tmp_path: Path) -> None:
    # The backend's port is closed: pages fail, but Varnish itself is healthy.
    settings = VclSettings(backend=Upstream("127.0.0.1", free_port()))
    with running_varnish(tmp_path, settings) as varnish:
        assert varnish_healthy("127.0.0.1", varnish.port)
        assert varnish.request("/").status == 503


def test_reload_takes_effect_and_keeps_the_cache(backend: Recorder, tmp_path: Path) -> None:
    zope = Upstream("127.0.0.1", backend.port)
    with (
        serving("frontend") as frontend,
        running_varnish(tmp_path, VclSettings(backend=zope)) as varnish,
    ):
        assert varnish.request("/kept").cache == "MISS"
        assert varnish.request("/kept").cache == "HIT"

        with_frontend = VclSettings(backend=zope, frontend=Upstream("127.0.0.1", frontend.port),
                                    vhm_site="Plone")  # fmt: skip
        varnish.vcl.write_text(render_vcl(with_frontend))
        result = reload_vcl(varnish.workdir, varnish.vcl)

        assert ("active", result.name) in varnish.vcl_list()
        assert varnish.request("/kept").cache == "HIT"  # the cache survived
        assert len(backend.hits("/kept")) == 1
        # The new VCL routes pages to the frontend and the API to Zope, virtual-hosted.
        page = varnish.request("/new-page")
        assert page.body.startswith("frontend /new-page")
        assert frontend.hits("/new-page")[0].headers[ROUTED_HEADER] == "1"
        api = varnish.request("/++api++/news?b_size=1", headers={"Accept": "application/json"})
        assert api.body.startswith(
            f"backend /VirtualHostBase/http/127.0.0.1:{varnish.port}/Plone/++api++"
            "/VirtualHostRoot/news?b_size=1"
        )

        # Old VCLs do not pile up: only the newest `keep` stay loaded (a discarded one
        # is listed as "discarded" until its last request has finished).
        for _ in range(3):
            result = reload_vcl(varnish.workdir, varnish.vcl, keep=2)
        loaded = [row for row in varnish.vcl_list() if row[0] != "discarded"]
        assert [status for status, _ in loaded] == ["available", "active"]
        assert loaded[-1] == ("active", result.name)


def test_broken_vcl_reports_the_compiler_and_keeps_the_old_one(
    backend: Recorder, tmp_path: Path
) -> None:
    settings = VclSettings(backend=Upstream("127.0.0.1", backend.port))
    admin_port = free_port()
    with running_varnish(tmp_path, settings, admin_port) as varnish:
        varnish.request("/still-here")
        before = varnish.vcl_list()
        broken = tmp_path / "broken.vcl"
        broken.write_text('vcl 4.1;\nbackend b { .host = "127.0.0.1"; }\nsub vcl_recv { nope; }\n')
        # This time through the admin address and secret, as from outside the machine.
        admin = AdminAddress("127.0.0.1", admin_port, tmp_path / "secret")
        assert admin_ping(admin)

        with pytest.raises(PlonedevError) as caught:
            reload_vcl(admin, broken)

        message = str(caught.value)
        assert "does not compile" in message
        assert "Line 3" in message  # where, as varnishd's compiler says it
        assert varnish.vcl_list() == before
        assert varnish.request("/still-here").cache == "HIT"


def test_reload_without_a_running_varnish_says_so(tmp_path: Path) -> None:
    vcl = tmp_path / "default.vcl"
    vcl.write_text(render_vcl(VclSettings(backend=Upstream("127.0.0.1", 8080))))
    with pytest.raises(ServiceError, match="cannot reach the Varnish admin interface"):
        reload_vcl(tmp_path / "not-running", vcl)
    wrong = AdminAddress("127.0.0.1", free_port(), tmp_path / "secret")
    assert not admin_ping(wrong)
    with pytest.raises(ServiceError, match="Connection refused"):
        reload_vcl(wrong, vcl)


def test_a_purge_from_plone_drops_the_page_its_json_and_its_ssr_page(tmp_path: Path) -> None:
    """Varnish serves the site at "/" (Volto in front): whichever URL Plone names for a
    page (straight on the backend, or through ++api++), all its variants are dropped."""
    with serving("backend") as zope, serving("frontend") as volto:
        settings = VclSettings(
            backend=Upstream("127.0.0.1", zope.port),
            frontend=Upstream("127.0.0.1", volto.port),
            vhm_site="Plone",
        )
        with running_varnish(tmp_path, settings) as varnish:
            variants = ("/doc", "/++api++/doc", "/ClassicUI/doc", "/doc?page=2", "/other")
            for path in variants:
                varnish.request(path)
                assert varnish.request(path).cache == "HIT", path
            assert varnish.request("/Plone/doc/", "PURGE").status == 200
            for path in variants[:-1]:
                assert varnish.request(path).cache == "MISS", path
            assert varnish.request("/other").cache == "HIT"
            assert varnish.request("/++api++/doc", "PURGE").status == 200
            assert varnish.request("/doc").cache == "MISS"
            assert "X-Plonedev-Path" not in varnish.request("/doc").headers


def test_in_development_a_purge_empties_the_cache(backend: Recorder, tmp_path: Path) -> None:
    settings = VclSettings(backend=Upstream("127.0.0.1", backend.port), **DEVELOPMENT_CACHING)
    with running_varnish(tmp_path, settings) as varnish:
        for path in ("/dev-a", "/dev-b"):
            varnish.request(path)
            assert varnish.request(path).cache == "HIT"
        assert varnish.request("/dev-a", "PURGE").status == 200
        assert varnish.request("/dev-b").cache == "MISS"


def test_cache_hold_keeps_private_anonymous_answers(backend: Recorder, tmp_path: Path) -> None:
    settings = VclSettings(backend=Upstream("127.0.0.1", backend.port), cache_hold=2)
    with running_varnish(tmp_path, settings) as varnish:
        started = time.monotonic()
        while time.monotonic() - started < 1.5:
            assert varnish.request("/private-held").status == 200
        assert len(backend.hits("/private-held")) == 1
        time.sleep(1.0)  # past the hold: one stale answer while a fresh copy is fetched
        assert varnish.request("/private-held").cache == "HIT"
        time.sleep(0.3)
        assert len(backend.hits("/private-held")) == 2
        # Logged-in visitors still pass.
        for _ in range(2):
            answer = varnish.request("/private-held", headers={"Cookie": "__ac=x"})
            assert answer.cache == "MISS"
