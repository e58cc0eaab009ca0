import pytest

from tests.conftest import per_module, shared_people
from tests.tracks.factories import People


@pytest.fixture
@per_module("_module_people")
def people(request, db) -> People:
    return shared_people(request)
