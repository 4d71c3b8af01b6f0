"""Ledger pages at scale: 10,000 departments, 1,000,000 issues, 1,500,000 rectification items.

Usage:
    python benchmarks/ledger_scale.py [--issues 1000000] [--items 1500000] [--departments 10000] [--keep]

Builds its own PostgreSQL database `sanding_bench` at 127.0.0.1:5432 (dropped and recreated; no other
database is touched), bulk-loads it with COPY (secondary indexes dropped during the load and rebuilt
after, foreign-key triggers off during COPY), then requests each page 20 times through Django's test
client and prints the median and p95 server time and the query count of one request.
"""

import argparse
import datetime
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "sanding_bench"
SEED = 4
PROBLEMS = [
    "{duty}事项与相关部门职责交叉，12345热线第{n}号工单多次退单。",
    "机构改革后划入的{duty}职能尚未落实到具体科室，履职存在空档（{n}）。",
    "{duty}审批流程环节过多，群众办事时间长，涉及第{n}号事项。",
    "实有人员超出核定编制，{duty}岗位存在混编混岗，核查编号{n}。",
]
MEASURES = [
    "对照“三定”规定梳理{duty}职责清单，明确牵头科室和责任人，报编办备案。",
    "会同相关部门签订{duty}职责边界备忘录，建立联席会议制度。",
    "修订{duty}内部工作规程，明确办理时限并在门户网站公开。",
    "调整内设机构{duty}职责分工，按程序报批后实施。",
]
STATUSES = ["not_started"] * 2 + ["in_progress"] * 5 + ["applied"] * 2 + ["closed"] * 4


START = time.perf_counter()


def log(msg):
    print(f"[{time.perf_counter() - START:7.1f}s] {msg}", flush=True)


