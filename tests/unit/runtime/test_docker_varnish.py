"""The purge ACL: the project's network, without the gateway the host's requests use."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from plonedev.config import load_config
from plonedev.frontend.service import site_phases
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.runtime.docker_engine import NetworkInfo
from plonedev.runtime.docker_varnish import purge_acl, vcl_settings, write_vcl
from tests.conftest import write_pyproject


def _network(subnet: str, gateway: str) -> NetworkInfo:
    return NetworkInfo(
        "demo_default", (ipaddress.ip_network(subnet),), (ipaddress.ip_address(gateway),)
    )


def _covered(acl: tuple[str, ...]) -> set[ipaddress.IPv4Address]:
    return {
        address
        for entry in acl
        for address in ipaddress.ip_network(entry)  # type: ignore[union-attr]
    }


def test_every_address_of_the_network_but_the_gateway_may_purge() -> None:
    acl = purge_acl(_network("172.25.0.0/24", "172.25.0.1"))
    covered = _covered(acl)
    subnet = set(ipaddress.ip_network("172.25.0.0/24"))
    assert covered == subnet - {ipaddress.ip_address("172.25.0.1")}


def test_a_wide_network_stays_a_short_list() -> None:
    acl = purge_acl(_network("172.20.0.0/16", "172.20.0.1"))
    assert len(acl) == 16
    assert "172.20.128.0/17" in acl
    assert not any(ipaddress.ip_address("172.20.0.1") in ipaddress.ip_network(e) for e in acl)


def test_the_vcl_points_at_the_backend_service(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, "varnish = true\n"))
    project = build_project(config, ProjectPaths(tmp_path), native_programs=False)
    settings = vcl_settings(project, ("172.25.0.0/24",))
    assert (settings.backend.host, settings.backend.port) == ("backend", 8080)
    assert settings.frontend is None
    written = write_vcl(tmp_path / "compose", project, _network("172.25.0.0/24", "172.25.0.1"))
    text = written.path.read_text()
    assert written.path == tmp_path / "compose" / "varnish" / "default.vcl"
    assert '.host = "backend";' in text
    assert '"172.25.0.2"/31;' in text
    assert '"172.25.0.1"' not in text
    assert settings.vhm_site is None  # no frontend: the site stays at /Plone


def test_with_a_frontend_the_site_is_served_at_the_root(tmp_path: Path) -> None:
    (tmp_path / "frontend").mkdir()
    (tmp_path / "frontend" / "package.json").write_text("{}")
    config = load_config(write_pyproject(tmp_path, 'varnish = true\nfrontend = "frontend"\n'))
    project = build_project(config, ProjectPaths(tmp_path), native_programs=False)
    settings = vcl_settings(project, ("172.25.0.0/24",))
    assert settings.frontend is not None
    assert (settings.frontend.host, settings.frontend.port) == ("frontend", 3000)
    assert settings.vhm_site == "Plone"  # ++api++ reaches the site as Volto asks for it
    assert project.service("varnish").url.endswith(":8000/")
    # Started once the frontend is up, so `up` never starts it twice (old VCL, new VCL).
    assert project.service("varnish").depends_on == ("backend", "frontend")
    assert site_phases(project).after == ("frontend", "varnish")
