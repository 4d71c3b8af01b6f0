"""The top bar's counts (base.html), contributed by the apps through settings.NAV_COUNTS.

The base template loads these tags, never an app's: the app that owns a count (the ledger's unread
notifications) names its function in the setting, and core imports none of them.
"""

from django import template
from django.conf import settings
from django.utils.module_loading import import_string

register = template.Library()


@register.simple_tag
def nav_count(name, user):
    """The count `settings.NAV_COUNTS[name]` gives for `user`, e.g. the unread notifications beside 通知."""
    return import_string(settings.NAV_COUNTS[name])(user)
