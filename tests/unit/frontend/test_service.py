from __future__ import annotations

from pathlib import Path

from plonedev.config import PlonedevConfig
from plonedev.frontend.service import frontend_service, site_phases
from plonedev.model import HttpCheck, Project, Service
from plonedev.paths import ProjectPaths


def test_the_dev_server_listens_on_loopback_and_proxies_to_the_site(tmp_path: Path) -> None:
    config = PlonedevConfig.model_validate({"frontend": "web", "ports": {"frontend": 3100}})
    service = frontend_service(config, ProjectPaths(tmp_path), "http://127.0.0.1:8080/Plone")
    volto = tmp_path / "web" / "core" / "packages" / "volto"
    assert service.name == "frontend"
    assert service.command == (str(volto / "node_modules" / ".bin" / "razzle"), "start")
    assert service.cwd == volto
    assert service.env["PORT"] == "3100"
    assert service.env["RAZZLE_BIND_ADDRESS"] == service.env["HOST"] == "127.0.0.1"
    assert service.env["RAZZLE_DEV_PROXY_API_PATH"] == "http://127.0.0.1:8080/Plone"
    assert service.env["VOLTOCONFIG"] == str(tmp_path / "web" / "volto.config.js")
    # webpack's compile is kept between runs, with the generated files (safe to delete).
    assert service.env["PLONEDEV_WEBPACK_CACHE"] == str(tmp_path / ".plonedev" / "webpack-cache")
    # Volto detects the public address from each request when this is unset.
    assert "RAZZLE_API_PATH" not in service.env
    assert [(b.host, b.port) for b in service.ports] == [("127.0.0.1", 3100), ("127.0.0.1", 3101)]
    assert service.health == HttpCheck("http://127.0.0.1:3100/ok")
    assert service.depends_on == ("backend",)
    assert service.url == "http://127.0.0.1:3100"


def _service(name: str, *deps: str) -> Service:
    return Service(name=name, description=name, command=("true",), cwd=Path(), depends_on=deps)


def test_the_frontend_and_what_needs_it_start_after_the_site() -> None:
    project = Project(
        "p",
        Path(),
        (
            _service("zeo"),
            _service("backend", "zeo"),
            _service("frontend", "backend"),
            _service("varnish", "frontend"),
        ),
    )
    phases = site_phases(project)
    assert phases.before.service_names == ("zeo", "backend")
    assert phases.after == ("frontend", "varnish")


def test_without_a_frontend_everything_starts_before_the_site() -> None:
    project = Project("p", Path(), (_service("backend"), _service("varnish", "backend")))
    phases = site_phases(project)
    assert phases.before == project
    assert phases.after == ()
