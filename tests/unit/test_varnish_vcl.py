"""The Plone VCL as rendered from settings (compiled by varnishd in the integration tests)."""

from __future__ import annotations

import re

import pytest

from plonedev.errors import PlonedevError
from plonedev.varnish import (
    DEVELOPMENT_CACHING,
    HEALTH_PATH,
    ROUTED_HEADER,
    Upstream,
    VclSettings,
    render_vcl,
)
from plonedev.varnish.stats import content_path

ZOPE = Upstream("127.0.0.1", 8080)
VOLTO = Upstream("127.0.0.1", 3000)


def _sub(vcl: str, name: str) -> str:
    """The body of one `sub` (they are rendered without nested subs)."""
    match = re.search(rf"^sub {name} \{{\n(.*?)^\}}", vcl, re.S | re.M)
    assert match, f"sub {name} missing"
    return match.group(1)


def test_backend_only_sends_everything_to_zope_with_a_probe() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE))
    assert vcl.splitlines()[1] == "vcl 4.1;"
    assert 'backend plone_backend {\n    .host = "127.0.0.1";\n    .port = "8080";' in vcl
    assert '.url = "/ok";' in vcl
    assert "plone_frontend" not in vcl
    assert _sub(vcl, "plonedev_route").strip() == "set req.backend_hint = plone_backend;"
    assert "vcl_backend_fetch" not in vcl  # no virtual hosting unless asked


def test_frontend_gets_everything_but_zope_paths() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE, frontend=Upstream("volto", 3000, "/health")))
    assert 'backend plone_frontend {\n    .host = "volto";\n    .port = "3000";' in vcl
    assert '.url = "/health";' in vcl
    route = _sub(vcl, "plonedev_route")
    pattern = re.search(r'req\.url ~ "([^"]+)"', route)
    assert pattern
    to_backend = re.compile(pattern.group(1))
    for path in (
        "/++api++",
        "/++api++/news?b_start=10",
        "/ClassicUI/news",
        "/manage_main",
        "/VirtualHostBase/http/x/Plone/VirtualHostRoot/",
    ):
        assert to_backend.search(path), path
    for path in ("/", "/news", "/management-team", "/static/js/client.js", "/api-docs"):
        assert not to_backend.search(path), path
    assert "set req.backend_hint = plone_frontend;" in route


def test_virtual_hosting_rewrites_api_and_classic_ui_for_the_site() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE, frontend=VOLTO, vhm_site="Site1"))
    fetch = _sub(vcl, "vcl_backend_fetch")
    assert '"/Site1/++api++/VirtualHostRoot"' in fetch
    assert '"/Site1/VirtualHostRoot/_vh_ClassicUI"' in fetch
    assert "bereq.url !~" not in fetch  # with a frontend, only Zope's paths reach Zope

    alone = _sub(render_vcl(VclSettings(backend=ZOPE, vhm_site="Site1")), "vcl_backend_fetch")
    assert '"/Site1/VirtualHostRoot" + bereq.url' in alone  # the site itself at "/"


def test_purge_acl_localhost_by_default_and_cidrs_when_given() -> None:
    default = render_vcl(VclSettings(backend=ZOPE))
    assert 'acl purge {\n    "127.0.0.1";\n    "::1";\n}' in default
    swarm = render_vcl(
        VclSettings(backend=ZOPE, purge_acl=("10.0.1.0/24", "172.16.5.4/12", "fd00::/8"))
    )
    assert 'acl purge {\n    "10.0.1.0"/24;\n    "172.16.0.0"/12;\n    "fd00::"/8;\n}' in swarm


def test_purge_and_ban_only_from_the_acl() -> None:
    recv = _sub(render_vcl(VclSettings(backend=ZOPE)), "vcl_recv")
    head = recv.split('req.url == "')[0]  # before anything else happens
    assert 'req.method == "PURGE" || req.method == "BAN"' in head
    assert 'if (!(client.ip ~ purge)) {\n            return (synth(405, "Not allowed"));' in head


def test_authenticated_requests_pass_and_anonymous_cookies_are_dropped() -> None:
    recv = _sub(render_vcl(VclSettings(backend=ZOPE)), "vcl_recv")
    passes = re.search(r'req\.http\.Authorization \|\| req\.http\.Cookie ~ "([^"]+)"', recv)
    assert passes
    cookie = re.compile(passes.group(1))
    for header in ("__ac=abc", "x=1; __ac=abc", "auth_token=jwt", "a=1;auth_token=jwt"):
        assert cookie.search(header), header
    for header in ("_ga=1", "my__ac=1", "__ac_name=admin", "I18N_LANGUAGE=en"):
        assert not cookie.search(header), header
    after = recv.split(passes.group(0))[1]
    assert "return (pass);" in after.split("unset req.http.Cookie;")[0]
    assert "return (hash);" in after


