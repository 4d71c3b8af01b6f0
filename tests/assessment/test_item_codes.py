"""QA 1: item codes are unique within a checklist, auto-numbering never collides, carry-over matches
robustly (same item, else an unambiguous code, else an unambiguous text; never a guess)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from sanding.assessment import services
from sanding.assessment.choices import RoundState, ScoringRule
from sanding.assessment.models import Answer, Assessment, Item, Round, Section
from tests.assessment.conftest import build_checklist, deadlines, fill_and_submit, items

D = Decimal


@pytest.fixture
def draft(city):
    return build_checklist(city, name="草稿表", publish=False)


def new_item(section, code="", text="新细则"):
    return Item(section=section, code=code, text=text, rule=ScoringRule.YES_NO, max_points=D("2"))


def test_item_form_refuses_a_code_already_used_in_the_checklist(login, staff_user, draft):
    section = Section.objects.get(checklist=draft, seq=2)
    url = reverse("assessment:item-create", args=[draft.pk])
    data = {"section": section.pk, "code": "1.2", "text": "重复编号", "rule": "yes_no", "max_points": "2"}
    response = login(staff_user).post(url, data)
    assert response.status_code == 200
    assert "编号“1.2”在本评分表中已被“职责清单”使用，同一评分表内编号不能重复。" in response.content.decode()
    assert Item.objects.filter(checklist=draft, code="1.2").count() == 1
    assert Item.objects.filter(checklist=draft).count() == 5


def test_item_save_refuses_a_duplicate_code_and_writes_nothing(staff_user, draft):
    section = Section.objects.get(checklist=draft, seq=2)
    with pytest.raises(ValidationError) as error:
        services.item_save(actor=staff_user, item=new_item(section, code="2.1"))
    assert error.value.message_dict == {
        "code": ["编号“2.1”在本评分表中已被“未擅自增设机构”使用，同一评分表内编号不能重复。"]
    }
    assert Item.objects.filter(checklist=draft).count() == 5


def test_the_database_refuses_a_duplicate_code_in_one_checklist(draft):
    section = Section.objects.get(checklist=draft, seq=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        new_item(section, code="1.1").save()
    assert Item.objects.filter(checklist=draft, code="1.1").count() == 1


def test_the_same_code_is_fine_in_another_checklist_and_after_removal(staff_user, draft, city):
    other = build_checklist(city, name="另一张表", publish=False)
    assert Item.objects.filter(code="1.1").count() == 2  # one per checklist
    old = Item.objects.get(checklist=draft, code="2.2")
    services.part_archive(actor=staff_user, obj=old)
    section = Section.objects.get(checklist=draft, seq=2)
    saved = services.item_save(actor=staff_user, item=new_item(section, code="2.2", text="替代细则"))
    assert (saved.code, saved.checklist_id) == ("2.2", draft.pk)
    assert Item.objects.filter(checklist=other, code="2.2").count() == 1


def test_auto_numbering_skips_codes_already_used(staff_user, draft):
    first, second = Section.objects.filter(checklist=draft).order_by("seq")
    services.item_save(actor=staff_user, item=new_item(second, code="1.4", text="手工编号"))
    auto = services.item_save(actor=staff_user, item=new_item(first))
    assert auto.code == "1.5"
    again = services.item_save(actor=staff_user, item=new_item(first, text="再一条"))
    assert again.code == "1.6"


def test_item_checklist_is_set_from_its_section(draft):
    section = Section.objects.get(checklist=draft, seq=1)
    item = new_item(section, code="9.9")
    item.save()
    assert item.checklist_id == draft.pk


def _next_round(checklist, staff_user, department, name="下一轮"):
    nxt = Round(region=checklist.region, name=name, checklist=checklist, **deadlines())
    services.round_create(actor=staff_user, round_=nxt, departments=[department])
    services.round_transition(actor=staff_user, round_=nxt, to_state=RoundState.OPEN)
    return Assessment.objects.select_related("round").get(round=nxt)


def test_carry_over_follows_the_code_into_a_new_edition_whatever_the_order(
    assessment, clerk, staff_user, checklist, department
):
    fill_and_submit(assessment, clerk, checklist, **{"1_2": "7"})
    services.assessment_approve(actor=staff_user, assessment=assessment)
    copy = services.checklist_copy(actor=staff_user, checklist=checklist)
    moved = Item.objects.get(checklist=copy, code="1.2")
    moved.text = "职责清单（修订）"
    services.item_save(actor=staff_user, item=moved)
    services.part_move(actor=staff_user, obj=moved, direction=-1)  # now first in its section
    services.checklist_publish(actor=staff_user, checklist=copy)
    new = _next_round(copy, staff_user, department)
    assert services.assessment_carry_over(actor=clerk, assessment=new) == 5
    carried = dict(
        Answer.objects.filter(assessment=new).values_list("item__code", "explanation").order_by("item__code")
    )
    assert carried == {"1.1": "说明1.1", "1.2": "说明1.2", "1.3": "说明1.3", "2.1": "说明2.1", "2.2": "说明2.2"}
    assert Answer.objects.get(assessment=new, item__code="1.2").carried_score == D("7")


def answer(pk, item_id, code, text):
    return SimpleNamespace(pk=pk, item_id=item_id, item=SimpleNamespace(code=code, text=text))


def test_match_previous_never_guesses_between_two_items_with_one_code():
    old = [answer(1, 11, "1.2", "职责清单"), answer(2, 12, "1.2", "权责清单"), answer(3, 13, "1.3", "边界事项")]
    new = [answer(21, 31, "1.2", "权责清单"), answer(22, 32, "1.3", "边界事项"), answer(23, 33, "1.4", "新增细则")]
    pairs = services.match_previous(new, old)
    # 1.2 is ambiguous in the old form: matched by its unique text instead; 1.4 has no counterpart.
    assert {k: v.pk for k, v in pairs.items()} == {21: 2, 22: 3}


def test_match_previous_prefers_the_same_item():
    old = [answer(1, 11, "1.1", "甲"), answer(2, 12, "1.2", "乙")]
    new = [answer(21, 12, "1.1", "乙")]  # same item, code edited in place
    assert {k: v.pk for k, v in services.match_previous(new, old).items()} == {21: 2}


def test_carry_over_copies_by_item_within_the_same_checklist(assessment, clerk, staff_user, checklist, department):
    by_code = items(checklist)
    fill_and_submit(assessment, clerk, checklist)
    services.assessment_approve(actor=staff_user, assessment=assessment)
    new = _next_round(checklist, staff_user, department)
    services.assessment_carry_over(actor=clerk, assessment=new)
    for code, item in by_code.items():
        assert Answer.objects.get(assessment=new, item=item).explanation == f"说明{code}"
