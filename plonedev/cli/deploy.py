"""`plonedev deploy` and `plonedev stack status|logs|scale|rollback`: parse, call, show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.stack import (
    AcmeEmail,
    BackendReplicas,
    Dashboard,
    DashboardHost,
    DatabaseNode,
    FrontendReplicas,
    HostOption,
    HttpPort,
    HttpsPort,
    IngressImage,
    IngressOption,
    NoIpvs,
    Portainer,
    PortainerHost,
    RegistryOption,
    TagOption,
    VarnishReplicas,
    stack_options,
)

if TYPE_CHECKING:
    from plonedev.commands.stack_ops import StackStatus

DEPLOY_HELP = (
    "Export the stack (export-stack's options), create the missing secrets, `docker "
    "stack deploy --with-registry-auth` it on the context's Swarm, and follow every "
    "service until it runs the new image healthy. When one fails, roll back what "
    "changed and exit 1 naming the service, its error and its last log lines."
)
STACK_HELP = "Operate the project's deployed Swarm stack (named after the project)."

ContextOption = Annotated[
    str | None,
    typer.Option(
        "--context", "-c", help="The Docker context of the Swarm manager (default: current)."
    ),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for the services to converge.")
]

stack_app = typer.Typer(help=STACK_HELP, no_args_is_help=True)


@reports_errors
def deploy(
    host: HostOption,
    context: ContextOption = None,
    tag: TagOption = "latest",
    registry: RegistryOption = "",
    build: Annotated[
        bool, typer.Option("--build", help="Build the images first (plonedev build).")
    ] = False,
    push: Annotated[bool, typer.Option("--push", help="Push them when built.")] = False,
    resolve_image: Annotated[
        str,
        typer.Option(
            "--resolve-image",
            help="always, changed or never (never: images that are only on this engine).",
        ),
    ] = "always",
    timeout: TimeoutOption = 900,
    ingress: IngressOption = "traefik",
    backend_replicas: BackendReplicas = 2,
    frontend_replicas: FrontendReplicas = 2,
    varnish_replicas: VarnishReplicas = 1,
    database_node: DatabaseNode = "",
    acme_email: AcmeEmail = "",
    http_port: HttpPort = 80,
    https_port: HttpsPort = 443,
    no_ipvs: NoIpvs = False,
    ingress_image: IngressImage = "",
    dashboard: Dashboard = False,
    dashboard_host: DashboardHost = "",
    portainer: Portainer = False,
    portainer_host: PortainerHost = "",
) -> None:
    from plonedev.commands.deploy import deploy as run_deploy

    options = stack_options(
        host, ingress, registry, tag, backend_replicas, frontend_replicas,
        acme_email, http_port, https_port, no_ipvs, ingress_image,
        dashboard=dashboard, dashboard_host=dashboard_host,
        portainer=portainer, portainer_host=portainer_host,
        varnish_replicas=varnish_replicas, database_node=database_node,
    )  # fmt: skip
    result = run_deploy(
        Path.cwd(),
        options,
        ui.ConsoleReporter(),
        docker_context=context,
        build=build,
        push=push,
        resolve_image=resolve_image,
        timeout=timeout,
    )
    ui.console.print(
        f"[green]✓[/] Deployed {result.stack}: every service runs its image healthy "
        f"({len(result.updated)} updated, {result.seconds:.0f} s): "
        f"{options.public_scheme}://{escape(options.host)}",
        soft_wrap=True,
    )


@stack_app.command()
@reports_errors
def status(context: ContextOption = None) -> None:
    """Each service: tasks running/desired, image, update state."""
    from plonedev.commands.stack_ops import status as run_status

    _print_status(run_status(Path.cwd(), context))


@stack_app.command()
@reports_errors
def logs(
    service: Annotated[str, typer.Argument(help="A service (default: all).")] = "",
    context: ContextOption = None,
    tail: Annotated[int, typer.Option("--tail", "-n", min=0)] = 100,
    follow: Annotated[bool, typer.Option("--follow", "-f")] = False,
) -> None:
    """The services' logs (docker service logs)."""
    from plonedev.commands.stack_ops import logs as run_logs

    run_logs(Path.cwd(), service, context, tail=tail, follow=follow)


@stack_app.command()
@reports_errors
def scale(
    assignments: Annotated[list[str], typer.Argument(help="SERVICE=N, e.g. backend=3.")],
    context: ContextOption = None,
    timeout: TimeoutOption = 600,
) -> None:
    """Set services' replica counts and wait until the tasks run."""
    from plonedev.commands.stack_ops import scale_services

    result = scale_services(Path.cwd(), assignments, ui.ConsoleReporter(), context, timeout=timeout)
    _print_status(result)


@stack_app.command()
@reports_errors
def rollback(
    service: Annotated[str, typer.Argument(help="A service (default: all that can).")] = "",
    context: ContextOption = None,
    timeout: TimeoutOption = 600,
) -> None:
    """Go back to the previous version (docker service rollback) and wait for it."""
    from plonedev.commands.stack_ops import rollback as run_rollback

    result = run_rollback(Path.cwd(), service, ui.ConsoleReporter(), context, timeout=timeout)
    _print_status(result)


def _print_status(result: StackStatus) -> None:
    table = Table(title=f"stack {result.stack}", title_justify="left")
    for column in ("service", "replicas", "image", "update"):
        table.add_column(column)
    for state in result.services:
        colour = "green" if state.converged else "yellow"
        table.add_row(
            f"[{ui.service_colour(state.name)}]{state.name}[/]",
            f"[{colour}]{state.running}/{state.replicas}[/]",
            escape(state.image.split("@", 1)[0]),
            escape(state.update_state.replace("_", " ")),
        )
    ui.console.print(table)
