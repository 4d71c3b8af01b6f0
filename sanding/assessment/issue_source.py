"""A self-assessment answer as the record a ledger issue is raised from (settings.LEDGER_ISSUE_SOURCES;
the functions' contract is in sanding/ledger/sources.py). The ledger imports nothing of this app."""

from sanding.accounts.scoping import get_visible_or_404

from .models import Answer


def draft(*, pk, user):
    """A reviewed answer's department, section title, description parts (round, item, score, review comment)
    and the assessment's page; 404 when the user cannot see the answer."""
    answer = get_visible_or_404(
        Answer.objects.select_related("assessment__department", "assessment__round", "item__section"),
        user,
        pk=pk,
    )
    section, item = answer.item.section, answer.item
    score = answer.final_score
    lines = [f"{answer.assessment.round}：{section.title} — {item.text}"]
    if score is not None:
        lines.append(f"得分 {score} / {item.max_points}")
    if answer.review_comment:
        lines.append(f"审核意见：{answer.review_comment}")
    return {
        "department": answer.assessment.department_id,
        "topic": section.title,
        "lines": lines,
        "url": answer.assessment.get_absolute_url(),
    }


def describe(*, pk, user, url):
    """“来自自查评估：<round> · <department>” for an answer the user can see; one they cannot see is named
    without details or a link."""
    answer = (
        Answer.objects.visible_to(user)
        .select_related("assessment__round", "assessment__department")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if answer is None:
        return {"label": "来自自查评估", "url": ""}
    assessment = answer.assessment
    return {
        "label": f"来自自查评估：{assessment.round} · {assessment.department}",
        "url": url or assessment.get_absolute_url(),
    }
