"""`plonedev snapshot` and `restore` on a big site, against plain copies of the same data.

    .venv/bin/python bench/snapshot.py [--mb 1024] [--storage filestorage zeo relstorage]

Per storage, a native project is grown to --mb MB of records in the database and --mb
MB of blobs (default 1024 each; PLONEDEV_BENCH_MB overrides it for a quick run): written
straight into the stopped storage by a ZODB script in the backend's venv (RelStorage: with
only PostgreSQL running), not over HTTP, which would take an hour. Then, with the site
running, in one run:

- the baseline: `cp -a` of the database and the blob tree (FileStorage, ZEO), or a plain
  `pg_dump -Fc` and a `pg_restore` into a new database (RelStorage), of the same data;
- `plonedev snapshot` twice: the first, then a second after a small change (one document
  added over the REST API);
- `plonedev restore` of the first, with the site stopped (as a copy back by hand needs
  it: nothing is stopped or started, only the data put back; RelStorage's PostgreSQL
  runs, as for the plain pg_restore), then with the site running
  (the default: an automatic snapshot first, the backend stopped and started again).

Goals: the second snapshot at most 0.05x the baseline's copy (dump), the restore at most
1.0x the baseline's (the copy for files, pg_restore for RelStorage). The page cache is
warm for both sides alike (the data was just written; nothing drops it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from plonedev.postgres import DATABASE, USER, find_program  # noqa: E402
from tests.integration.plone_project import (  # noqa: E402
    PlonedevProject,
    make_native_init_project,
    site_call,
    storage_folder,
)

CHUNK = 1024 * 1024  # one record, one blob
PER_COMMIT = 64

# Run by the venv's python: argv = the <zodb> config, records, blobs, their size,
# records and blobs per commit.
# Each chunk is made unique by its header, so no layer can share or skip it.
_GROW = """
import sys, os, transaction, ZODB.config
from ZODB.blob import Blob
from persistent.mapping import PersistentMapping
config = sys.argv[1]
records, blobs, size, per = (int(arg) for arg in sys.argv[2:])
db = ZODB.config.databaseFromString(config)
conn = db.open()
root = conn.root()
bench = root["plonedev_bench"] = PersistentMapping()
base = os.urandom(size)
for i in range(max(records, blobs)):
    if i < records:
        bench[f"r{i}"] = PersistentMapping(data=f"{i:16}".encode() + base[16:])
    if i < blobs:
        blob = bench[f"b{i}"] = Blob()
        with blob.open("w") as f:
            f.write(f"{i:16}".encode() + base[16:])
    if i % per == per - 1:
        transaction.commit()
