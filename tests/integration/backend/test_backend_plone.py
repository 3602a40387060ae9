"""Plone 6.2.2 for real: installed with uv, booted on waitress with each storage, the site
created over HTTP on the first start and found (not recreated) on the next."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backend_helpers import (
    CONSTRAINTS,
    PLONE_PYTHON,
    PloneVenv,
    Processes,
    free_port,
    wait_for_http,
    wait_for_port,
)

from plonedev.backend.environment import ensure_environment, venv_python
from plonedev.backend.instance import (
    InstanceSettings,
    StorageKind,
    backend_command,
    write_inituser,
    write_instance,
    write_zeo_server,
    zeo_command,
)
from plonedev.backend.site import ensure_site, site_exists
from plonedev.errors import PlonedevError

pytestmark = pytest.mark.slow

ADMIN = ("admin", "admin-secret")
TITLE = "plonedev test site"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(
    url: str, auth: tuple[str, str] | None = None, accept: str = "application/json"
) -> tuple[int, bytes]:
    headers = {"Accept": accept}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    try:
        with _OPENER.open(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def instance_settings(tmp_path: Path, storage: StorageKind, **extra: Any) -> InstanceSettings:
    return InstanceSettings(
        instance_dir=tmp_path / "instance",
        var_dir=tmp_path / "var",
        blob_dir=tmp_path / "var" / "blobstorage",
        filestorage_path=tmp_path / "var" / "filestorage" / "Data.fs",
        http_port=free_port(),
        storage=storage,
        **extra,
    )


def boot(
    processes: Processes, venv: Path, settings: InstanceSettings, password: str = ADMIN[1]
) -> tuple[subprocess.Popen[bytes], float]:
    write_instance(settings)
    write_inituser(settings.instance_dir, ADMIN[0], password)
    proc = processes.start("backend", backend_command(venv, settings.instance_dir))
    url = f"http://127.0.0.1:{settings.http_port}/@@ok"
    seconds = wait_for_http(url, proc, processes.log("backend"))
    return proc, seconds


def create_and_check(base: str, profiles: tuple[str, ...] = ()) -> float:
    assert not site_exists(base, "Plone")
    result = ensure_site(
        base,
        "Plone",
        distribution="volto",
        title=TITLE,
        admin_user=ADMIN[0],
        admin_password=ADMIN[1],
        profiles=profiles,
    )
    assert result.created
    status, body = http(f"{base}/Plone/++api++")
    assert status == 200
    data = json.loads(body)
    assert data["title"] == TITLE and data["@type"] == "Plone Site"
    return result.seconds


def warm_check(base: str) -> float:
    result = ensure_site(
        base,
        "Plone",
        distribution="volto",
        title="another title",
        admin_user=ADMIN[0],
        admin_password="not even the right password",
        profiles=("plone.session:default",),
    )
    assert not result.created
    assert result.seconds < 0.5  # one cheap request
    status, body = http(f"{base}/Plone/++api++")
    assert status == 200 and json.loads(body)["title"] == TITLE  # untouched
    return result.seconds


def addon_installed(base: str, product: str) -> bool:
    status, body = http(f"{base}/Plone/@addons/{product}", ADMIN)
    assert status == 200, body
    return bool(json.loads(body)["is_installed"])


def report(name: str, **seconds: float) -> None:
    print(f"\n[{name}] " + ", ".join(f"{key} {value:.2f}s" for key, value in seconds.items()))


# --- the environment ---------------------------------------------------------------


def test_install_is_skipped_when_nothing_changed(plone_venv: PloneVenv) -> None:
    again = ensure_environment(
        plone_venv.path,
        python=PLONE_PYTHON,
        requirements=plone_venv.requirements,
        constraints=CONSTRAINTS,
    )
    assert not again.installed and again.reason == "up to date"
    assert again.seconds < 1
    report("install", first=plone_venv.first_install.seconds, again=again.seconds)
    # installed with bytecode, although this machine sets PYTHONDONTWRITEBYTECODE=1
    site_packages = next((plone_venv.path / "lib").glob("python3*/site-packages"))
    assert list((site_packages / "Products" / "CMFPlone" / "__pycache__").glob("*.pyc"))


def test_an_unsatisfiable_pin_is_reported_and_the_venv_survives(
    plone_venv: PloneVenv, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(plone_venv.requirements.read_text() + "Zope<5\n")
    with pytest.raises(PlonedevError) as caught:
        ensure_environment(
            plone_venv.path,
            python=PLONE_PYTHON,
            requirements=requirements,
            constraints=CONSTRAINTS,
        )
    # uv's own words name the pin: shown above the one-line error.
    assert "zope" in caught.value.details.lower()
    assert "conflicts with the constraints" in caught.value.hint
    check = subprocess.run(
        [str(venv_python(plone_venv.path)), "-c", "import Products.CMFPlone"], check=False
    )
    assert check.returncode == 0


_PARSE = textwrap.dedent(
    """
    import os, sys, ZConfig, ZEO
    from Zope2.Startup.options import ZopeWSGIOptions  # what runwsgi itself uses
    zeo = ZConfig.loadSchema(os.path.join(os.path.dirname(ZEO.__file__), "schema.xml"))
    for path in sys.argv[1:]:
        if path.endswith("zeo.conf"):
            conf, _ = ZConfig.loadConfig(zeo, path)
            print(path, conf.zeo.address.address, [s.name for s in conf.storages])
        else:
            conf = ZopeWSGIOptions(configfile=path)().configroot
            print(path, conf.debug_mode, type(conf.databases[0].config.storage).__name__)
    """
)


def test_every_config_parses_with_zopes_own_schemas(plone_venv: PloneVenv, tmp_path: Path) -> None:
    files = []
    for storage in ("filestorage", "zeo", "relstorage"):
        settings = instance_settings(
            tmp_path / storage, storage, relstorage_dsn="host=127.0.0.1 dbname=plone"
        )
        write_instance(settings)
        files.append(str(settings.instance_dir / "etc" / "zope.conf"))
    write_zeo_server(tmp_path, "127.0.0.1", 8100, tmp_path / "b", tmp_path / "Data.fs")
    files.append(str(tmp_path / "zeo.conf"))
    out = subprocess.run(
        [str(venv_python(plone_venv.path)), "-c", _PARSE, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].endswith("True FileStorage")
    assert lines[1].endswith("True ZEOClient")
    assert lines[2].endswith("True RelStorageFactory")
    assert lines[3].endswith("('127.0.0.1', 8100) ['1']")


# --- FileStorage -------------------------------------------------------------------


def test_filestorage_site_is_created_once(
    plone_venv: PloneVenv, processes: Processes, tmp_path: Path
) -> None:
    settings = instance_settings(tmp_path, "filestorage", reload_enabled=True)
    base = f"http://127.0.0.1:{settings.http_port}"
    inituser = settings.instance_dir / "inituser"

    # Before any site exists Zope's root user folder takes the inituser at each start:
    # the admin is created, then replaced when the password changes.
    proc, first_boot = boot(processes, plone_venv.path, settings, password="first password")
    assert not inituser.exists()  # Zope consumed it
    assert http(f"{base}/manage_main", (ADMIN[0], "first password"))[0] == 200
    assert processes.stop(proc) == 0  # SIGINT: a clean shutdown
    assert settings.filestorage_path.with_suffix(".fs.index").exists()
    proc, _ = boot(processes, plone_venv.path, settings)
    assert not inituser.exists()
    assert http(f"{base}/manage_main", ADMIN)[0] == 200
    assert http(f"{base}/manage_main", (ADMIN[0], "first password"))[0] == 401

    created = create_and_check(base, profiles=("plone.session:default",))
    assert addon_installed(base, "plone.session")
    status, body = http(f"{base}/@@reload?action=code", ADMIN, accept="text/html")
    assert status == 200 and b"No code reloaded!" in body  # plone.reload, debug mode
    processes.stop(proc)

    # The site turned the root user folder into a PAS (the admin moved with its
    # password): from now on Zope ignores the inituser file.
    proc, second_boot = boot(processes, plone_venv.path, settings, password="a new password")
    assert inituser.exists()
    warm = warm_check(base)
    assert http(f"{base}/Plone/@addons", ADMIN)[0] == 200
    assert http(f"{base}/Plone/@addons", (ADMIN[0], "a new password"))[0] == 401
    processes.stop(proc)
    report("filestorage", boot=first_boot, create=created, reboot=second_boot, warm=warm)


# --- ZEO ---------------------------------------------------------------------------


def test_zeo_site_is_created_once(
    plone_venv: PloneVenv, processes: Processes, tmp_path: Path
) -> None:
    zeo_port = free_port()
    zeo_dir = tmp_path / "zeo"
    blob_dir = tmp_path / "var" / "blobstorage"
    write_zeo_server(zeo_dir, "127.0.0.1", zeo_port, blob_dir, tmp_path / "var" / "zeo" / "Data.fs")
    settings = instance_settings(tmp_path, "zeo", zeo_address=("127.0.0.1", zeo_port))
    assert settings.blob_dir == blob_dir  # shared by the server and the client
    base = f"http://127.0.0.1:{settings.http_port}"

    def start_zeo() -> subprocess.Popen[bytes]:
        server = processes.start("zeo", zeo_command(plone_venv.path, zeo_dir))
        wait_for_port(zeo_port, server)
        return server

    server = start_zeo()
    proc, first_boot = boot(processes, plone_venv.path, settings)
    created = create_and_check(base)
    assert not addon_installed(base, "plone.session")  # only asked-for profiles
    assert (blob_dir / ".layout").exists()
    assert processes.stop(proc) == 0
    assert processes.stop(server) == 0

    server = start_zeo()
    proc, second_boot = boot(processes, plone_venv.path, settings)
    warm = warm_check(base)
    processes.stop(proc)
    processes.stop(server)
    report("zeo", boot=first_boot, create=created, reboot=second_boot, warm=warm)


# --- RelStorage on PostgreSQL ------------------------------------------------------


@pytest.fixture
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a libpq DSN for an empty database."""
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("initdb/pg_ctl not on PATH")
    # initdb refuses to run as root: run the cluster as the postgres user then, in a
    # directory that user owns (pytest's tmp_path is private to root).
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="plonedev-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True)

    started = False
    try:
        run("initdb", "-D", str(data), "-U", "plone", "--auth=trust", "--no-sync")
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}"
        run("pg_ctl", "-D", str(data), "-l", str(root / "pg.log"), "-o", options, "-w", "start")
        started = True
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "plone", "plone")
        yield f"host=127.0.0.1 port={port} dbname=plone user=plone"
    finally:
        if started:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_relstorage_site_is_created_once(
    plone_venv: PloneVenv, processes: Processes, tmp_path: Path, postgres: str
) -> None:
    settings = instance_settings(tmp_path, "relstorage", relstorage_dsn=postgres)
    base = f"http://127.0.0.1:{settings.http_port}"

    proc, first_boot = boot(processes, plone_venv.path, settings)
    created = create_and_check(base)
    assert processes.stop(proc) == 0

    proc, second_boot = boot(processes, plone_venv.path, settings)
    warm = warm_check(base)
    processes.stop(proc)
    report("relstorage", boot=first_boot, create=created, reboot=second_boot, warm=warm)
