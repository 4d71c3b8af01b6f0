from django.urls import path

from . import views

app_name = "spreadsheets"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job-confirm"),
    path("templates/<slug:kind>.xlsx", views.template_download, name="template-download"),
    path("export/<slug:kind>.xlsx", views.export_download, name="export-download"),
]
