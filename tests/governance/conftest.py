import pytest

from klimaalliancen.celery import app


@pytest.fixture
def eager_celery():
    """Run e-mail tasks in-process: for tests whose transactions commit (transactional tests
    and captured on_commit callbacks), so no task is left queued in the test Redis."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
