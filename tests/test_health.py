"""/health/live/, /health/ready/ (a JSON entry per check) and who may read /metrics/."""

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from core import health
from klimaalliancen.settings.base import s3_storages
from tests.s3 import free_port, moto_server

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health-live"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_and_metrics_answer_a_pod_address_that_is_not_an_allowed_host(client):
    pod = {"HTTP_HOST": "10.42.0.7:8000"}
    assert client.get(reverse("health-live"), **pod).status_code == 200
    assert client.get(reverse("health-ready"), **pod).status_code == 200
    assert client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1", **pod).status_code == 200
    assert client.get(reverse("login"), **pod).status_code == 400  # every other page: refused


def test_ready_names_each_check(client):
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["checks"]) == ["database", "migrations", "cache", "broker", "storage"]
    assert body["checks"]["migrations"]["detail"] == "all applied"
    assert body["checks"]["broker"]["detail"] == "redis"
    assert all(check["ok"] for check in body["checks"].values())


def test_ready_is_503_and_says_which_check_failed_when_the_broker_is_down(client):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with override_settings(CELERY_BROKER_URL=dead):
        response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"] == {
        "ok": False,
        "detail": "the broker does not answer",
        "ms": body["checks"]["broker"]["ms"],
    }
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in response.content.decode()  # no addresses on a public endpoint


def test_unapplied_migrations_make_the_process_not_ready(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'governance' AND id = "
            "(SELECT max(id) FROM django_migrations WHERE app = 'governance')"
        )
    response = client.get(reverse("health-ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["detail"] == "1 migrations not applied"


def test_storage_check_against_a_real_s3_server():
    with moto_server() as s3:
        bucket = s3.new_bucket()
        options = {
            "endpoint_url": s3.endpoint,
            "access_key": "test-access-key",
            "secret_key": "test-secret-key",
        }
        with override_settings(STORAGES=s3_storages(bucket, bucket, **options)):
            assert health.check_storage() == "default: S3Storage, private: S3Storage"
        missing = s3_storages("no-such-bucket", bucket, **options)
        with (
            override_settings(STORAGES=missing),
            pytest.raises(health.CheckFailed, match="default storage does not answer"),
        ):
            health.check_storage()
        stopped = s3.endpoint
    with (
        override_settings(
            STORAGES=s3_storages(bucket, bucket, **{**options, "endpoint_url": stopped})
        ),
        pytest.raises(health.CheckFailed, match="storage does not answer"),
    ):
        health.check_storage()


@override_settings(METRICS_TOKEN="the-token", METRICS_ALLOWED_NETWORKS=["10.1.0.0/16"])
def test_metrics_only_from_the_internal_network_or_with_the_token(client):
    url = reverse("metrics")
    client.get(reverse("login"))
    refused = client.get(url, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 403 and b"django_http" not in refused.content
    assert (
        client.get(url, REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer nope").status_code
        == 403
    )
    internal = client.get(url, REMOTE_ADDR="10.1.4.20")
    assert internal.status_code == 200
    assert (
        b'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="login"}'
        in internal.content
    )
    token = client.get(url, REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer the-token")
    assert token.status_code == 200


@override_settings(METRICS_TOKEN=None, METRICS_ALLOWED_NETWORKS=["127.0.0.1/32"])
def test_metrics_refusal_is_in_danish_first(client):
    refused = client.get(reverse("metrics"), REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 403
    assert refused.content.decode() == "Målingerne er kun til overvågningssystemet."
