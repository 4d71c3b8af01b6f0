from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import deadlines
from ..choices import Kind, Light, Status

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
    value = deadlines.light(item, on)
    label = Light(value).label
    if value == Light.RED:
        label = f"逾期 {deadlines.days_overdue(item, on)} 天"
    elif value == Light.YELLOW:
        left = deadlines.days_left(item, on)
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
def deadline_cell(item, on=None):
    """整改时限 as lists show it: the date (red with days overdue when overdue); an undated 立行立改
    item its kind; a 长期坚持 item its kind and next review date (it has no deadline, never overdue)."""
    if item.kind == Kind.ONGOING:
        review = item.next_review_on(on)
        if review is None:
            return item.get_kind_display()
        return format_html(
            '{}<div class="small text-muted">下次复查 {}</div>', item.get_kind_display(), f"{review:%Y-%m-%d}"
        )
    if item.deadline is None:
        return item.get_kind_display()
    late = deadlines.days_overdue(item, on)
    if late:
        return format_html('{}<div class="text-overrun">逾期 {} 天</div>', f"{item.deadline:%Y-%m-%d}", late)
    return f"{item.deadline:%Y-%m-%d}"


@register.filter
def overdue(item, on=None):
    """`item|overdue:today`: 逾期 on the page's date."""
    return deadlines.is_overdue(item, on)


@register.filter
def days_overdue(item, on=None):
    """`item|days_overdue:today`: 逾期天数 on the page's date (0 when not overdue)."""
    return deadlines.days_overdue(item, on)


PAPERCLIP = (
    '<svg class="icon-attachment" xmlns="http://www.w3.org/2000/svg" width="14" height="14" fill="currentColor" '
    'viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M4.5 3a2.5 2.5 0 0 1 5 0v9a1.5 1.5 0 0 '
    "1-3 0V5a.5.5 0 0 1 1 0v7a.5.5 0 0 0 1 0V3a1.5 1.5 0 1 0-3 0v9a2.5 2.5 0 0 0 5 0V5a.5.5 0 0 1 1 0v7a3.5 "
    '3.5 0 1 1-7 0z"/></svg>'
)


@register.simple_tag
def attachment_link(attachment):
    """A download link with a paperclip icon (inline SVG, no emoji) and a visually hidden “附件” label."""
    return format_html(
        '<a href="{}" class="attachment-link">{}<span class="visually-hidden">附件：</span>{}</a>',
        attachment.get_absolute_url(),
        mark_safe(PAPERCLIP),
        attachment.name,
    )
