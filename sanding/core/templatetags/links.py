from django import template

from sanding.core.links import safe_link as _safe_link

register = template.Library()


@register.filter
def safe_link(value):
    """The link if it is an http(s) URL or a path of this application, else "" (never `javascript:`)."""
    return _safe_link(value)
