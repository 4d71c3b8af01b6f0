"""Benchmark of the ledger import and export (issue 5, Performance).

    python benchmarks/import_ledger.py [--runs 3] [--keep]

Builds standard-layout ledgers of 10,000 and 100,000 rows (issues with their rectification items,
realistic Chinese text, units by short name, text and Excel dates), then measures, median of N runs,
each in a fresh subprocess (so peak memory is that process's own maximum RSS; the time is the median,
the peak the maximum over the runs). The load average is printed before and after: the ratios compare
figures taken in the same run, but a busy machine slows the database server more than the reader.

- python-calamine reading the 100k file alone (the floor);
- a plain django-import-export ModelResource import of the 10k file on PostgreSQL (the peer);
- the project's dry run (100k), import into SQLite and into PostgreSQL (100k, into an empty ledger);
- the database's own share of that PostgreSQL import: the same rows copied back in from memory, with no
  reading, parsing or formatting in Python (a floor no import of these rows can beat on this server);
- the project's export of the 100k rows, against writing the same prepared rows with bare openpyxl.

Databases: its own SQLite file and its own PostgreSQL database `sanding_bench_import` (created and
dropped here; BENCH_PG_URL overrides the server URL). No other database is touched.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sanding.ledger.choices import DEFAULT_CATEGORIES  # noqa: E402 (after the path)

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "sanding_bench_import"
WORK = Path(tempfile.gettempdir()) / "sanding_bench_import"
SQLITE_URL = f"sqlite:///{WORK / 'bench.sqlite3'}"
PG_URL = f"{PG_SERVER}/{PG_NAME}"

UNITS = [
    ("市委办", "中共云州市委办公室"),
    ("市委组织部", "中共云州市委组织部"),
    ("市委宣传部", "中共云州市委宣传部"),
    ("市发改委", "云州市发展和改革委员会"),
    ("市教育局", "云州市教育局"),
    ("市科技局", "云州市科学技术局"),
    ("市工信局", "云州市工业和信息化局"),
    ("市公安局", "云州市公安局"),
    ("市民政局", "云州市民政局"),
    ("市司法局", "云州市司法局"),
    ("市财政局", "云州市财政局"),
    ("市人社局", "云州市人力资源和社会保障局"),
    ("市自然资源局", "云州市自然资源局"),
    ("市生态环境局", "云州市生态环境局"),
    ("市住建局", "云州市住房和城乡建设局"),
    ("市交通运输局", "云州市交通运输局"),
    ("市水务局", "云州市水务局"),
    ("市农业农村局", "云州市农业农村局"),
    ("市商务局", "云州市商务局"),
    ("市文旅局", "云州市文化和旅游局"),
    ("市卫健委", "云州市卫生健康委员会"),
    ("市退役军人局", "云州市退役军人事务局"),
    ("市应急局", "云州市应急管理局"),
    ("市审计局", "云州市审计局"),
    ("市国资委", "云州市人民政府国有资产监督管理委员会"),
    ("市市场监管局", "云州市市场监督管理局"),
    ("市统计局", "云州市统计局"),
    ("市林草局", "云州市林业和草原局"),
    ("市医保局", "云州市医疗保障局"),
    ("市城管局", "云州市城市管理综合行政执法局"),
    ("市行政审批局", "云州市行政审批和政务服务局"),
    ("市信访局", "云州市信访局"),
    ("市能源局", "云州市能源局"),
    ("市乡村振兴局", "云州市乡村振兴局"),
]
TOPICS = [
    "食品安全监管",
    "安全生产监督",
    "生态环境保护",
    "城市管理执法",
    "自然灾害防治",
    "农村人居环境整治",
    "政务服务事项",
    "统计数据共享",
    "国有资产管理",
    "森林防火",
    "防汛抗旱",
    "校外培训监管",
    "医疗保障基金监管",
]
PROBLEMS = [
    "职责边界不够清晰，存在推诿扯皮现象",
    "牵头与配合责任落实不到位",
    "部分职责划转后未及时调整内设机构",
    "“三定”规定明确的职责履行不充分",
    "工作机制不健全，协调配合不畅",
    "编制使用与职责任务不匹配",
]
MEASURES = [
    "制定部门职责边界清单，明确牵头和配合责任",
    "建立联席会议制度，定期会商解决交叉问题",
    "修订内设机构职责，报编委审定后印发",
    "开展专项清理，逐项建立整改台账并销号管理",
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]


def headers():
    """The standard layout's header row, as the ledger export defines it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanding.settings")
    os.environ.setdefault("SECRET_KEY", "sanding-benchmark-only-secret-key-never-used-on-a-real-server")  # DEBUG is off
    import django

    django.setup()
    from sanding.ledger.export import COLUMNS

    return [header for header, _ in COLUMNS]


