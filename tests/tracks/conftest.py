import pytest

from .factories import People


@pytest.fixture
def people(db) -> People:
    return People()
