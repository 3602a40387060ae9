"""The layers contract (pyproject.toml, tool.importlinter) holds: in the quick suite, so
an import that runs up a layer fails before it lands."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_each_layer_imports_only_from_the_layers_below() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is in the test extra: run scripts/bootstrap.sh --test"
    done = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "plonedev layers KEPT" in done.stdout
