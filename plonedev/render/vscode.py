"""VS Code's .vscode/launch.json: an "attach" configuration for `plonedev debug --debugpy`.

Natively the backend runs the add-ons from sources/ where the editor has them; in a
container they are bind-mounted under /app/project, so each one gets a path mapping.
Other configurations in the file are kept; ours is replaced by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

CONFIGURATION_NAME = "plonedev: attach to the backend"


def attach_configuration(port: int, mappings: Mapping[str, str]) -> dict[str, Any]:
    """`mappings`: the editor's folder (relative to the workspace) -> the backend's."""
    configuration: dict[str, Any] = {
        "name": CONFIGURATION_NAME,
        "type": "debugpy",
        "request": "attach",
        "connect": {"host": "127.0.0.1", "port": port},
        "justMyCode": False,  # breakpoints in Plone's own code too
    }
    if mappings:
        configuration["pathMappings"] = [
            {"localRoot": f"${{workspaceFolder}}/{local}", "remoteRoot": remote}
            for local, remote in sorted(mappings.items())
        ]
    return configuration


def merged_launch_json(existing: Mapping[str, Any] | None, configuration: dict[str, Any]) -> str:
    document = dict(existing or {"version": "0.2.0"})
    others: Sequence[dict[str, Any]] = document.get("configurations", [])
    kept = [c for c in others if c.get("name") != configuration["name"]]
    document["configurations"] = [*kept, configuration]
    return json.dumps(document, indent=4) + "\n"
