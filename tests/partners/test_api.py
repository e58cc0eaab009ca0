def test_municipalities_filtered_by_region(client_for):
    response = client_for("observer").get("/api/municipalities/", {"region": 1081})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 11
    first = body["results"][0]
    assert set(first) >= {"code", "name", "region", "region_code", "dgo"}
    assert first["dgo"]["slug"] == "nordjylland"


def test_municipality_by_code(client_for):
    body = client_for("observer").get("/api/municipalities/751/").json()
    assert body["name"] == "Aarhus"
    assert body["region"] == "Region Midtjylland"
    assert body["dgo"] == {"slug": "midtjylland", "name": "DGO Midtjylland"}


def test_unknown_code_and_bad_filter_are_4xx(client_for):
    client = client_for("observer")
    assert client.get("/api/municipalities/999/").status_code == 404
    response = client.get("/api/municipalities/", {"region": "north"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_anonymous_gets_401_with_reason(client):
    response = client.get("/api/municipalities/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_token_authentication(db, role_users, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=role_users["coordinator_a"])
    response = client.get("/api/municipalities/751/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/municipalities/{code}/" in response.json()["paths"]
