import pytest

from tests.governance.conftest import eager_celery  # noqa: F401  (mails in committing tests)

from .factories import People


@pytest.fixture
def people(db) -> People:
    return People()
