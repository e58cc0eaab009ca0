def test_search_finds_municipalities_by_prefix_code_and_danish_word(client_for):
    client = client_for("observer")

    def titles(response):
        return [r.title for group in response.context["groups"].values() for r in group]

    assert "Aarhus" in titles(client.get("/search/", {"q": "aar"}))
    assert titles(client.get("/search/", {"q": "751"})) == ["Aarhus"]
    assert "DGO Midtjylland" in titles(client.get("/search/", {"q": "midtjylland"}))
    assert "CONCITO" in titles(client.get("/search/", {"q": "concito"}))


def test_short_or_hostile_queries_are_harmless(client_for):
    client = client_for("observer")
    assert client.get("/search/", {"q": "a"}).context["count"] == 0
    response = client.get("/search/", {"q": "<script>alert(1)</script> & | !"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
