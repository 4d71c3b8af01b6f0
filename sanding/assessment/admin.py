"""Read-only admin for the assessment records: they change only through the services (state machines,
scoring, history), so the admin is for looking things up, with each record's history."""

from django.contrib import admin

from sanding.accounts.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedHistoryAdmin

from .models import Answer, Assessment, Checklist, Evidence, Item, Round, Section


class ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """Records with django-simple-history: the admin shows their history too (never reverts it)."""


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["seq", "title", "archived"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    list_display = ["name", "edition", "region", "status"]
    list_filter = ["status", "region"]
    search_fields = ["name"]
    list_select_related = ["region"]
    inlines = [SectionInline]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "text", "rule", "max_points", "section"]
    list_filter = ["rule", "is_veto"]
    search_fields = ["code", "text"]
    list_select_related = ["section"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "checklist", "state"]
    list_filter = ["state", "region"]
    search_fields = ["name"]
    list_select_related = ["region", "checklist"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["department", "round", "state", "total_score", "percentage", "grade_label", "rank"]
    list_filter = ["state", "round"]
    search_fields = ["department__name", "department__short_name"]
    list_select_related = ["department", "round"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "item", "self_score", "reviewed_score", "not_applicable"]
    search_fields = ["assessment__department__name", "item__text"]
    list_select_related = ["assessment", "item"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):  # append-only, no history table
    list_display = ["original_name", "answer", "sha256", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["answer"]
