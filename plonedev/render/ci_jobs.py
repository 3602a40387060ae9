"""What each CI job runs, the same shell on GitHub and on GitLab.

The scripts read their inputs from environment variables only (PLONEDEV, REGISTRY,
IMAGE_TAG, EXTRA_TAG, ...), which each forge's file sets from its own context: the
forge files differ in how they set them, cache and gate the jobs, never in what the
jobs do. The lint and test scripts have no forge-only part, so a test can run them in
a clean clone as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from plonedev import __version__
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.render.stack_options import StackOptions

CACHE_TAG = "main"  # the images the default branch pushes: every build reuses their layers
DEPLOY_CONTEXT = "production"  # the Docker context the deploy job creates
NODE_MAJOR = "22"
# Forge secrets the deploy job reads (the names the README tells to create).
SSH_KEY_SECRET = "DEPLOY_SSH_KEY"  # noqa: S105 (a secret's name, not its value)
SSH_HOST_SECRET = "DEPLOY_SSH_HOST"  # noqa: S105
KNOWN_HOSTS_SECRET = "DEPLOY_KNOWN_HOSTS"  # noqa: S105


@dataclass(frozen=True)
class CiOptions:
    plonedev: str = ""  # what `uv tool install` installs; "" = the project's pin
    deploy_host: str = ""  # "" = no deploy job; else the site's public host name

    def __post_init__(self) -> None:
        if self.deploy_host:
            StackOptions(host=self.deploy_host)  # the same rule as export-stack's --host
        if any(c in self.plonedev for c in "\n\"'`$"):
            raise PlonedevError(
                f"--plonedev {self.plonedev!r} is not a requirement",
                "give what `uv tool install` takes, e.g. plonedev==0.1.0 or a git URL",
            )


@dataclass(frozen=True)
class CiProject:
    """What the pipeline depends on in the project's configuration."""

    frontend: str  # the frontend folder ("" = none)
    python: str
    native_packages: tuple[str, ...]  # Debian packages `up --runtime native` needs
    plonedev_pin: str = ""  # tool.plonedev.plonedev-version

    def requirement(self, options: CiOptions) -> str:
        """What the jobs install: --plonedev, else the project's pinned releases, else
        the release that wrote the file."""
        if options.plonedev:
            return options.plonedev
        return f"plonedev{self.plonedev_pin}" if self.plonedev_pin else f"plonedev=={__version__}"


def ci_project(config: PlonedevConfig) -> CiProject:
    packages = []
    if config.storage is Storage.RELSTORAGE:
        packages.append("postgresql")
    if config.varnish:
        packages.append("varnish")
    return CiProject(config.frontend or "", config.python, tuple(packages), config.plonedev_version)


# uv's tools on PATH (exported already); installing the same requirement again is a no-op.
INSTALL = 'uv tool install --quiet "$PLONEDEV"\nPATH="$(uv tool dir --bin):$PATH"\n'


def lint_script() -> str:
    """Ruff over the repository (its own [tool.ruff] settings apply), and the plonedev
    configuration checked by rendering the stack from it (nothing is written there)."""
    return (
        INSTALL
        + "uvx ruff check .\n"
        + "uvx ruff format --check .\n"
        + 'plonedev export-stack --host ci.example.org -o "${TMPDIR:-/tmp}/plonedev-ci-stack.yml"\n'
    )


def test_script() -> str:
    """The project's own tests until `plonedev test` exists: `plonedev up` natively
    (sources checked out, the backend installed, Plone started, the site created with
    the add-ons' profiles), then pytest over sources/ in the backend's environment
    (exit 5: no tests collected), then `plonedev down`."""
    return (
        INSTALL
        + "plonedev up --runtime native\n"
        + "uv pip install --quiet --python .plonedev/venv/bin/python pytest\n"
        + "status=0\n"
        + ".plonedev/venv/bin/python -m pytest -q -p no:cacheprovider sources || status=$?\n"
        + "plonedev down --runtime native\n"
        + '[ "$status" -eq 0 ] || [ "$status" -eq 5 ]\n'
    )


LOGIN = (
    "printf '%s' \"$REGISTRY_PASSWORD\" "
    '| docker login "${REGISTRY%%/*}" -u "$REGISTRY_USER" --password-stdin\n'
)


def build_script() -> str:
    """Build and push, tagged IMAGE_TAG (the commit), then EXTRA_TAG (the git tag, or
    the cache tag on the default branch): the second build is all cached layers."""
    build = 'plonedev build --registry "$REGISTRY" --cache-tag ' + CACHE_TAG + " --push"
    return (
        INSTALL
        + LOGIN
        + f'{build} --tag "$IMAGE_TAG"\n'
        + f'if [ -n "$EXTRA_TAG" ]; then {build} --tag "$EXTRA_TAG"; fi\n'
    )


def deploy_script(options: CiOptions) -> str:
    """A Docker context over SSH (key and host from the forge's secrets, the host key
    pinned), then `plonedev deploy` of the images the build job pushed."""
    return (
        INSTALL
        + LOGIN  # --with-registry-auth hands this login to the nodes
        + "mkdir -p ~/.ssh && chmod 700 ~/.ssh\n"
        + f"printf '%s\\n' \"${SSH_KEY_SECRET}\" > ~/.ssh/id_deploy && chmod 600 ~/.ssh/id_deploy\n"
        + f"printf '%s\\n' \"${KNOWN_HOSTS_SECRET}\" >> ~/.ssh/known_hosts\n"
        + "printf 'Host *\\n  IdentityFile ~/.ssh/id_deploy\\n' >> ~/.ssh/config\n"
        + f"docker context create {DEPLOY_CONTEXT} "
        + f'--docker "host=ssh://${SSH_HOST_SECRET}"\n'
        + f"plonedev deploy --context {DEPLOY_CONTEXT} --host {options.deploy_host} "
        + '--registry "$REGISTRY" --tag "$IMAGE_TAG"\n'
    )


def header(command: str) -> str:
    from plonedev.render.owned import MARKER

    return (
        f"# {MARKER} ({command}) from pyproject.toml [tool.plonedev].\n"
        "# Delete this line to take the file over: plonedev then never writes it again.\n"
    )


class _Dumper(yaml.SafeDumper):
    """Scripts as literal blocks, as a person would write them; no YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=1000)
