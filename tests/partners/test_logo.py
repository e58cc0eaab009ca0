"""An organisation's logo (the status report's cover): PNG or JPEG by its content, stored under
a name of ours; anything else is refused with a Danish message and nothing is stored."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from partners.demo import DEMO_LOGOS
from partners.models import Organisation
from partners.services import organisation_logo_set

pytestmark = pytest.mark.django_db
PNG = (DEMO_LOGOS / "kl.png").read_bytes()


def test_a_png_logo_is_stored_under_a_name_of_ours():
    kl = Organisation.objects.get(code="kl")
    organisation_logo_set(organisation=kl, content=PNG, filename="../../etc/KL logo.png")
    kl.refresh_from_db()
    assert kl.logo.name.startswith("logos/") and kl.logo.name.endswith(".png")
    assert "KL" not in kl.logo.name and ".." not in kl.logo.name
    with kl.logo.open("rb") as handle:
        assert handle.read() == PNG


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b"MZ\x90\x00" + b"\x00" * 60),  # not a PNG inside
        ("logo.jpg", PNG),  # a PNG that claims to be a JPEG
        ("logo.png", b""),
        ("logo.png", PNG[:8] + b"\x00" * (512 * 1024)),  # over 512 KB
    ],
)
def test_anything_else_is_refused_in_danish_and_nothing_is_stored(filename, content):
    kl = Organisation.objects.get(code="kl")
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        organisation_logo_set(organisation=kl, content=content, filename=filename)
    message = " ".join(refused.value.messages)
    assert "Logoet" in message or "tom" in message
    kl.refresh_from_db()
    assert not kl.logo


def test_the_admins_upload_runs_the_same_check():
    """The Django admin's form validates the model field: its validator is check_logo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    kl = Organisation.objects.get(code="kl")
    kl.logo = SimpleUploadedFile("logo.png", b"GIF89a" + b"\x00" * 40)
    with translation.override("da"), pytest.raises(ValidationError) as refused:
        kl.full_clean()
    assert refused.value.message_dict["logo"] == ["Logoet skal være en rigtig PNG- eller JPEG-fil."]
    kl.logo = SimpleUploadedFile("logo.png", PNG)
    kl.full_clean()
