from collections import Counter

from sanding.assessment.models import Answer, Assessment, Checklist, Evidence, Item, Round
from sanding.core.demo import load_demo


def snapshot():
    return {
        "checklists": list(Checklist.objects.order_by("pk").values_list("name", "status", "version")),
        "items": Item.objects.count(),
        "rounds": list(Round.objects.order_by("pk").values_list("name", "state", "version")),
        "states": sorted(Assessment.objects.values_list("round__name", "state", "total_score", "rank", "version")),
        "answers": sorted(Answer.objects.values_list("assessment_id", "item_id", "self_score", "reviewed_score")),
        "evidence": Evidence.objects.count(),
    }


def test_demo_is_complete_and_idempotent(db):
    load_demo()
    first = snapshot()
    load_demo()
    assert snapshot() == first
    standard = Checklist.objects.get(name="“三定”规定落实情况自查评分表")
    assert 20 <= Item.objects.filter(section__checklist=standard).count() <= 30
    assert sum(Item.objects.filter(section__checklist=standard).values_list("max_points", flat=True)) == 100
    assert list(standard.sections.values_list("title", flat=True)) == [
        "职能配置与职责履行",
        "内设机构设置",
        "人员编制与领导职数",
        "机构挂牌与规范",
        "议事协调机构",
    ]
    core = Checklist.objects.get(name="核心职能履行评估表")
    assert [s.items.count() for s in core.sections.all()] == [3, 3, 3]
    closed = Round.objects.get(state="closed")
    assert closed.published_at is not None
    states = Counter(closed.assessments.values_list("state", flat=True))
    assert states["approved"] > states["submitted"]
    opened = Round.objects.get(state="open")
    assert set(opened.assessments.values_list("state", flat=True)) == {
        "not_started",
        "in_progress",
        "submitted",
        "returned",
        "approved",
    }
