"""The open pages (åben viden): public for everyone, the publishing page for the secretariat."""

from . import SIGNED_IN, Case, public


def _public_track(users: dict) -> dict:
    from tests.public_data import public_track

    return {"pk": public_track(users).pk}


def _public_product(users: dict) -> dict:
    from tests.public_data import public_track

    return {"pk": public_track(users, with_file=True).products.get(kind="file").pk}


def _published_report(users: dict) -> dict:
    from tests.public_data import published_document

    return {"pk": published_document(users).pk}


def public_with(name: str, setup) -> Case:
    case = public(name)
    return Case(name, case.expect, setup=setup)


CASES = [
    public("public-home"),
    public("public-body-list"),
    public("public-body-detail", {"code": "fu"}),
    public("public-track-list"),
    public_with("public-track-detail", _public_track),
    public_with("public-product-download", _public_product),
    public("public-report-list"),
    public_with("public-report-download", _published_report),
    Case(
        "public-report-publishing",
        {"anonymous": 302, **{role: 200 if role == "secretariat" else 403 for role in SIGNED_IN}},
    ),
    public("public-figures"),
    public("public-figures-dgo", {"slug": "midtjylland"}),
    public("public-open-data"),
    public("public-open-data-file", {"dataset": "emissioner", "fmt": "csv"}),
    public("public-open-data-municipal", {"fmt": "csv"}),
    public("public-open-data-municipal-excel"),
    public("public-open-data-package"),
]
