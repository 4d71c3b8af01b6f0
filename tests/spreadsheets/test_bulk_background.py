"""The large-import write path: the background writer, the search indexes rebuilt once, the key indexes."""

import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction

from sanding.ledger.models import Issue, IssueCategory, ProgressReport, Rectification, RectificationEvent
from sanding.registry.models import Department
from sanding.spreadsheets import bulk
from sanding.spreadsheets.engine import run_import
from sanding.spreadsheets.importers import ledger as ledger_import
from sanding.spreadsheets.importers.ledger import LedgerImporter

from .test_ledger_import import HEADER, row

pytestmark = pytest.mark.django_db
RESTORE = bulk.restore_indexes
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only write path")


@pytest.fixture
def units(city, department, other_department):
    return department, other_department


def _ledger(make_xlsx, n=6):
    rows = [HEADER] + [
        row(i, f"问题{(i + 1) // 2}", "市市场监管局", "2025年6月30日", measures=f"措施{i}", progress=f"进展{i}")
        for i in range(1, n + 1)
    ]
    return make_xlsx(rows)


def _written():
    return (
        Issue.objects.count(),
        Issue.history.count(),
        Rectification.objects.count(),
        RectificationEvent.objects.count(),
        ProgressReport.objects.count(),
    )


def _gin_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ledger_issue', 'ledger_rectification') "
            "AND indexdef LIKE '%%USING gin%%' ORDER BY indexname"
        )
        return cursor.fetchall()


def _no_writer_thread():
    return not any(t.name == "bulk-copy" for t in threading.enumerate())


@pytest.mark.django_db(transaction=True)  # SQLite checks foreign keys at the real commit
def test_a_row_the_database_refuses_rolls_back_the_whole_import(make_xlsx, city, units, admin_user, monkeypatch):
    """On PostgreSQL the refusal happens in the writer's thread; it reaches the import all the same."""
    IssueCategory.objects.get_or_create(name="部门间职责边界不清")  # a transactional test may have flushed it
    original = LedgerImporter._report_row

    def unknown_author(self, p, rectification_id, actor_id):
        return original(self, p, rectification_id, actor_id) | {"author_id": 987654321}

    monkeypatch.setattr(LedgerImporter, "_report_row", unknown_author)
    monkeypatch.setattr(ledger_import, "BATCH", 2)  # several batches queued before the refusal
    with pytest.raises(IntegrityError):
        run_import(LedgerImporter(region=city, actor=admin_user), _ledger(make_xlsx), commit=True)
    assert _written() == (0, 0, 0, 0, 0)
    assert _no_writer_thread()


def test_the_writer_stops_when_the_import_fails_in_python(make_xlsx, city, units, admin_user, monkeypatch):
    def fail(self, p):
        raise RuntimeError("stopped")

    monkeypatch.setattr(ledger_import, "BATCH", 2)
    monkeypatch.setattr(LedgerImporter, "_update", fail)
    path = _ledger(make_xlsx)
    assert run_import(LedgerImporter(region=city, actor=admin_user), path, commit=True).committed
    edited = make_xlsx(
        [HEADER]
        + [row(1, "问题1", "市市场监管局", "2025年6月30日", measures="措施改", progress="进展1")]
        + [row(9, "新问题", "市统计局", "2025年底", measures="新措施")]
    )
    before = _written()
    with pytest.raises(RuntimeError):
        run_import(LedgerImporter(region=city, actor=admin_user), edited, commit=True)
    assert _written() == before
    assert _no_writer_thread()


@postgresql_only
def test_large_import_rebuilds_the_search_indexes_once(make_xlsx, city, units, admin_user, monkeypatch):
    before = _gin_indexes()
    assert {name for name, _ in before} >= {"rect_search_trgm", "issue_description_trgm"}
    calls = []
    monkeypatch.setattr(ledger_import, "LARGE_LOAD", 1)
    monkeypatch.setattr(bulk, "restore_indexes", lambda d, **kw: calls.append(d) or RESTORE(d, **kw))
    result = run_import(LedgerImporter(region=city, actor=admin_user), _ledger(make_xlsx), commit=True)
    assert result.committed
    assert calls and sorted(calls[0]) == sorted(d for _, d in before)
    assert _gin_indexes() == before
    assert Rectification.objects.search("措施3").count() == 1
    # the ledger is now larger than the next file: no rebuild, the indexes are updated row by row
    calls.clear()
    more = make_xlsx([HEADER, row(1, "另一个问题", "市统计局", "2025年底", measures="另一措施")])
    assert run_import(LedgerImporter(region=city, actor=admin_user), more, commit=True).committed
    assert calls == [[]]
    assert Rectification.objects.search("另一措施").count() == 1


