from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from sanding.assessment import services
from sanding.assessment.choices import AssessmentState, RoundState
from sanding.assessment.models import Answer, Checklist, Evidence, Round
from tests.assessment.conftest import fill_and_submit, items, pdf
from tests.factories import DepartmentFactory, UserFactory
from tests.posting import post_form

D = Decimal


def sheet_post(checklist, **values):
    by_code = items(checklist)
    data = {"action": "save"}
    defaults = {"1.1": "1", "1.2": "10", "1.3": "0", "2.1": "1", "2.2": "10"}
    defaults.update({k.replace("_", "."): v for k, v in values.items()})
    for code, value in defaults.items():
        data[f"v-{by_code[code].pk}"] = value
        data[f"ex-{by_code[code].pk}"] = f"说明{code}"
    return data


def test_anonymous_is_sent_to_login(client, assessment, open_round, checklist):
    for url in [
        reverse("assessment:assessment-list"),
        reverse("assessment:assessment-detail", args=[assessment.pk]),
        reverse("assessment:round-detail", args=[open_round.pk]),
        reverse("assessment:checklist-detail", args=[checklist.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_clerk_fills_saves_and_submits_through_the_view(login, clerk, assessment, checklist):
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    data = sheet_post(checklist, **{"1_2": "7.5"})
    data[f"f-{items(checklist)['1.1'].pk}"] = pdf("制度文件.pdf")
    data["expected_version"] = assessment.version
    response = client.post(url, data)
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment, item__code="1.2").self_score == D("7.5")
    assert list(Evidence.objects.filter(answer__assessment=assessment).values_list("original_name", flat=True)) == [
        "制度文件.pdf"
    ]
    page = client.get(url).content.decode()
    assert 'value="7.5"' in page
    assert "制度文件.pdf" in page
    data = sheet_post(checklist, **{"1_2": "7.5"})
    data["action"] = "submit"
    response = post_form(client, url, data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED
    page = client.get(url).content.decode()
    assert 'name="v-' not in page  # read-only after submit


def test_invalid_input_is_kept_with_a_chinese_error(login, clerk, assessment, checklist):
    client = login(clerk)
    response = post_form(
        client, reverse("assessment:assessment-detail", args=[assessment.pk]), sheet_post(checklist, **{"1_2": "12"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "得分须在 0 至 10 分之间。" in page
    assert 'value="12"' in page
    assert "说明1.3" in page
    assert Answer.objects.filter(assessment=assessment, self_score__isnull=False).count() == 0


def test_clerk_cannot_read_or_write_another_departments_form(login, clerk, other_assessment, other_clerk, checklist):
    fill_and_submit_draft = services.assessment_save_draft
    by_code = items(checklist)
    fill_and_submit_draft(
        actor=other_clerk,
        assessment=other_assessment,
        inputs={by_code["1.2"].pk: services.AnswerInput(value="3", explanation="机密说明")},
        files={by_code["1.1"].pk: pdf("统计局材料.pdf")},
    )
    evidence = Evidence.objects.get(answer__assessment=other_assessment)
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[other_assessment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, sheet_post(checklist, **{"1_2": "10"})).status_code == 404
    assert client.get(reverse("assessment:evidence-download", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("assessment:evidence-withdraw", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("assessment:assessment-return", args=[other_assessment.pk])).status_code == 404
    listing = client.get(reverse("assessment:assessment-list")).content.decode()
    assert "市统计局" not in listing
    answer = Answer.objects.get(assessment=other_assessment, item__code="1.2")
    assert (answer.self_score, answer.explanation) == (D("3"), "机密说明")
    assert Evidence.objects.get(pk=evidence.pk).withdrawn is False


def test_evidence_download_is_permission_checked(login, clerk, assessment, checklist, staff_user, county_staff):
    answer = Answer.objects.get(assessment=assessment, item__code="1.1")
    evidence = services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("a.pdf"))
    url = reverse("assessment:evidence-download", args=[evidence.pk])
    response = login(clerk).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")
    assert login(staff_user).get(url).status_code == 200
    assert login(county_staff).get(url).status_code == 404
    assert "/media/" not in evidence.get_absolute_url()


def test_leader_reads_but_gets_403_on_writes(login, leader, assessment, open_round, checklist, clerk):
    client = login(leader)
    assert client.get(reverse("assessment:round-detail", args=[open_round.pk])).status_code == 200
    assert client.get(reverse("assessment:assessment-detail", args=[assessment.pk])).status_code == 200
    fill_and_submit(assessment, clerk, checklist)
    assert (
        client.post(reverse("assessment:assessment-detail", args=[assessment.pk]), sheet_post(checklist)).status_code
        == 403
    )
    assert client.post(reverse("assessment:assessment-approve", args=[assessment.pk])).status_code == 403
    assert (
        client.post(reverse("assessment:assessment-return", args=[assessment.pk]), {"reason": "x"}).status_code == 403
    )
    assert client.post(reverse("assessment:round-action", args=[open_round.pk, "review"])).status_code == 403
    assert client.post(reverse("assessment:round-create"), {"name": "x"}).status_code == 403
    assert client.post(reverse("assessment:checklist-publish", args=[checklist.pk])).status_code == 403
    assessment.refresh_from_db()
    open_round.refresh_from_db()
    assert (assessment.state, open_round.state) == (AssessmentState.SUBMITTED, RoundState.OPEN)


def test_clerk_gets_403_on_staff_actions(login, clerk, assessment, open_round, checklist):
    client = login(clerk)
    fill_and_submit(assessment, clerk, checklist)
    assert client.post(reverse("assessment:assessment-approve", args=[assessment.pk])).status_code == 403
    assert client.get(reverse("assessment:checklist-list")).status_code == 403
    assert client.post(reverse("assessment:round-action", args=[open_round.pk, "review"])).status_code == 403
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.SUBMITTED


def test_staff_reviews_returns_and_approves_through_views(login, staff_user, clerk, assessment, checklist):
    fill_and_submit(assessment, clerk, checklist)
    client = login(staff_user)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    by_code = items(checklist)
    response = client.post(
        url,
        {
            "action": "review",
            "expected_version": assessment.version,
            f"rv-{by_code['1.2'].pk}": "8",
            f"rc-{by_code['1.2'].pk}": "扣2分",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    response = client.post(
        reverse("assessment:assessment-approve", args=[assessment.pk]), {"expected_version": assessment.version}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.state, assessment.total_score, assessment.rank) == ("approved", D("38"), 1)


def test_stale_review_shows_message_and_current_values(login, staff_user, clerk, assessment, checklist, city):
    fill_and_submit(assessment, clerk, checklist)
    by_code = items(checklist)
    loaded = assessment.version
    services.assessment_review_save(
        actor=staff_user, assessment=assessment, inputs={by_code["1.2"].pk: services.ReviewInput("6", "甲的意见")}
    )
    other = UserFactory(username="staff2", role="staff", region=city)
    response = login(other).post(
        reverse("assessment:assessment-detail", args=[assessment.pk]),
        {
            "action": "review",
            "expected_version": loaded,
            f"rv-{by_code['1.2'].pk}": "9",
            f"rc-{by_code['1.2'].pk}": "乙的意见",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "该记录已被他人修改" in page
    assert "当前已保存：6 分；甲的意见" in page
    assert "乙的意见" in page
    assert Answer.objects.get(assessment=assessment, item__code="1.2").review_comment == "甲的意见"


def test_clerk_sees_results_only_after_publication(login, clerk, staff_user, assessment, open_round, checklist):
    fill_and_submit(assessment, clerk, checklist)
    by_code = items(checklist)
    services.assessment_review_save(
        actor=staff_user, assessment=assessment, inputs={by_code["1.2"].pk: services.ReviewInput("6", "审核扣分意见")}
    )
    services.assessment_approve(actor=staff_user, assessment=assessment)
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "审核扣分意见" not in page
    assert "核定总分" not in page
    assert client.get(reverse("assessment:round-export", args=[open_round.pk])).status_code == 403
    services.round_transition(actor=staff_user, round_=open_round, to_state=RoundState.REVIEWING)
    services.round_transition(actor=staff_user, round_=open_round, to_state=RoundState.CLOSED)
    services.round_publish(actor=staff_user, round_=open_round)
    page = client.get(url).content.decode()
    assert "审核扣分意见" in page
    assert "核定总分" in page
    assert client.get(reverse("assessment:round-export", args=[open_round.pk])).status_code == 200


def test_ledger_button_only_when_the_ledger_route_exists(login, staff_user, clerk, assessment, checklist):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "5"})
    services.assessment_approve(actor=staff_user, assessment=assessment)
    page = login(staff_user).get(reverse("assessment:assessment-detail", args=[assessment.pk])).content.decode()
    answer = Answer.objects.get(assessment=assessment, item__code="1.2")
    try:
        url = reverse("ledger:issue-create")
    except NoReverseMatch:
        assert "登记问题台账" not in page
    else:
        assert f"{url}?assessment_answer={answer.pk}" in page
        full = Answer.objects.get(assessment=assessment, item__code="1.1")
        assert f"?assessment_answer={full.pk}" not in page


def test_staff_builds_a_checklist_in_the_browser_views(login, staff_user, city):
    client = login(staff_user)
    response = post_form(client, reverse("assessment:checklist-create"), {"name": "新评分表", "region": city.pk})
    checklist = Checklist.objects.get(name="新评分表")
    assert response.status_code == 302
    post_form(client, reverse("assessment:section-create", args=[checklist.pk]), {"title": "甲"})
    post_form(client, reverse("assessment:section-create", args=[checklist.pk]), {"title": "乙"})
    second = checklist.sections.get(title="乙")
    response = client.post(
        reverse("assessment:part-move", args=[checklist.pk, "section", second.pk, "up"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert list(checklist.sections.order_by("seq").values_list("title", flat=True)) == ["乙", "甲"]
    response = post_form(
        client,
        reverse("assessment:item-create", args=[checklist.pk]),
        {"section": second.pk, "text": "细则", "rule": "scale", "max_points": "5", "step": "0.3", "cat_0": "不适用"},
    )
    assert "分值须为打分步长的整数倍。" in response.content.decode()
    response = post_form(
        client,
        reverse("assessment:item-create", args=[checklist.pk]),
        {
            "section": second.pk,
            "text": "细则",
            "rule": "scale",
            "max_points": "5",
            "step": "0.5",
            "cat_0": "不适用",
            "cat_3": "3",
        },
    )
    assert response.status_code == 302
    item = second.items.get()
    assert sorted(item.category_rules.values_list("category", "excluded", "max_points")) == [
        ("党委工作机关", True, None),
        ("直属事业单位", False, D("3.00")),
    ]
    post_form(client, reverse("assessment:checklist-publish", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.status == "draft"  # section 甲 has no item
    client.post(
        reverse("assessment:part-archive", args=[checklist.pk, "section", checklist.sections.get(title="甲").pk])
    )
    post_form(client, reverse("assessment:checklist-publish", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.status == "published"
    response = client.get(reverse("assessment:item-edit", args=[checklist.pk, item.pk]))
    assert response.status_code == 302


def test_staff_creates_a_round_by_category(
    login, staff_user, checklist, department, other_department, county_department, city
):
    DepartmentFactory(region=city, category="党委工作机关", code="YZ001")
    response = post_form(
        login(staff_user),
        reverse("assessment:round-create"),
        {
            "name": "第三季度",
            "region": city.pk,
            "checklist": checklist.pk,
            "scope_categories": ["政府工作部门"],
            "scope_regions": [city.pk],
        },
    )
    assert response.status_code == 302
    round_ = Round.objects.get(name="第三季度")
    assert sorted(round_.assessments.values_list("department__code", flat=True)) == ["YZ030", "YZ031"]


def test_department_page_shows_the_trend_across_rounds(
    login, staff_user, clerk, assessment, open_round, checklist, department
):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "6"})
    services.assessment_approve(actor=staff_user, assessment=assessment)
    url = reverse("registry:department-detail", args=[department.pk])
    page = login(staff_user).get(url).content.decode()
    assert 'id="assessment-trend"' in page
    assert '<td class="num">90%</td>' in page
    clerk_page = login(clerk).get(url).content.decode()
    assert '<td class="num">90%</td>' not in clerk_page  # not published yet
