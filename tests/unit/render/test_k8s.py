"""`plonedev export-k8s`: the manifests for every storage and ingress option, validated
with kubernetes-validate (strict: an unknown field fails) against the newest Kubernetes
schemas it ships (offline), and read as a reviewer would: what rolls, what probes, what
routes, where the secrets come from. tests/integration/test_k8s_probes.py starts the
backend image with the Deployment's environment and runs its probes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from plonedev.commands.export_k8s import export_k8s
from plonedev.render.k8s_options import K8sOptions
from plonedev.render.owned import MARKER
from plonedev.render.stack_deploy import healthcheck
from tests.conftest import write_pyproject
from tests.unit.test_cli_errors import _plonedev

HOST = "www.example.org"
DSN = "host=db.example.org port=5432 dbname=plone user=plone"


def _export(tmp_path: Path, *, frontend: bool = True, **options: Any) -> dict[str, Any]:
    extra = 'frontend = "frontend"\n' if frontend else ""
    write_pyproject(tmp_path, f'storage = "relstorage"\n{extra}')
    if frontend:
        (tmp_path / "frontend").mkdir(exist_ok=True)
        (tmp_path / "frontend" / "package.json").write_text("{}\n")
    result = export_k8s(tmp_path, tmp_path / "k8s", K8sOptions(host=HOST, **options))
    assert result.create_commands
    by_kind: dict[str, Any] = {}
    for file in result.files:
        text = file.path.read_text()
        assert MARKER in text.splitlines()[0]
        for doc in yaml.safe_load_all(text):
            by_kind.setdefault(doc["kind"], {})[doc.get("metadata", {}).get("name", "")] = doc
    return by_kind


def _validate(by_kind: dict[str, Any]) -> int:
    count = 0
    for kind, docs in by_kind.items():
        if kind == "Kustomization":
            continue
        for doc in docs.values():
            kubernetes_validate.validate(doc, latest_version(), strict=True)
            count += 1
    return count


def test_strict_validation_rejects_an_unknown_field() -> None:
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"y": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, latest_version(), strict=True)


@pytest.mark.parametrize("dsn", ["", DSN], ids=["statefulset", "external-dsn"])
@pytest.mark.parametrize(
    "ingress",
    [{}, {"ingress_class": "nginx"}, {"ingress_class": "nginx", "cluster_issuer": "letsencrypt"}],
    ids=["default-ingress", "class", "class-cert-manager"],
)
@pytest.mark.parametrize("frontend", [True, False], ids=["frontend", "classic"])
def test_every_option_validates_strictly(
    tmp_path: Path, dsn: str, ingress: dict[str, str], frontend: bool
) -> None:
    docs = _export(tmp_path, frontend=frontend, database_dsn=dsn, **ingress)
    assert _validate(docs) >= 10
    resources = docs["Kustomization"][""]["resources"]
    assert ("postgres.yaml" in resources) is (not dsn)
    assert ("frontend.yaml" in resources) is frontend
    assert ("StatefulSet" in docs) is (not dsn)
    zope = next(d for n, d in docs["ConfigMap"].items() if n.startswith("zope-"))
    assert (DSN if dsn else "host=postgres") in zope["data"]["zope.conf"]
    ingress_doc = next(iter(docs["Ingress"].values()))
    assert ingress_doc["spec"].get("ingressClassName") == ingress.get("ingress_class")
    issuer = ingress.get("cluster_issuer")
    annotations = ingress_doc["metadata"].get("annotations", {})
    assert annotations.get("cert-manager.io/cluster-issuer") == issuer
    assert ("tls" in ingress_doc["spec"]) is bool(issuer)
    if frontend:
        env = {e["name"]: e["value"] for e in _container(docs, "frontend")["env"]}
        assert env["RAZZLE_API_PATH"] == ("https://" if issuer else "http://") + HOST


def _container(docs: dict[str, Any], name: str) -> dict[str, Any]:
    container: dict[str, Any] = docs["Deployment"][name]["spec"]["template"]["spec"]["containers"][
        0
    ]
    return container


def test_the_deployments_roll_without_going_below_their_replicas(tmp_path: Path) -> None:
    docs = _export(tmp_path, backend_replicas=3)
    replicas = {n: d["spec"]["replicas"] for n, d in docs["Deployment"].items()}
    assert replicas == {"backend": 3, "frontend": 2, "varnish": 2}
    for name, deployment in docs["Deployment"].items():
        rolling = deployment["spec"]["strategy"]["rollingUpdate"]
        assert rolling == {"maxUnavailable": 0, "maxSurge": 1}
        assert docs["PodDisruptionBudget"][name]["spec"]["maxUnavailable"] == 1
        assert docs["Service"][name]["spec"]["selector"] == {"app.kubernetes.io/name": name}
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        container = pod["containers"][0]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["resources"]["limits"]["memory"].endswith("i")
        assert container["resources"]["requests"]["cpu"].endswith("m")


def test_probes_run_the_swarm_health_checks(tmp_path: Path) -> None:
    docs = _export(tmp_path)
    stack = yaml.safe_load(_stack(tmp_path))["services"]
    for name in ("backend", "frontend", "varnish"):
        container = _container(docs, name)
        command = container["readinessProbe"]["exec"]["command"]
        assert ["CMD", *command] == stack[name]["healthcheck"]["test"], name
        assert container["livenessProbe"]["exec"]["command"] == command
        assert container["startupProbe"]["exec"]["command"] == command
    postgres = docs["StatefulSet"]["postgres"]["spec"]["template"]["spec"]["containers"][0]
    assert ["CMD", *postgres["readinessProbe"]["exec"]["command"]] == stack["postgres"][
        "healthcheck"
    ]["test"]
    assert healthcheck(("x",), 1)["retries"] == container["livenessProbe"]["failureThreshold"]


def _stack(root: Path) -> str:
    from plonedev.commands.export_stack import stack_model
    from plonedev.project_setup.find_project import open_project
    from plonedev.render.stack import render_stack
    from plonedev.render.stack_images import stack_images
    from plonedev.render.stack_options import StackOptions, StackStorage

    context = open_project(root)
    storage = StackStorage.RELSTORAGE
    return render_stack(
        context.config,
        stack_model(context, storage),
        StackOptions(host=HOST),
        stack_images(context.config),
        storage,
    ).text


def test_traffic_goes_through_varnish_and_secrets_are_names_only(tmp_path: Path) -> None:
    docs = _export(tmp_path, cluster_issuer="letsencrypt")
    rule = next(iter(docs["Ingress"].values()))["spec"]["rules"][0]
    assert rule["host"] == HOST
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "varnish"
    vcl = next(d for n, d in docs["ConfigMap"].items() if n.startswith("vcl-"))
    text = vcl["data"]["default.vcl"]
    assert '.host = "backend"' in text and '.host = "frontend"' in text
    assert "Secret" not in docs  # referenced by name, created by the printed commands
    volume = docs["Deployment"]["backend"]["spec"]["template"]["spec"]["volumes"][2]
    names = [s["secret"]["name"] for s in volume["projected"]["sources"]]
    assert names == ["demo-admin-password", "demo-db-password"]
    env = {e["name"]: e["value"] for e in _container(docs, "backend")["env"]}
    assert env["CREATE_SITE"] == "0"  # the Job creates it
    job = next(iter(docs["Job"].values()))
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["/app/bin/create-site"]


def test_a_changed_setting_makes_a_new_config_map_name(tmp_path: Path) -> None:
    first = set(_export(tmp_path)["ConfigMap"])
    second = set(_export(tmp_path, database_dsn=DSN)["ConfigMap"])
    assert len(first) == 2 and len(first & second) == 1  # zope's changed, the VCL did not


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--database-dsn", "host=x password=y"), "must not hold the password"),
        (("--database-dsn", "host='x'"), "not a list of libpq keywords"),
        (("--ingress-class", "Not_Valid"), "not a Kubernetes name"),
        (("--database-size", "lots"), "is not a size"),
        (("--host", "not a host"), "is not a host name"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    write_pyproject(tmp_path, 'storage = "relstorage"\n')
    done = _plonedev(tmp_path, "export-k8s", "-o", "k8s", "--host", HOST, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], done.stderr
    assert not (tmp_path / "k8s").exists()


def test_a_zeo_project_is_refused_with_the_fix(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'storage = "zeo"\n')
    done = _plonedev(tmp_path, "export-k8s", "-o", "k8s", "--host", HOST)
    assert done.returncode == 2
    assert 'set storage = "relstorage"' in done.stderr
    assert not (tmp_path / "k8s").exists()
