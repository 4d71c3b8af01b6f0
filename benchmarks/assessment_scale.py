"""Scale benchmark of the self-assessment: a round of 500 departments × 30 items.

Prints the round page's query count (and time), and the time to compute and store the results of the
whole round (totals, section subtotals, grades, ranks). Creating the round and storing the results
also write the change history (django-simple-history) of every form and answer.
Runs standalone on a throwaway SQLite file:

    python benchmarks/assessment_scale.py [--departments 500] [--items-per-section 6]
"""

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="sanding-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{WORKDIR}/media"
os.environ.setdefault("DEBUG", "1")
os.environ["DJANGO_SETTINGS_MODULE"] = "sanding.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from sanding.accounts.choices import Role  # noqa: E402
from sanding.accounts.models import User  # noqa: E402
from sanding.assessment import services  # noqa: E402
from sanding.assessment.choices import AssessmentState, RoundState, ScoringRule  # noqa: E402
from sanding.assessment.models import Answer, Assessment, Checklist, Item, Round, Section  # noqa: E402
from sanding.registry.models import Department, Region  # noqa: E402

CATEGORIES = ["党委工作机关", "政府工作部门", "部门管理机构", "直属事业单位", "群团机关"]


def setup(n_departments, items_per_section):
    call_command("migrate", verbosity=0)
    region = Region.objects.create(code="BZ", name="基准市", short_name="基准", level="city")
    Department.objects.bulk_create(
        Department(region=region, code=f"B{i:04d}", name=f"基准部门{i}", category=CATEGORIES[i % 5], rank="正处级")
        for i in range(n_departments)
    )
    staff = User.objects.create_user("bench-staff", password="x", region=region)
    staff.groups.add(Group.objects.get_or_create(name=Role.STAFF.label)[0])
    checklist = Checklist(region=region, name="基准评分表")
    services.checklist_create(actor=staff, checklist=checklist)
    rules = [ScoringRule.YES_NO, ScoringRule.SCALE, ScoringRule.DEDUCTION]
    for s in range(5):
        section = Section.objects.create(checklist=checklist, seq=s + 1, title=f"评分项目{s + 1}")
        for i in range(items_per_section):
            rule = rules[i % 3]
            Item.objects.create(
                section=section,
                seq=i + 1,
                code=f"{s + 1}.{i + 1}",
                text=f"评分细则{s + 1}.{i + 1}",
                rule=rule,
                max_points=Decimal("4"),
                step=Decimal("0.5") if rule == ScoringRule.SCALE else None,
                deduction=Decimal("1") if rule == ScoringRule.DEDUCTION else None,
                na_allowed=i == items_per_section - 1,
                is_veto=s == 1 and i == 0,
            )
    services.checklist_publish(actor=staff, checklist=checklist)
    checklist.refresh_from_db()
    today = datetime.date.today()
    round_ = Round(
        region=region,
        name="基准轮次",
        checklist=checklist,
        fill_deadline=today + datetime.timedelta(days=30),
        review_deadline=today + datetime.timedelta(days=45),
    )
    started = time.perf_counter()
    services.round_create(actor=staff, round_=round_, departments=list(Department.objects.order_by("code")))
    create_seconds = time.perf_counter() - started
    services.round_transition(actor=staff, round_=round_, to_state=RoundState.OPEN)
    # Every form answered and approved (written in bulk: this benchmark measures the results step).
    rng = random.Random(42)
    answers = list(Answer.objects.filter(assessment__round=round_).select_related("item"))
    for a in answers:
        if a.item.na_allowed and rng.random() < 0.1:
            a.not_applicable, a.na_reason = True, "不涉及"
            continue
        score = Decimal(rng.choice(["0", "2", "2.5", "3", "3.5", "4", "4", "4"]))
        if a.item.rule == ScoringRule.YES_NO:
            score = Decimal("4") if rng.random() < 0.9 else Decimal("0")
        a.self_score = a.reviewed_score = score
    Answer.objects.bulk_update(
        answers, ["not_applicable", "na_reason", "self_score", "reviewed_score"], batch_size=1000
    )
    Assessment.objects.filter(round=round_).update(state=AssessmentState.APPROVED)
    return staff, round_, len(answers), create_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=500)
    parser.add_argument("--items-per-section", type=int, default=6)
    args = parser.parse_args()
    try:
        staff, round_, n_answers, create_seconds = setup(args.departments, args.items_per_section)
        n_items = 5 * args.items_per_section
        print(f"round: {args.departments} departments × {n_items} items = {n_answers} answers ({connection.vendor})")
        print(f"create round (forms and empty answers): {create_seconds:.2f} s")

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            computed = services.round_compute_results(round_=round_)
        seconds = time.perf_counter() - started
        print(f"compute and store results: {computed} forms in {seconds:.2f} s ({len(ctx.captured_queries)} queries)")

        client = Client(HTTP_HOST="localhost")
        client.force_login(staff)
        url = reverse("assessment:round-detail", args=[round_.pk])
        client.get(url)  # warm up templates
        first = Assessment.objects.filter(round=round_).order_by("pk").first()
        for name, path in [
            ("round page", url),
            ("round forms page", reverse("assessment:round-forms", args=[round_.pk])),
            ("round xlsx export", reverse("assessment:round-export", args=[round_.pk])),
            ("one form (with change history)", reverse("assessment:assessment-detail", args=[first.pk])),
            (
                "checklist page (with change history)",
                reverse("assessment:checklist-detail", args=[round_.checklist_id]),
            ),
        ]:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            print(f"{name}: {len(ctx.captured_queries)} queries, {seconds * 1000:.0f} ms")
    finally:
        connection.close()
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
