from governance import demo as governance_demo
from partners import demo as partners_demo
from planning import demo
from planning.models import Activity, Plan, Risk, RiskReview
from planning.selectors import communication_rows


def test_the_demo_shows_an_approved_and_a_draft_plan_and_a_reviewed_risk(db):
    partners_demo.seed()
    governance_demo.seed()
    created = demo.seed()
    assert len(created) == 6 and demo.seed() == []
    statuses = dict(Plan.objects.values_list("kind", "status").filter(status="approved"))
    assert statuses == {"project": "approved"}
    assert Plan.objects.filter(kind="project", status="draft").get().comments.count() == 1
    assert set(Activity.objects.values_list("status", flat=True)) >= {"done", "delayed"}
    communication = Plan.objects.get(kind="communication")
    missing = [row.missing for row in communication_rows(plan=communication)]
    assert sorted(len(m) for m in missing) == [0, 1]  # the news item leaves Realdania out
    assert Risk.objects.count() == 3
    # Reviewed at APS's latest meeting held this year (governance's demo plans them).
    assert RiskReview.objects.get().meeting.body.code == "aps"