transaction.commit()
db.close()
"""


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def storage_config(project: PlonedevProject, blob_dir: Path) -> str:
    """The backend's own <zodb_db main> (zope.conf), its blob dir replaced by `blob_dir`
    (RelStorage's is only a cache: the grower's must not be the backend's)."""
    conf = (project.root / ".plonedev" / "instance" / "etc" / "zope.conf").read_text()
    section = re.search(r"<zodb_db main>.*?</zodb_db>", conf, re.S)
    assert section, conf
    # ZODB.config reads a <zodb> section: zope.conf names it <zodb_db main>.
    text = re.sub(r"\n\s*mount-point .*", "", section.group(0))
    text = text.replace("<zodb_db main>", "<zodb>").replace("</zodb_db>", "</zodb>")
    if "<relstorage>" in text:
        cache = re.sub(r"(?m)^(\s*)blob-dir .*", rf"\1blob-dir {blob_dir}", text)
        text = f"%import relstorage\n{cache}"
    return text


def file_config(data_fs: Path, blob_dir: Path) -> str:
    return f"<zodb>\n<filestorage>\npath {data_fs}\nblob-dir {blob_dir}\n</filestorage>\n</zodb>"


def grow(project: PlonedevProject, storage: str, mb: int) -> float:
    """Fill the stopped storage; its seconds."""
    var = project.root / "var"
    project.run("down")
    if storage == "relstorage":
        project.run("up", "postgres")
        config = storage_config(project, Path(tempfile.mkdtemp(prefix="bench-blobs-")))
    else:
        data_fs = var / ("zeo" if storage == "zeo" else "filestorage") / "Data.fs"
        config = file_config(data_fs, var / "blobstorage")
    python = project.root / ".plonedev" / "venv" / "bin" / "python"
    seconds = timed(
        lambda: subprocess.run(
            [str(python), "-c", _GROW, config, *(str(n) for n in (mb, mb, CHUNK, PER_COMMIT))],
            check=True,
        )
    )
    project.run("up", "backend")
    return seconds


def tree_mb(*paths: Path) -> float:
    files = (f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())
    return sum(f.stat().st_size for f in files) / CHUNK


def sizes(project: PlonedevProject, storage: str) -> str:
    var = project.root / "var"
    if storage == "relstorage":
        return f"var/postgres {tree_mb(var / 'postgres'):.0f} MB (records and blobs)"
    data = var / ("zeo" if storage == "zeo" else "filestorage") / "Data.fs"
    return f"Data.fs {tree_mb(data):.0f} MB, blobs {tree_mb(var / 'blobstorage'):.0f} MB"


class Postgres:
    def __init__(self, project: PlonedevProject) -> None:
        self.port = str(project.ports["postgres"])

    def run(self, program: str, *args: str) -> None:
        argv = [find_program(program) or program, "-h", "127.0.0.1", "-p", self.port, "-U", USER]
        subprocess.run([*argv, *args], check=True, capture_output=True)

    def sql(self, statement: str) -> None:
        self.run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", statement)


def baseline(project: PlonedevProject, storage: str, work: Path) -> tuple[str, float, float]:
    """The plain copy of the data and the plain restore of it: names and seconds."""
    var = project.root / "var"
    if storage == "relstorage":
        db = Postgres(project)
        dump = work / "plain.dump"
        copy = timed(lambda: db.run("pg_dump", "-Fc", "-d", DATABASE, "-f", str(dump)))
        db.sql("DROP DATABASE IF EXISTS bench_copy")
        db.sql("CREATE DATABASE bench_copy")
        jobs = str(min(4, os.cpu_count() or 1))
        back = timed(lambda: db.run("pg_restore", "-j", jobs, "-d", "bench_copy", str(dump)))
        db.sql("DROP DATABASE bench_copy")
        dump.unlink()
        return "pg_dump -Fc / pg_restore", copy, back
    data = var / ("zeo" if storage == "zeo" else "filestorage")
    (work / "copy").mkdir()
    (work / "back").mkdir()
    cp = ["cp", "-a", str(data), str(var / "blobstorage")]
    copy = timed(lambda: subprocess.run([*cp, str(work / "copy")], check=True))
    copied = [str(p) for p in (work / "copy").iterdir()]
    back = timed(lambda: subprocess.run(["cp", "-a", *copied, str(work / "back")], check=True))
    shutil.rmtree(work / "copy")
    shutil.rmtree(work / "back")
    return "cp -a", copy, back


def bench(storage: str, mb: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        storage_folder(storage, Path(tmp)) as base,
    ):
        project = make_native_init_project(base, f'storage = "{storage}"')
        try:
            project.run("up", "backend")
            grown = grow(project, storage, mb)
            print(f"\n{storage}: grown by {mb} MB of records and {mb} MB of blobs in {grown:.1f} s")
            print(f"  {sizes(project, storage)}")
            work = Path(tempfile.mkdtemp(prefix="bench-work-", dir=project.root))
            name, copy, back = baseline(project, storage, work)
            first = timed(lambda: project.run("snapshot", "first"))
            site_call(project, "POST", "", {"@type": "Document", "id": "small", "title": "S"})
            second = timed(lambda: project.run("snapshot", "second"))
            project.run("down")
            if storage == "relstorage":  # as for pg_restore: the server runs already
                project.run("up", "postgres")
            stopped = timed(lambda: project.run("restore", "first", "--yes", "--no-snapshot"))
            project.run("up", "backend")
            assert project.request("GET", f"{project.backend}/Plone/small", auth=True)[0] == 404
            running = timed(lambda: project.run("restore", "second", "--yes"))
            assert site_call(project, "GET", "/small")["title"] == "S"
            rows = [
                (f"baseline {name}: copy", copy, copy),
                (f"baseline {name}: restore", back, back),
                ("plonedev snapshot, first", first, copy),
                ("plonedev snapshot, second (1 document more)", second, copy),
                ("plonedev restore, site stopped", stopped, back),
                ("plonedev restore, site running (+snapshot, restart)", running, back),
            ]
            for label, seconds, against in rows:
                print(f"  {label:<52} {seconds:7.2f} s  {seconds / against:5.2f}x")
            print(
                f"  goals: second snapshot <= 0.05x copy: {second / copy:.2f}x "
                f"({'met' if second / copy <= 0.05 else 'missed'}); "
                f"restore <= 1.0x: {stopped / back:.2f}x "
                f"({'met' if stopped / back <= 1.0 else 'missed'})"
            )
        finally:
            project.run("down", check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_mb = int(os.environ.get("PLONEDEV_BENCH_MB", "1024"))
    parser.add_argument("--mb", type=int, default=default_mb, help="of records, and of blobs")
    storages = ["filestorage", "zeo", "relstorage"]
    parser.add_argument("--storage", nargs="+", default=storages, choices=storages)
    args = parser.parse_args()
    for storage in args.storage:
        bench(storage, args.mb)


if __name__ == "__main__":
    main()
