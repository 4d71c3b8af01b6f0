import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanding.registry.models import Department, Duty, DutyAssignment, InternalUnit, Regulation, StaffingQuota
from tests.factories import (
    DepartmentFactory,
    DutyFactory,
    InternalUnitFactory,
    LeaderPostFactory,
    PlaqueFactory,
    RegulationFactory,
    StaffingQuotaFactory,
)
from tests.posting import post_form


def detail_url(dep):
    return reverse("registry:department-detail", args=[dep.pk])


def quota_edit_url(quota):
    return reverse("registry:record-edit", args=[quota.department_id, "quota", quota.pk])


# --- access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "registry:department-list"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_cannot_open_a_department(client, department):
    response = client.get(detail_url(department))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_clerk_list_shows_own_department_only(login, clerk, department, other_department):
    response = login(clerk).get(reverse("registry:department-list"))
    assert response.status_code == 200
    assert [d.pk for d in response.context["page"]] == [department.pk]
    assert other_department.name not in response.content.decode()


def test_clerk_gets_404_for_another_departments_page(login, clerk, other_department):
    assert login(clerk).get(detail_url(other_department)).status_code == 404


def test_clerk_can_read_own_department_without_edit_links(login, clerk, department):
    response = login(clerk).get(detail_url(department))
    assert response.status_code == 200
    assert reverse("registry:department-edit", args=[department.pk]) not in response.content.decode()


def test_clerk_cannot_post_an_edit_to_another_department(login, clerk, other_department):
    quota = StaffingQuotaFactory(department=other_department, approved=10, actual=8)
    client = login(clerk)
    # Out of scope is indistinguishable from missing: 404, not 403.
    response = client.post(quota_edit_url(quota), {"type": "行政编制", "approved": 99, "actual": 1})
    assert response.status_code == 404
    response = client.post(reverse("registry:department-edit", args=[other_department.pk]), {"name": "改名"})
    assert response.status_code == 404
    quota.refresh_from_db()
    other_department.refresh_from_db()
    assert (quota.approved, quota.actual, other_department.name) == (10, 8, "云州市统计局")


