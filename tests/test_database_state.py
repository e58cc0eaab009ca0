"""A transactional test commits; the next one must find the database as the session set it up
(tests/database_state.py, installed by conftest.django_db_setup)."""

import pytest
from django.db import connection
from django.test import TransactionTestCase

from partners.models import Municipality, User

from .conftest import _snapshots


@pytest.mark.django_db(transaction=True)
def test_restoring_empties_new_rows_and_puts_changed_reference_rows_back(reference_data):
    aarhus = Municipality.objects.get(code="751")
    name, count = aarhus.name, Municipality.objects.count()
    Municipality.objects.filter(pk=aarhus.pk).update(name="Changed")
    User.objects.create(username="committed")

    touched = _snapshots[connection.alias].restore(connection)

    assert "partners_municipality" in touched and User._meta.db_table in touched
    assert Municipality.objects.get(pk=aarhus.pk).name == name
    assert Municipality.objects.count() == count
    assert not User.objects.filter(username="committed").exists()
    assert _snapshots[connection.alias].restore(connection) == []  # nothing left to put back


class _Probe(TransactionTestCase):
    def runTest(self):
        pass


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_ends_by_putting_the_setup_back(reference_data):
    User.objects.create(username="left-behind")
    Municipality.objects.filter(code="751").update(name="Left behind")

    _Probe()._fixture_teardown()  # what pytest-django runs after every transactional test

    assert not User.objects.filter(username="left-behind").exists()
    assert Municipality.objects.get(code="751").name == "Aarhus"
    assert _snapshots[connection.alias].restore(connection) == []


@pytest.mark.django_db
def test_a_rolled_back_test_after_them_finds_the_reference_data():
    assert Municipality.objects.filter(code="751").exists()
