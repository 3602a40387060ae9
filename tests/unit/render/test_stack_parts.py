"""The stack's parts: image names, options, the production VCL and instance, secrets."""

from __future__ import annotations

import json

import pytest

from plonedev.commands.export_stack import secret_command
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.render.stack import StackSecret, nginx_conf_name, stack_secrets
from plonedev.render.stack_backend import (
    backend_build_files,
    stack_instance_files,
    storage_requirements,
    varnish_build_files,
)
from plonedev.render.stack_images import stack_images
from plonedev.render.stack_options import Ingress, StackOptions, StackStorage
from plonedev.render.stack_vcl import render_stack_vcl

OPTIONS = StackOptions(host="www.example.org")


def _config(**values: object) -> PlonedevConfig:
    return PlonedevConfig.model_validate({"name": "site", **values})


def test_image_names_registry_and_tag() -> None:
    images = stack_images(_config(), "", "latest")
    assert (images.backend, images.varnish, images.frontend) == (
        "site-backend:latest",
        "site-varnish:latest",
        None,
    )
    images = stack_images(_config(frontend="frontend"), "reg.example.org:5000/team/", "abc1")
    assert images.backend == "reg.example.org:5000/team/site-backend:abc1"
    assert images.frontend == "reg.example.org:5000/team/site-frontend:abc1"


def test_configured_image_names_keep_their_repository_not_their_tag() -> None:
    config = _config(images={"backend": "reg.example.org:5000/a/plone-be:dev"})
    assert stack_images(config, "", "2").backend == "reg.example.org:5000/a/plone-be:2"
    assert stack_images(config, "other.example.org", "2").backend == (
        "other.example.org/plone-be:2"
    )


@pytest.mark.parametrize(
    ("field", "value", "flag"),
    [
        ("host", "not a host", "--host"),
        ("registry", "https://reg", "--registry"),
        ("tag", "a:b", "--tag"),
        ("backend_replicas", 0, "--backend-replicas"),
        ("varnish_replicas", 65, "--varnish-replicas"),
        ("database_node", "node 1", "--database-node"),
        ("http_port", 70000, "--http-port"),
        ("acme_email", "nobody", "--acme-email"),
        ("ingress_image", "bad image", "--ingress-image"),
    ],
)
def test_options_name_the_flag_to_fix(field: str, value: object, flag: str) -> None:
    values: dict[str, object] = {"host": "www.example.org", field: value}
    with pytest.raises(PlonedevError) as raised:
        StackOptions(**values)  # type: ignore[arg-type]
    assert raised.value.message.startswith(flag)


def test_ingress_image_defaults() -> None:
    assert StackOptions("a.example.org").ingress_image_name.startswith("traefik:")
    nginx = StackOptions("a.example.org", ingress=Ingress.NGINX)
    assert nginx.ingress_image_name.startswith("nginx:")
    assert StackOptions("a.example.org", ingress_image="x/nginx:1").ingress_image_name == (
        "x/nginx:1"
    )


def test_vcl_forwards_to_the_ingress_and_purges_from_private_networks_only() -> None:
    vcl = render_stack_vcl()
    assert '.host = "ingress";' in vcl
    assert '.port = "8000";' in vcl
    assert '.url = "/_ingress_health";' in vcl
    assert '"10.0.0.0"/8;' in vcl and '"172.16.0.0"/12;' in vcl and '"192.168.0.0"/16;' in vcl
    assert "127.0.0.1" not in vcl  # only the internal network
    assert "set req.http.X-Varnish-Routed" in vcl
    assert "plone_frontend" not in vcl  # the ingress routes, Varnish has one upstream
    assert "VirtualHostBase" not in vcl  # the ingress rewrites
    assert "return (retry);" in vcl


def test_the_stack_vcl_holds_anonymous_pages_when_asked() -> None:
    assert "set beresp.ttl = 5s;" not in render_stack_vcl()  # no hold unless asked
    held = render_stack_vcl(cache_hold=5)
    assert "if (beresp.ttl < 5s" in held
    assert "set beresp.ttl = 5s;" in held


