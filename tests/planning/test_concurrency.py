"""An activity added while the plan is being put to FU: it waits for the plan's row lock and
is then refused, so FU never decides on a plan that changed under it.

A patched decision_open makes the first transaction hold the plan's lock for a while after
taking it, so the second really runs while the first is open. Without the lock the activity
would be added to the plan FU is voting on.
"""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import services as governance_services
from governance.models import Body, Decision, SeatRole
from partners.models import Organisation, RoleAssignment
from planning import services
from planning.models import Plan
from tests.events.test_concurrency import run_in_thread
from tests.factories import make_user

from .factories import add_activity, make_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_activity_added_while_the_plan_goes_to_fu_is_refused(reference_data, monkeypatch):
    secretariat = make_user(RoleAssignment.Role.SECRETARIAT, username="sek")
    governance_services.membership_add(
        body=Body.objects.get(code="fu"),
        person=make_user(username="fu"),
        seat_role=SeatRole.MEMBER,
        appointed_by=Organisation.objects.get(code="kl"),
        by=None,
    )
    plan = make_plan(secretariat)
    inside = threading.Event()
    real_open = governance_services.decision_open

    def slow_open(**kwargs):
        decision = real_open(**kwargs)
        inside.set()
        time.sleep(0.6)  # the plan's row stays locked meanwhile
        return decision

    monkeypatch.setattr(services.governance_services, "decision_open", slow_open)
    results: dict = {}
    deadline = timezone.now() + datetime.timedelta(days=7)
    one = run_in_thread(
        results,
        "put",
        lambda: services.plan_put_to_fu(plan=plan, by=secretariat, deadline=deadline),
    )
    assert inside.wait(5)  # the decision is open, the transaction not yet committed
    two = run_in_thread(results, "add", lambda: add_activity(plan, secretariat, title="Sent"))
    one.join(10)
    two.join(10)
    assert isinstance(results["put"], Decision), results["put"]
    assert isinstance(results["add"], ValidationError), results["add"]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AT_FU and plan.activities.count() == 1
