"""Rendering of the Zope instance files, and writing them only when they change."""

from __future__ import annotations

import configparser
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from plonedev.backend.instance import (
    InstanceSettings,
    backend_command,
    extra_requirements,
    instance_directories,
    render_instance,
    render_zeo_server,
    write_files,
    write_inituser,
    write_instance,
    write_zeo_server,
    zeo_command,
)
from plonedev.errors import PlonedevError

ZCML = "{http://namespaces.zope.org/zope}"
FIVE = "{http://namespaces.zope.org/five}"


def settings(tmp_path: Path, **changes: object) -> InstanceSettings:
    values: dict[str, object] = {
        "instance_dir": tmp_path / "instance",
        "var_dir": tmp_path / "var",
        "blob_dir": tmp_path / "var" / "blobstorage",
        "filestorage_path": tmp_path / "var" / "filestorage" / "Data.fs",
        "http_port": 8080,
    }
    values.update(changes)
    return InstanceSettings(**values)  # type: ignore[arg-type]


def zope_conf(s: InstanceSettings) -> str:
    return render_instance(s)[s.instance_dir / "etc" / "zope.conf"]


def keys(text: str) -> dict[str, str]:
    """Each `key value` line of a ZConfig text (first one wins), sections ignored."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "<", "%")):
            key, _, value = line.partition(" ")
            found.setdefault(key, value)
    return found


def test_render_names_the_three_instance_files(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert sorted(p.name for p in render_instance(s)) == ["site.zcml", "zope.conf", "zope.ini"]
    assert all(p.parent == s.instance_dir / "etc" for p in render_instance(s))


def test_filestorage_conf(tmp_path: Path) -> None:
    s = settings(tmp_path)
    text = zope_conf(s)
    assert "<filestorage>" in text and "<zeoclient>" not in text and "relstorage" not in text
    found = keys(text)
    assert found["path"] == str(s.filestorage_path)
    assert found["blob-dir"] == str(s.blob_dir)
    assert found["debug-mode"] == "on"
    assert found["instancehome"] == "$INSTANCEHOME"
    assert f"%define INSTANCEHOME {s.instance_dir}" in text
    assert f"%define CLIENTHOME {s.var_dir}" in text
    assert found["CHAMELEON_CACHE"] == str(s.var_dir / "cache")


def test_debug_mode_off(tmp_path: Path) -> None:
    assert keys(zope_conf(settings(tmp_path, debug_mode=False)))["debug-mode"] == "off"


def test_zeo_client_conf_shares_the_blob_dir(tmp_path: Path) -> None:
    s = settings(tmp_path, storage="zeo", zeo_address=("127.0.0.1", 8100))
    text = zope_conf(s)
    assert "<zeoclient>" in text and "<filestorage>" not in text
    found = keys(text)
    assert found["server"] == "127.0.0.1:8100"
    assert found["storage"] == "1"
    assert found["shared-blob-dir"] == "on"
    assert found["blob-dir"] == str(s.blob_dir)


def test_zeo_client_conf_with_a_blob_cache(tmp_path: Path) -> None:
    found = keys(zope_conf(settings(tmp_path, storage="zeo", zeo_blob_shared=False)))
    assert found["shared-blob-dir"] == "off"
    assert found["blob-cache-size"] == "1GB"


def test_relstorage_conf_keeps_blobs_in_the_database(tmp_path: Path) -> None:
    dsn = "host=127.0.0.1 port=5433 dbname=plone user=plone"
    text = zope_conf(settings(tmp_path, storage="relstorage", relstorage_dsn=dsn))
    assert "%import relstorage" in text
    assert "<relstorage>" in text and "<postgresql>" in text
    found = keys(text)
    assert found["dsn"] == dsn
    assert found["shared-blob-dir"] == "false"
    assert found["keep-history"] == "false"


def test_relstorage_needs_a_dsn(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="relstorage_dsn"):
        settings(tmp_path, storage="relstorage")


def test_unknown_storage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="storage"):
        settings(tmp_path, storage="zoe")


def test_dollar_in_a_path_is_escaped_for_zconfig(tmp_path: Path) -> None:
    s = settings(tmp_path, var_dir=tmp_path / "price$var")
    assert f"%define CLIENTHOME {tmp_path}/price$$var" in zope_conf(s)


def test_newline_in_a_value_is_refused(tmp_path: Path) -> None:
    s = settings(tmp_path, storage="relstorage", relstorage_dsn="dbname=x\n</zodb_db>")
    with pytest.raises(PlonedevError):
        render_instance(s)


def test_environment_variables(tmp_path: Path) -> None:
    s = settings(tmp_path, environment=(("zope_i18n_compile_mo_files", "true"),))
    assert keys(zope_conf(s))["zope_i18n_compile_mo_files"] == "true"


def test_zope_ini_listens_on_host_and_port(tmp_path: Path) -> None:
    s = settings(tmp_path, http_host="0.0.0.0", http_port=8123, threads=2)
    ini = configparser.ConfigParser(defaults={"here": "/x"})
    ini.read_string(render_instance(s)[s.instance_dir / "etc" / "zope.ini"])
    assert ini.get("server:main", "use") == "egg:waitress#main"
    assert ini.get("server:main", "listen") == "0.0.0.0:8123"
    assert ini.get("server:main", "threads") == "2"
    assert ini.get("app:zope", "zope_conf") == "/x/zope.conf"
    # logging.config.fileConfig reads the format raw (no interpolation)
    assert ini.get("formatter_generic", "format", raw=True).startswith("%(asctime)s")


def test_zope_ini_ipv6_host(tmp_path: Path) -> None:
    s = settings(tmp_path, http_host="::1", http_port=8080)
    assert "listen = [::1]:8080" in render_instance(s)[s.instance_dir / "etc" / "zope.ini"]


def _zcml_includes(s: InstanceSettings) -> list[str]:
    root = ET.fromstring(render_instance(s)[s.instance_dir / "etc" / "site.zcml"])
    order = []
    for element in root:
        if element.tag == f"{ZCML}include":
            order.append(element.get("package", ""))
        elif element.tag == f"{FIVE}loadProducts":
            order.append(
                "loadProducts" + (":" + element.get("file", "") if element.get("file") else "")
            )
        elif element.tag == f"{FIVE}loadProductsOverrides":
            order.append("loadProductsOverrides")
        elif element.tag == f"{ZCML}includeOverrides":
            order.append(f"overrides:{element.get('package')}/{element.get('file')}")
    return order


def test_site_zcml_loads_products_then_explicit_includes(tmp_path: Path) -> None:
    s = settings(tmp_path, zcml_includes=("collective.noautoinclude",))
    assert _zcml_includes(s) == [
        "Products.Five",
        "loadProducts:meta.zcml",
        "loadProducts",
        "collective.noautoinclude",
        "loadProductsOverrides",
    ]


def test_overrides_come_last_and_replace_what_plone_registered(tmp_path: Path) -> None:
    s = settings(tmp_path, zcml_overrides=("plonedev_purging",))
    assert _zcml_includes(s)[-2:] == [
        "loadProductsOverrides",
        "overrides:plonedev_purging/overrides.zcml",
    ]
    with pytest.raises(PlonedevError, match="dotted"):
        settings(tmp_path, zcml_overrides=("a b",))


def test_plone_reload_is_included_only_in_debug_mode(tmp_path: Path) -> None:
    assert "plone.reload" in _zcml_includes(settings(tmp_path, reload_enabled=True))
    assert "plone.reload" not in _zcml_includes(settings(tmp_path))
    off = settings(tmp_path, reload_enabled=True, debug_mode=False)
    assert "plone.reload" not in _zcml_includes(off)


def test_zcml_include_must_be_a_package_name(tmp_path: Path) -> None:
    with pytest.raises(PlonedevError, match="dotted"):
        settings(tmp_path, zcml_includes=('x" /><include package="evil',))


def test_zeo_server_conf(tmp_path: Path) -> None:
    files = render_zeo_server(
        tmp_path / "zeo", "127.0.0.1", 8100, tmp_path / "blobs", tmp_path / "zeo" / "Data.fs"
    )
    text = files[tmp_path / "zeo" / "zeo.conf"]
    assert "<filestorage 1>" in text
    found = keys(text)
    assert found["address"] == "127.0.0.1:8100"
    assert found["path"] == str(tmp_path / "zeo" / "Data.fs")
    assert found["blob-dir"] == str(tmp_path / "blobs")


def test_commands(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert backend_command(venv, tmp_path / "i") == (
        str(venv / "bin" / "runwsgi"),
        str(tmp_path / "i" / "etc" / "zope.ini"),
    )
    assert zeo_command(venv, tmp_path / "z") == (
        str(venv / "bin" / "runzeo"),
        "-C",
        str(tmp_path / "z" / "zeo.conf"),
    )


def test_extra_requirements() -> None:
    assert extra_requirements("filestorage") == ()
    assert extra_requirements("zeo", reload_enabled=True) == ("ZEO", "plone.reload")
    assert extra_requirements("relstorage") == ("RelStorage[postgresql]",)


def test_write_files_writes_only_what_changed(tmp_path: Path) -> None:
    a, b = tmp_path / "etc" / "a.conf", tmp_path / "etc" / "b.conf"
    assert write_files({a: "one", b: "two"}) == [a, b]
    before = a.stat().st_mtime_ns
    os.utime(a, ns=(before - 10**9, before - 10**9))  # an unchanged file keeps its mtime
    assert write_files({a: "one", b: "TWO"}) == [b]
    assert a.stat().st_mtime_ns == before - 10**9
    assert b.read_text() == "TWO"
    assert sorted(p.name for p in (tmp_path / "etc").iterdir()) == ["a.conf", "b.conf"]


def test_write_instance_creates_directories_once(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert len(write_instance(s)) == 3
    assert write_instance(s) == []
    for directory in instance_directories(s):
        assert directory.is_dir()
    assert s.filestorage_path.parent.is_dir()
    assert (s.blob_dir.stat().st_mode & 0o077) == 0  # ZODB wants a private blob dir
    changed = write_instance(settings(tmp_path, http_port=9090))
    assert changed == [s.instance_dir / "etc" / "zope.ini"]


def test_write_zeo_server(tmp_path: Path) -> None:
    data_fs = tmp_path / "var" / "zeo" / "Data.fs"
    blobs = tmp_path / "var" / "blobstorage"
    changed = write_zeo_server(tmp_path / "zeo", "127.0.0.1", 8100, blobs, data_fs)
    assert changed == [tmp_path / "zeo" / "zeo.conf"]
    assert data_fs.parent.is_dir() and blobs.is_dir()
    assert write_zeo_server(tmp_path / "zeo", "127.0.0.1", 8100, blobs, data_fs) == []


def test_inituser_is_rewritten_only_for_another_user_or_password(tmp_path: Path) -> None:
    assert write_inituser(tmp_path, "admin", "secret") is True
    name, _, stored = (tmp_path / "inituser").read_text().strip().partition(":")
    assert name == "admin" and stored.startswith("{SSHA}")
    assert "secret" not in stored
    assert write_inituser(tmp_path, "admin", "secret") is False
    assert write_inituser(tmp_path, "admin", "other") is True
    assert write_inituser(tmp_path, "root", "other") is True


def test_inituser_refuses_a_login_zope_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(PlonedevError):
        write_inituser(tmp_path, "ad:min", "x")


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = InstanceSettings(
        instance_dir=Path("i"),
        var_dir=Path("v"),
        blob_dir=Path("v/blobs"),
        filestorage_path=Path("v/Data.fs"),
    )
    assert s.instance_dir == tmp_path / "i"
    assert f"blob-dir {tmp_path}/v/blobs" in zope_conf(s)
