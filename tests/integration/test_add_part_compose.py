"""`plonedev add` in Docker Compose: the add-on is bind-mounted from sources/, the
backend's restart goes through Compose, and the new content type is in @types at once.

One Compose project runs for the module (the stand-in images of test_compose.py), with
acme.hello created in it (its editable install baked into the backend image).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

import pytest

from plonedev.commands.init import MX_INI
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.test_compose import IMAGES, stand_in_images  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.docker, pytest.mark.slow]

ADDON = "acme.hello"


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
    stand_in_images: list[str],  # noqa: F811 (the fixture imported above)
) -> Iterator[PlonedevProject]:
    name = f"pdt-parts-{secrets.token_hex(3)}"
    stand_in_images.append(f"{name}-backend:dev")
    images = "\n".join(f'{key} = "{value}"' for key, value in IMAGES.items())
    project = make_project(
        tmp_path_factory.mktemp("parts-compose"),
        f'name = "{name}"\nruntime = "docker"\n\n[tool.plonedev.images]\n{images}\n',
        with_demo=False,
    )
    project.root.joinpath("mx.ini").write_text(MX_INI)
    project.root.joinpath("sources").mkdir()
    project.run("up")
    project.run("create-addon", ADDON)
    yield project
    project.run("down", "--volumes", "--yes", check=False)


def test_a_content_type_is_listed_in_types(project: PlonedevProject) -> None:
    started = time.monotonic()
    done = project.run("add", ADDON, "content-type", "Task")
    print(f"\nadd content-type Task (Compose): {time.monotonic() - started:.1f} s until usable")
    assert "backend restarted" in done.stdout
    status, body = project.request("GET", f"{project.backend}/Plone/@types", auth=True)
    assert status == 200
    assert "Task" in {item["title"] for item in json.loads(body)}
