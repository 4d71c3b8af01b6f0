"""QA 5, 9, 10: the error banner names the items; the same file twice is kept once, versions are
numbered; the reviewer may reject a 不适用; a clerk sees per-item review comments while returned."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sanding.assessment import services
from sanding.assessment.choices import AssessmentState
from sanding.assessment.models import Answer, Evidence
from tests.assessment.conftest import PDF, fill_and_submit, full_inputs, items, pdf
from tests.assessment.test_views import sheet_post
from tests.posting import post_form

D = Decimal


def test_failed_save_names_the_items_and_asks_to_choose_files_again(login, clerk, assessment, checklist):
    by_code = items(checklist)
    data = sheet_post(checklist, **{"1_2": "7.3", "1_3": "1.5"})
    data[f"f-{by_code['1.1'].pk}"] = pdf("制度.pdf")
    response = post_form(login(clerk), reverse("assessment:assessment-detail", args=[assessment.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<li>1.2 职责清单：得分须为 0.5 分的整数倍。</li>" in page
    assert "<li>1.3 边界事项：问题处数须为整数。</li>" in page
    assert "本次选择的文件没有保存，浏览器无法保留已选文件，请重新选择后再保存。" in page
    assert Evidence.objects.count() == 0
    assert Answer.objects.filter(assessment=assessment, self_score__isnull=False).count() == 0


def test_failed_save_without_files_does_not_mention_files(login, clerk, assessment, checklist):
    data = sheet_post(checklist, **{"1_2": "11"})
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    page = post_form(login(clerk), url, data).content.decode()
    assert "<li>1.2 职责清单：得分须在 0 至 10 分之间。</li>" in page
    assert "重新选择" not in page


def test_the_same_file_twice_is_listed_once(login, clerk, assessment, checklist):
    by_code = items(checklist)
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    for _ in range(2):
        data = sheet_post(checklist)
        data[f"f-{by_code['1.1'].pk}"] = pdf("制度.pdf")
        response = post_form(client, url, data, follow=True)
    page = response.content.decode()
    assert "该文件已上传：制度.pdf" in page
    assert Evidence.objects.filter(answer__assessment=assessment, withdrawn=False).count() == 1
    data = sheet_post(checklist)
    data[f"f-{by_code['1.1'].pk}"] = pdf("制度.pdf", PDF + b"% v2\n")
    page = post_form(client, url, data, follow=True).content.decode()
    assert Evidence.objects.filter(answer__assessment=assessment, withdrawn=False).count() == 2
    assert page.count('evidence-version">第1版</span>') == 1
    assert page.count('evidence-version">第2版</span>') == 1


def test_reviewer_rejecting_not_applicable_needs_a_score_and_a_reason(assessment, clerk, staff_user, checklist):
    by_code = items(checklist)
    inputs = {
        **{k: v for k, v in full_inputs(checklist).items() if k != by_code["2.2"].pk},
        by_code["2.2"].pk: services.AnswerInput(not_applicable=True, na_reason="本部门无议事协调机构"),
    }
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs, files={by_code["1.1"].pk: pdf()})
    services.assessment_submit(actor=clerk, assessment=assessment)
    item = by_code["2.2"].pk
    with pytest.raises(services.AnswerErrors) as error:
        services.assessment_review_save(
            actor=staff_user, assessment=assessment, inputs={item: services.ReviewInput(value="", reject_na=True)}
        )
    assert error.value.item_errors == {item: "不认可“不适用”时请填写核定分。"}
    with pytest.raises(services.AnswerErrors) as error:
        services.assessment_review_save(
            actor=staff_user, assessment=assessment, inputs={item: services.ReviewInput(value="4", reject_na=True)}
        )
    assert error.value.item_errors == {item: "不认可“不适用”时请在审核意见中说明理由。"}
    answer = Answer.objects.get(assessment=assessment, item=item)
    assert (answer.na_rejected, answer.reviewed_score) == (False, None)
    services.assessment_review_save(
        actor=staff_user,
        assessment=assessment,
        inputs={item: services.ReviewInput(value="4", comment="设有议事协调机构2个", reject_na=True)},
    )
    approved = services.assessment_approve(actor=staff_user, assessment=assessment)
    # 10 + 10 + 6 + 4 + 4 (the rejected 不适用, now counted out of 10) = 34 of 40
    assert (approved.total_score, approved.max_score, approved.percentage) == (D("34"), D("40"), D("85.00"))
    answer.refresh_from_db()
    assert (answer.na_rejected, answer.reviewed_score, answer.not_applicable) == (True, D("4"), True)


def test_accepted_not_applicable_stays_out_of_the_maximum(assessment, clerk, staff_user, checklist):
    by_code = items(checklist)
    inputs = {
        **{k: v for k, v in full_inputs(checklist).items() if k != by_code["2.2"].pk},
        by_code["2.2"].pk: services.AnswerInput(not_applicable=True, na_reason="不涉及"),
    }
    services.assessment_save_draft(actor=clerk, assessment=assessment, inputs=inputs, files={by_code["1.1"].pk: pdf()})
    services.assessment_submit(actor=clerk, assessment=assessment)
    approved = services.assessment_approve(actor=staff_user, assessment=assessment)
    assert (approved.total_score, approved.max_score) == (D("30"), D("30"))


def test_clerk_sees_item_comments_while_returned(login, clerk, staff_user, assessment, checklist):
    by_code = items(checklist)
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_review_save(
        actor=staff_user,
        assessment=assessment,
        inputs={by_code["1.2"].pk: services.ReviewInput(value="8", comment="职责清单未按季度更新")},
    )
    client = login(clerk)
    url = reverse("assessment:assessment-detail", args=[assessment.pk])
    assert "职责清单未按季度更新" not in client.get(url).content.decode()  # submitted: not yet
    services.assessment_return(actor=staff_user, assessment=assessment, reason="请补充佐证")
    page = client.get(url).content.decode()
    assert assessment.state == AssessmentState.RETURNED
    assert "请补充佐证" in page
    assert '<span class="fw-semibold">审核意见：</span>职责清单未按季度更新</div>' in page
    assert ">8</span> 分" not in page  # the reviewed score itself stays hidden until publication
