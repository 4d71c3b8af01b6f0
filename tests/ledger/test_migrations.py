"""The data migration clearing fields an item's kind does not take, before the constraints arrive."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sanding.ledger.models import Rectification as Current

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("ledger", "0003_trigram_search")]
AFTER = [("ledger", "0005_kind_constraints_evidence")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    """The ledger's newest migration, where the rest of the suite expects the schema to be."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("ledger")


def test_stray_deadline_and_interval_are_cleared(department):
    apps = _migrate(BEFORE)
    try:
        Issue = apps.get_model("ledger", "Issue")
        Rectification = apps.get_model("ledger", "Rectification")
        Category = apps.get_model("ledger", "IssueCategory")
        issue = Issue.objects.create(
            code="云州-2026-0001",
            region_id=department.region_id,
            year=2026,
            seq=1,
            description="x",
            category=Category.objects.get_or_create(name="部门职能不理顺")[0],
            source="自查",
            department_id=department.pk,
            found_on=datetime.date(2026, 3, 1),
        )
        common = {"issue": issue, "region_id": issue.region_id, "category_id": issue.category_id}
        common |= {"measures": "x", "department_id": department.pk}
        ongoing = Rectification.objects.create(
            seq=1,
            kind="长期坚持",
            deadline=datetime.date(2026, 11, 1),
            review_interval_days=30,
            notes="原备注",
            **common,
        )
        dated = Rectification.objects.create(
            seq=2, kind="期限", deadline=datetime.date(2026, 12, 1), review_interval_days=30, **common
        )
    finally:
        _migrate(AFTER)
        _migrate(_latest())

    rows = {r.pk: (r.kind, r.deadline, r.review_interval_days, r.notes) for r in Current.objects.all()}
    assert rows == {
        ongoing.pk: ("长期坚持", None, 30, "原备注；原整改时限 2026-11-01（长期坚持类不设时限，已清除）"),
        dated.pk: ("期限", datetime.date(2026, 12, 1), None, ""),
    }
