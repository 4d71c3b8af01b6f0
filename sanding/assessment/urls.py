from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_list, name="assessment-list"),
    path("<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("<int:pk>/return/", views.assessment_return, name="assessment-return"),
    path("<int:pk>/approve/", views.assessment_approve, name="assessment-approve"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence-withdraw"),
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/new/", views.round_form, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", views.round_form, name="round-edit"),
    path("rounds/<int:pk>/forms/", views.round_forms, name="round-forms"),
    path("rounds/<int:pk>/forms/<int:assessment_pk>/withdraw/", views.round_withdraw, name="round-withdraw"),
    path("rounds/<int:pk>/export/", views.round_export, name="round-export"),
    path("rounds/<int:pk>/<slug:action>/", views.round_action, name="round-action"),
    path("checklists/", views.checklist_list, name="checklist-list"),
    path("checklists/new/", views.checklist_form, name="checklist-create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist-detail"),
    path("checklists/<int:pk>/edit/", views.checklist_form, name="checklist-edit"),
    path("checklists/<int:pk>/bands/", views.checklist_bands, name="checklist-bands"),
    path("checklists/<int:pk>/publish/", views.checklist_publish, name="checklist-publish"),
    path("checklists/<int:pk>/copy/", views.checklist_copy, name="checklist-copy"),
    path("checklists/<int:pk>/sections/new/", views.section_form, name="section-create"),
    path("checklists/<int:pk>/sections/<int:section_pk>/edit/", views.section_form, name="section-edit"),
    path("checklists/<int:pk>/items/new/", views.item_form, name="item-create"),
    path("checklists/<int:pk>/items/<int:item_pk>/edit/", views.item_form, name="item-edit"),
    path("checklists/<int:pk>/<slug:kind>/<int:part_pk>/move/<slug:direction>/", views.part_move, name="part-move"),
    path("checklists/<int:pk>/<slug:kind>/<int:part_pk>/remove/", views.part_archive, name="part-archive"),
]
