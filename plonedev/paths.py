"""Where a project keeps its generated files, its state and its data.

Generated files and state live in `.plonedev/` (safe to delete: regenerated on the next
`up`); site data lives in `var/` (never deleted by plonedev unless asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def mx_ini(self) -> Path:
        return self.root / "mx.ini"

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def compose_dir(self) -> Path:
        return self.root / "compose"

    @property
    def state(self) -> Path:
        return self.root / ".plonedev"

    @property
    def venv(self) -> Path:
        return self.state / "venv"

    @property
    def venv_bin(self) -> Path:
        return self.venv / "bin"

    @property
    def instance(self) -> Path:
        return self.state / "instance"

    @property
    def zeo_server(self) -> Path:
        return self.state / "zeo"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def webpack_cache(self) -> Path:
        # The Volto dev server's compile, kept between runs (generated: safe to delete).
        return self.state / "webpack-cache"

    @property
    def run(self) -> Path:
        return self.state / "run"

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def admin_password_file(self) -> Path:
        # Kept with the data it unlocks: removing var/ resets both together.
        return self.var / "admin-password"

    @property
    def filestorage(self) -> Path:
        return self.var / "filestorage" / "Data.fs"

    @property
    def blobstorage(self) -> Path:
        return self.var / "blobstorage"

    @property
    def zeo_data(self) -> Path:
        return self.var / "zeo"

    @property
    def postgres_data(self) -> Path:
        return self.var / "postgres"

    def log_file(self, service: str) -> Path:
        return self.logs / f"{service}.log"