# --- building the files ----------------------------------------------------------------------------------
def build_ledger(path, rows, seed=5):
    """A standard-layout ledger: title row, header row, one row per rectification item."""
    import datetime

    from openpyxl import Workbook

    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题整改台账")
    ws.append(["云州市部门“三定”规定落实情况自查评估问题整改台账"])
    ws.append(headers())
    n, issue = 0, 0
    while n < rows:
        issue += 1
        unit = rnd.choice(UNITS)[0]
        coop = "、".join(u for u, _ in rnd.sample(UNITS, rnd.choice([0, 1, 2])) if u != unit)
        description = f"{rnd.choice(TOPICS)}方面{rnd.choice(PROBLEMS)}（第{issue}项）"
        category = rnd.choice(DEFAULT_CATEGORIES)
        for _ in range(min(rnd.choice([1, 1, 2, 2, 3]), rows - n)):
            n += 1
            roll = rnd.random()
            if roll < 0.3:
                deadline = datetime.date(2025, rnd.randint(1, 12), rnd.randint(1, 28))
            elif roll < 0.5:
                deadline = f"2025年{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日"
            elif roll < 0.6:
                deadline = f"2025.{rnd.randint(1, 12)}.{rnd.randint(1, 28)}"
            elif roll < 0.7:
                deadline = f"2026年{rnd.randint(1, 12)}月底"
            elif roll < 0.8:
                deadline = "2025年底"
            elif roll < 0.9:
                deadline = "立行立改"
            else:
                deadline = "长期坚持"
            state = rnd.random()
            closed = state < 0.25
            status = "已完成" if state < 0.45 else ("整改中" if state < 0.8 else "未开始")
            progress = "已完成阶段性任务，正在推进" if status != "未开始" else ""
            ws.append(
                [
                    n,
                    None,
                    category,
                    description,
                    "自查",
                    unit,
                    coop,
                    rnd.choice(PEOPLE),
                    rnd.choice(MEASURES),
                    deadline,
                    progress,
                    status,
                    None,
                    "是" if closed else "否",
                    datetime.date(2025, rnd.randint(1, 10), rnd.randint(1, 28)) if closed else None,
                    None,
                ]
            )
    wb.save(path)
    return n


# --- child processes (one measurement each) --------------------------------------------------------------
def django_setup(db_url):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanding.settings")
    os.environ["DEBUG"] = "0"  # DEBUG would keep every SQL query in memory
    os.environ.setdefault("SECRET_KEY", "sanding-benchmark-only-secret-key-never-used-on-a-real-server")  # DEBUG is off
    import django

    django.setup()


def seed_registry():
    from sanding.registry.models import Department, Region

    region, _ = Region.objects.get_or_create(
        code="YZ", defaults={"name": "云州市", "short_name": "云州", "level": "city"}
    )
    for i, (short, name) in enumerate(UNITS, start=1):
        Department.objects.get_or_create(
            code=f"YZ{i:03d}",
            defaults={
                "name": name,
                "short_name": short,
                "region": region,
                "category": "政府工作部门",
                "rank": "正处级",
            },
        )
    return region


