"""The permission matrix: every URL pattern of the project (the admin included), as every kind of user.

Each pattern's arguments are filled with real objects of one department (靶标局) of one county (云城区);
the expected outcome of each view is declared once beside its URL patterns (`ACCESS`, see
sanding/accounts/access.py). A pattern with no declaration fails. Besides status codes, the test checks
that no response of a user who may not see the department carries its data (every row planted for it
is marked 靶标), and that a refused POST writes nothing. Every request runs in a savepoint that is rolled
back, so all of them start from the same data.
"""

import hashlib
import io
import re
from dataclasses import dataclass

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tasks_db.models import DBTaskResult

from sanding.accounts.access import ADMIN_SITE, Access
from sanding.accounts.choices import Role
from sanding.assessment import services as assessment_services
from sanding.assessment.models import Answer, Assessment, Item, Round, Section
from sanding.ledger import services as ledger_services
from sanding.ledger.models import IssueCategory, LedgerRegionSetting, Notification
from sanding.spreadsheets.models import ImportJob
from sanding.spreadsheets.tasks import validate_job
from tests.assessment.conftest import build_checklist, deadlines, pdf
from tests.factories import (
    DepartmentFactory,
    DutyFactory,
    InternalUnitFactory,
    RegionFactory,
    RegulationFactory,
    UserFactory,
)
from tests.ledger.factories import IssueFactory, ProgressReportFactory, RectificationFactory

MARK = "靶标"
USERS = ("anonymous", "clerk", "other-clerk", "county-staff", "other-county-staff", "city-staff", "leader")
USERS += ("other-county-admin", "superuser")
# Who can see the target department's rows; the rest must get 404 for them and never see 靶标.
DEPARTMENT_READERS = {"clerk", "county-staff", "city-staff", "leader", "superuser"}
SEES = {
    "registry.Region": DEPARTMENT_READERS | {"other-clerk"},  # the county itself: its clerks see it
    "assessment.Checklist": DEPARTMENT_READERS - {"clerk"},  # departments see checklists through their forms
    "assessment.Round": DEPARTMENT_READERS | {"other-clerk"},  # both departments take part in the round
    "ledger.IssueCategory": set(USERS) - {"anonymous"},  # categories belong to no region
    "spreadsheets.ImportJob": {"superuser"},  # an import job is its uploader's
    "auth.Group": {"superuser"},
}
OUTSIDERS = {"other-clerk", "other-county-staff", "other-county-admin"}
# Words of the department's rows (not the marker itself, which a search box would echo back).
SEARCH_TEXT = "职责交叉"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Case:
    name: str  # namespace:url-name
    route: str
    access: Access
    admin_model: type | None = None


# --- the URL patterns and their declarations -------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None, module=None, in_admin=False):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            child_module = entry.urlconf_module if not isinstance(entry.urlconf_module, list) else module
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                ns if not namespace or not entry.namespace else f"{namespace}:{entry.namespace}",
                child_module,
                in_admin or entry.app_name == "admin",
            )
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace, module, in_admin


def _admin_model_by_name(name):
    """The model of an admin URL whose view does not carry its ModelAdmin (history pages, password change)."""
    if name == "auth_user_password_change":  # Django names it so whatever the user model
        return get_user_model()
    if name == "view_on_site":
        return apps.get_model("registry.Department")
    for model in admin.site._registry:
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def cases():
    found, undeclared = [], []
    root = get_resolver()
    for route, pattern, namespace, module, in_admin in _walk(root.url_patterns, module=root.urlconf_module):
        name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or route)
        if in_admin:
            model_admin = getattr(pattern.callback, "model_admin", None)
            model = model_admin.model if model_admin else _admin_model_by_name(pattern.name or "")
            found.append(Case(name, route, ADMIN_SITE, model))
            continue
        table = getattr(module, "ACCESS", {})
        access = table.get(pattern.name)
        if access is None:
            undeclared.append(name)
        else:
            found.append(Case(name, route, access))
    return found, undeclared


# --- the data: one department of one county, marked 靶标 -------------------------------------------------


