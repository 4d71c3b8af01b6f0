from django import template
from django.utils.html import format_html

from ..choices import Light, Status
from ..selectors import unread_count

register = template.Library()

LIGHT_CLASS = {
    Light.GREEN: "light-green",
    Light.YELLOW: "light-yellow",
    Light.RED: "light-red",
    Light.DONE: "light-done",
}
STATUS_CLASS = {
    Status.NOT_STARTED: "text-bg-secondary",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.APPLIED: "text-bg-warning",
    Status.HEAD_CONFIRMED: "text-bg-info",
    Status.CLOSED: "text-bg-success",
}


@register.simple_tag
def light(item, on=None):
    """亮灯: a coloured dot with its meaning (and days overdue when red)."""
    value = item.light(on)
    label = Light(value).label
    if value == Light.RED:
        label = f"逾期 {item.days_overdue(on)} 天"
    elif value == Light.YELLOW:
        left = item.days_left(on)
        label = "今天到期" if left == 0 else f"{left} 天后到期"
    return format_html(
        '<span class="light {}" title="{}"></span><span class="light-label {}">{}</span>',
        LIGHT_CLASS[value],
        label,
        LIGHT_CLASS[value],
        label,
    )


@register.simple_tag
def status_badge(item):
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CLASS.get(item.status, "text-bg-light"), item.get_status_display()
    )


@register.simple_tag
def unread_notifications(user):
    return unread_count(user)
