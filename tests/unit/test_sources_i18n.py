"""Finding an add-on's message catalogs, and telling a real change from a new date stamp."""

from __future__ import annotations

from pathlib import Path

from plonedev.sources.i18n import catalogs_of, same_messages, valid_language
from plonedev.sources.mxini import SourceSpec


def _spec(path: Path) -> SourceSpec:
    return SourceSpec("my.addon", "my.addon", "fs", None, None, path, "editable", True)


def _package(root: Path, dotted: str, domain: str | None) -> Path:
    package = root.joinpath(*dotted.split("."))
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    attribute = f' i18n_domain="{domain}"' if domain else ""
    (package / "configure.zcml").write_text(f'<configure xmlns="x"{attribute}></configure>')
    return package


def test_the_domain_comes_from_the_packages_configure_zcml(tmp_path: Path) -> None:
    package = _package(tmp_path / "src", "my_addon", "my.addon")
    (catalog,) = catalogs_of(_spec(tmp_path))
    assert (catalog.package, catalog.domain) == (package, "my.addon")
    assert catalog.pot == package / "locales" / "my.addon.pot"


def test_a_namespace_package_is_found_and_its_subpackages_are_not_counted(
    tmp_path: Path,
) -> None:
    (tmp_path / "src" / "collective").mkdir(parents=True)
    package = _package(tmp_path / "src", "collective.person", "collective.person")
    _package(package, "browser", "collective.person")
    (catalog,) = catalogs_of(_spec(tmp_path))
    assert catalog.package == package


def test_a_package_without_a_domain_has_no_catalog(tmp_path: Path) -> None:
    _package(tmp_path / "src", "plain", None)
    assert catalogs_of(_spec(tmp_path)) == []


def test_only_the_dates_i18ndude_stamps_are_not_a_change() -> None:
    old = '"POT-Creation-Date: 2026-01-01 10:00+0000\\n"\nmsgid "a"\nmsgstr ""\n'
    restamped = old.replace("2026-01-01 10:00", "2026-12-02 16:00")
    assert same_messages(old, restamped)
    assert not same_messages(old, restamped + 'msgid "b"\nmsgstr ""\n')


def test_language_codes() -> None:
    assert all(valid_language(code) for code in ("de", "pt_BR", "fil"))
    assert not any(valid_language(code) for code in ("", "../x", "DE", "de-de"))
