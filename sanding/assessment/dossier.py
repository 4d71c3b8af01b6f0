"""The department page's assessment section (settings.DOSSIER_SECTIONS)."""

from . import selectors


def section(*, department, user):
    """Approved results across rounds (the trend) and forms still in progress; None when there is nothing."""
    trend = selectors.department_trend(department=department, user=user)
    pending = selectors.department_open_assessments(department=department, user=user)
    if not trend and not pending:
        return None
    chart = {
        "labels": [a.round.name for a in trend],
        "values": [float(a.percentage) if a.percentage is not None else None for a in trend],
    }
    return "assessment/_dossier_section.html", {"trend": trend, "pending": pending, "chart": chart}
