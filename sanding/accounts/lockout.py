"""The page a locked-out login sees (django-axes calls `lockout_response`, settings.AXES_LOCKOUT_CALLABLE)."""

import math

from axes.conf import settings
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def locked_until(request, username):
    """When the username may log in again from this address; None while the cool-off is unlimited."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    last = AccessAttempt.objects.filter(username=username, ip_address=getattr(request, "axes_ip_address", None))
    last = last.aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def lockout_message(until, now=None):
    if until is None:
        return "登录失败次数过多，账号已锁定，请联系编办管理员解锁。"
    now = now or timezone.now()
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    local = timezone.localtime(until)
    when = f"{local:%H:%M}"
    if local.date() != timezone.localdate(now):
        when = f"{local.month}月{local.day}日 {when}"
    return f"登录失败次数过多，账号已锁定，请于 {when} 后再试（约 {minutes} 分钟）。"


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout explained, in the app's own look."""
    username = get_client_username(request, credentials) or ""
    # The login view has already checked where "next" may lead; keep only that from its context.
    original_context = getattr(original_response, "context_data", None) or {}
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": original_context.get("next", ""),
        "lockout_message": lockout_message(locked_until(request, username)),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