def test_clerk_cannot_edit_even_own_department(login, clerk, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    response = login(clerk).post(quota_edit_url(quota), {"type": "行政编制", "approved": 99, "actual": 1})
    assert response.status_code == 403
    quota.refresh_from_db()
    assert quota.approved == 10


def test_leader_reads_but_gets_403_on_writes(login, leader, department):
    client = login(leader)
    assert client.get(detail_url(department)).status_code == 200
    assert client.get(reverse("registry:department-create")).status_code == 403
    response = client.post(reverse("registry:record-create", args=[department.pk, "unit"]), {"name": "新科室"})
    assert response.status_code == 403
    assert InternalUnit.objects.count() == 0


def test_county_staff_get_404_for_city_department(login, county_staff, department):
    client = login(county_staff)
    assert client.get(detail_url(department)).status_code == 404
    response = client.post(reverse("registry:record-create", args=[department.pk, "unit"]), {"name": "新科室"})
    assert response.status_code == 404
    assert InternalUnit.objects.count() == 0


def test_county_staff_list_excludes_city(login, county_staff, department, county_department):
    response = login(county_staff).get(reverse("registry:department-list"))
    assert [d.pk for d in response.context["page"]] == [county_department.pk]


def test_record_of_another_department_is_404_through_a_visible_department(
    login, staff_user, department, other_department
):
    quota = StaffingQuotaFactory(department=other_department)
    url = reverse("registry:record-edit", args=[department.pk, "quota", quota.pk])
    assert login(staff_user).get(url).status_code == 404


def test_unknown_record_kind_is_404(login, staff_user, department):
    assert login(staff_user).get(f"/registry/departments/{department.pk}/secret/new/").status_code == 404


# --- list, filters, search -------------------------------------------------------------------------


def test_list_filters_by_overrun(login, staff_user, department, other_department):
    StaffingQuotaFactory(department=department, approved=5, actual=7)
    StaffingQuotaFactory(department=other_department, approved=5, actual=4)
    client = login(staff_user)
    over = client.get(reverse("registry:department-list"), {"overrun": "1"})
    not_over = client.get(reverse("registry:department-list"), {"overrun": "0"})
    assert [d.pk for d in over.context["page"]] == [department.pk]
    assert [d.pk for d in not_over.context["page"]] == [other_department.pk]


def test_list_filters_by_leader_overrun(login, staff_user, department, other_department):
    LeaderPostFactory(department=department, approved=2, actual=3)
    LeaderPostFactory(department=other_department, approved=2, actual=2)
    response = login(staff_user).get(reverse("registry:department-list"), {"leader_overrun": "1"})
    assert [d.pk for d in response.context["page"]] == [department.pk]


@pytest.mark.parametrize("term", ["市场监督", "市市场监管局", "食安办", "YZ030"])
def test_list_search_by_name_short_name_alias_or_code(login, staff_user, department, other_department, term):
    Department.objects.filter(pk=department.pk).update(aliases="市场监管局、食安办")
    response = login(staff_user).get(reverse("registry:department-list"), {"q": term})
    assert [d.pk for d in response.context["page"]] == [department.pk]


def test_list_filters_by_region_category_and_status(login, staff_user, department, county_department):
    Department.objects.filter(pk=department.pk).update(category="党委工作机关")
    client = login(staff_user)
    by_region = client.get(reverse("registry:department-list"), {"region": county_department.region_id})
    by_category = client.get(reverse("registry:department-list"), {"category": "党委工作机关"})
    by_status = client.get(reverse("registry:department-list"), {"status": "abolished"})
    assert [d.pk for d in by_region.context["page"]] == [county_department.pk]
    assert [d.pk for d in by_category.context["page"]] == [department.pk]
    assert list(by_status.context["page"]) == []


def test_list_is_paginated(login, staff_user, city, settings):
    settings.PAGE_SIZE = 5
    DepartmentFactory.create_batch(12, region=city)
    response = login(staff_user).get(reverse("registry:department-list"), {"page": 3})
    assert (len(response.context["page"]), response.context["page"].paginator.num_pages) == (2, 3)


def test_list_htmx_request_returns_the_table_fragment(login, staff_user, department):
    response = login(staff_user).get(reverse("registry:department-list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert department.name in content


# --- query counts stay flat -----------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_full_department(region, n):
    dep = DepartmentFactory(region=region)
    regulation = RegulationFactory(department=dep)
    units = [InternalUnitFactory(department=dep) for _ in range(n)]
    for i, unit in enumerate(units):
        duty = DutyFactory(regulation=regulation, seq=i + 1)
        DutyAssignment.objects.create(duty=duty, unit=unit, role="lead")
    for level in ["部门正职", "部门副职"][: max(1, min(n, 2))]:
        LeaderPostFactory(department=dep, level=level)
    for t in ["行政编制", "工勤编制"][: max(1, min(n, 2))]:
        StaffingQuotaFactory(department=dep, type=t)
    for _ in range(n):
        PlaqueFactory(department=dep)
    return dep


def test_department_list_query_count_is_flat(login, staff_user, city):
    client = login(staff_user)
    for _ in range(3):
        make_full_department(city, 2)
    small = count_queries(client, reverse("registry:department-list"))
    for _ in range(12):
        make_full_department(city, 2)
    assert count_queries(client, reverse("registry:department-list")) == small


def test_department_page_query_count_is_flat(login, staff_user, city):
    client = login(staff_user)
    small_dep = make_full_department(city, 2)
    big_dep = make_full_department(city, 15)
    assert count_queries(client, detail_url(big_dep)) == count_queries(client, detail_url(small_dep))


def test_home_query_count_is_flat(login, staff_user, city, county):
    client = login(staff_user)
    make_full_department(city, 1)
    small = count_queries(client, reverse("home"))
    for _ in range(6):
        make_full_department(county, 2)
    assert count_queries(client, reverse("home")) == small


# --- home figures -----------------------------------------------------------------------------------


def test_home_shows_region_figures(login, staff_user, department, other_department, county_department):
    StaffingQuotaFactory(department=department, approved=10, actual=12)
    StaffingQuotaFactory(department=other_department, approved=20, actual=15)
    StaffingQuotaFactory(department=county_department, approved=7, actual=7)
    LeaderPostFactory(department=other_department, approved=1, actual=2)
    totals = login(staff_user).get(reverse("home")).context["figures"].totals
    # 空编 and 超编 are summed per quota: the city's overrun of 2 does not hide the 5 vacant places.
    assert totals == {
        "departments": 3,
        "staffing_overrun": 1,
        "leader_overrun": 1,
        "approved": 37,
        "actual": 34,
        "vacancy": 5,
        "overrun": 2,
    }


# --- writes -----------------------------------------------------------------------------------------


def test_staff_creates_a_department_with_history(login, staff_user, city):
    response = post_form(
        login(staff_user),
        reverse("registry:department-create"),
        {
            "code": "YZ099",
            "name": "云州市数据局",
            "short_name": "市数据局",
            "aliases": "数据局",
            "region": city.pk,
            "category": "政府工作部门",
            "rank": "正处级",
            "status": "active",
            "notes": "",
        },
    )
    dep = Department.objects.get(code="YZ099")
    assert response.status_code == 302
    assert response["Location"] == dep.get_absolute_url()
    assert [(h.history_type, h.history_user) for h in dep.history.all()] == [("+", staff_user)]


def test_department_form_keeps_input_and_explains_errors_in_chinese(login, staff_user, city, department):
    response = post_form(
        login(staff_user),
        reverse("registry:department-create"),
        {
            "code": "YZ098",
            "name": department.name,
            "region": city.pk,
            "category": "政府工作部门",
            "rank": "正处级",
            "status": "active",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "本区划已有同名部门。" in content
    assert 'value="YZ098"' in content
    assert Department.objects.filter(code="YZ098").exists() is False


def test_staff_edits_quota_and_history_records_the_change(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    response = login(staff_user).post(
        quota_edit_url(quota),
        {
            "type": "行政编制",
            "approved": 10,
            "actual": 11,
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    quota.refresh_from_db()
    assert (quota.actual, quota.overrun, quota.version) == (11, 1, 2)
    latest = quota.history.first()
    assert (latest.history_type, latest.history_user, latest.actual) == ("~", staff_user, 11)


def test_stale_edit_is_refused_with_current_values(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    client = login(staff_user)
    client.post(quota_edit_url(quota), {"type": "行政编制", "approved": 10, "actual": 9, "expected_version": 1})
    response = client.post(
        quota_edit_url(quota), {"type": "行政编制", "approved": 12, "actual": 8, "expected_version": 1}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "该记录已被他人修改" in content
    assert "当前已保存的内容（版本 2）" in content
    quota.refresh_from_db()
    assert (quota.approved, quota.actual) == (10, 9)


def test_negative_count_is_refused_in_chinese(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    response = login(staff_user).post(
        quota_edit_url(quota), {"type": "行政编制", "approved": -1, "actual": 8, "expected_version": 1}
    )
    assert response.status_code == 200
    assert "确保该值大于或等于0" in response.content.decode()
    quota.refresh_from_db()
    assert quota.approved == 10


def test_duplicate_quota_type_is_refused_in_chinese(login, staff_user, department):
    StaffingQuotaFactory(department=department, type="行政编制")
    response = post_form(
        login(staff_user),
        reverse("registry:record-create", args=[department.pk, "quota"]),
        {"type": "行政编制", "approved": 3, "actual": 3},
    )
    assert response.status_code == 200
    assert "该部门已有此类型的编制记录。" in response.content.decode()
    assert StaffingQuota.objects.filter(department=department).count() == 1


def test_new_current_regulation_supersedes_the_old_one(login, staff_user, department):
    old = RegulationFactory(department=department, doc_no="云编发〔2019〕1号")
    response = post_form(
        login(staff_user),
        reverse("registry:record-create", args=[department.pk, "regulation"]),
        {
            "doc_no": "云编发〔2024〕7号",
            "title": "",
            "issued_on": "2024-03-01",
            "is_current": "on",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    current = Regulation.objects.get(department=department, is_current=True)
    assert (current.doc_no, old.is_current) == ("云编发〔2024〕7号", False)
    assert old.history.first().history_change_reason == "被新的现行“三定”规定取代"


def test_duty_is_assigned_to_lead_and_assisting_units(login, staff_user, department):
    RegulationFactory(department=department)
    office = InternalUnitFactory(department=department, name="办公室")
    law = InternalUnitFactory(department=department, name="法规科")
    finance = InternalUnitFactory(department=department, name="财务科")
    client = login(staff_user)
    url = reverse("registry:record-create", args=[department.pk, "duty"])
    response = post_form(
        client,
        url,
        {
            "seq": 1,
            "text": "负责食品安全监管。",
            "change_type": "加强",
            "lead_unit": office.pk,
            "assist_units": [law.pk, finance.pk],
        },
    )
    assert response.status_code == 302
    duty = Duty.objects.get()
    assert sorted((a.unit.name, a.role) for a in duty.assignments.all()) == [
        ("办公室", "lead"),
        ("法规科", "assist"),
        ("财务科", "assist"),
    ]
    # Swap the lead: the old lead becomes an assistant, the constraint of one lead holds throughout.
    edit = reverse("registry:record-edit", args=[department.pk, "duty", duty.pk])
    response = client.post(
        edit,
        {
            "seq": 1,
            "text": "负责食品安全监管。",
            "change_type": "加强",
            "lead_unit": law.pk,
            "assist_units": [office.pk],
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    assert sorted((a.unit.name, a.role) for a in duty.assignments.all()) == [("办公室", "assist"), ("法规科", "lead")]


def test_duty_needs_a_current_regulation(login, staff_user, department):
    response = post_form(
        login(staff_user),
        reverse("registry:record-create", args=[department.pk, "duty"]),
        {"seq": 1, "text": "x", "change_type": "新增"},
    )
    assert response.status_code == 200
    assert "该部门尚无现行“三定”规定" in response.content.decode()
    assert Duty.objects.count() == 0


def test_unit_archive_needs_confirmation_and_keeps_the_row(login, staff_user, department):
    unit = InternalUnitFactory(department=department, name="临时科")
    client = login(staff_user)
    url = reverse("registry:record-archive", args=[department.pk, "unit", unit.pk])
    confirm = client.get(url)
    assert "确定归档“临时科”吗？" in confirm.content.decode()
    unit.refresh_from_db()
    assert unit.archived is False
    client.post(url, {"action": "archive"})
    unit.refresh_from_db()
    assert unit.archived is True
    page = client.get(detail_url(department))
    assert (page.context["units"], page.context["archived"]) == ([], [("内设机构", "unit", unit)])
    client.post(url, {"action": "restore"})
    unit.refresh_from_db()
    assert unit.archived is False


def test_quotas_cannot_be_archived(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department)
    url = reverse("registry:record-archive", args=[department.pk, "quota", quota.pk])
    assert login(staff_user).post(url).status_code == 404


def test_department_page_shows_changes_in_history(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    client = login(staff_user)
    client.post(quota_edit_url(quota), {"type": "行政编制", "approved": 10, "actual": 12, "expected_version": 1})
    history = client.get(detail_url(department)).context["history"]
    assert (history[0].kind, history[0].who, history[0].changes) == ("修改", staff_user, [("实有数", 8, 12)])


def test_history_names_related_records_and_choices(login, staff_user, city, county, department):
    client = login(staff_user)
    url = reverse("registry:department-edit", args=[department.pk])
    data = {
        "code": department.code,
        "name": department.name,
        "short_name": "",
        "aliases": "",
        "region": county.pk,
        "category": "党委工作机关",
        "rank": "正处级",
        "status": "merged",
        "notes": "",
        "expected_version": 1,
    }
    assert client.post(url, data).status_code == 302
    entry = client.get(detail_url(department)).context["history"][0]
    assert sorted(entry.changes) == sorted(
        [
            ("所属区划", "云州市", "云州市云城区"),
            ("部门类别", "政府工作部门", "党委工作机关"),
            ("状态", "正常", "已合并"),
            ("简称", "市市场监管局", ""),
        ]
    )


def test_after_a_stale_refusal_saving_again_replaces_the_stored_values(login, staff_user, department):
    quota = StaffingQuotaFactory(department=department, approved=10, actual=8)
    client = login(staff_user)
    client.post(quota_edit_url(quota), {"type": "行政编制", "approved": 10, "actual": 9, "expected_version": 1})
    refused = client.post(
        quota_edit_url(quota), {"type": "行政编制", "approved": 12, "actual": 8, "expected_version": 1}
    )
    assert refused.context["form"]["expected_version"].value() == 2
    again = client.post(quota_edit_url(quota), {"type": "行政编制", "approved": 12, "actual": 8, "expected_version": 2})
    quota.refresh_from_db()
    assert (again.status_code, quota.approved, quota.actual, quota.version) == (302, 12, 8, 3)


def test_plaque_names_are_unique_in_a_department(login, staff_user, department):
    PlaqueFactory(department=department, name="云州市知识产权局")
    url = reverse("registry:record-create", args=[department.pk, "plaque"])
    response = post_form(login(staff_user), url, {"name": "云州市知识产权局", "authorised": "on", "hung": "on"})
    assert response.status_code == 200
    assert "本部门已有同名牌子。" in response.content.decode()
    assert department.plaques.count() == 1


def test_search_by_code_prefix_and_chinese_sort_labels(login, staff_user, department, other_department):
    response = login(staff_user).get(reverse("registry:department-list"), {"q": "yz03"})
    labels = [label for _, label in response.context["filter"].form.fields["ordering"].choices]
    assert sorted(d.pk for d in response.context["page"]) == sorted([department.pk, other_department.pk])
    assert "代码（降序）" in labels
    assert not [label for label in labels if "descending" in label]


def test_duplicate_department_code_is_explained(login, staff_user, city, department):
    response = post_form(
        login(staff_user),
        reverse("registry:department-create"),
        {
            "code": "YZ030",
            "name": "另一个局",
            "region": city.pk,
            "category": "政府工作部门",
            "rank": "正处级",
            "status": "active",
        },
    )
    assert "部门代码已存在。" in response.content.decode()
