"""`plonedev export-stack`: the project as a Docker Swarm stack file.

Rendered from the service model (the project's model, built for the stack's storage and
with Varnish), written next to the files it names (the nginx configuration), optionally
checked with `docker stack config` and its secrets created on the current engine.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as random
import shlex
from dataclasses import dataclass
from pathlib import Path

from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.model import Project
from plonedev.model_builder import build_project
from plonedev.project_setup.find_project import ProjectContext, open_project
from plonedev.render.stack import RenderedStack, SecretKind, StackSecret, render_stack
from plonedev.render.stack_backend import stack_storage
from plonedev.render.stack_images import StackImages, stack_images
from plonedev.render.stack_options import StackOptions, StackStorage
from plonedev.render.stack_traefik import DASHBOARD_USER

OWNER_LABEL = "org.plone.plonedev.stack"


@dataclass(frozen=True)
class SecretState:
    secret: StackSecret
    created: bool = False  # created now by --create-secrets
    exists: bool = False  # known to exist on the engine (after --check or --create)
    saved_to: Path | None = None  # where a created login's password was written


@dataclass(frozen=True)
class ExportResult:
    project: str
    stack_file: Path
    files: tuple[Path, ...]  # written: the stack file and what it names
    storage: StackStorage
    images: StackImages
    options: StackOptions
    secrets: tuple[SecretState, ...]
    create_commands: tuple[str, ...]  # shell commands that create the missing secrets
    checked: bool


def export_stack(
    start: Path,
    options: StackOptions,
    *,
    output: Path | None = None,
    check: bool = False,
    create_secrets: bool = False,
    docker_context: str | None = None,  # where --create-secrets creates them
) -> ExportResult:
    context = open_project(start)
    config = context.config
    storage = stack_storage(config)
    images = stack_images(config, options.registry, options.tag)
    stack_file = (output or context.paths.root / "stack.yml").absolute()
    rendered = render_stack(
        config,
        stack_model(context, storage),
        options,
        images,
        storage,
        stack_file_name=stack_file.name,
    )
    written = _write(stack_file, rendered)
    if check:
        from plonedev.runtime.swarm import check_stack_file

        check_stack_file(stack_file)
    states = tuple(SecretState(s) for s in rendered.secrets)
    if create_secrets:
        states = _create_secrets(context, rendered.secrets, docker_context)
    commands = tuple(
        secret_command(state.secret) for state in states if not (state.exists or state.created)
    )
    return ExportResult(
        project=config.name,
        stack_file=stack_file,
        files=written,
        storage=storage,
        images=images,
        options=options,
        secrets=states,
        create_commands=commands,
        checked=check,
    )


def stack_model(context: ProjectContext, storage: StackStorage) -> Project:
    """The project's model as the stack runs it: the stack's storage, Varnish included."""
    config: PlonedevConfig = context.config.model_copy(
        update={"storage": Storage(storage.value), "varnish": True}
    )
    return build_project(config, context.paths, native_programs=False)


def secret_command(secret: StackSecret) -> str:
    """A shell (bash) command that creates the secret: a login's password asked for
    without echo, the others random; no value on a command line or in a file."""
    name = shlex.quote(secret.name)
    if secret.kind is SecretKind.HTPASSWD:
        prompt = shlex.quote(f"Password for {secret.description} ({DASHBOARD_USER}): ")
        return (
            f"read -rs -p {prompt} pw && echo && printf '{DASHBOARD_USER}:%s\\n' "
            '"$(printf \'%s\' "$pw" | openssl passwd -apr1 -stdin)" '
            f"| docker secret create {name} - && unset pw"
        )
    ask = f"Password for {secret.description}: " if secret.kind is SecretKind.LOGIN else None
    return secret_pipeline(ask, f"docker secret create {name} -")


def secret_pipeline(prompt: str | None, sink: str) -> str:
    """bash: a value piped into `sink` (a command reading it on stdin): asked for without
    echo when there is a prompt (the one a person types), else random; no value on a
    command line or in a file."""
    if prompt is not None:
        return (
            f"read -rs -p {shlex.quote(prompt)} pw && echo && printf '%s' \"$pw\" "
            f"| {sink} && unset pw"
        )
    return f"head -c 48 /dev/urandom | base64 | tr -d '/+=\\n' | head -c 32 | {sink}"


def _write(stack_file: Path, rendered: RenderedStack) -> tuple[Path, ...]:
    if stack_file.is_dir():
        raise PlonedevError(f"{stack_file} is a folder", "give a file name, e.g. -o stack.yml")
    written = [stack_file]
    write_atomic(stack_file, rendered.text)
    for name, text in rendered.files.items():
        path = stack_file.parent / name
        write_atomic(path, text)
        written.append(path)
    return tuple(written)


def _create_secrets(
    context: ProjectContext, wanted: tuple[StackSecret, ...], docker_context: str | None
) -> tuple[SecretState, ...]:
    from plonedev.runtime.swarm import create_secret, existing_secrets, swarm_client

    client = swarm_client(docker_context)
    present = existing_secrets(tuple(s.name for s in wanted), client)
    states: list[SecretState] = []
    for secret in wanted:
        if secret.name in present:
            states.append(SecretState(secret, exists=True))
            continue
        value = random.token_urlsafe(24)
        saved_to = None
        if secret.kind is not SecretKind.RANDOM:
            # One a person types: kept where the development password is kept.
            saved_to = context.paths.var / "stack" / secret.name
            write_atomic(saved_to, value + "\n", mode=0o600)
        if secret.kind is SecretKind.HTPASSWD:
            value = htpasswd_line(DASHBOARD_USER, value)
        create_secret(secret.name, value, {OWNER_LABEL: context.config.name}, client)
        states.append(SecretState(secret, created=True, exists=True, saved_to=saved_to))
    return tuple(states)


def htpasswd_line(user: str, password: str) -> str:
    """`user:{SHA}...`, which Traefik's basic auth reads. Unsalted SHA-1 is only safe for
    a random password like the one plonedev creates (192 bits: no dictionary finds it);
    a chosen one goes through the printed command (openssl's salted apr1)."""
    sha1 = hashlib.sha1(password.encode(), usedforsecurity=True)  # noqa: S324 (see above)
    digest = base64.b64encode(sha1.digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"
