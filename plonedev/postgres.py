"""A project-local PostgreSQL cluster for RelStorage, run as a native process.

The cluster lives in var/postgres, listens on 127.0.0.1 only and trusts local
connections: it is a development database that nothing else can reach. PostgreSQL
refuses to run as root, so under root (CI, containers) it runs as the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass
from pathlib import Path

from plonedev.model import CommandCheck, InitStep, PortBinding, Role, Service

DATABASE = "plone"
USER = "plone"


@dataclass(frozen=True)
class PostgresPrograms:
    postgres: str
    initdb: str
    pg_isready: str


def find_programs() -> PostgresPrograms | None:
    """The server programs, from PATH or Debian's versioned directory (not on PATH)."""
    found = [find_program(program) for program in ("postgres", "initdb", "pg_isready")]
    if not all(found):
        return None
    postgres, initdb, pg_isready = (str(path) for path in found)
    return PostgresPrograms(postgres, initdb, pg_isready)


def find_program(program: str) -> str | None:
    """One PostgreSQL program (pg_dump, psql...): from PATH, else from the newest of
    Debian's /usr/lib/postgresql/N/bin."""
    path = shutil.which(program)
    if path:
        return path
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    return next((str(d / program) for d in candidates if (d / program).exists()), None)


def server_user() -> str | None:
    """Who runs the server: us, unless we are root (then `postgres`, else `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def dsn(port: int, host: str = "127.0.0.1") -> str:
    return f"host={host} port={port} dbname={DATABASE} user={USER}"


def postgres_service(programs: PostgresPrograms, data_dir: Path, port: int, cwd: Path) -> Service:
    user = server_user()
    staging = data_dir.with_name(data_dir.name + ".new")
    owner = ("-o", user, "-g", user) if user else ()
    # Build the cluster beside its final place and move it in last, so a failed first
    # run never leaves a half-made cluster that later runs would trust.
    init = (
        InitStep("clear a failed earlier attempt", ("rm", "-rf", str(staging)), data_dir),
        InitStep(
            "prepare the cluster directory",
            ("install", "-d", "-m", "700", *owner, str(staging)),
            data_dir,
        ),
        InitStep(
            "create the PostgreSQL cluster",
            (
                programs.initdb,
                "-D",
                str(staging),
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ),
            data_dir,
            user=user,
        ),
        InitStep(
            f"create the {DATABASE} database",
            (programs.postgres, "--single", "-D", str(staging), "postgres"),
            data_dir,
            stdin=f"CREATE DATABASE {DATABASE};\n",
            user=user,
        ),
        InitStep("move the new cluster in place", ("mv", str(staging), str(data_dir)), data_dir),
    )
    return Service(
        name=Role.POSTGRES.value,
        description="PostgreSQL for RelStorage",
        command=(
            programs.postgres,
            "-D",
            str(data_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            # TCP on loopback only: no Unix socket, whose path length a deep
            # project folder could exceed.
            "-k",
            "",
        ),
        cwd=cwd,
        ports=(PortBinding("postgres", "127.0.0.1", port),),
        health=CommandCheck(
            (programs.pg_isready, "-q", "-h", "127.0.0.1", "-p", str(port), "-d", DATABASE)
        ),
        init=init,
        user=user,
        # SIGINT is PostgreSQL's "fast" shutdown: ends sessions, checkpoints, exits.
        stop_signal="SIGINT",
        stop_timeout=30.0,
        url=f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}",
    )
