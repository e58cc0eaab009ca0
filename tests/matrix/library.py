"""Knowledge library URLs × roles: every signed-in person reads it; the secretariat and the
knowledge partners add; a knowledge partner edits their own organisation's products (CONCITO
for knowledge_partner here). The open pages show public products to everyone."""

from . import SIGNED_IN, Case, only, page, public

ADDERS = {"knowledge_partner", "secretariat"}


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **per_role}


def _item(users, **kw):
    from tests.library.factories import make_item

    return make_item(users["secretariat"], **kw)


def concito_item(users) -> dict:
    return {"pk": _item(users, org_code="concito", with_file=True).pk}


def c40_item(users) -> dict:
    return {"pk": _item(users, org_code="c40").pk}


def public_item(users) -> dict:
    return {"pk": _item(users, is_public=True, with_file=True).pk}


def internal_item(users) -> dict:
    return {"pk": _item(users, is_public=False, with_file=True).pk}


CASES = [
    page("library-list"),
    Case("library-list", expect(200), query="?q=varme&topic=energi&sector=transport&kind=note"),
    only("library-create", ADDERS),
    Case(
        "library-create",
        expect(403, knowledge_partner=400, secretariat=400),
        method="post",
        data={"title": "Notat", "summary": "", "kind": "note"},
    ),
    page("library-detail", setup=concito_item),
    only("library-edit", ADDERS, setup=concito_item),
    only("library-edit", {"secretariat"}, setup=c40_item),
    page("library-download", setup=concito_item),
    public("public-library-list"),
    Case("public-library-list", public("x").expect, query="?topic=energi"),
    Case("public-library-detail", public("x").expect, setup=public_item),
    Case("public-library-detail", public("x", status=404).expect, setup=internal_item),
    Case("public-library-download", public("x").expect, setup=public_item),
    Case("public-library-download", public("x", status=404).expect, setup=internal_item),
]
