"""Where the CA bundle for builds and containers comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import ConfigError
from plonedev.runtime.docker_ca import bundle_text, find_ca_bundle


def _pem(path: Path) -> Path:
    path.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    return path


def test_the_config_wins_over_the_environment(tmp_path: Path) -> None:
    _pem(tmp_path / "corp.pem")
    env = {"SSL_CERT_FILE": str(_pem(tmp_path / "env.pem"))}
    bundle = find_ca_bundle("corp.pem", tmp_path, env)
    assert bundle is not None
    assert (bundle.path, bundle.source) == (tmp_path / "corp.pem", "tool.plonedev.ca-bundle")


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT"])
def test_the_environment_is_read_in_order(tmp_path: Path, variable: str) -> None:
    env = {variable: str(_pem(tmp_path / "env.pem")), "PIP_CERT": str(tmp_path / "missing")}
    if variable == "PIP_CERT":
        env["PIP_CERT"] = str(tmp_path / "env.pem")
    bundle = find_ca_bundle("", tmp_path, env)
    assert bundle is not None and bundle.source == variable


def test_a_missing_configured_bundle_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ca-bundle: file 'nope\.pem' not found"):
        find_ca_bundle("nope.pem", tmp_path, {})


def test_no_bundle_gives_an_empty_file(tmp_path: Path) -> None:
    bundle = find_ca_bundle("", tmp_path, {"SSL_CERT_FILE": str(tmp_path / "missing")})
    assert bundle is None
    assert bundle_text(None) == ""
