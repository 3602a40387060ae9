"""`plonedev snapshot`, `snapshots`, `restore`: the site's data at a moment, and back."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import JsonOption, NoSnapshotOption, RuntimeOption
from plonedev.errors import PlonedevError

SNAPSHOT_HELP = (
    "Save the site's data (the database and its blobs) in var/snapshots/NAME "
    "(default NAME: the UTC time); --delete NAME deletes one. --export FILE writes "
    "snapshot NAME (a new one when there is none of that name) as one archive "
    "(.tar, or .tar.gz compressed) to hand a colleague."
)
RESTORE_HELP = (
    "Put a snapshot's data back: saves the current data as an automatic snapshot, stops "
    "the backend (and ZEO server), restores, starts again what ran. --latest: the newest "
    "snapshot taken by hand. --import FILE: an archive from `snapshot --export`."
)


@reports_errors
def snapshot(
    name: Annotated[str | None, typer.Argument(help="Default: the UTC time.")] = None,
    delete: Annotated[
        str | None, typer.Option("--delete", metavar="NAME", help="Delete this snapshot.")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option("--export", metavar="FILE", help="Write the snapshot as one archive."),
    ] = None,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands import snapshot as run

    if delete is not None:
        if name is not None or export is not None:
            raise PlonedevError("give either NAME (and --export FILE) or --delete NAME", "")
        run.delete_snapshot(Path.cwd(), delete)
        ui.console.print(f"Deleted the snapshot {delete}.")
        return
    if export is not None:
        exported = run.export_snapshot(Path.cwd(), name, export, runtime)
        taken = "took and exported" if exported.taken else "exported"
        ui.console.print(
            f"Snapshot [bold]{exported.manifest.name}[/] {taken} to {exported.archive} "
            f"({_size(exported.size)}): `plonedev restore --import {exported.archive}`."
        )
        return
    result = run.snapshot(Path.cwd(), name, runtime)
    manifest = result.manifest
    ui.console.print(
        f"Snapshot [bold]{manifest.name}[/] ({manifest.storage}, "
        f"{_size(sum(manifest.sizes.values()))}) in {result.seconds:.1f} s."
    )


@reports_errors
def snapshots(json: JsonOption = False) -> None:
    """List the snapshots in var/snapshots, oldest first."""
    from plonedev.backend.snapshot import Manifest
    from plonedev.commands.snapshot import snapshots as run_list

    found = run_list(Path.cwd())
    manifests = [m for m in found if isinstance(m, Manifest)]
    broken = [str(error) for error in found if not isinstance(error, Manifest)]
    if json:
        listed = [{k: v for k, v in asdict(m).items() if k != "packages"} for m in manifests]
        ui.print_json({"snapshots": listed, "broken": broken})
        return
    if not found:
        ui.console.print("No snapshots yet: `plonedev snapshot` takes one.")
        return
    rows = [
        (m.name, m.created[:19], m.storage, m.plone, _size(sum(m.sizes.values())))
        for m in manifests
    ]
    ui.console.print(ui.snapshots_table(rows))
    for line in broken:
        ui.console.print(f"[yellow]{line}[/]")


@reports_errors
def restore(
    name: Annotated[str | None, typer.Argument(help="The snapshot (see `snapshots`).")] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The newest snapshot.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    import_file: Annotated[
        Path | None,
        typer.Option("--import", metavar="FILE", help="Restore an archive from --export."),
    ] = None,
    runtime: RuntimeOption = None,
    no_snapshot: NoSnapshotOption = False,
) -> None:
    from plonedev.commands import snapshot as run

    if [name is not None, latest, import_file is not None].count(True) != 1:
        raise PlonedevError(
            "give one of a snapshot NAME, --latest or --import FILE",
            "`plonedev snapshots` lists them",
        )
    if import_file is not None:
        name = run.import_snapshot(Path.cwd(), import_file).name
    try:
        project, manifest = run.snapshot_to_restore(Path.cwd(), name, runtime)
        if not yes and not ui.confirm_restore(project, manifest.name, manifest.created):
            raise typer.Exit(1)
        result = run.restore(
            Path.cwd(), manifest.name, ui.ConsoleReporter(), runtime, take_snapshot=not no_snapshot
        )
    except BaseException:
        if import_file is not None and name is not None:  # nothing of the archive stays
            run.delete_snapshot(Path.cwd(), name)
        raise
    again = f"; started again: {', '.join(result.restarted)}" if result.restarted else ""
    ui.console.print(f"Restored {manifest.name} in {result.seconds:.1f} s{again}.")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"
