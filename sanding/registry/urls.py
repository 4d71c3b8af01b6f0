from django.urls import path

from sanding.accounts.access import EVERYONE, OFFICE, Access

from . import views

app_name = "registry"
urlpatterns = [
    path("departments/", views.department_list, name="department-list"),
    path("departments/new/", views.department_form, name="department-create"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("departments/<int:pk>/edit/", views.department_form, name="department-edit"),
    path("departments/<int:pk>/history/", views.department_history, name="department-history"),
    path("departments/<int:pk>/<slug:kind>/new/", views.record_form, name="record-create"),
    path("departments/<int:pk>/<slug:kind>/<int:record_pk>/edit/", views.record_form, name="record-edit"),
    path("departments/<int:pk>/<slug:kind>/<int:record_pk>/archive/", views.record_archive, name="record-archive"),
]

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
DEPARTMENT = "registry.Department"
UNIT = {"kind": "unit", "record_pk": "registry.InternalUnit"}
ACCESS = {
    "department-list": Access(read=EVERYONE),
    "department-create": Access(read=OFFICE, write=OFFICE),
    "department-detail": Access(read=EVERYONE, target=DEPARTMENT),
    "department-edit": Access(read=OFFICE, write=OFFICE, target=DEPARTMENT),
    "department-history": Access(read=EVERYONE, target=DEPARTMENT),
    "record-create": Access(read=OFFICE, write=OFFICE, target=DEPARTMENT, args={"kind": "unit"}),
    "record-edit": Access(read=OFFICE, write=OFFICE, target=DEPARTMENT, args=UNIT),
    "record-archive": Access(read=OFFICE, write=OFFICE, target=DEPARTMENT, args=UNIT),
}