def configure(reuse=False):
    if not reuse:
        for sql in (f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sanding.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("SECRET_KEY", "sanding-benchmark-only-secret-key-never-used-on-a-real-server")  # DEBUG is off
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def _copy(cursor, table, columns, rows):
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _copy_chunks(cursor, table, columns, rows, chunk=200_000):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            _copy(cursor, table, columns, batch)
            batch = []
    if batch:
        _copy(cursor, table, columns, batch)


def populate(n_departments, n_issues, n_items):
    from django.db import connection

    from sanding.accounts.choices import Role
    from sanding.accounts.models import User
    from sanding.ledger.demo import DUTIES
    from sanding.ledger.models import IssueCategory
    from sanding.registry.models import Region

    rng = random.Random(SEED)
    city = Region.objects.create(code="BC", name="基准市", short_name="基准", level="city")
    counties = [
        Region.objects.create(
            code=f"BC{i:02d}", name=f"基准市第{i}县", short_name=f"基{i}", level="county", parent=city
        )
        for i in range(20)
    ]
    regions = [city, *counties]
    categories = list(IssueCategory.objects.values_list("pk", flat=True))
    today = datetime.date.today()
    now = "2026-11-23 09:00:00+08"
    tables = ["ledger_rectification", "ledger_issue", "ledger_issuecooperation", "ledger_progressreport"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during COPY

        log(f"departments: {n_departments}")
        dep_region = [regions[i % len(regions)].pk for i in range(n_departments)]
        _copy(
            cursor,
            "registry_department",
            [
                "code",
                "name",
                "short_name",
                "aliases",
                "region_id",
                "category",
                "rank",
                "status",
                "notes",
                "version",
                "created_at",
                "updated_at",
            ],
            (
                (
                    f"B{i:06d}",
                    f"基准部门{i}",
                    f"基{i}",
                    "",
                    dep_region[i],
                    "政府工作部门",
                    "正科级",
                    "active",
                    "",
                    1,
                    now,
                    now,
                )
                for i in range(n_departments)
            ),
        )
        cursor.execute("SELECT id, region_id FROM registry_department ORDER BY id")
        departments = cursor.fetchall()
        by_region = {}
        for pk, region_id in departments:
            by_region.setdefault(region_id, []).append(pk)
        region_short = {r.pk: r.short_name for r in regions}

        log(f"issues: {n_issues}")
        issue_meta = []  # (region_id, department_id, code, description)
        seq_by_region = {}

        def issues():
            for i in range(n_issues):
                dep, region_id = departments[rng.randrange(len(departments))]
                seq = seq_by_region[region_id] = seq_by_region.get(region_id, 0) + 1
                year = 2025 + (i % 2)
                code = f"{region_short[region_id]}-{year}-{seq:06d}"
                duty = DUTIES[i % len(DUTIES)]
                desc = PROBLEMS[i % len(PROBLEMS)].format(duty=duty, n=i)
                found = today - datetime.timedelta(days=rng.randint(30, 700))
                issue_meta.append((region_id, dep, code, desc, found))
                yield (
                    code, region_id, year, seq, desc, categories[i % len(categories)], "自查", dep,
                    found.isoformat(), "一般", "", "", 1, now, now,
                )  # fmt: skip

        _copy_chunks(
            cursor,
            "ledger_issue",
            [
                "code",
                "region_id",
                "year",
                "seq",
                "description",
                "category_id",
                "source",
                "department_id",
                "found_on",
                "severity",
                "source_ref",
                "source_url",
                "version",
                "created_at",
                "updated_at",
            ],
            issues(),
        )
        cursor.execute("SELECT min(id) FROM ledger_issue")
        first_issue = cursor.fetchone()[0]

        log("cooperating units: one in five issues")
        _copy_chunks(
            cursor,
            "ledger_issuecooperation",
            ["issue_id", "department_id"],
            (
                (first_issue + i, rng.choice(by_region[issue_meta[i][0]]))
                for i in range(0, n_issues, 5)
                if len(by_region[issue_meta[i][0]]) > 1
            ),
        )

        log(f"rectification items: {n_items}")
        extra = n_items - n_issues  # issues with a second item

        def items():
            for i in range(n_items):
                k = i if i < n_issues else rng.randrange(n_issues)
                seq = 1 if i < n_issues else 2 + (i % 7)
                region_id, dep, code, desc, found = issue_meta[k]
                status = STATUSES[rng.randrange(len(STATUSES))]
                deadline = today + datetime.timedelta(days=rng.randint(-200, 300))
                duty = DUTIES[k % len(DUTIES)]
                measures = MEASURES[i % len(MEASURES)].format(duty=duty)
                closed = f"{deadline.isoformat()} 12:00:00+08" if status == "closed" else None
                created = f"{found.isoformat()} 10:00:00+08"
                search = "\\n".join([code, desc, measures, "张伟"]).lower()
                yield (
                    first_issue + k, seq if i < n_issues else 1000 + i, region_id, categories[k % len(categories)],
                    measures, dep, "张伟", "期限",
                    deadline.isoformat(), None, status, "t" if rng.random() < 0.05 else "f", "", closed, "", search,
                    1, created, now,
                )  # fmt: skip

        _copy_chunks(
            cursor,
            "ledger_rectification",
            [
                "issue_id",
                "seq",
                "region_id",
                "category_id",
                "measures",
                "department_id",
                "responsible_person",
                "kind",
                "deadline",
                "review_interval_days",
                "status",
                "flagged",
                "summary",
                "closed_at",
                "notes",
                "search_text",
                "version",
                "created_at",
                "updated_at",
            ],
            items(),
        )
        del extra
        cursor.execute("SELECT min(id) FROM ledger_rectification")
        first_item = cursor.fetchone()[0]
        log("progress reports: 300,000")
        _copy_chunks(
            cursor,
            "ledger_progressreport",
            ["rectification_id", "reported_on", "text", "percent", "version", "created_at", "updated_at"],
            (
                (
                    first_item + rng.randrange(n_items),
                    (today - datetime.timedelta(days=rng.randint(0, 300))).isoformat(),
                    "已完成职责梳理和制度起草。",
                    rng.choice([20, 40, 60, 80, 100]),
                    1,
                    now,
                    now,
                )
                for _ in range(300_000)
            ),
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        log(f"rebuilding {len(indexes)} indexes")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in indexes:
            t = time.perf_counter()
            cursor.execute(definition)
            log(f"  {name} ({time.perf_counter() - t:.1f}s)")
    log("VACUUM ANALYZE")
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for table in ["registry_department", *tables]:
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.connection.autocommit = old

    from django.contrib.auth.models import Group

    staff = User.objects.create_user("bench-staff", password="x", region=city)
    staff.groups.add(Group.objects.get_or_create(name=Role.STAFF.label)[0])
    return staff, counties[3], first_item


def measure(client, url, runs=20):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--issues", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=1_500_000)
    parser.add_argument("--reuse", action="store_true", help="measure the database a previous run generated")
    args = parser.parse_args()
    configure(reuse=args.reuse)
    if args.reuse:
        from sanding.accounts.models import User
        from sanding.ledger.models import Rectification
        from sanding.registry.models import Region

        staff, county = User.objects.get(username="bench-staff"), Region.objects.get(code="BC03")
        first_item = Rectification.objects.order_by("pk").values_list("pk", flat=True)[0]
        log(f"reusing {DB}: {Rectification.objects.count()} rectification items")
    else:
        t = time.perf_counter()
        staff, county, first_item = populate(args.departments, args.issues, args.items)
        log(f"data generated in {time.perf_counter() - t:.0f}s")

    from django.test import Client

    from sanding.ledger.models import IssueCategory, Rectification

    client = Client()
    client.force_login(staff)
    category = IssueCategory.objects.order_by("seq").values_list("pk", flat=True)[2]
    item = Rectification.objects.filter(pk__gte=first_item + 12345).order_by("pk").first()
    pages = [
        ("list: first page", "/ledger/"),
        ("list: filtered page (status+overdue+category)", f"/ledger/?status=in_progress&overdue=1&category={category}"),
        ("list: filtered page (region+department)", f"/ledger/?region={county.pk}&department={item.department_id}"),
        ("list: deep page (last reachable, page 334)", "/ledger/?page=334"),
        ("list: text search, common term", "/ledger/?q=森林防火"),
        ("list: text search, rare term", "/ledger/?q=第123457号工单"),
        ("list: sorted by deadline, latest first", "/ledger/?ordering=-deadline"),
        ("issue list: first page", "/ledger/issues/"),
        ("issue list: deep page (page 334)", "/ledger/issues/?page=334"),
        ("issue list: text search, rare term", "/ledger/issues/?q=第123457号工单"),
        ("issue list: region + without items", f"/ledger/issues/?region={county.pk}&items=0"),
        ("notice: issues without items (city staff, loaded after the list)", "/ledger/issues/without-items/notice/"),
        ("item page", f"/ledger/items/{item.pk}/"),
        ("board: county region (~71k items)", f"/ledger/board/?region={county.pk}"),
        ("board: city region (~71k items)", f"/ledger/board/?region={staff.region_id}"),
    ]
    print()
    print(f"{'page':50} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for label, url in pages:
        median, p95, queries = measure(client, url)
        print(f"{label:50} {median:10.1f} {p95:10.1f} {queries:8d}", flush=True)


if __name__ == "__main__":
    main()
