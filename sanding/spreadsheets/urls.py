from django.urls import path

from sanding.accounts.access import ADMINS, NOBODY, Access

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

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
JOB = "spreadsheets.ImportJob"
ACCESS = {
    "job-list": Access(read=ADMINS, write=ADMINS),
    "job-detail": Access(read=ADMINS, target=JOB),
    "job-status": Access(read=ADMINS, target=JOB),
    "job-confirm": Access(read=NOBODY, write=ADMINS, target=JOB),
    "template-download": Access(read=ADMINS, args={"kind": "ledger"}),
    "export-download": Access(read=ADMINS, target="registry.Region", query="region", args={"kind": "departments"}),
}
