"""Registry pages at scale: department list, department page and home with many departments.

Usage:
    python benchmarks/registry_scale.py [--departments 5000] [--database sqlite|postgres]

Builds its own throw-away database (a temporary SQLite file, or the PostgreSQL database
`sanding_bench_registry` at 127.0.0.1:5432, dropped and recreated), fills it, then requests each page
20 times through Django's test client and prints the median and p95 server time and the query count.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(database):
    if database == "postgres":
        name = "sanding_bench_registry"
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sanding.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("SECRET_KEY", "sanding-benchmark-only-secret-key-never-used-on-a-real-server")  # DEBUG is off
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Production settings, except that static files are not collected for this throw-away run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)


def populate(n):
    from django.contrib.auth.models import Group

    from sanding.accounts.models import User
    from sanding.registry.models import Department, InternalUnit, LeaderPost, Region, StaffingQuota

    city = Region.objects.create(code="BC", name="基准市", short_name="基准", level="city")
    counties = [
        Region.objects.create(code=f"BC{i}", name=f"基准市第{i}县", short_name=f"基{i}", level="county", parent=city)
        for i in range(10)
    ]
    regions = [city, *counties]
    departments = Department.objects.bulk_create(
        Department(
            code=f"B{i:06d}",
            name=f"基准部门{i}",
            short_name=f"基{i}",
            aliases=f"别名{i}",
            region=regions[i % len(regions)],
            category="政府工作部门",
            rank="正科级",
        )
        for i in range(n)
    )
    InternalUnit.objects.bulk_create(
        InternalUnit(department=d, name=f"第{j}科", seq=j) for d in departments for j in range(6)
    )
    StaffingQuota.objects.bulk_create(
        StaffingQuota(department=d, type=t, approved=10, actual=9 + (d.pk % 3))
        for d in departments
        for t in ("行政编制", "工勤编制")
    )
    LeaderPost.objects.bulk_create(
        LeaderPost(department=d, level=lv, approved=2, actual=2 + (d.pk % 7 == 0))
        for d in departments
        for lv in ("部门正职", "部门副职", "内设机构正职")
    )
    user = User.objects.create_user("bench", password="x", region=city)
    user.groups.add(Group.objects.get(name="编办工作人员"))
    return user, departments[len(departments) // 2]


def measure(client, url, runs=20):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    configure(args.database)
    from django.test import Client

    started = time.perf_counter()
    user, middle = populate(args.departments)
    print(
        f"{args.database}: {args.departments} departments, 6 units, 2 quotas and 3 post levels each "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    client = Client()
    client.force_login(user)
    pages = [
        ("home", "/"),
        ("department list, first page", "/registry/departments/"),
        ("department list, 超编 filter", "/registry/departments/?overrun=1"),
        ("department list, deep page", f"/registry/departments/?page={args.departments // 30}"),
        ("department list, search", "/registry/departments/?q=别名4999"),
        ("department page", f"/registry/departments/{middle.pk}/"),
    ]
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, url in pages:
        median, p95, queries = measure(client, url)
        print(f"{label:32} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