@pytest.fixture
def world(db, django_db_blocker):
    city = RegionFactory(code="YZ", name="云州市", short_name="云州", level="city")
    county = RegionFactory(code="YC", name="云州市云城区", short_name="云城", level="county", parent=city)
    other_county = RegionFactory(code="DJ", name="云州市东江县", short_name="东江", level="county", parent=city)
    target = DepartmentFactory(region=county, code="YC900", name="云城区靶标局", short_name="区靶标局")
    neighbour = DepartmentFactory(region=county, code="YC901", name="云城区邻近局", short_name="区邻近局")
    DepartmentFactory(region=other_county, code="DJ001", name="东江县某局", short_name="县某局")
    users = {
        "clerk": UserFactory(username="d-YC900", role=Role.CLERK, region=county, department=target),
        "other-clerk": UserFactory(username="d-YC901", role=Role.CLERK, region=county, department=neighbour),
        "county-staff": UserFactory(username="staff-yc", role=Role.STAFF, region=county),
        "other-county-staff": UserFactory(username="staff-dj", role=Role.STAFF, region=other_county),
        "city-staff": UserFactory(username="staff", role=Role.STAFF, region=city),
        "leader": UserFactory(username="leader", role=Role.LEADER, region=city),
        "other-county-admin": UserFactory(username="admin-dj", role=Role.ADMIN, region=other_county, is_staff=True),
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    clerk, staff = users["clerk"], users["county-staff"]

    regulation = RegulationFactory(department=target, title="靶标局三定规定")
    unit = InternalUnitFactory(department=target, name="靶标科")
    duty = DutyFactory(regulation=regulation, text="靶标职责：负责本行业监督管理。")
    objects = {"registry.Region": county, "registry.Department": target, "registry.Regulation": regulation}
    objects |= {"registry.InternalUnit": unit, "registry.Duty": duty}
    objects["registry.DutyAssignment"] = duty.assignments.create(unit=unit, role="lead")
    objects["registry.StaffingQuota"] = target.quotas.create(type="行政编制", approved=10, actual=9)
    objects["registry.LeaderPost"] = target.leader_posts.create(level="部门正职", approved=1, actual=1)
    objects["registry.Plaque"] = target.plaques.create(name="靶标牌子", authorised=True, hung=True)

    issue = IssueFactory(department=target, description="靶标问题：职责交叉。", seq=1)
    item = RectificationFactory(issue=issue, seq=1, measures="靶标整改措施")
    ledger_services.rectification_transition(actor=clerk, rectification=item, action="start", expected_version=1)
    item.refresh_from_db()
    ProgressReportFactory(rectification=item, text="靶标进展")
    (attachment,) = ledger_services.attachment_add(actor=clerk, rectification=item, files=[pdf("靶标附件.pdf")])
    objects |= {"ledger.Issue": issue, "ledger.Rectification": item, "ledger.Attachment": attachment}
    objects["ledger.RectificationEvent"] = item.events.first()
    objects["ledger.ProgressReport"] = item.progress_reports.first()
    objects["ledger.IssueCategory"] = IssueCategory.objects.get_or_create(name="部门职能不理顺")[0]
    objects["ledger.LedgerRegionSetting"] = LedgerRegionSetting.objects.get_or_create(region=county)[0]
    objects["ledger.Notification"] = Notification.objects.create(recipient=clerk, title="靶标提醒", body="靶标")

    checklist = build_checklist(county, name="云城区评分表")
    round_ = Round(region=county, name="云城区第四季度自查", checklist=checklist, **deadlines())
    assessment_services.round_create(actor=staff, round_=round_, departments=[target, neighbour])
    assessment_services.round_transition(actor=staff, round_=round_, to_state="open")
    form = Assessment.objects.get(round=round_, department=target)
    answer = Answer.objects.filter(assessment=form).order_by("pk").first()
    answer.explanation = "靶标说明"
    answer.save()
    evidence = assessment_services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("靶标佐证.pdf"))
    objects |= {"assessment.Checklist": checklist, "assessment.Round": round_, "assessment.Assessment": form}
    objects |= {"assessment.Answer": answer, "assessment.Evidence": evidence}
    objects["assessment.Section"] = Section.objects.filter(checklist=checklist).order_by("pk").first()
    objects["assessment.Item"] = Item.objects.filter(section__checklist=checklist).order_by("pk").first()

    job = ImportJob(user=users["superuser"], region=county, kind="ledger", original_name="靶标台账.xlsx")
    job.file.save("job.xlsx", ContentFile(b"PK"), save=False)
    job.status = "failed"
    job.save()
    objects["spreadsheets.ImportJob"] = job
    validate_job.enqueue(job.pk)  # a queued task, for the admin's task pages (the worker does not run here)
    objects["django_tasks_database.DBTaskResult"] = DBTaskResult.objects.get()
    objects["accounts.User"] = clerk
    seen = {"username": clerk.username, "ip_address": "10.0.0.9", "user_agent": "t", "http_accept": "*/*"}
    seen["path_info"] = "/login/"
    objects["axes.AccessAttempt"] = AccessAttempt.objects.create(
        **seen, get_data="", post_data="", failures_since_start=1
    )
    objects["axes.AccessLog"] = AccessLog.objects.create(**seen)
    objects["axes.AccessFailureLog"] = AccessFailureLog.objects.create(**seen)
    objects["auth.Group"] = Group.objects.get(name=Role.CLERK.label)
    return {"users": users, "objects": objects}


