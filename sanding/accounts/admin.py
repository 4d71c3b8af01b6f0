from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User
from .scoping import scope_for


class ScopedAdminMixin:
    """Admin pages go through the same scoping as the rest of the app: only 编办管理员 get in, and
    they see their region's rows only."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def _allowed(self, request):
        return request.user.is_active and request.user.is_staff and scope_for(request.user).is_admin

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        # Business records are never hard-deleted: archive or change their status instead.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "region", "department", "is_active", "last_login"]
    list_filter = ["groups", "region", "is_active"]
    search_fields = ["username", "first_name", "last_name", "department__name", "department__short_name"]
    list_select_related = ["region", "department"]
    autocomplete_fields = ["department"]
    fieldsets = BaseUserAdmin.fieldsets + (("区划与部门", {"fields": ["region", "department", "phone"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("区划与部门", {"fields": ["region", "department"]}),)

    def get_queryset(self, request):
        scope = scope_for(request.user)
        qs = User.objects.select_related("region", "department")
        if scope.region_ids is None:
            return qs
        return qs.filter(region__in=scope.region_ids)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate accounts instead, so history keeps who did what
