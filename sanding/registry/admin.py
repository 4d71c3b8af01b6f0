from django.contrib import admin

from sanding.accounts.admin import ScopedHistoryAdmin

from .models import (
    Department,
    Duty,
    DutyAssignment,
    InternalUnit,
    LeaderPost,
    Plaque,
    Region,
    Regulation,
    StaffingQuota,
)


class RegistryAdmin(ScopedHistoryAdmin):
    """Registry records are edited in the admin too, so an admin may restore an old version of a record of
    their region (the restored values pass the same form and scoped choices as an edit)."""

    history_revert = True

    def save_model(self, request, obj, form, change):
        if hasattr(obj, "version") and change:
            # From the stored row, not the form's instance: a restored old version carries its old number.
            stored = type(obj)._base_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            obj.version = (stored or obj.version) + 1
        super().save_model(request, obj, form, change)


class DepartmentChildInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False


class RegulationInline(DepartmentChildInline):
    model = Regulation
    fields = ["doc_no", "title", "issued_on", "is_current"]


class UnitInline(DepartmentChildInline):
    model = InternalUnit
    fields = ["name", "seq", "in_regulation", "actually_set", "archived"]


class QuotaInline(DepartmentChildInline):
    model = StaffingQuota
    fields = ["type", "approved", "actual"]


class LeaderPostInline(DepartmentChildInline):
    model = LeaderPost
    fields = ["level", "approved", "actual"]


class PlaqueInline(DepartmentChildInline):
    model = Plaque
    fields = ["name", "authorised", "hung", "archived"]


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    """Regions are the frame of every user's scope: only a superuser adds, edits or restores them."""

    list_display = ["name", "code", "short_name", "level", "parent"]
    search_fields = ["name", "code", "short_name"]
    list_filter = ["level"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(RegistryAdmin):
    list_display = ["code", "name", "short_name", "region", "category", "rank", "status"]
    list_filter = ["region", "category", "rank", "status"]
    search_fields = ["code", "name", "short_name", "aliases"]
    list_select_related = ["region"]
    autocomplete_fields = ["parent"]
    inlines = [RegulationInline, UnitInline, QuotaInline, LeaderPostInline, PlaqueInline]


@admin.register(Regulation)
class RegulationAdmin(RegistryAdmin):
    list_display = ["doc_no", "department", "issued_on", "is_current"]
    list_filter = ["is_current", "department__region"]
    search_fields = ["doc_no", "title", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


class DutyAssignmentInline(admin.TabularInline):
    model = DutyAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Duty)
class DutyAdmin(RegistryAdmin):
    list_display = ["seq", "text", "change_type", "regulation", "archived"]
    list_filter = ["change_type", "archived", "regulation__department__region"]
    search_fields = ["text", "regulation__department__name", "regulation__doc_no"]
    list_select_related = ["regulation"]
    autocomplete_fields = ["regulation"]
    inlines = [DutyAssignmentInline]


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(RegistryAdmin):
    list_display = ["duty", "unit", "role"]
    list_filter = ["role", "duty__regulation__department__region"]
    search_fields = ["duty__text", "unit__name", "duty__regulation__department__name"]
    list_select_related = ["duty", "unit"]
    autocomplete_fields = ["duty", "unit"]


@admin.register(InternalUnit)
class InternalUnitAdmin(RegistryAdmin):
    list_display = ["name", "department", "in_regulation", "actually_set", "archived"]
    list_filter = ["in_regulation", "actually_set", "archived", "department__region"]
    search_fields = ["name", "department__name", "department__short_name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


@admin.register(StaffingQuota)
class StaffingQuotaAdmin(RegistryAdmin):
    list_display = ["department", "type", "approved", "actual", "vacancy", "overrun"]
    list_filter = ["type", "department__region"]
    search_fields = ["department__name", "department__short_name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]

    @admin.display(description="空编")
    def vacancy(self, obj):
        return obj.vacancy

    @admin.display(description="超编")
    def overrun(self, obj):
        return obj.overrun


@admin.register(LeaderPost)
class LeaderPostAdmin(RegistryAdmin):
    list_display = ["department", "level", "approved", "actual"]
    list_filter = ["level", "department__region"]
    search_fields = ["department__name", "department__short_name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]


@admin.register(Plaque)
class PlaqueAdmin(RegistryAdmin):
    list_display = ["name", "department", "authorised", "hung", "archived"]
    list_filter = ["authorised", "hung", "archived"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
