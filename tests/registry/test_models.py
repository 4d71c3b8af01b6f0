import pytest
from django.db import IntegrityError, transaction

from sanding.registry.models import LeaderPost, Region, Regulation, StaffingQuota
from tests.factories import LeaderPostFactory, RegulationFactory, StaffingQuotaFactory


@pytest.mark.parametrize(("approved", "actual", "vacancy", "overrun"), [(10, 8, 2, 0), (5, 7, 0, 2), (4, 4, 0, 0)])
def test_quota_vacancy_and_overrun_are_derived(approved, actual, vacancy, overrun):
    quota = StaffingQuota(approved=approved, actual=actual)
    assert (quota.vacancy, quota.overrun) == (vacancy, overrun)


def test_quota_one_row_per_department_and_type(department):
    StaffingQuotaFactory(department=department, type="行政编制")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffingQuota.objects.create(department=department, type="行政编制", approved=1, actual=1)
    assert StaffingQuota.objects.filter(department=department).count() == 1


@pytest.mark.parametrize("field", ["approved", "actual"])
def test_quota_rejects_negative_counts(department, field):
    quota = StaffingQuotaFactory(department=department)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffingQuota.objects.filter(pk=quota.pk).update(**{field: -1})
    quota.refresh_from_db()
    assert getattr(quota, field) >= 0


def test_leader_post_rejects_negative_and_duplicates(department):
    LeaderPostFactory(department=department, level="部门正职")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaderPost.objects.create(department=department, level="部门正职", approved=1, actual=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaderPost.objects.filter(department=department).update(actual=-2)
    assert LeaderPost.objects.get(department=department).actual == 3


def test_only_one_current_regulation_per_department(department):
    RegulationFactory(department=department, is_current=True)
    RegulationFactory(department=department, is_current=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Regulation.objects.create(
            department=department, doc_no="云编发〔2024〕1号", issued_on="2024-01-01", is_current=True
        )
    assert Regulation.objects.filter(department=department, is_current=True).count() == 1


def test_region_subtree_ids(city, county):
    assert Region.objects.subtree_ids(city.pk) == {city.pk, county.pk}
    assert Region.objects.subtree_ids(county.pk) == {county.pk}
