from django.urls import reverse

from sanding.assessment.choices import AssessmentState
from sanding.assessment.models import Assessment, Checklist, Round
from tests.factories import UserFactory


def test_admin_lists_assessment_records_read_only(login, admin_user, assessment):
    client = login(admin_user)
    for model, obj in ((Checklist, assessment.round.checklist), (Round, assessment.round), (Assessment, assessment)):
        name = model._meta.model_name
        changelist = client.get(reverse(f"admin:assessment_{name}_changelist"))
        assert changelist.status_code == 200
        assert obj.pk in [o.pk for o in changelist.context["cl"].result_list]
        assert client.get(reverse(f"admin:assessment_{name}_history", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:assessment_{name}_add")).status_code == 403
    response = client.post(reverse("admin:assessment_round_change", args=[assessment.round.pk]), {"name": "改名"})
    assessment.round.refresh_from_db()
    assert (response.status_code, assessment.round.name) == (403, "2025年第二季度自查评估")


def test_evidence_admin_opens(login, admin_user, assessment):
    assert login(admin_user).get(reverse("admin:assessment_evidence_changelist")).status_code == 200


def test_county_admin_does_not_see_city_rounds_in_the_admin(login, county, assessment):
    county_admin = UserFactory(username="county-admin", role="admin", region=county, is_staff=True)
    response = login(county_admin).get(reverse("admin:assessment_round_changelist"))
    assert list(response.context["cl"].result_list) == []


def test_superuser_cannot_revert_an_assessment_through_its_history(login, assessment):
    """Issue 9, hole 2: an approved form was turned back to 未填报 by posting an old history version."""
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.APPROVED, version=5)
    first = assessment.history.earliest().history_id
    url = reverse("admin:assessment_assessment_simple_history", args=[assessment.pk, first])
    client = login(superuser)
    page = client.get(url)
    assert page.status_code == 200 and page.context["revert_disabled"] is True
    response = client.post(url, {"state": AssessmentState.NOT_STARTED, "version": "1"})
    assessment.refresh_from_db()
    assert (response.status_code, assessment.state, assessment.version) == (403, AssessmentState.APPROVED, 5)
