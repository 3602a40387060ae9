"""Command-line options that several commands share, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

RuntimeOption = Annotated[
    str | None,
    typer.Option(
        "--runtime",
        "-r",
        help="auto, native or docker (default: tool.plonedev.runtime, then auto-detection).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON document instead.")]
NoSnapshotOption = Annotated[
    bool,
    typer.Option(
        "--no-snapshot",
        help="Do not save the data first (an automatic snapshot; see `plonedev snapshots`).",
    ),
]