def test_production_instance_relstorage_without_a_password() -> None:
    files = stack_instance_files(_config(), StackStorage.RELSTORAGE)
    zope_conf = files["etc/zope.conf"]
    assert "debug-mode off" in zope_conf
    assert "%import relstorage" in zope_conf
    assert "dsn host=postgres port=5432 dbname=plone user=plone" in zope_conf
    assert "password" not in zope_conf  # libpq reads PGPASSWORD, set from the secret
    assert "listen = 0.0.0.0:8080" in files["etc/zope.ini"]
    assert "plone.reload" not in files["etc/site.zcml"]
    assert "zeo/zeo.conf" not in files


def test_production_instance_zeo_clients_cache_the_blobs() -> None:
    files = stack_instance_files(_config(storage="zeo"), StackStorage.ZEO)
    zope_conf = files["etc/zope.conf"]
    assert "server zeo:8100" in zope_conf
    assert "blob-dir /data/blobcache" in zope_conf
    assert "shared-blob-dir off" in zope_conf
    zeo_conf = files["zeo/zeo.conf"]
    assert "address 0.0.0.0:8100" in zeo_conf
    assert "blob-dir /blobs" in zeo_conf


def test_backend_layer_adds_what_the_development_image_lacks() -> None:
    assert storage_requirements(_config(), StackStorage.RELSTORAGE) == "RelStorage[postgresql]"
    relstorage = _config(storage=Storage.RELSTORAGE.value)
    assert storage_requirements(relstorage, StackStorage.RELSTORAGE) == ""
    files = backend_build_files(_config(), StackStorage.RELSTORAGE)
    assert files["stack-entrypoint"][1] == 0o755
    assert "FROM ${BASE_IMAGE}" in files["Dockerfile"][0]
    assert "instance/etc/zope.conf" in files
    # The purger that reaches every Varnish task, loaded over plone.cachepurging's.
    assert '<includeOverrides package="plonedev_purging"' in files["instance/etc/site.zcml"][0]
    assert "COPY plonedev_purging/ /app/lib/plonedev_purging/" in files["Dockerfile"][0]
    assert "plonedev-lib.pth" in files["Dockerfile"][0]
    for name in ("__init__.py", "fanout.py", "purger.py", "overrides.zcml"):
        assert files[f"plonedev_purging/{name}"][0]
    varnish = varnish_build_files("vcl 4.1;")
    assert varnish["default.vcl"] == ("vcl 4.1;", 0o644)
    assert "COPY default.vcl /etc/varnish/default.vcl" in varnish["Dockerfile"][0]


def test_the_backend_image_holds_production_caching_purging_every_varnish_task() -> None:
    files = backend_build_files(_config(), StackStorage.RELSTORAGE)
    settings = json.loads(files["instance/caching.json"][0])
    assert (settings["product"], settings["profile"]) == ("plone.app.caching", "with-caching-proxy")
    records = settings["records"]
    assert records[settings["proxies_record"]] == ["http://tasks.varnish:80"]
    assert records["plone.cachepurging.interfaces.ICachePurgingSettings.enabled"] is True
    mapping = records["plone.caching.interfaces.ICacheSettings.operationMapping"]
    # Anonymous pages in Varnish (purged on change), static files for long.
    assert mapping["plone.content.itemView"] == "plone.app.caching.moderateCaching"
    assert mapping["plone.stableResource"] == "plone.app.caching.strongCaching"
    assert records["plone.app.caching.moderateCaching.anonOnly"] is True


def test_secrets_and_how_to_create_them() -> None:
    relstorage = stack_secrets("site", StackStorage.RELSTORAGE, OPTIONS)
    assert [s.name for s in relstorage] == ["site_admin_password", "site_db_password"]
    assert [s.name for s in stack_secrets("site", StackStorage.ZEO, OPTIONS)] == [
        "site_admin_password"
    ]
    admin, db = relstorage
    assert "read -rs" in secret_command(admin)  # asked, never echoed
    assert secret_command(db).endswith("| docker secret create site_db_password -")
    assert secret_command(StackSecret("x", "a b", "")).endswith("create 'a b' -")


def test_nginx_conf_sits_next_to_the_stack_file() -> None:
    assert nginx_conf_name("prod.yml") == "prod.nginx.conf"
    assert nginx_conf_name("stack") == "stack.nginx.conf"
