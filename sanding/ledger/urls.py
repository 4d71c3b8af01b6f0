from django.urls import path

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
