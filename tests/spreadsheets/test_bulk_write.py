"""The raw batched write path of large imports (`sanding.spreadsheets.bulk`), on SQLite and PostgreSQL."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from sanding.ledger.choices import Action, Kind, Status
from sanding.ledger.export import ledger_rows
from sanding.ledger.models import (
    Issue,
    IssueCategory,
    IssueCooperation,
    ProgressReport,
    Rectification,
    RectificationEvent,
)
from sanding.spreadsheets import bulk
from sanding.spreadsheets.engine import run_import
from sanding.spreadsheets.importers import ledger as ledger_import
from sanding.spreadsheets.importers.ledger import IMPORT_REASON, LedgerImporter

from .test_ledger_import import HEADER, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(city, department, other_department):
    return department, other_department


def _import(path, region, actor):
    return run_import(LedgerImporter(region=region, actor=actor), path, commit=True)


def test_table_insert_assigns_keys_fills_defaults_and_keeps_special_characters(city, department, admin_user):
    category = IssueCategory.objects.first() or IssueCategory.objects.create(name="测试类别")
    text = "制表\t换行\n回车\r反斜杠\\N 结束"
    rows = [
        {
            "code": f"云州-2025-{n:04d}",
            "region_id": city.pk,
            "year": 2025,
            "seq": n,
            "description": f"{text}{n}",
            "category_id": category.pk,
            "source": "自查",
            "department_id": department.pk,
            "found_on": datetime.date(2025, 1, n),
            "created_by_id": admin_user.pk,
        }
        for n in (1, 2, 3)
    ]
    before = timezone.now()
    with transaction.atomic():
        ids = bulk.HistoryTable(Issue).insert(rows, actor=admin_user, reason="测试")
    assert ids == [r["id"] for r in rows]
    issues = list(Issue.objects.filter(pk__in=ids).order_by("seq"))
    assert [i.pk for i in issues] == ids
    first = issues[0]
    assert first.description == f"{text}1"
    assert (first.version, first.severity, first.source_ref) == (1, "一般", "")  # model defaults
    assert first.created_at >= before and first.updated_at == first.created_at
    record = Issue.history.get(id=first.pk)
    assert (record.history_type, record.history_user, record.history_change_reason) == ("+", admin_user, "测试")
    assert (record.description, record.code, record.department_id) == (first.description, first.code, department.pk)
    # keys=False: the database numbers the rows itself
    coops = [{"issue_id": pk, "department_id": department.pk} for pk in ids]
    with transaction.atomic():
        assert bulk.Table(IssueCooperation).insert(coops, keys=False) == []
    assert IssueCooperation.objects.filter(issue_id__in=ids).count() == 3


def test_import_writes_history_and_events_with_the_actor(make_xlsx, city, units, admin_user):
    path = make_xlsx(
        [
            HEADER,
            row(1, "问题一", "市市场监管局", "2025年6月30日", coop="市统计局", progress="已起草清单"),
            row(2, "问题一", "市市场监管局", "长期坚持", status="整改中"),
            row(3, "问题二", "市统计局", "立行立改", closed="是", closed_on="2025-05-01", status="已完成"),
        ]
    )
    before = timezone.now()
    result = _import(path, city, admin_user)
    assert result.problems == []
    assert result.counts == {"问题": {"create": 2}, "整改事项": {"create": 3}}
    for model in (Issue, Rectification, ProgressReport):
        live = {obj.pk: obj for obj in model.objects.all()}
        records = list(model.history.all())
        assert len(records) == len(live) > 0
        for record in records:
            assert record.history_type == "+"
            assert record.history_user == admin_user
            assert record.history_change_reason == IMPORT_REASON
            assert record.history_date >= before
            obj = live[record.id]
            tracked = {f.attname for f in model.history.model._meta.concrete_fields}
            for field in model._meta.concrete_fields:
                if field.attname in tracked:  # search_text is derived and not kept in the history
                    assert getattr(record, field.attname) == getattr(obj, field.attname), field.attname
    events = list(RectificationEvent.objects.order_by("rectification__seq", "rectification__issue__seq"))
    assert len(events) == 3
    assert {(e.actor, e.action, e.comment) for e in events} == {(admin_user, Action.CREATE, IMPORT_REASON)}
    assert {e.rectification_id: e.to_status for e in events} == dict(Rectification.objects.values_list("pk", "status"))
    issue = Issue.objects.get(description="问题一")
    assert issue.created_by == admin_user
    assert list(issue.cooperating.values_list("short_name", flat=True)) == ["市统计局"]
    first, second = issue.rectifications.order_by("seq")
    assert (first.seq, first.kind, first.deadline) == (1, Kind.DEADLINE, datetime.date(2025, 6, 30))
    assert (second.seq, second.kind, second.deadline) == (2, Kind.ONGOING, None)
    assert second.review_interval_days == ledger_import.review_interval_default()
    assert first.search_text == first.build_search_text()
    assert first.progress_reports.get().author == admin_user
    closed = Rectification.objects.get(issue__description="问题二")
    assert (closed.status, timezone.localtime(closed.closed_at).date()) == (Status.CLOSED, datetime.date(2025, 5, 1))


def test_reimport_with_added_items_across_batches_is_idempotent(make_xlsx, city, units, admin_user, monkeypatch):
    monkeypatch.setattr(ledger_import, "BATCH", 2)  # several raw batches in one import
    rows = [HEADER] + [
        row(n, f"问题{(n + 1) // 2}", "市市场监管局", "2025年6月30日", measures=f"措施{n}") for n in range(1, 8)
    ]
    assert _import(make_xlsx(rows), city, admin_user).counts == {"问题": {"create": 4}, "整改事项": {"create": 7}}
    # a second item for the last issue and a new issue, in an otherwise unchanged file
    rows += [
        row(8, "问题4", "市市场监管局", "2025年7月31日", measures="措施8"),
        row(9, "问题5", "市统计局", "2025年底", measures="措施9"),
    ]
    path = make_xlsx(rows)
    assert _import(path, city, admin_user).counts == {
        "问题": {"unchanged": 4, "create": 1},
        "整改事项": {"unchanged": 7, "create": 2},
    }
    issue = Issue.objects.get(description="问题4")
    assert list(issue.rectifications.order_by("seq").values_list("seq", "measures")) == [(1, "措施7"), (2, "措施8")]
    counts = (
        Issue.objects.count(),
        Rectification.objects.count(),
        Issue.history.count(),
        Rectification.history.count(),
        RectificationEvent.objects.count(),
    )
    assert counts == (5, 9, 5, 9, 9)
    assert _import(path, city, admin_user).counts == {"问题": {"unchanged": 5}, "整改事项": {"unchanged": 9}}
    assert (
        Issue.objects.count(),
        Rectification.objects.count(),
        Issue.history.count(),
        Rectification.history.count(),
        RectificationEvent.objects.count(),
    ) == counts
    codes = list(Issue.objects.order_by("seq").values_list("seq", flat=True))
    assert codes == sorted(set(codes))


def test_failed_write_leaves_nothing(make_xlsx, city, units, admin_user, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("database refused")

    path = make_xlsx([HEADER, row(1, "问题一", "市市场监管局", "2025年6月30日", progress="进行中")])
    monkeypatch.setattr(bulk.Table, "_pg_copy" if connection.vendor == "postgresql" else "_executemany", refuse)
    with pytest.raises(RuntimeError):
        _import(path, city, admin_user)
    assert (Issue.objects.count(), Issue.history.count(), Rectification.objects.count()) == (0, 0, 0)


def test_ledger_rows_uses_a_fixed_number_of_queries(make_xlsx, city, units, admin_user, django_assert_max_num_queries):
    rows = [HEADER] + [
        row(n, f"问题{n}", "市市场监管局", "2025年6月30日", coop="市统计局", progress=f"进展{n}") for n in range(1, 13)
    ]
    assert _import(make_xlsx(rows), city, admin_user).problems == []
    queryset = Rectification.objects.filter(region=city).order_by("issue__seq", "seq")
    with django_assert_max_num_queries(6):
        exported = list(ledger_rows(queryset))
    assert len(exported) == 12
    assert exported[0][6] == "云州市统计局"
    assert exported[0][10].endswith("进展1")
