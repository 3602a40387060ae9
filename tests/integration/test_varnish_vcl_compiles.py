"""Every shape of the rendered VCL compiles with the installed varnishd (`varnishd -C`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.varnish import Upstream, VclSettings, check_vcl, render_vcl, varnish_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(varnish_available() is None, reason="varnishd is not installed"),
]

ZOPE = Upstream("127.0.0.1", 8080)
VOLTO = Upstream("localhost", 3000)

SHAPES = {
    "backend only": VclSettings(backend=ZOPE),
    "backend, site at /": VclSettings(backend=ZOPE, vhm_site="Plone"),
    "frontend": VclSettings(backend=ZOPE, frontend=VOLTO),
    "frontend, virtual hosting": VclSettings(backend=ZOPE, frontend=VOLTO, vhm_site="Plone"),
    "behind an ingress, network ACL": VclSettings(
        backend=Upstream("localhost", 80, "/"),
        purge_acl=("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"),
    ),
    "empty ACL, custom timings": VclSettings(
        backend=Upstream("::1", 8080),
        purge_acl=(),
        default_ttl=5,
        grace=86400,
        healthy_grace=1,
        probe_interval=1,
        pass_cookies=("__ac", "auth_token", "I18N_LANGUAGE"),
    ),
}


@pytest.mark.parametrize("settings", SHAPES.values(), ids=SHAPES.keys())
def test_rendering_compiles(settings: VclSettings, tmp_path: Path) -> None:
    vcl = tmp_path / "default.vcl"
    vcl.write_text(render_vcl(settings))
    check_vcl(vcl)


def test_a_broken_vcl_is_reported_with_the_compiler_message(tmp_path: Path) -> None:
    vcl = tmp_path / "default.vcl"
    vcl.write_text(render_vcl(VclSettings(backend=ZOPE)).replace("return (hash);", "return (hsh);"))
    with pytest.raises(PlonedevError, match=r"does not compile: .*hsh"):
        check_vcl(vcl)
