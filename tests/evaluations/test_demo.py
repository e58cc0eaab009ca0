from data_requests import demo as data_requests_demo
from data_requests.models import DataDelivery, DataRequest
from evaluations import demo
from evaluations.models import Evaluation, FollowUpAction
from governance import demo as governance_demo
from partners import demo as partners_demo


def test_the_demo_runs_an_evaluation_and_a_data_request_through_aps_and_fu(db):
    partners_demo.seed()
    governance_demo.seed()
    created = demo.seed()
    assert demo.seed() == []
    assert len(created) == 5
    midterm = Evaluation.objects.get(kind=Evaluation.Kind.MIDTERM)
    assert midterm.status == Evaluation.Status.REPORTED
    assert midterm.aps_decision.status == midterm.fu_decision.status == "adopted"
    assert set(FollowUpAction.objects.values_list("status", flat=True)) == {
        "open",
        "under_way",
        "done",
    }
    assert Evaluation.objects.get(kind=Evaluation.Kind.FINAL).status == Evaluation.Status.DRAFT

    assert len(data_requests_demo.seed()) == 3 and data_requests_demo.seed() == []
    delivered = DataRequest.objects.get(status=DataRequest.Status.DELIVERED)
    assert "data_source" in delivered.requested_fields
    assert "data_source" not in delivered.approved_fields
    assert DataDelivery.objects.get().fields == delivered.approved_fields
    assert DataRequest.objects.filter(status=DataRequest.Status.RECEIVED).count() == 1
