"""`plonedev deploy` and `plonedev stack` on bad input: one line, exit 2, nothing written,
before any Docker engine is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_pyproject
from tests.unit.test_cli_errors import _assert_one_line_error, _plonedev, _tree


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("deploy", "--host", "plone.test", "--push"), ("--push needs --build", "--build --push")),
        (
            ("deploy", "--host", "plone.test", "--resolve-image", "sometimes"),
            ("--resolve-image 'sometimes' is not known", "never"),
        ),
        (("deploy", "--host", "not a host"), ("--host 'not a host' is not a host name",)),
        (("deploy", "--host", "plone.test", "--ingress", "caddy"), ("--ingress 'caddy'",)),
        (("stack", "scale", "backend"), ("'backend' is not SERVICE=N", "backend=3")),
        (("stack", "scale", "backend=-1"), ("'backend=-1' is not SERVICE=N",)),
    ],
)
def test_bad_deploy_and_stack_input(
    tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    write_pyproject(tmp_path, "")
    before = _tree(tmp_path)
    _assert_one_line_error(_plonedev(tmp_path, *args), *fragments)
    assert _tree(tmp_path) == before
