"""`plonedev i18n`: rebuild the add-ons' .pot files and sync their .po files (i18ndude).

i18ndude only reads source files, so it runs in a cached tool environment of its own
(`uv tool run`), the same for both runtimes. Each catalog is rebuilt in a scratch copy
first: `--check` compares, a real run copies back only the files whose messages changed,
so a run that changes nothing leaves git clean (i18ndude restamps dates on every run).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.backend.environment import find_uv
from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import open_project
from plonedev.sources.chosen import chosen_sources
from plonedev.sources.i18n import Catalog, catalogs_of, new_po, same_messages, valid_language
from plonedev.streaming import run_streaming

I18NDUDE = "i18ndude==6.3.0"


@dataclass(frozen=True)
class CatalogChange:
    catalog: Catalog
    changed: tuple[Path, ...]  # the files whose messages differ (would be written)


@dataclass(frozen=True)
class I18nResult:
    changes: list[CatalogChange] = field(default_factory=list)
    checked: bool = False

    @property
    def changed_files(self) -> list[Path]:
        return [path for change in self.changes for path in change.changed]


def i18n(
    start: Path,
    addons: tuple[str, ...] = (),
    *,
    check: bool = False,
    languages: tuple[str, ...] = (),
) -> I18nResult:
    context = open_project(start)
    for language in languages:
        if not valid_language(language):
            raise PlonedevError(
                f"--language {language!r} is not a language code",
                "use a code such as de, pt_BR or fr",
            )
    catalogs = [c for spec in chosen_sources(context.paths.root, addons) for c in catalogs_of(spec)]
    if not catalogs:
        raise PlonedevError(
            "no add-on in sources/ declares an i18n domain",
            'add i18n_domain="your.domain" to the package\'s configure.zcml',
        )
    changes = [_rebuild(catalog, languages, write=not check) for catalog in catalogs]
    return I18nResult(changes, checked=check)


def _rebuild(catalog: Catalog, languages: tuple[str, ...], *, write: bool) -> CatalogChange:
    with tempfile.TemporaryDirectory(prefix="plonedev-i18n-") as scratch:
        locales = Path(scratch) / "locales"
        if catalog.locales.is_dir():
            shutil.copytree(catalog.locales, locales)
        locales.mkdir(exist_ok=True)
        for language in languages:
            po = locales / language / "LC_MESSAGES" / f"{catalog.domain}.po"
            if not po.exists():
                po.parent.mkdir(parents=True)
                po.write_text(new_po(catalog.domain, language), encoding="utf-8")
        pot = locales / catalog.pot.name
        _i18ndude(
            "rebuild-pot", "--pot", str(pot), "--create", catalog.domain, str(catalog.package)
        )
        pos = catalog.po_files(locales)
        if pos:
            _i18ndude("sync", "--pot", str(pot), *map(str, pos))
        changed = []
        for rebuilt in [pot, *pos]:
            target = catalog.locales / rebuilt.relative_to(locales)
            if _differs(target, rebuilt):
                changed.append(target)
                if write:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(rebuilt, target)
    return CatalogChange(catalog, tuple(changed))


def _differs(current: Path, rebuilt: Path) -> bool:
    if not current.is_file():
        return True
    return not same_messages(
        current.read_text(encoding="utf-8", errors="replace"),
        rebuilt.read_text(encoding="utf-8", errors="replace"),
    )


def _i18ndude(*args: str) -> None:
    argv = [find_uv(), "tool", "run", "--quiet", "--from", I18NDUDE, "i18ndude", *args]
    run_streaming(
        argv,
        cwd=Path.cwd(),
        what=f"i18ndude {args[0]}",
        hint="fix the template or code it names, then run `plonedev i18n` again",
    )
