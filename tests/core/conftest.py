"""A small city with something of every kind, built once per test: the odd-input fuzz and the scope checks of
filter and form options walk every page over it.

Two departments in the city, one in each of two counties, each with registry records, ledger items and
self-assessment forms, so that a page leaking another department's or region's rows or options has some to
leak.
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanding.accounts.choices import Role
from sanding.assessment import services as assessment_services
from sanding.assessment.choices import RoundState
from sanding.assessment.models import Assessment, Item, Round, Section
from sanding.ledger import services as ledger_services
from sanding.ledger.models import IssueCooperation, Notification
from sanding.registry.models import DutyAssignment
from tests.assessment.conftest import build_checklist, deadlines, fill_and_submit
from tests.factories import (
    DepartmentFactory,
    DutyFactory,
    InternalUnitFactory,
    LeaderPostFactory,
    PlaqueFactory,
    RegionFactory,
    RegulationFactory,
    StaffingQuotaFactory,
    UserFactory,
)
from tests.ledger.factories import IssueFactory, RectificationFactory, category


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)  # department key -> {kind slug: record}
    issues: dict = field(default_factory=dict)  # department key -> issue
    items: dict = field(default_factory=dict)  # department key -> rectification
    objects: dict = field(default_factory=dict)  # anything else, by name


def _registry_records(department):
    regulation = RegulationFactory(department=department)
    unit = InternalUnitFactory(department=department, name=f"{department.short_name}办公室")
    duty = DutyFactory(regulation=regulation)
    DutyAssignment.objects.create(duty=duty, unit=unit, role="lead")
    return {
        "regulation": regulation,
        "unit": unit,
        "duty": duty,
        "quota": StaffingQuotaFactory(department=department),
        "leader-post": LeaderPostFactory(department=department),
        "plaque": PlaqueFactory(department=department, name=f"{department.short_name}牌子"),
    }


def build_world():
    w = World()
    city = RegionFactory(code="YZ", name="云州市", short_name="云州", level="city")
    county = RegionFactory(code="YC", name="云州市云城区", short_name="云城", level="county", parent=city)
    county2 = RegionFactory(code="DJ", name="云州市东江县", short_name="东江", level="county", parent=city)
    w.regions = {"city": city, "county": county, "county2": county2}
    w.departments = {
        "dept": DepartmentFactory(region=city, code="YZ030", name="云州市市场监督管理局", short_name="市市场监管局"),
        "other": DepartmentFactory(region=city, code="YZ031", name="云州市统计局", short_name="市统计局"),
        "county": DepartmentFactory(
            region=county, code="YC012", name="云城区市场监督管理局", short_name="区市场监管局"
        ),
        "county2": DepartmentFactory(region=county2, code="DJ005", name="东江县统计局", short_name="县统计局"),
    }
    d = w.departments
    w.users = {
        "admin": UserFactory(username="admin", role=Role.ADMIN, region=city, is_staff=True),
        "staff": UserFactory(username="staff", role=Role.STAFF, region=city),
        "county_staff": UserFactory(username="staff-yc", role=Role.STAFF, region=county),
        "leader": UserFactory(username="leader", role=Role.LEADER, region=city),
        "clerk": UserFactory(username="d-YZ030", role=Role.CLERK, region=city, department=d["dept"]),
        "county_clerk": UserFactory(username="d-YC012", role=Role.CLERK, region=county, department=d["county"]),
    }
    staff = w.users["staff"]
    w.records = {key: _registry_records(department) for key, department in d.items()}

    # The ledger: an issue with an item per department; the city's other department cooperates on the
    # clerk's issue; a file on the clerk's item and on the other department's.
    cat = category()
    for key, department in d.items():
        w.issues[key] = IssueFactory(department=department, category=cat, description=f"{department.short_name}的问题")
        w.items[key] = RectificationFactory(issue=w.issues[key], seq=1, measures=f"{department.short_name}的措施")
    IssueCooperation.objects.create(issue=w.issues["dept"], department=d["other"])
    for key in ("dept", "other"):
        pdf = SimpleUploadedFile(f"{key}.pdf", b"%PDF-1.4\n% evidence\n", content_type="application/pdf")
        ledger_services.attachment_add(actor=staff, rectification=w.items[key], files=[pdf])
    for user in w.users.values():
        Notification.objects.create(
            recipient=user, title="整改事项到期提醒", body="请及时报送整改进展。", url="/ledger/"
        )
    w.objects["category"] = cat

    # Self-assessment: a published city checklist with an open round over three departments (the other
    # department's form submitted, for review), a draft round, draft checklists of the city and the county.
    published = build_checklist(city, name="三定落实评分表")
    draft = build_checklist(city, name="三定落实评分表（修订）", publish=False)
    county_draft = build_checklist(county, name="云城区评分表", publish=False)
    open_round = Round(region=city, name="2026年第一季度自查评估", checklist=published, **deadlines())
    assessment_services.round_create(actor=staff, round_=open_round, departments=[d["dept"], d["other"], d["county"]])
    assessment_services.round_transition(actor=staff, round_=open_round, to_state=RoundState.OPEN)
    draft_round = Round(region=city, name="2026年第二季度自查评估", checklist=published, **deadlines(30, 60))
    assessment_services.round_create(actor=staff, round_=draft_round, departments=[d["dept"]])
    other_clerk = UserFactory(username="d-YZ031", role=Role.CLERK, region=city, department=d["other"])
    submitted = Assessment.objects.get(round=open_round, department=d["other"])
    fill_and_submit(submitted, other_clerk, published)
    w.objects.update(
        published=published,
        draft=draft,
        county_draft=county_draft,
        section=Section.objects.filter(checklist=draft).first(),
        item=Item.objects.filter(checklist=draft).first(),
        open_round=open_round,
        draft_round=draft_round,
        own_assessment=Assessment.objects.get(round=open_round, department=d["dept"]),
        submitted_assessment=submitted,
    )
    return w


@pytest.fixture
def world(db):
    return build_world()
