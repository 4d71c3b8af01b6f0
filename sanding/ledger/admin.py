from django.contrib import admin

from sanding.accounts.admin import (
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedHistoryAdmin,
    SuperuserOnlyAdmin,
    SuperuserOnlyMixin,
)

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


@admin.register(IssueCategory)
class IssueCategoryAdmin(SuperuserOnlyAdmin):
    """Categories are kept on the 问题类别 page of the ledger; here for superusers, never deleted."""

    list_display = ["name", "seq", "active"]
    list_editable = ["seq", "active"]


@admin.register(LedgerRegionSetting)
class LedgerRegionSettingAdmin(SuperuserOnlyAdmin):
    list_display = ["region", "head_review"]


class ReadOnlyAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Ledger rows change only through the services (state machine, events): the admin reads, scoped."""


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    """The same, with each record's history (never reverted: a revert would bypass the state machine)."""


@admin.register(Issue)
class IssueAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "category", "source", "department", "found_on"]
    list_filter = ["source", "category", "region"]
    search_fields = ["code", "description"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyHistoryAdmin):
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
class NotificationAdmin(ReadOnlyAdminMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    """Notifications belong to their recipient, not to a region: superusers only."""

    list_display = ["recipient", "title", "created_at", "read_at"]
