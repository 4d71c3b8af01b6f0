"""Every option a page offers (filter selects, form selects, checkbox lists) comes from the same scope as the
rows: a 部门填报员 is offered their own department only, county staff their county only (issue 9, item 11).

Each list page and each form page is rendered, as a clerk, county staff, city staff and a leader, over a
world with other departments and regions; the option values are read from the HTML and every id must be
visible to the user (`Model.objects.visible_to(user)`); for the clerk and county staff, no department or
region option may belong to another department or region.
"""

import re

import pytest
from django.urls import reverse

from sanding.assessment.models import Assessment, Checklist, Round, Section
from sanding.ledger.models import Attachment, IssueCategory, Rectification
from sanding.registry.models import Department, InternalUnit, Region

from .pages import parse

pytestmark = pytest.mark.django_db

# The option fields whose values are ids, and of which model (None: not scoped, the same for everyone:
# 问题类别 and the reviewers, who are 编办 staff of the round's region and the regions above and below it).
OPTION_MODELS = {
    "department": Department,
    "cooperating": Department,
    "parent": Department,
    "scope_departments": Department,
    "region": Region,
    "scope_regions": Region,
    "round": Round,
    "checklist": Checklist,
    "section": Section,
    "lead_unit": InternalUnit,
    "assist_units": InternalUnit,
    "evidence": Attachment,
    "ids": Rectification,
    "assessment": Assessment,
    "category": IssueCategory,
    "reviewers": None,
}
# Option fields whose values are codes, not ids (是/否 as 1/0, 有整改事项 as 0/1/open).
NOT_IDS = {"overdue", "flagged", "overrun", "leader_overrun", "items"}


def _own(world, role):
    """The department key whose objects a role's pages show: the clerk's, county staff's county's."""
    return {"clerk": "dept", "county_staff": "county", "staff": "dept", "leader": "dept"}[role]


def _pages(world, role):
    """(url) of every list page and every page with a form of choices, for `role`, over its own objects."""
    key = _own(world, role)
    d, issue, item, records = world.departments[key], world.issues[key], world.items[key], world.records[key]
    other_city, other_county = world.departments["other"], world.departments["county2"]
    lists = [
        reverse("ledger:rectification-list"),
        reverse("ledger:issue-list"),
        reverse("registry:department-list"),
        reverse("assessment:assessment-list"),
        reverse("assessment:round-list"),
        reverse("assessment:checklist-list"),
        reverse("ledger:board"),
        reverse("spreadsheets:job-list"),
    ]
    # Filters naming another department or region (a link may carry them) must not add it to the options.
    asked = [
        f"?department={other_city.pk}",
        f"?department={other_county.pk}",
        f"?region={world.regions['city'].pk}",
        f"?region={world.regions['county2'].pk}&department={other_county.pk}",
    ]
    lists += [reverse(name) + query for name in ("ledger:rectification-list", "ledger:issue-list") for query in asked]
    checklist = world.objects["county_draft" if key == "county" else "draft"]
    forms = [
        reverse("registry:department-create"),
        reverse("registry:department-edit", args=[d.pk]),
        *[reverse("registry:record-create", args=[d.pk, kind]) for kind in records],
        reverse("registry:record-edit", args=[d.pk, "duty", records["duty"].pk]),
        reverse("ledger:issue-create"),
        reverse("ledger:issue-edit", args=[issue.pk]),
        reverse("ledger:rectification-create", args=[issue.pk]),
        reverse("ledger:rectification-edit", args=[item.pk]),
        reverse("ledger:rectification-detail", args=[item.pk]),
        reverse("ledger:progress-create", args=[item.pk]),
        reverse("assessment:checklist-create"),
        reverse("assessment:checklist-edit", args=[checklist.pk]),
        reverse("assessment:item-create", args=[checklist.pk]),
        reverse("assessment:round-create"),
        reverse("assessment:round-edit", args=[world.objects["draft_round"].pk]),
        reverse("assessment:round-forms", args=[world.objects["open_round"].pk]),
    ]
    return lists + forms


def _options(html):
    """name -> option values of every <select> and checkbox/radio list on the page."""
    options = {}
    for form in parse(html).forms:
        for name, values in form.options.items():
            options.setdefault(name, set()).update(v for v, _ in values if v not in ("", None))
    return options


@pytest.mark.parametrize("role", ["clerk", "county_staff", "staff", "leader"])
def test_every_option_is_in_the_users_scope(world, client, role):
    user = world.users[role]
    client.force_login(user)
    seen, checked = set(), 0
    for url in _pages(world, role):
        response = client.get(url)
        if response.status_code in (403, 404):  # a page the role may not open offers no options
            continue
        assert response.status_code == 200, url
        for name, values in _options(response.content.decode()).items():
            ids = {v for v in values if re.fullmatch(r"\d+", v)}
            if not ids or name in NOT_IDS:
                continue
            assert name in OPTION_MODELS, f"{url}: options “{name}” are ids of an unknown model: add it here"
            model = OPTION_MODELS[name]
            seen.add(name)
            if model is None or not hasattr(model.objects, "visible_to"):
                continue
            visible = {str(pk) for pk in model.objects.visible_to(user).values_list("pk", flat=True)}
            assert ids <= visible, f"{url}: {name} offers {sorted(ids - visible)}, outside {user}'s scope"
            checked += len(ids)
    assert checked, f"no option was checked for {role}"
    assert {"department", "region"} <= seen


@pytest.mark.parametrize("role", ["clerk", "county_staff"])
def test_no_option_names_another_department_or_region(world, client, role):
    user = world.users[role]
    client.force_login(user)
    own_department = world.departments[_own(world, role)]
    if role == "clerk":
        departments, regions = {own_department.pk}, {own_department.region_id}
    else:
        regions = {world.regions["county"].pk}
        departments = set(Department.objects.filter(region__in=regions).values_list("pk", flat=True))
    for url in _pages(world, role):
        response = client.get(url)
        if response.status_code in (403, 404):
            continue
        options = _options(response.content.decode())
        for name in ("department", "cooperating", "parent", "scope_departments"):
            offered = {int(v) for v in options.get(name, ()) if v.isdigit()}
            assert offered <= departments, f"{url}: {name} offers departments {sorted(offered - departments)}"
        for name in ("region", "scope_regions"):
            offered = {int(v) for v in options.get(name, ()) if v.isdigit()}
            assert offered <= regions, f"{url}: {name} offers regions {sorted(offered - regions)}"


def test_the_clerk_filters_by_their_own_department(world, client):
    """The ledger's 责任单位 filter offered a clerk every department of the city (the reported leak)."""
    client.force_login(world.users["clerk"])
    for name in ("ledger:rectification-list", "ledger:issue-list"):
        options = _options(client.get(reverse(name)).content.decode())
        assert options["department"] == {str(world.departments["dept"].pk)}
