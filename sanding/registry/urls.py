from django.urls import path

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
