"""A RelStorage database in a snapshot: `pg_dump -Fc` of the project's PostgreSQL.

pg_dump reads one MVCC snapshot of the database: a dump taken while the backend writes
holds the data as of one commit, and the backend keeps serving. RelStorage keeps the
blobs in the database too (shared-blob-dir off), so the dump is the whole site;
var/blobstorage is only the backend's cache of them.

A restore never touches the live database until the end: pg_restore (parallel, the
custom format allows it) fills a new database, and two renames in one transaction swap
it in. A failed restore drops the new one and leaves the current data as it was; a
connection still open on the live database (a console, a write) makes the rename fail,
and nothing changes either.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from plonedev.backend.environment import installed_packages
from plonedev.backend.snapshot_files import remove
from plonedev.errors import PlonedevError
from plonedev.model import Role
from plonedev.paths import ProjectPaths
from plonedev.postgres import DATABASE, USER, find_program
from plonedev.streaming import ToolFailed, run_streaming

DUMP = "database.dump"
RESTORING = f"{DATABASE}_restoring"
REPLACED = f"{DATABASE}_replaced"
_HINT = "PostgreSQL's client programs come with the server (Debian: apt-get install postgresql)"


@dataclass(frozen=True)
class PostgresSnapshots:
    """The snapshot kind of storage = relstorage, natively: the cluster in var/postgres."""

    paths: ProjectPaths
    port: int
    storage: str = "relstorage"
    servers: tuple[Role, ...] = (Role.POSTGRES,)  # pg_dump and pg_restore talk to it

    def has_data(self) -> bool:
        return self.paths.postgres_data.is_dir()

    def where(self) -> str:
        return f"{self.paths.postgres_data} (PostgreSQL)"

    def packages(self) -> dict[str, str]:
        return installed_packages(self.paths)

    def save(self, folder: Path) -> dict[str, int]:
        self._check_running()
        dump = folder / DUMP
        # -Z 1: most of the dump is pickles and blobs; stronger compression costs time.
        self._run("pg_dump", "-Fc", "-Z", "1", "-d", DATABASE, "-f", str(dump))
        return {"data": dump.stat().st_size}

    def check_restore(self, folder: Path) -> None:
        check_dump(folder)

    def put_back(self, folder: Path) -> None:
        self._check_running()
        restore_swapped(
            self._run, lambda database: self._run(*restore_argv(database), str(folder / DUMP))
        )
        # The blob cache may hold blobs the restored database never had.
        remove(self.paths.blobstorage)

    def _check_running(self) -> None:
        try:
            self._run("pg_isready", "-q", "-d", "postgres")
        except ToolFailed:
            raise PlonedevError(
                f"PostgreSQL is not running on port {self.port}: snapshots need it",
                "start it with `plonedev up postgres`",
            ) from None

    def _run(self, program: str, *args: str) -> str:
        path = find_program(program) or program
        return run_streaming(
            [path, "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, *args],
            cwd=self.paths.root,
            what=program,
            hint=_HINT,
        )


def check_dump(folder: Path) -> None:
    if not (folder / DUMP).is_file():
        raise PlonedevError(
            f"snapshot {folder.name!r} has no {DUMP}: it is incomplete",
            f"delete it with `plonedev snapshot --delete {folder.name}`",
        )


Run = Callable[..., str]  # a PostgreSQL program and its arguments; raises ToolFailed


def restore_argv(database: str) -> tuple[str, ...]:
    """pg_restore into `database`, the dump's path to follow: in parallel (-j), which
    the custom format allows and which needs a file (not stdin)."""
    jobs = str(min(4, os.cpu_count() or 1))
    return ("pg_restore", "-j", jobs, "--exit-on-error", "--no-owner", "-d", database)


def restore_swapped(run: Run, restore: Callable[[str], object]) -> None:
    """`restore` fills a new database (named as its argument), swapped in for the live
    one by two renames in one transaction; a failure drops it and changes nothing."""

    def sql(statement: str) -> None:
        run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", statement)

    sql(f"DROP DATABASE IF EXISTS {RESTORING}")
    sql(f"CREATE DATABASE {RESTORING}")
    try:
        restore(RESTORING)
        sql(f"DROP DATABASE IF EXISTS {REPLACED}")  # an interrupted swap's
        _swap(sql)
    except BaseException:
        sql(f"DROP DATABASE IF EXISTS {RESTORING}")
        raise
    sql(f"DROP DATABASE {REPLACED}")


def _swap(sql: Callable[[str], None]) -> None:
    # One simple query is one transaction: both renames happen, or neither.
    rename = (
        f"ALTER DATABASE {DATABASE} RENAME TO {REPLACED}; "
        f"ALTER DATABASE {RESTORING} RENAME TO {DATABASE}"
    )
    try:
        sql(rename)
    except ToolFailed as error:
        if "being accessed by other users" not in error.output:
            raise
        raise PlonedevError(
            f"the {DATABASE} database is in use by another connection (a console, a "
            "write in progress?): nothing was restored",
            "close it (`plonedev status` shows what runs) and restore again",
        ) from None
