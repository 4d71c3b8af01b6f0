from django.urls import path

from sanding.accounts.access import CLERKS, EVERYONE, NOBODY, OFFICE, OFFICE_AND_CLERK, OFFICE_AND_LEADER, Access

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

# Who may use each page (proven for every URL by tests/test_permission_matrix.py; see accounts/access.py).
FORM = "assessment.Assessment"
ROUND = "assessment.Round"
CHECKLIST = "assessment.Checklist"
ITEM = {"kind": "item", "part_pk": "assessment.Item"}
ACCESS = {
    "assessment-list": Access(read=EVERYONE),
    "assessment-detail": Access(read=EVERYONE, write=OFFICE_AND_CLERK, target=FORM),
    "assessment-return": Access(read=OFFICE, write=OFFICE, target=FORM),
    "assessment-approve": Access(read=OFFICE, write=OFFICE, target=FORM),
    "evidence-download": Access(read=EVERYONE, target="assessment.Evidence"),
    "evidence-withdraw": Access(read=NOBODY, write=CLERKS, target="assessment.Evidence"),
    "round-list": Access(read=EVERYONE),
    "round-create": Access(read=OFFICE, write=OFFICE),
    "round-detail": Access(read=EVERYONE, target=ROUND),
    "round-edit": Access(read=OFFICE, write=OFFICE, target=ROUND),
    "round-forms": Access(read=EVERYONE, write=OFFICE, target=ROUND),
    "round-withdraw": Access(read=OFFICE, write=OFFICE, target=ROUND, args={"assessment_pk": FORM}),
    "round-export": Access(read=OFFICE_AND_LEADER, target=ROUND),
    "round-action": Access(read=OFFICE, write=OFFICE, target=ROUND, args={"action": "close"}),
    "checklist-list": Access(read=OFFICE_AND_LEADER),
    "checklist-create": Access(read=OFFICE, write=OFFICE),
    "checklist-detail": Access(read=OFFICE_AND_LEADER, target=CHECKLIST),
    "checklist-edit": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "checklist-bands": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "checklist-publish": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "checklist-copy": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "section-create": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "section-edit": Access(read=OFFICE, write=OFFICE, target=CHECKLIST, args={"section_pk": "assessment.Section"}),
    "item-create": Access(read=OFFICE, write=OFFICE, target=CHECKLIST),
    "item-edit": Access(read=OFFICE, write=OFFICE, target=CHECKLIST, args={"item_pk": "assessment.Item"}),
    "part-move": Access(read=NOBODY, write=OFFICE, target=CHECKLIST, args={**ITEM, "direction": "up"}),
    "part-archive": Access(read=OFFICE, write=OFFICE, target=CHECKLIST, args=ITEM),
}