def clear_ledger():
    from django.db import connection

    from sanding.ledger import models as m

    tables = [
        m.Attachment,
        m.ProgressReport.history.model,
        m.ProgressReport,
        m.RectificationEvent,
        m.Rectification.history.model,
        m.Rectification,
        m.IssueCooperation,
        m.Issue.history.model,
        m.Issue,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
            else:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(measure, path, db_url):
    if measure == "calamine":
        import tracemalloc  # noqa: F401  (the floor is the reader alone, no Django)

        from python_calamine import CalamineWorkbook

        start = time.perf_counter()
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("问题整改台账")
        rows = sum(1 for _ in sheet.iter_rows()) - 2
        return {"seconds": time.perf_counter() - start, "rows": rows}

    django_setup(db_url)
    if measure == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        seed_registry()
        return {"seconds": 0, "rows": 0}

    from sanding.spreadsheets.engine import run_import
    from sanding.spreadsheets.importers.ledger import LedgerImporter

    region = seed_registry()
    if measure in ("dry_run", "import"):
        clear_ledger()
        start = time.perf_counter()
        result = run_import(LedgerImporter(region=region), path, commit=measure == "import")
        seconds = time.perf_counter() - start
        assert result.ok, result.problems[:5]
        return {"seconds": seconds, "rows": result.rows, "counts": result.counts}

    if measure == "peer":
        return peer_import(path, region)

    if measure == "database_only":
        return database_only()

    if measure == "prepare_export":
        clear_ledger()
        result = run_import(LedgerImporter(region=region), path, commit=True)
        assert result.ok
        return {"seconds": 0, "rows": result.rows}

    if measure == "export":
        from sanding.spreadsheets.exports import export_table

        target = WORK / "export.xlsx"
        start = time.perf_counter()
        rows = export_table(slug="ledger", region=region, target=target)
        return {"seconds": time.perf_counter() - start, "rows": rows}

    if measure == "bare_write":
        from openpyxl import Workbook

        from sanding.ledger.export import ledger_rows
        from sanding.ledger.models import Rectification

        prepared = list(ledger_rows(Rectification.objects.filter(region=region).order_by("issue__seq", "seq")))
        start = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("问题整改台账")
        ws.append(["云州市问题整改台账"])
        ws.append(headers())
        for row in prepared:
            ws.append(row)
        wb.save(WORK / "bare.xlsx")
        return {"seconds": time.perf_counter() - start, "rows": len(prepared)}
    raise SystemExit(f"unknown measure {measure}")


def peer_import(path, region):
    """A plain django-import-export ModelResource import (its defaults: row by row; every
    row looks up its 问题编号, empty here, and creates an Issue), reading the file with openpyxl through
    tablib as django-import-export does."""
    import tablib
    from import_export import fields, resources, widgets

    from sanding.ledger.models import Issue, IssueCategory
    from sanding.registry.models import Department

    clear_ledger()

    class IssueResource(resources.ModelResource):
        code = fields.Field(attribute="code", column_name="问题编号")
        description = fields.Field(attribute="description", column_name="问题描述")
        category = fields.Field(
            attribute="category", column_name="问题类别", widget=widgets.ForeignKeyWidget(IssueCategory, "name")
        )
        source = fields.Field(attribute="source", column_name="问题来源")
        department = fields.Field(
            attribute="department", column_name="责任单位", widget=widgets.ForeignKeyWidget(Department, "short_name")
        )

        class Meta:
            model = Issue
            fields = ("code", "description", "category", "source", "department")
            import_id_fields = ("code",)

        def before_save_instance(self, instance, row, **kwargs):
            import datetime

            instance.region = region
            instance.found_on = datetime.date(2025, 1, 1)
            instance.year = 2025
            instance.seq = self.seq = getattr(self, "seq", 0) + 1
            instance.code = f"云州-2025-{instance.seq:06d}"

    from openpyxl import load_workbook

    start = time.perf_counter()
    sheet = load_workbook(path, read_only=True).worksheets[0]
    values = sheet.iter_rows(min_row=2, values_only=True)
    headers = list(next(values))
    width = len(headers)
    dataset = tablib.Dataset(*[(list(r) + [None] * width)[:width] for r in values], headers=headers)
    result = IssueResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(dataset), "errors": result.has_errors()}


