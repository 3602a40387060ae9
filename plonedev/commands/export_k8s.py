"""`plonedev export-k8s -o DIR`: the project as Kubernetes manifests with a kustomization.

Rendered from the model the stack uses (plonedev.render.k8s), written as generated
files (a file whose marker line was removed is left as the user has it); the Secrets'
creation commands are returned, never their values.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from plonedev.commands.export_stack import secret_pipeline, stack_model
from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import open_project
from plonedev.render.k8s import PASSWORD_KEY, refuse_zeo, render_k8s
from plonedev.render.k8s_options import K8sOptions
from plonedev.render.owned import OwnedFile, write_owned
from plonedev.render.stack_backend import stack_storage
from plonedev.render.stack_images import StackImages, stack_images
from plonedev.render.stack_options import StackStorage


@dataclass(frozen=True)
class K8sResult:
    folder: Path
    files: tuple[OwnedFile, ...]
    images: StackImages
    create_commands: tuple[str, ...]


def export_k8s(start: Path, folder: Path, options: K8sOptions) -> K8sResult:
    context = open_project(start)
    config = context.config
    refuse_zeo(stack_storage(config))
    folder = folder.absolute()
    if folder.exists() and not folder.is_dir():
        raise PlonedevError(f"{folder} is a file", "give a folder for the manifests, e.g. -o k8s")
    images = stack_images(config, options.registry, options.tag)
    rendered = render_k8s(config, stack_model(context, StackStorage.RELSTORAGE), options, images)
    written = tuple(write_owned(folder / name, text) for name, text in rendered.files.items())
    commands = tuple(
        secret_pipeline(
            f"Password for {secret.description}: " if secret.typed else None,
            f"kubectl create secret generic {shlex.quote(secret.name)} "
            f"--from-file={PASSWORD_KEY}=/dev/stdin",
        )
        for secret in rendered.secrets
    )
    return K8sResult(folder, written, images, commands)
