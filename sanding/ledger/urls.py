from django.urls import path

from sanding.accounts.access import EVERYONE, NOBODY, OFFICE, OFFICE_AND_CLERK, Access

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.rectification_list, name="rectification-list"),
    path("export/", views.ledger_export, name="export"),
    path("bulk/", views.ledger_bulk, name="bulk"),
    path("board/", views.board, name="board"),
    path("issues/", views.issue_list, name="issue-list"),
    path("issues/without-items/notice/", views.issue_without_items_notice, name="issue-without-items-notice"),
    path("issues/new/", views.issue_form, name="issue-create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    path("issues/<int:pk>/edit/", views.issue_form, name="issue-edit"),
    path("issues/<int:pk>/rectifications/new/", views.rectification_form, name="rectification-create"),
    path("items/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("items/<int:pk>/edit/", views.rectification_form, name="rectification-edit"),
    path("items/<int:pk>/transition/", views.rectification_transition, name="rectification-transition"),
    path("items/<int:pk>/flag/", views.rectification_flag, name="rectification-flag"),
    path("items/<int:pk>/progress/", views.progress_create, name="progress-create"),
    path("items/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read, name="notification-read"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/new/", views.category_form, name="category-create"),
    path("categories/<int:pk>/edit/", views.category_form, name="category-edit"),
    path("regions/<int:pk>/settings/", views.region_setting, name="region-setting"),
]

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
ISSUE = "ledger.Issue"
ITEM = "ledger.Rectification"
ACCESS = {
    "rectification-list": Access(read=EVERYONE),
    "export": Access(read=EVERYONE),
    "bulk": Access(read=NOBODY, write=OFFICE),
    "board": Access(read=EVERYONE),
    "issue-list": Access(read=EVERYONE),
    "issue-without-items-notice": Access(read=EVERYONE),  # a count, shown to 编办 staff only
    "issue-create": Access(read=OFFICE, write=OFFICE),
    "issue-detail": Access(read=EVERYONE, target=ISSUE),
    "issue-edit": Access(read=OFFICE, write=OFFICE, target=ISSUE),
    "rectification-create": Access(read=OFFICE, write=OFFICE, target=ISSUE),
    "rectification-detail": Access(read=EVERYONE, target=ITEM),
    "rectification-edit": Access(read=OFFICE, write=OFFICE, target=ITEM),
    "rectification-transition": Access(read=NOBODY, write=OFFICE_AND_CLERK, target=ITEM),
    "rectification-flag": Access(read=NOBODY, write=OFFICE, target=ITEM),
    "progress-create": Access(read=OFFICE_AND_CLERK, write=OFFICE_AND_CLERK, target=ITEM),
    "attachment-upload": Access(read=NOBODY, write=OFFICE_AND_CLERK, target=ITEM),
    "attachment-download": Access(read=EVERYONE, target="ledger.Attachment"),
    "notification-list": Access(read=EVERYONE),
    "notification-read": Access(read=NOBODY, write=EVERYONE),
    "category-list": Access(read=OFFICE),
    "category-create": Access(read=OFFICE, write=OFFICE),
    "category-edit": Access(read=OFFICE, write=OFFICE, target="ledger.IssueCategory"),
    "region-setting": Access(read=OFFICE, write=OFFICE, target="registry.Region"),
}