# --- requests and expectations --------------------------------------------------------------------------

FINGERPRINTED = None


def fingerprint():
    """A digest of every business table (sessions and login records aside; history tables only grow with
    their records): a refused POST must not change it. Raw SQL, as it runs a few thousand times."""
    global FINGERPRINTED
    if FINGERPRINTED is None:
        FINGERPRINTED = [
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if (m.__module__.startswith("sanding.") or m._meta.label == "auth.Group")
            and not m._meta.model_name.startswith("historical")
        ]
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table in FINGERPRINTED:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            digest.update(repr((table, cursor.fetchall())).encode())
    return digest.hexdigest()


def _url(case, obj_for, objects_known):
    """The case's route with each argument replaced by a real object's pk or a declared value."""
    route = case.route.replace("^", "").replace("$", "")
    declared = dict(case.access.args)
    target = case.access.target
    if case.admin_model is not None:
        target = case.admin_model._meta.label

    def value(name):
        if name in ("pk", "object_id", "id") and target:
            return str(obj_for(target).pk)
        if name == "content_type_id":  # the admin's "view on site" link: the target department
            return str(ContentType.objects.get_for_model(obj_for("registry.Department")).pk)
        wanted = declared.get(name)
        if (
            isinstance(wanted, str)
            and "." in wanted
            and wanted.split(".")[0] in {a.label for a in apps.get_app_configs()}
        ):
            return str(obj_for(wanted).pk)
        if wanted is not None:
            return str(wanted)
        return None

    missing = []

    def convert(match):
        name = match.group("name")
        result = value(name)
        if result is None:
            missing.append(name)
            return ""
        return result

    # Named regex groups of the admin: the app index and the catch-all page.
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "registry", route)
    route = re.sub(r"\(\?P<url>[^)]*\)", "no-such-page/", route)
    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", convert, route)
    if "(" in url:  # admin regex routes: ^(.+)/history/(.+)/$ and similar, positional
        if case.admin_model is None:
            return None, ["regex"]
        obj = obj_for(case.admin_model._meta.label)
        history = getattr(obj, "history", None)
        version = history.earliest().history_id if history is not None and history.exists() else 0
        groups = iter([str(obj.pk), str(version)])
        url = re.sub(r"\([^)]*\)", lambda m: next(groups, "0"), url)
    if case.access.query:
        url += f"?{case.access.query}={obj_for(target).pk}"
    return "/" + url, missing