@postgresql_only
def test_a_failed_large_import_keeps_the_search_indexes(make_xlsx, city, units, admin_user, monkeypatch):
    before = _gin_indexes()
    monkeypatch.setattr(ledger_import, "LARGE_LOAD", 1)

    def refuse(self, sql, buffer):
        raise RuntimeError("database refused")

    monkeypatch.setattr(bulk.Writer, "copy", refuse)
    with pytest.raises(RuntimeError):
        run_import(LedgerImporter(region=city, actor=admin_user), _ledger(make_xlsx), commit=True)
    assert _gin_indexes() == before
    assert _written() == (0, 0, 0, 0, 0)


@postgresql_only
def test_every_foreign_key_of_the_ledger_leads_an_index():
    """Single-column key indexes were dropped where a composite index starts with the key: keep it so."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.conrelid::regclass::text LIKE 'ledger\\_%%'
              AND NOT c.conrelid::regclass::text LIKE 'ledger\\_historical%%'
              AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
              )
            ORDER BY 1, 2
            """
        )
        assert cursor.fetchall() == []


@postgresql_only
def test_a_query_while_the_writer_owns_the_connection_is_refused(city, department):

    with transaction.atomic():
        writer = bulk.Writer()
        try:
            writer.execute("SELECT pg_sleep(0.05)", [])
            with pytest.raises(RuntimeError, match="wait"):
                Department.objects.count()
            writer.wait()
            assert Department.objects.count() >= 1  # the connection is the caller's again
        finally:
            writer.close()
    assert _no_writer_thread()


def test_problems_after_queued_batches_leave_nothing(make_xlsx, city, units, admin_user, monkeypatch):
    monkeypatch.setattr(ledger_import, "BATCH", 2)  # three batches written before the bad row
    rows = [HEADER] + [row(i, f"问题{i}", "市市场监管局", "2025年6月30日") for i in range(1, 7)]
    rows.append(row(7, "问题7", "市统汁局", "2025年6月30日"))
    result = run_import(LedgerImporter(region=city, actor=admin_user), make_xlsx(rows), commit=True)
    assert not result.committed and result.problem_count == 1
    assert _written() == (0, 0, 0, 0, 0)
    assert _no_writer_thread()
    assert connection.execute_wrappers == []


@postgresql_only
def test_an_exception_while_batches_are_being_written_stops_everything(make_xlsx, city, units, admin_user, monkeypatch):
    before = _gin_indexes()
    monkeypatch.setattr(ledger_import, "BATCH", 2)
    monkeypatch.setattr(ledger_import, "LARGE_LOAD", 1)
    original = LedgerImporter.parse

    def parse(self, ctx):
        if ctx.number == 7:  # rows 2-6 are queued or being written by now
            raise RuntimeError("stopped while writing")
        return original(self, ctx)

    monkeypatch.setattr(LedgerImporter, "parse", parse)
    with pytest.raises(RuntimeError, match="stopped while writing"):
        run_import(LedgerImporter(region=city, actor=admin_user), _ledger(make_xlsx, n=8), commit=True)
    assert _written() == (0, 0, 0, 0, 0)
    assert _gin_indexes() == before
    assert _no_writer_thread()
    assert connection.execute_wrappers == []


class Abandon(Exception):
    pass


@postgresql_only
def test_closing_an_abandoned_writer_cancels_the_statement_running():

    start = time.monotonic()
    with pytest.raises(Abandon), transaction.atomic():
        writer = bulk.Writer()
        writer.execute("SELECT pg_sleep(20)", [])
        time.sleep(0.2)  # the thread is inside the statement
        writer.close(failed=True)
        raise Abandon
    assert time.monotonic() - start < 10
    assert _no_writer_thread()
    with connection.cursor() as cursor:  # the connection is usable again after the rollback
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@postgresql_only
def test_index_suspension_gives_way_to_a_transaction_using_the_table(city):
    before = _gin_indexes()
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        other.ensure_connection()
        other.connection.autocommit = False
        with other.connection.cursor() as cursor:
            cursor.execute("LOCK TABLE ledger_rectification IN ACCESS SHARE MODE")
        assert bulk.suspend_indexes([Rectification, Issue], lock_wait="200ms") == []
    finally:
        other.connection.rollback()
        other.close()
    assert _gin_indexes() == before
    with connection.cursor() as cursor:  # the import's transaction goes on, with its usual lock timeout
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone() == ("0",)
