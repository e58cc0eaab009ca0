"""The deployment files: the Kubernetes manifests render (kustomize, through kubectl, which needs
no cluster for it) and validate against the Kubernetes schemas (kubernetes-validate, strict);
they hold what the platform needs (probes, autoscaling, one beat, a migrations job, TLS); the
compose file runs two web replicas behind a proxy on S3-compatible storage; the image runs as
a non-root user."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.32.0"


def render(folder: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl renders the kustomization (apt-get install kubectl)"
    result = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict]:
    docs = render(KUBE / "overlays" / "example")
    return {(doc["kind"], doc["metadata"]["name"].split("-")[0]): doc for doc in docs}


@pytest.mark.parametrize("folder", ["base", "overlays/example"])
def test_every_manifest_validates_against_the_kubernetes_schemas(folder):
    docs = render(KUBE / folder)
    assert len(docs) >= 12
    for doc in docs:
        # Raises ValidationError (with the path of the wrong field) on any unknown field.
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_wrong_manifest_is_refused_by_the_validation():
    broken = yaml.safe_load((KUBE / "base" / "web-hpa.yaml").read_text())
    broken["spec"]["minReplica"] = 2  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def container(doc: dict) -> dict:
    spec = doc["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    (only,) = spec["containers"]
    assert only["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"configMapRef", "secretRef"} <= {key for ref in only["envFrom"] for key in ref}
    return only


def test_web_is_autoscaled_with_liveness_and_readiness_probes(manifests):
    web = container(manifests[("Deployment", "web")])
    assert web["livenessProbe"]["httpGet"]["path"] == "/health/live/"
    assert web["readinessProbe"]["httpGet"]["path"] == "/health/ready/"
    hpa = manifests[("HorizontalPodAutoscaler", "web")]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] == 6  # the overlay's patch applied
    assert ("Service", "web") in manifests and ("PodDisruptionBudget", "web") in manifests


def test_worker_is_probed_with_celery_inspect_ping_and_beat_is_exactly_one(manifests):
    worker = container(manifests[("Deployment", "worker")])
    assert "celery --app=klimaalliancen inspect ping" in " ".join(
        worker["livenessProbe"]["exec"]["command"]
    )
    assert "worker" in worker["command"]
    beat_doc = manifests[("Deployment", "beat")]
    assert beat_doc["spec"]["replicas"] == 1
    assert beat_doc["spec"]["strategy"] == {"type": "Recreate"}  # never two during an update
    assert "beat" in container(beat_doc)["command"]
    assert ("HorizontalPodAutoscaler", "beat") not in manifests


def test_migrations_run_as_a_job_and_the_ingress_has_tls(manifests):
    job = manifests[("Job", "migrate")]
    assert "manage.py migrate --noinput" in " ".join(container(job)["command"])
    assert job["spec"]["template"]["spec"]["restartPolicy"] in {"OnFailure", "Never"}
    ingress = manifests[("Ingress", "web")]["spec"]
    hosts = {rule["host"] for rule in ingress["rules"]}
    assert hosts and hosts <= {host for tls in ingress["tls"] for host in tls["hosts"]}
    secret = manifests[("Secret", "portal")]
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "S3_SECRET_ACCESS_KEY"} <= set(
        secret["data"]
    )
    config = manifests[("ConfigMap", "portal")]["data"]
    assert config["DJANGO_ENV"] == "production" and config["S3_BUCKET"]
    assert "SECRET_KEY" not in config  # secrets only in the Secret


def test_the_web_keeps_no_state_on_its_own_disk(manifests):
    spec = manifests[("Deployment", "web")]["spec"]["template"]["spec"]
    assert [volume.get("emptyDir") is not None for volume in spec["volumes"]] == [True]
    assert not any("persistentVolumeClaim" in volume for volume in spec["volumes"])


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_two_web_replicas_behind_a_proxy_on_object_storage():
    services = compose()["services"]
    web = services["web"]
    assert web["deploy"]["replicas"] == 2
    assert "ports" not in web  # reached through the proxy only
    assert "web" in services["proxy"]["depends_on"]
    assert services["proxy"]["ports"]
    assert "/health/ready/" in " ".join(web["healthcheck"]["test"])
    assert "inspect" in services["worker"]["healthcheck"]["test"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "manage.py migrate" in " ".join(services["migrate"]["command"])
    # Two replicas must not both migrate: the one-shot migrate service runs first.
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["read_only"] is True and "/tmp" in service["tmpfs"]  # noqa: S108
        assert service["environment"]["S3_BUCKET"]
        assert "volumes" not in service  # no shared disk: files are in the bucket


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_compose_file_is_valid_for_docker_compose():
    env = {"SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "pw", "S3_SECRET_ACCESS_KEY": "secret"}
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_the_image_runs_as_a_non_root_user_from_the_locked_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.txt" in dockerfile
    user_lines = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in {"root", "0"}
