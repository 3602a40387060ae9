"""What `plonedev export-k8s` is asked for, validated once (like StackOptions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from plonedev.errors import PlonedevError
from plonedev.render.stack_options import Ingress, StackOptions

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")  # a DNS subdomain, as k8s names
_DSN_KEYWORD = re.compile(r"[a-z_]+=[^\s'\"\\]+")


@dataclass(frozen=True)
class K8sOptions:
    host: str
    registry: str = ""
    tag: str = "latest"
    backend_replicas: int = 2
    frontend_replicas: int = 2
    ingress_class: str = ""  # "" = the cluster's default IngressClass
    cluster_issuer: str = ""  # cert-manager ClusterIssuer: TLS for the host ("" = none)
    database_dsn: str = ""  # "" = PostgreSQL in the cluster (a StatefulSet)
    database_size: str = "10Gi"  # the StatefulSet's volume claim

    def __post_init__(self) -> None:
        # Host, registry, tag and replicas: the stack's rules.
        self.stack_options()
        for flag, value in (
            ("--ingress-class", self.ingress_class),
            ("--cluster-issuer", self.cluster_issuer),
        ):
            if value and not _NAME.fullmatch(value):
                raise PlonedevError(
                    f"{flag} {value!r} is not a Kubernetes name",
                    "use lowercase letters, digits, '-' and '.', e.g. nginx",
                )
        if self.database_dsn:
            words = self.database_dsn.split()
            if not words or not all(_DSN_KEYWORD.fullmatch(w) for w in words):
                raise PlonedevError(
                    f"--database-dsn {self.database_dsn!r} is not a list of libpq keywords",
                    "give e.g. 'host=db.example.org port=5432 dbname=plone user=plone'",
                )
            if any(w.startswith("password=") for w in words):
                raise PlonedevError(
                    "--database-dsn must not hold the password",
                    "leave it out: the backends read it from the db-password Secret",
                )
        if not re.fullmatch(r"[1-9][0-9]{0,5}(Mi|Gi|Ti)", self.database_size):
            raise PlonedevError(
                f"--database-size {self.database_size!r} is not a size",
                "give e.g. 10Gi",
            )

    def stack_options(self) -> StackOptions:
        """The stack's options these map to: the shared renderers read them (the
        ingress kind only decides the public scheme there)."""
        return StackOptions(
            host=self.host,
            ingress=Ingress.TRAEFIK if self.tls else Ingress.NGINX,
            registry=self.registry,
            tag=self.tag,
            backend_replicas=self.backend_replicas,
            frontend_replicas=self.frontend_replicas,
        )

    @property
    def tls(self) -> bool:
        return bool(self.cluster_issuer)
