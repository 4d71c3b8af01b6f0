"""管理后台 → 登录安全: django-axes' lockouts and login logs, scoped like every other admin page.

Axes rows carry a username, not a user: a region's 编办管理员 sees the rows whose username belongs to a
user of their region or a region below it; a superuser sees every row, including usernames that match no
account (typical of password guessing). Logs are read-only; a lockout (访问尝试) is deleted to unlock.
Registered from `AxesConfig.ready()`, after admin autodiscovery has registered axes' own classes.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from .models import User
from .scoping import scope_for


class LoginSecurityAdminMixin:
    list_filter = ["attempt_time", "username", "ip_address"]

    def _allowed(self, request):
        return request.user.is_active and request.user.is_staff and scope_for(request.user).is_admin

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        scope = scope_for(request.user)
        if not scope.is_admin:
            return qs.none()
        users = User.objects.all() if scope.region_ids is None else User.objects.filter(region__in=scope.region_ids)
        # The same users the user admin lets them manage: never a superuser's or another admin's records
        # (unlocking those would let a region admin guess their passwords five tries at a time).
        users = users.filter(is_superuser=False, is_staff=False)
        return qs.filter(username__in=users.values("username"))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccessAttemptAdmin(LoginSecurityAdminMixin, axes_admin.AccessAttemptAdmin):
    """Failure counters per username and address; deleting one unlocks that login."""

    list_filter = [*LoginSecurityAdminMixin.list_filter, axes_admin.IsLockedOutFilter]
    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    @admin.action(description="解锁所选（清除失败次数）", permissions=["delete"])
    def unlock(self, request, queryset):
        count = queryset.count()
        queryset.delete()
        self.message_user(request, f"已解锁 {count} 条登录限制。")


class AccessLogAdmin(LoginSecurityAdminMixin, axes_admin.AccessLogAdmin):
    """Successful logins, with the logout time."""

    list_filter = ["attempt_time", "logout_time", "username", "ip_address"]


class AccessFailureLogAdmin(LoginSecurityAdminMixin, axes_admin.AccessFailureLogAdmin):
    """Every failed login, kept after a lockout is lifted."""

    list_filter = [*LoginSecurityAdminMixin.list_filter, "locked_out"]


for model, model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
