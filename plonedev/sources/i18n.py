"""Where an add-on's translations live: its packages, i18n domains and message catalogs.

The layout is Plone's (and cookieplone's): a package's top configure.zcml names its
i18n domain, its `locales/` folder holds `<domain>.pot` and
`<language>/LC_MESSAGES/<domain>.po`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from plonedev.sources.mxini import SourceSpec

_DOMAIN = re.compile(r"""i18n_domain\s*=\s*["']([^"']+)["']""")
# Lines i18ndude rewrites on every run: a rebuild that changed no message is no change.
_VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$')
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


@dataclass(frozen=True)
class Catalog:
    """One package's translations: what i18ndude reads and the files it writes."""

    addon: str
    package: Path  # the Python package folder i18ndude scans
    domain: str

    @property
    def locales(self) -> Path:
        return self.package / "locales"

    @property
    def pot(self) -> Path:
        return self.locales / f"{self.domain}.pot"

    def po_files(self, locales: Path | None = None) -> list[Path]:
        folder = locales or self.locales
        return sorted(folder.glob(f"*/LC_MESSAGES/{self.domain}.po"))


def catalogs_of(spec: SourceSpec) -> list[Catalog]:
    """The packages of a checkout that declare an i18n domain (src/ layout or flat)."""
    roots = [spec.path / "src", spec.path]
    found: list[Catalog] = []
    for root in roots:
        if not root.is_dir():
            continue
        for zcml in sorted(root.glob("*/configure.zcml")) + sorted(root.glob("*/*/configure.zcml")):
            package = zcml.parent
            if not (package / "__init__.py").is_file() or _inside(package, found):
                continue
            match = _DOMAIN.search(zcml.read_text(encoding="utf-8", errors="replace"))
            if match:
                found.append(Catalog(spec.name, package, match.group(1)))
        if found:
            break
    return found


def _inside(package: Path, found: list[Catalog]) -> bool:
    return any(package.is_relative_to(catalog.package) for catalog in found)


def valid_language(code: str) -> bool:
    return bool(_LANGUAGE.match(code))


def new_po(domain: str, language: str) -> str:
    """An empty catalog for `language`: i18ndude's sync fills in the messages."""
    return (
        'msgid ""\n'
        'msgstr ""\n'
        '"Project-Id-Version: \\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        f'"Language-Code: {language}\\n"\n'
        f'"Language-Name: {language}\\n"\n'
        '"Preferred-Encodings: utf-8\\n"\n'
        f'"Domain: {domain}\\n"\n'
        f'"Language: {language}\\n"\n'
    )


def same_messages(old: str, new: str) -> bool:
    """True when two catalogs differ at most in the dates i18ndude stamps."""
    return _stable(old) == _stable(new)


def _stable(text: str) -> list[str]:
    return [line for line in text.splitlines() if not _VOLATILE.match(line)]