def database_only():
    """The rows the last PostgreSQL import wrote, dumped and copied back in as the import writes them:
    one transaction, foreign keys checked per statement, the trigram indexes built once at the end."""
    import io

    from django.db import connection, transaction

    from sanding.ledger import models as m
    from sanding.spreadsheets import bulk

    written = [m.Issue, m.IssueCooperation, m.Rectification, m.RectificationEvent, m.ProgressReport]
    written += [m.Issue.history.model, m.Rectification.history.model, m.ProgressReport.history.model]
    dumps = []
    with connection.cursor() as cursor:
        for model in written:
            buffer = io.StringIO()
            cursor.copy_expert(f'COPY "{model._meta.db_table}" TO STDOUT', buffer)
            dumps.append((model._meta.db_table, buffer))
    rows = m.Rectification.objects.count()
    clear_ledger()
    start = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        suspended = bulk.suspend_indexes([m.Rectification, m.Issue])
        with connection.cursor() as cursor:
            for table, buffer in dumps:
                buffer.seek(0)
                cursor.copy_expert(f'COPY "{table}" FROM STDIN', buffer)
        bulk.restore_indexes(suspended)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def run_child(measure, path, db_url):
    command = [sys.executable, __file__, "--child", measure, str(path), db_url]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-3000:])
        raise SystemExit(f"{measure} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(label, name, path, db_url, runs):
    results = [run_child(name, path, db_url) for _ in range(runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    rows = results[0]["rows"]
    print(f"{label:<46} {seconds:8.2f} s {rows / seconds:10.0f} rows/s {peak:8.0f} MB peak   ({rows} rows)", flush=True)
    return {"seconds": seconds, "rows": rows, "peak": peak, "per_row": seconds / rows}


def psql(sql):
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def load():
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the databases and files afterwards")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        result = child(*args.child)
        result["peak_mb"] = peak_mb()
        print(json.dumps(result, default=str))
        return

    WORK.mkdir(exist_ok=True)
    small, large = WORK / "ledger_10k.xlsx", WORK / "ledger_100k.xlsx"
    start = time.perf_counter()
    build_ledger(small, 10_000)
    build_ledger(large, 100_000)
    print(f"built {small.name} and {large.name} in {time.perf_counter() - start:.1f} s", flush=True)
    (WORK / "bench.sqlite3").unlink(missing_ok=True)
    psql(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
    psql(f'CREATE DATABASE "{PG_NAME}"')
    try:
        run_child("migrate", large, SQLITE_URL)
        run_child("migrate", large, PG_URL)
        print(f"median of {args.runs} runs, each in a fresh process; peak = max RSS of that process")
        print(f"before: {load()}", flush=True)
        floor = measure("calamine read 100k (floor)", "calamine", large, "", args.runs)
        peer = measure("django-import-export ModelResource 10k (PostgreSQL)", "peer", small, PG_URL, args.runs)
        dry = measure("project dry run 100k", "dry_run", large, SQLITE_URL, args.runs)
        sqlite = measure("project import 100k (SQLite)", "import", large, SQLITE_URL, args.runs)
        pg = measure("project import 100k (PostgreSQL)", "import", large, PG_URL, args.runs)
        alone = measure("  of which the database alone (same rows, COPY)", "database_only", large, PG_URL, args.runs)
        run_child("prepare_export", large, PG_URL)
        export = measure("project export 100k (PostgreSQL)", "export", large, PG_URL, args.runs)
        bare = measure("bare openpyxl write of the same 100k rows", "bare_write", large, PG_URL, args.runs)
        print()
        print("ratios and targets")
        print(f"  PostgreSQL import / calamine floor        {pg['seconds'] / floor['seconds']:6.1f}x  (target <= 8x)")
        print(f"  database alone / calamine floor           {alone['seconds'] / floor['seconds']:6.1f}x")
        print(f"  per-row speed vs django-import-export     {peer['per_row'] / pg['per_row']:6.1f}x  (target >= 15x)")
        print(f"  SQLite import / calamine floor            {sqlite['seconds'] / floor['seconds']:6.1f}x")
        print(f"  dry run / calamine floor                  {dry['seconds'] / floor['seconds']:6.1f}x")
        print(
            f"  import peak memory (max of SQLite, PG)    {max(pg['peak'], sqlite['peak'], dry['peak']):6.0f} MB"
            " (target <= 300)"
        )
        print(
            f"  export / bare writer                      {export['seconds'] / bare['seconds']:6.2f}x  (target <= 1.5x)"
        )
        print(f"  export peak memory                        {export['peak']:6.0f} MB (target <= 200)")
        print(f"after: {load()}")
    finally:
        if not args.keep:
            psql(f'DROP DATABASE IF EXISTS "{PG_NAME}"')
            (WORK / "bench.sqlite3").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
