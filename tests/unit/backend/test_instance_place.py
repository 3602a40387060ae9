"""One derivation of the Zope instance from the config, wherever the instance runs."""

from __future__ import annotations

from pathlib import Path

from plonedev.backend.instance import InstanceSettings
from plonedev.config import PlonedevConfig
from plonedev.paths import ProjectPaths
from plonedev.project_setup.prepare import instance_settings as native_instance
from plonedev.render.backend_image import container_instance_settings
from plonedev.render.stack_backend import PURGER_PACKAGE, stack_instance_settings
from plonedev.render.stack_options import StackStorage

_FROM_CONFIG = ("storage", "debug_mode", "reload_enabled", "zcml_includes")


def _config(**values: object) -> PlonedevConfig:
    return PlonedevConfig.model_validate({"name": "site", **values})


def _derived(settings: InstanceSettings) -> tuple[object, ...]:
    return tuple(getattr(settings, name) for name in _FROM_CONFIG)


def test_native_and_container_instances_take_the_same_settings_from_the_config(
    tmp_path: Path,
) -> None:
    for values in (
        {"storage": "zeo", "zcml-includes": ["collective.legacy"]},
        {"storage": "relstorage", "debug": False},
    ):
        config = _config(**values)
        native = native_instance(ProjectPaths(tmp_path), config)
        container = container_instance_settings(config)
        assert _derived(native) == _derived(container)
        assert native.http_host == "127.0.0.1"  # only the place differs
        assert container.http_host == "0.0.0.0"


def test_a_stack_instance_is_never_a_development_one() -> None:
    config = _config(storage="filestorage", debug=True, **{"zcml-includes": ["collective.x"]})
    stack = stack_instance_settings(config, StackStorage.RELSTORAGE)
    assert (stack.debug_mode, stack.reload_enabled) == (False, False)
    assert stack.storage == "relstorage"  # replicas share one database
    assert stack.zcml_includes == ("collective.x",)
    assert stack.zcml_overrides == (PURGER_PACKAGE,)
    assert container_instance_settings(config).debug_mode is True
