"""Time from `add-addon` to the add-on active in the site, split by step.

    .venv/bin/python bench/addon_add.py [--rounds 3] [--runtime native|docker]

A project (FileStorage, no add-ons) is brought up once, natively or with Docker Compose
(the stand-in images of tests/images/build.sh; "install" is then the image build and
"restart" the backend container recreated from it). Each round then
adds and removes, in process through the same use cases the CLI calls:

- index: collective.contact_behaviors from the package index (uv's cache warm after the
  first round), its profile installed in the site;
- git: the repository's demo add-on from a local git repository (no plone.autoinclude
  entry point: a ZCML include is added), its profile installed;

and times a bare `runtime.restart` of the backend for comparison (the floor: an add-on
cannot be active before the backend has restarted with it). "total" ends when the
add-on's profile is installed, which add-addon checks by reading @addons back.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from plonedev.addons.timing import StepTime  # noqa: E402
from plonedev.commands.add_addon import add_addon  # noqa: E402
from plonedev.commands.init import MX_INI  # noqa: E402
from plonedev.commands.remove_addon import remove_addon  # noqa: E402
from plonedev.report import QuietReporter  # noqa: E402
from plonedev.runtimes.registry import open_running_project  # noqa: E402
from tests.integration.plone_project import PlonedevProject, make_project  # noqa: E402

INDEX_ADDON = "collective.contact_behaviors"
DEMO = "plonedev-demo"
STEPS = ("remote", "config", "sources", "install", "restart", "profile", "start", "uninstall")


def demo_repository(folder: Path) -> Path:
    repo = folder / DEMO
    shutil.copytree(
        REPO / "sources" / DEMO,
        repo,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ruff_cache"),
    )
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text[: text.index("# plone.autoinclude")] + text[text.index("[tool.hatch") :]
    )
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "demo")):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.org", *args],
            cwd=repo,
            check=True,
        )
    return repo


def bench_project(folder: Path, runtime: str) -> PlonedevProject:
    if runtime == "native":
        return make_project(folder, 'runtime = "native"', with_demo=False)
    from tests.integration.test_compose import IMAGES

    images = "\n".join(f'{key} = "{value}"' for key, value in IMAGES.items())
    name = f"bench-addon-{secrets.token_hex(3)}"
    section = f'name = "{name}"\nruntime = "docker"\n\n[tool.plonedev.images]\n{images}\n'
    return make_project(folder, section, with_demo=False)


def stop(project: PlonedevProject, runtime: str) -> None:
    if runtime == "native":
        project.run("down", check=False)
        return
    project.run("down", "--volumes", "--yes", check=False)
    config = tomllib.loads(project.root.joinpath("pyproject.toml").read_text())
    image = f"{config['tool']['plonedev']['name']}-backend:dev"
    subprocess.run(["docker", "image", "rm", "-f", image], capture_output=True, check=False)


def record(row: dict[str, list[float]], steps: tuple[StepTime, ...], total: float) -> None:
    for step in steps:
        row[step.key].append(step.seconds)
    # Opening the project, snapshots, probing the environment, writing the instance files.
    row["other"].append(total - sum(step.seconds for step in steps))
    row["total"].append(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runtime", choices=("native", "docker"), default="native")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-addon-") as tmp:
        project = bench_project(Path(tmp), options.runtime)
        project.root.joinpath("mx.ini").write_text(MX_INI)
        repo = demo_repository(Path(tmp))
        project.run("up")
        try:
            rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
            running = open_running_project(project.root, None)
            for round_ in range(1, options.rounds + 1):
                started = time.perf_counter()
                running.runtime.restart(running.project, ("backend",), lambda event: None)
                rows["backend restart alone"]["total"].append(time.perf_counter() - started)
                for label, name, kwargs in (
                    ("add (index)", INDEX_ADDON, {}),
                    ("add (git)", DEMO, {"git": str(repo)}),
                ):
                    added = add_addon(project.root, name, QuietReporter(), **kwargs)  # type: ignore[arg-type]
                    assert added.profile, added.profile_note
                    record(rows[label], added.steps, added.seconds)
                    removed = remove_addon(project.root, name, QuietReporter())
                    record(rows[f"remove ({label[5:-1]})"], removed.steps, removed.seconds)
                print(f"round {round_} done", file=sys.stderr)
        finally:
            stop(project, options.runtime)
    columns = [s for s in STEPS if any(s in row for row in rows.values())]
    columns += ["other", "total"]
    print(f"{options.runtime} runtime: median seconds over {options.rounds} rounds")
    print(f"{'':24}" + "".join(f"{c:>10}" for c in columns))
    for label, row in rows.items():
        cells = "".join(
            f"{statistics.median(row[c]):>10.2f}" if c in row else f"{'':>10}" for c in columns
        )
        print(f"{label:24}{cells}")


if __name__ == "__main__":
    main()
