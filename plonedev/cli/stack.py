"""`plonedev build` and `plonedev export-stack`: parse, call the use case, show the result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.errors import reports_errors

if TYPE_CHECKING:
    from plonedev.commands.build import BuildResult
    from plonedev.commands.export_stack import ExportResult
    from plonedev.render.stack_options import StackOptions

BUILD_HELP = (
    "Build the production images a stack from `export-stack` runs: the backend (add-ons "
    "and instance baked in), Varnish (VCL baked in) and, with a frontend, Volto's "
    "production build. Tagged [REGISTRY/]<project>-<role>:TAG; --push sends them to "
    "the registry."
)
EXPORT_HELP = (
    "Write the project as a Docker Swarm stack: an ingress (Traefik with Let's Encrypt, "
    "or nginx), Varnish, the frontends, the backends and PostgreSQL/RelStorage (or a ZEO "
    "server), with rolling updates, health checks and limits. Passwords are Swarm "
    "secrets: created with --create-secrets, or by the commands printed. Deploy with "
    "`docker stack deploy -c FILE NAME`."
)

RegistryOption = Annotated[
    str,
    typer.Option("--registry", help="Image registry (and path): registry.example.org/team."),
]
TagOption = Annotated[str, typer.Option("--tag", help="Image tag, e.g. a git commit.")]


@reports_errors
def build(
    registry: RegistryOption = "",
    tag: TagOption = "latest",
    push: Annotated[bool, typer.Option("--push", help="Push the images when built.")] = False,
    cache_tag: Annotated[
        str,
        typer.Option(
            "--cache-tag",
            help="Reuse the layers of the registry's images with this tag (e.g. main), "
            "and embed cache metadata in the new ones: for CI runners, which start empty.",
        ),
    ] = "",
) -> None:
    from plonedev.commands.build import build as run_build

    result = run_build(
        Path.cwd(), ui.ConsoleReporter(), registry=registry, tag=tag, push=push, cache_tag=cache_tag
    )
    _print_build(result)


HostOption = Annotated[str, typer.Option("--host", help="The site's public host name.")]
IngressOption = Annotated[
    str, typer.Option("--ingress", help="traefik (HTTPS, Let's Encrypt) or nginx (HTTP).")
]
# Ranges are checked by StackOptions: its error is one line, Click's is a usage box.
BackendReplicas = Annotated[int, typer.Option("--backend-replicas")]
FrontendReplicas = Annotated[int, typer.Option("--frontend-replicas")]
VarnishReplicas = Annotated[
    int, typer.Option("--varnish-replicas", help="Varnish tasks (2 or more on several nodes).")
]
DatabaseNode = Annotated[
    str,
    typer.Option(
        "--database-node",
        help="Hostname of the node the database and its volume stay on (default: a manager).",
    ),
]
AcmeEmail = Annotated[
    str, typer.Option("--acme-email", help="Let's Encrypt account e-mail (Traefik).")
]
HttpPort = Annotated[int, typer.Option("--http-port", help="Published HTTP port.")]
HttpsPort = Annotated[int, typer.Option("--https-port", help="Published HTTPS port (Traefik).")]
NoIpvs = Annotated[
    bool,
    typer.Option(
        "--no-ipvs",
        help="For nodes whose kernel lacks IPVS (no routing mesh, no service VIPs): "
        "publish ports on the node itself and resolve services by DNS round-robin.",
    ),
]
IngressImage = Annotated[
    str, typer.Option("--ingress-image", help="Image of the ingress (Traefik or nginx).")
]
Dashboard = Annotated[
    bool,
    typer.Option(
        "--dashboard",
        help="Publish Traefik's dashboard on its own host name, behind basic auth "
        "(users from the Swarm secret <project>_dashboard_users).",
    ),
]
DashboardHost = Annotated[
    str, typer.Option("--dashboard-host", help="The dashboard's host (default: traefik.HOST).")
]
Portainer = Annotated[
    bool,
    typer.Option(
        "--portainer",
        help="Add Portainer: the server on a manager, an agent on every node, behind Traefik.",
    ),
]
PortainerHost = Annotated[
    str, typer.Option("--portainer-host", help="Portainer's host (default: portainer.HOST).")
]


@reports_errors
def export_stack(
    host: HostOption,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The stack file (default: stack.yml).")
    ] = None,
    ingress: IngressOption = "traefik",
    registry: RegistryOption = "",
    tag: TagOption = "latest",
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
    check: Annotated[
        bool, typer.Option("--check", help="Validate the file with `docker stack config`.")
    ] = False,
    create_secrets: Annotated[
        bool,
        typer.Option(
            "--create-secrets",
            help="Create the missing Swarm secrets on the current engine (random values; "
            "the admin password is saved under var/stack/).",
        ),
    ] = False,
) -> None:
    from plonedev.commands.export_stack import export_stack as run_export

    options = stack_options(
        host, ingress, registry, tag, backend_replicas, frontend_replicas,
        acme_email, http_port, https_port, no_ipvs, ingress_image,
        dashboard=dashboard, dashboard_host=dashboard_host,
        portainer=portainer, portainer_host=portainer_host,
        varnish_replicas=varnish_replicas, database_node=database_node,
    )  # fmt: skip
    result = run_export(
        Path.cwd(), options, output=output, check=check, create_secrets=create_secrets
    )
    _print_export(result)


def stack_options(
    host: str,
    ingress: str,
    registry: str,
    tag: str,
    backend_replicas: int,
    frontend_replicas: int,
    acme_email: str,
    http_port: int,
    https_port: int,
    no_ipvs: bool,
    ingress_image: str,
    *,
    dashboard: bool = False,
    dashboard_host: str = "",
    portainer: bool = False,
    portainer_host: str = "",
    varnish_replicas: int = 1,
    database_node: str = "",
) -> StackOptions:
    """The export-stack options (also deploy's) as the renderers take them."""
    from plonedev.errors import PlonedevError
    from plonedev.render.stack_options import Ingress, StackOptions

    try:
        kind = Ingress(ingress)
    except ValueError:
        raise PlonedevError(
            f"--ingress {ingress!r} is not known", "use --ingress traefik or --ingress nginx"
        ) from None
    return StackOptions(
        host=host,
        ingress=kind,
        registry=registry,
        tag=tag,
        backend_replicas=backend_replicas,
        frontend_replicas=frontend_replicas,
        varnish_replicas=varnish_replicas,
        database_node=database_node,
        ipvs=not no_ipvs,
        http_port=http_port,
        https_port=https_port,
        acme_email=acme_email,
        ingress_image=ingress_image,
        dashboard=dashboard,
        dashboard_host=dashboard_host,
        portainer=portainer,
        portainer_host=portainer_host,
    )


def _print_build(result: BuildResult) -> None:
    console = ui.console
    for image in result.images:
        pushed = " (pushed)" if image.pushed else ""
        console.print(f"  {image.role:<9} {escape(image.reference)}{pushed}")
    console.print(
        f"Built {len(result.images)} images for a {result.storage.value} stack "
        f"in {result.seconds:.0f} s. Next: plonedev export-stack --host <domain>"
        + (" --registry ... --tag ..." if not any(i.pushed for i in result.images) else "")
    )


def _print_export(result: ExportResult) -> None:
    console, options = ui.console, result.options
    for path in result.files:
        console.print(f"[green]✓[/] Wrote {escape(str(path))}")
    if result.checked:
        console.print("[green]✓[/] docker stack config accepts it")
    console.print(
        f"  {result.options.ingress.value} → varnish → "
        + ("frontend/backend" if result.images.frontend else "backend")
        + f" → {result.storage.value}; images: "
        + escape(", ".join(result.images.all()))
    )
    tools = (("Traefik's dashboard", "traefik", options.dashboard),
             ("Portainer", "portainer", options.portainer))  # fmt: skip
    for title, tool, wanted in tools:
        if wanted:
            console.print(f"  {title}: https://{escape(options.tool_host(tool))}")
    for state in result.secrets:
        if state.created:
            saved = f" (saved to {state.saved_to})" if state.saved_to else ""
            console.print(f"[green]✓[/] Created the secret {state.secret.name}{escape(saved)}")
        elif state.exists:
            console.print(f"  The secret {state.secret.name} exists already")
    if result.create_commands:
        console.print("Create the secrets first (on a Swarm manager):")
        for command in result.create_commands:
            console.print(f"  {escape(command)}", soft_wrap=True)
    console.print(
        f"Deploy: docker stack deploy -c {escape(result.stack_file.name)} {result.project}",
        soft_wrap=True,
    )
