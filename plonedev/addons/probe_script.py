"""Run by the backend environment's Python (standard library only): what each named
distribution installed, and under which import name Zope loads it.

    python probe_script.py collective.foo plonedev-demo   ->   JSON on stdout

The import name is read from the installed distribution, never derived from its name
by guessing: the plone.autoinclude entry point decides it the way plone.autoinclude
does; otherwise it is the shallowest package of the distribution that has a
configure.zcml, found in the files it installed (or, for an editable install, in its
source folder) and confirmed by the import system.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

_SKIP_DIRS = {"node_modules", "build", "dist", "venv", "tests", "test", "docs"}


def main(names: list[str]) -> dict[str, dict[str, Any]]:
    return {name: probe(name) for name in names}


def probe(name: str) -> dict[str, Any]:
    dist = _find(name)
    if dist is None:
        return {"installed": False}
    source = _editable_source(dist)
    autoinclude = _autoinclude_module(dist)
    modules = _zcml_modules(dist, source)
    import_name = autoinclude or (modules[0] if modules else None)
    return {
        "installed": True,
        "name": dist.metadata["Name"],
        "version": dist.version,
        "editable": source is not None,
        "source": str(source) if source else None,
        "autoinclude": autoinclude is not None,
        "import_name": import_name,
        "zcml_modules": modules,
    }


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _find(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pass
    key = _canonical(name)
    for dist in metadata.distributions():
        if _canonical(dist.metadata["Name"] or "") == key:
            return dist
    return None


def _autoinclude_module(dist: metadata.Distribution) -> str | None:
    """The module plone.autoinclude loads for this distribution, or None."""
    points = dist.entry_points
    own = [ep for ep in points if ep.group == "plone.autoinclude.plugin"]
    z3c = [ep for ep in points if ep.group == "z3c.autoinclude.plugin"]
    if any(ep.name == "target" and ep.value != "plone" for ep in own + z3c):
        return None  # registered for another framework's target
    for ep in own:
        if ep.name == "module":
            return ep.value
    if own or z3c:
        return str(dist.metadata["Name"]).replace("-", "_")  # as plone.autoinclude does
    return None


def _editable_source(dist: metadata.Distribution) -> Path | None:
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not data.get("dir_info", {}).get("editable"):
        return None
    url = urlparse(data.get("url", ""))
    return Path(unquote(url.path)) if url.scheme == "file" else None


def _zcml_modules(dist: metadata.Distribution, source: Path | None) -> list[str]:
    """Packages of the distribution with a configure.zcml, shallowest first."""
    found: set[str] = set()
    if source is None:
        for file in dist.files or ():
            if file.name == "configure.zcml" and len(file.parts) > 1:
                dotted = ".".join(file.parts[:-1])
                if _is_dotted(dotted):
                    found.add(dotted)
    else:
        for folder in _zcml_folders(source):
            module = _module_at(folder, source)
            if module:
                found.add(module)
    # Subpackages are included by their parent's configure.zcml: only the tops count.
    tops = {m for m in found if not any(m.startswith(f"{other}.") for other in found)}
    return sorted(tops, key=lambda dotted: (dotted.count("."), dotted))


def _zcml_folders(source: Path) -> list[Path]:
    folders = []
    for here, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS]
        if "configure.zcml" in files:
            folders.append(Path(here))
    return folders


def _module_at(folder: Path, source: Path) -> str | None:
    """The dotted name the import system finds `folder` under, if any."""
    parts = folder.relative_to(source).parts
    for start in range(len(parts) - 1, -1, -1):
        dotted = ".".join(parts[start:])
        if not _is_dotted(dotted):
            continue
        try:
            spec = importlib.util.find_spec(dotted)
        except (ImportError, ValueError):
            continue
        locations = list(spec.submodule_search_locations or ()) if spec else []
        if any(Path(location).resolve() == folder.resolve() for location in locations):
            return dotted
    return None


def _is_dotted(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(sys.argv[1:])))
