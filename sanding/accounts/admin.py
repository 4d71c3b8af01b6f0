"""The admin site (管理后台), scoped like the rest of the app.

Every ModelAdmin of the project builds on the classes here:
- `ScopedAdminMixin`: only 编办管理员 get in; lists, object pages, list-filter options and foreign-key
  choices are limited to the admin's region (`visible_to`); nothing is ever deleted.
- `ScopedHistoryAdmin`: the django-simple-history pages, scoped the same way. Reverting to an old version
  is off unless the admin class says `history_revert = True` (models edited directly in the admin, such
  as the registry); models whose changes go through the domain services (state machines, events,
  versions) are never reverted behind them.
- `SuperuserOnlyAdmin`: reference data with no region (categories, settings), for superusers only.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import ForeignKey, ManyToManyField
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .choices import HEAD_GROUP, Role
from .models import User
from .scoping import scope_for

OUT_OF_SCOPE = "未找到该记录，或您无权查看。"


def _relation_path(model, path):
    """True when a list_filter path (`region`, `department__region`) ends in a foreign key or many-to-many."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return isinstance(field, (ForeignKey, ManyToManyField))


class ScopedAdminMixin:
    """Admin pages go through the same scoping as the rest of the app: only 编办管理员 get in, and
    they see their region's rows only."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def _allowed(self, request):
        return request.user.is_active and request.user.is_staff and scope_for(request.user).is_admin

    def _in_scope(self, request, obj):
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and self._in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Business records are never hard-deleted: archive or change their status instead.
        return False

    def get_list_filter(self, request):
        """Filter options come from the scoped rows: a county admin is not offered the city's regions or
        departments (Django's plain related filter lists every row of the related table)."""
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and _relation_path(self.model, entry):
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to"):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """History pages scoped like the lists; reverting to an old version only where the class allows it.

    django-simple-history loads the object of a history page from the history table (so out-of-scope
    records were readable) and saves a posted old version whether or not its "revert" button is shown.
    """

    history_revert = False

    def _visible_or_404(self, request, object_id):
        obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404(OUT_OF_SCOPE)
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._visible_or_404(request, object_id)
        if request.method == "POST" and self.revert_disabled(request, obj):
            raise PermissionDenied("该记录只能通过业务流程修改，不能恢复到历史版本。")
        request.sanding_restoring = version_id
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "sanding_restoring", None)
        if version_id is not None:
            obj._change_reason = f"从历史版本 {version_id} 恢复"  # the history then says it was a restore
        super().save_model(request, obj, form, change)

    def revert_disabled(self, request, obj=None):
        return not (self.history_revert and self.has_change_permission(request, obj))


class ReadOnlyAdminMixin:
    """Records that change only through the services (state machines, events, scoring): the admin reads."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SuperuserOnlyMixin:
    """Data without a region (categories, settings, notifications): superusers only; no deletes."""

    def _allowed(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdmin(SuperuserOnlyMixin, SimpleHistoryAdmin):
    """The same, for models with history: their history is read-only."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("历史版本只供查看，不能恢复。")
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def revert_disabled(self, request, obj=None):
        return True


# --- users and role groups ------------------------------------------------------------------------------

ROLE_GROUP_NAMES = frozenset(role.label for role in Role)
# Groups the application looks up by name: renaming or deleting one takes a role from its users.
PROTECTED_GROUP_NAMES = ROLE_GROUP_NAMES | {HEAD_GROUP}
# What only a superuser may set on a user: it would lift the user above every region admin.
SUPERUSER_ONLY_FIELDS = ("is_staff", "is_superuser", "user_permissions")


class RoleGroupsForm(forms.ModelForm):
    """A user has one role: at most one of the four role groups; a 部门填报员 has a department, and only a
    部门填报员 has one (two roles at once made a clerk an admin of the whole region)."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        if groups is None:  # read-only here (an admin's own record): the stored groups stand
            return cleaned
        roles = sorted(g.name for g in groups if g.name in ROLE_GROUP_NAMES)
        if len(roles) > 1:
            self.add_error("groups", f"一个用户只能有一个角色，当前选择了：{'、'.join(roles)}。")
        if "department" in self.fields and "department" in cleaned:
            department, is_clerk = cleaned["department"], roles == [Role.CLERK.label]
            if is_clerk and not department:
                self.add_error("department", "部门填报员必须设置所属部门。")
            elif department and not is_clerk:
                self.add_error("department", "只有部门填报员设置所属部门。")
        return cleaned


class UserChangeForm(RoleGroupsForm, BaseUserAdmin.form):
    pass


class UserCreationForm(RoleGroupsForm, BaseUserAdmin.add_form):
    pass


class RegionRequiredForm(forms.ModelForm):
    """A region admin's users always belong to a region of theirs (the field offers only those)."""

    def clean(self):
        cleaned = super().clean()
        if "region" in self.fields and not cleaned.get("region"):
            self.add_error("region", "请选择所属区划：您只能管理本区划及下级区划的用户。")
        return cleaned


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    """Users of the admin's region subtree.

    A region admin (not a superuser) may not grant superuser, staff status or raw permissions, may give only
    groups that carry no permissions (the role groups), may not manage superusers or other admins, and may
    not change their own role, region or department.
    """

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "last_name", "first_name", "region", "department", "is_active", "last_login"]
    list_filter = ["groups", "region", "is_active"]
    search_fields = ["username", "first_name", "last_name", "department__name", "department__short_name"]
    list_select_related = ["region", "department"]
    autocomplete_fields = ["department"]
    fieldsets = BaseUserAdmin.fieldsets + (("区划与部门", {"fields": ["region", "department", "phone"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("区划与部门", {"fields": ["groups", "region", "department"]}),)

    def get_queryset(self, request):
        scope = scope_for(request.user)
        qs = User.objects.select_related("region", "department")
        if request.user.is_superuser:
            return qs if scope.region_ids is None else qs.filter(region__in=scope.region_ids)
        # Region admins manage the plain users of their subtree, and see themselves.
        managed = qs.filter(region__in=scope.region_ids or (), is_superuser=False, is_staff=False)
        return managed | qs.filter(pk=request.user.pk)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in SUPERUSER_ONLY_FIELDS if obj is not None]
            if obj is not None and obj.pk == request.user.pk:
                fields += ["groups", "region", "department", "is_active"]
        return fields

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = type("RegionAdminUserForm", (RegionRequiredForm, kwargs.get("form") or self.form), {})
            if obj is None:
                kwargs["form"] = type("RegionAdminAddForm", (RegionRequiredForm, self.add_form), {})
        return super().get_form(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(permissions=None).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate accounts instead, so history keeps who did what


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Groups carry raw permissions: superusers only. The four role groups are never renamed or deleted
    (every user's role is the group they belong to)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or obj.name not in PROTECTED_GROUP_NAMES)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.name in PROTECTED_GROUP_NAMES:
            return ["name"]
        return []

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.exclude(name__in=PROTECTED_GROUP_NAMES))
