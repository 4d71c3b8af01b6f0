from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attachment,
    Issue,
    IssueCategory,
    LedgerRegionSetting,
    Notification,
    ProgressReport,
    Rectification,
    RectificationEvent,
)


class NoDeleteMixin:
    """Nothing of the ledger is ever deleted (categories are switched off with 启用; rows are kept)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssueCategory)
class IssueCategoryAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "seq", "active"]
    list_editable = ["seq", "active"]


@admin.register(LedgerRegionSetting)
class LedgerRegionSettingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["region", "head_review"]


class ReadOnlyAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Ledger rows change only through the services (state machine, events): the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["code", "category", "source", "department", "found_on"]
    list_filter = ["source", "category", "region"]
    search_fields = ["code", "description"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "department", "deadline", "status", "flagged"]
    list_filter = ["status", "flagged", "kind"]
    list_select_related = ["issue", "department"]


@admin.register(RectificationEvent)
class RectificationEventAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "action", "from_status", "to_status", "actor", "at"]
    list_select_related = ["rectification__issue", "actor"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "reported_on", "percent", "author"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "issue", "size", "uploaded_by", "uploaded_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "title", "created_at", "read_at"]
