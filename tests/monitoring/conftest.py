import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English (the msgids); the pages' Danish is tested elsewhere."""
    with translation.override("en"):
        yield
