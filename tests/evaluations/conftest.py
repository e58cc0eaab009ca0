import pytest

from tests.tracks.factories import People


@pytest.fixture
def people(db) -> People:
    return People()