def test_routed_header_health_path_cache_header_and_ttls() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE, default_ttl=45, grace=600, healthy_grace=5))
    assert f'set req.http.{ROUTED_HEADER} = "1";' in _sub(vcl, "vcl_recv")
    assert f'if (req.url == "{HEALTH_PATH}") {{\n        return (synth(200, "OK"));' in vcl
    deliver = _sub(vcl, "vcl_deliver")
    assert 'resp.http.X-Cache = "HIT"' in deliver
    assert 'resp.http.X-Cache = "MISS"' in deliver
    response = _sub(vcl, "vcl_backend_response")
    assert "set beresp.ttl = 45s;" in response
    assert "set beresp.grace = 600s;" in response
    assert "set req.grace = 5s;" in vcl


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (VclSettings(backend=Upstream('evil";', 8080)), "host"),
        (VclSettings(backend=Upstream("127.0.0.1", 0)), "port"),
        (VclSettings(backend=ZOPE, frontend=Upstream("v", 3000, "ok")), "probe path"),
        (VclSettings(backend=ZOPE, purge_acl=("localhost",)), "purge ACL"),
        (VclSettings(backend=ZOPE, purge_acl=("10.0.0.0/33",)), "purge ACL"),
        (VclSettings(backend=ZOPE, vhm_site="my site"), "site id"),
        (VclSettings(backend=ZOPE, default_ttl=0), "default_ttl"),
        (VclSettings(backend=ZOPE, pass_cookies=('a"b',)), "cookie"),
    ],
)
def test_bad_settings_are_refused_before_they_reach_vcl(
    settings: VclSettings, problem: str
) -> None:
    with pytest.raises(PlonedevError, match=problem):
        render_vcl(settings)


def test_rendering_is_stable() -> None:
    settings = VclSettings(backend=ZOPE, frontend=VOLTO, vhm_site="Plone")
    assert render_vcl(settings) == render_vcl(settings)  # write_if_changed relies on it


def test_purges_name_pages_by_their_content_path() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE, frontend=VOLTO, vhm_site="Plone"))
    recv = _sub(vcl, "vcl_recv")
    assert 'std.ban("obj.http.X-Plonedev-Path == " + req.http.X-Plonedev-Path)' in recv
    path = _sub(vcl, "plonedev_content_path")
    assert '"^/Plone(/|$)"' in path  # the site id, when Varnish serves the site at "/"
    assert "unset resp.http.X-Plonedev-Path;" in _sub(vcl, "vcl_deliver")
    assert "^/Plone" not in _sub(render_vcl(VclSettings(backend=ZOPE)), "plonedev_content_path")


def test_development_purges_everything_and_caps_the_lifetime() -> None:
    vcl = render_vcl(VclSettings(backend=ZOPE, **DEVELOPMENT_CACHING))
    assert 'std.ban("obj.status != 0")' in _sub(vcl, "vcl_recv")
    assert "set beresp.ttl = 10s;" in _sub(vcl, "vcl_backend_response")
    production = render_vcl(VclSettings(backend=ZOPE))
    assert "obj.status != 0" not in production
    assert "return (deliver);" not in _sub(production, "vcl_backend_response")


def test_cache_hold_overrides_do_not_cache_for_anonymous_answers() -> None:
    response = _sub(render_vcl(VclSettings(backend=ZOPE, cache_hold=3)), "vcl_backend_response")
    assert "if (bereq.http.X-Plonedev-Path && beresp.status < 500" in response
    assert "set beresp.ttl = 3s;" in response
    with pytest.raises(PlonedevError, match="cache_hold must not be negative"):
        render_vcl(VclSettings(backend=ZOPE, cache_hold=-1))


@pytest.mark.parametrize(
    ("url", "site", "expected"),
    [
        ("/doc", "Plone", "/doc"),
        ("/Plone/doc/", "Plone", "/doc"),
        ("/++api++/doc?expand=x", "Plone", "/doc"),
        ("/ClassicUI/doc/view", "Plone", "/doc/view"),
        ("/Plone", "Plone", "/"),
        ("/Plone/++api++/doc", None, "/Plone/doc"),
        ("/Plone/", None, "/Plone"),
    ],
)
def test_content_path_matches_the_vcl(url: str, site: str | None, expected: str) -> None:
    assert content_path(url, site) == expected