def _text(response):
    if response.get("Content-Type", "").startswith(SPREADSHEET):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _expected(case, who, role, method, sees):
    """The statuses allowed for `who` (with `role`) doing `method` on the case's URL.

    A refused POST may also answer 302 (back to the page with a Chinese message) or 400 (a malformed
    action): the database is compared in any case."""
    access = case.access
    if case.name == "admin:login":
        return {200, 302}
    if case.name == "admin:logout" and method == "GET":
        return {302, 405}
    if who == "anonymous":
        return {200, 302, 405} if access.public else {302}
    if access.public:
        return {200, 302}  # the login page sends a signed-in user on
    if access is ADMIN_SITE:
        if role not in access.read or not users_reach_admin(who):
            return {302}  # the admin's login page
        if not sees:
            return {302, 403, 404}  # 404, or Django's redirect to the index for a missing object
        return {200, 302, 403, 404} if method == "GET" else {200, 302, 400, 403, 404, 405}
    if method == "POST" and not access.write:
        return {405} | ({404} if access.target and not sees else {200, 403})
    if access.target and not sees:
        return {404, 405} if not access.read and method == "GET" else {404}
    if method == "GET":
        if not access.read:
            return {405}
        return {200, 302} if role in access.read else {403}
    if role in access.write:
        return {200, 302, 400}
    return {302, 400, 403, 405}


def users_reach_admin(who):
    return who in {"superuser", "other-county-admin"}


@pytest.mark.django_db
def test_permission_matrix(world, capsys):
    all_cases, undeclared = cases()
    assert undeclared == [], f"URL patterns without an access declaration: {undeclared}"
    users, objects = world["users"], world["objects"]
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who, user in users.items():
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(user)

    def obj_for(label):
        return objects[label]

    # Filters naming the department and its county, and a search for words of its issue.
    searches = {"q": SEARCH_TEXT, "search": SEARCH_TEXT, "department": objects["registry.Department"].pk}
    searches["region"] = objects["registry.Region"].pk
    baseline = fingerprint()
    failures, checks, requests = [], 0, 0
    for case in all_cases:
        label = case.admin_model._meta.label if case.admin_model else case.access.target
        if label and label not in objects:
            failures.append(f"{case.name}: the matrix has no object of {label}")
            continue
        url, missing = _url(case, obj_for, objects)
        if missing:
            failures.append(f"{case.name}: no value for URL argument(s) {missing}")
            continue
        for who in USERS:
            role = users[who].role if who in users else None
            named = ("<int:pk>", "object_id", "(", "<id>", "<pk>")
            names_object = label and (case.access.query or any(arg in case.route for arg in named))
            sees = who in SEES.get(label, DEPARTMENT_READERS) if names_object else who != "anonymous"
            # A search as well as the plain page: lists must not find the department's rows either.
            for method in ("GET", "SEARCH", "POST"):
                if method == "SEARCH" and (names_object or not case.access.read):
                    continue
                requests += 1
                with transaction.atomic():
                    client = clients[who]
                    if method == "POST":
                        response = client.post(url, {})
                    else:
                        search = searches if method == "SEARCH" else {}
                        response = client.get(url, search)
                        method = "GET"
                    text = _text(response) if response.status_code == 200 else ""
                    expected = _expected(case, who, role, method, sees)
                    checks += 1
                    if response.status_code not in expected:
                        got, allowed = response.status_code, sorted(expected)
                        failures.append(f"{method} {url} [{case.name}] as {who}: {got}, expected {allowed}")
                    if who in OUTSIDERS and MARK in text:
                        failures.append(f"{method} {url} [{case.name}] as {who}: shows the other department's data")
                    checks += 1
                    refused = method == "POST" and (role not in case.access.write or not sees or who == "anonymous")
                    if refused or (method == "GET" and not sees):
                        checks += 1
                        if fingerprint() != baseline:
                            failures.append(f"{method} {url} [{case.name}] as {who}: wrote to the database")
                    transaction.set_rollback(True)
                if who != "anonymous" and "_auth_user_id" not in client.session:
                    client.force_login(users[who])  # after the logout page (it records the login time)
                    baseline = fingerprint()
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(all_cases)} URL patterns × {len(USERS)} users × GET, search and POST"
            f" = {requests} requests, {checks} checks"
        )
    assert failures == [], "\n".join(failures[:200]) + f"\n({len(failures)} failures)"
