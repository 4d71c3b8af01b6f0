from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sanding.accounts.scoping import get_visible_or_404, require_office
from sanding.core.forms import refuse_stale
from sanding.core.pagination import paginate
from sanding.core.services import StaleEditError
from sanding.core.submissions import submit_once

from . import selectors, services
from .filters import DepartmentFilter
from .forms import (
    DepartmentForm,
    DutyForm,
    InternalUnitForm,
    LeaderPostForm,
    PlaqueForm,
    RegulationForm,
    StaffingQuotaForm,
)
from .models import Department, Duty, InternalUnit, LeaderPost, Plaque, Regulation, StaffingQuota


def home(request):
    """首页: the key figures of the user's region (the registry's, so the page lives here, not in core)."""
    figures = selectors.region_figures(user=request.user)
    return render(request, "registry/home.html", {"figures": figures})


def department_list(request):
    filterset = DepartmentFilter(
        request.GET or None, queryset=selectors.department_list(user=request.user), user=request.user
    )
    page = paginate(request, filterset.qs)
    template = (
        "registry/_department_table.html" if request.headers.get("HX-Request") else "registry/department_list.html"
    )
    return render(request, template, {"filter": filterset, "page": page})


def department_detail(request, pk):
    department = get_visible_or_404(Department.objects.select_related("region", "parent"), request.user, pk=pk)
    context = {"department": department, "history": selectors.department_history(department, limit=30)}
    context.update(selectors.department_dossier(department))
    context["extra_sections"] = selectors.dossier_extra_sections(department=department, user=request.user)
    return render(request, "registry/department_detail.html", context)


def department_history(request, pk):
    department = get_visible_or_404(Department, request.user, pk=pk)
    return render(
        request,
        "registry/department_history.html",
        {
            "department": department,
            "history": selectors.department_history(department, limit=1000),
        },
    )


@require_http_methods(["GET", "POST"])
@submit_once
def department_form(request, pk=None):
    department = get_visible_or_404(Department, request.user, pk=pk) if pk else None
    require_office(request.user)
    form = DepartmentForm(request.POST or None, instance=department, user=request.user)
    return _save_form(request, form, title="编辑部门" if department else "新增部门", department=department)


@dataclass(frozen=True)
class RecordKind:
    model: type
    form: type
    label: str
    anchor: str
    archivable: bool = False


RECORD_KINDS = {
    "regulation": RecordKind(Regulation, RegulationForm, "“三定”规定", "regulation"),
    "duty": RecordKind(Duty, DutyForm, "职责", "duties", archivable=True),
    "unit": RecordKind(InternalUnit, InternalUnitForm, "内设机构", "units", archivable=True),
    "quota": RecordKind(StaffingQuota, StaffingQuotaForm, "编制", "quotas"),
    "leader-post": RecordKind(LeaderPost, LeaderPostForm, "领导职数", "leaders"),
    "plaque": RecordKind(Plaque, PlaqueForm, "机构挂牌", "plaques", archivable=True),
}


def _record_kind_or_404(kind):
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise Http404("未知的记录类型。") from None


def _department_record(request, kind, department, record_pk):
    lookup = {kind.model.scope_department_path: department.pk, "pk": record_pk}
    return get_visible_or_404(kind.model, request.user, **lookup)


@require_http_methods(["GET", "POST"])
@submit_once
def record_form(request, pk, kind, record_pk=None):
    """Create or edit one of a department's registry records (三定, duty, unit, quota, post, plaque)."""
    kind = _record_kind_or_404(kind)
    department = get_visible_or_404(Department, request.user, pk=pk)
    record = _department_record(request, kind, department, record_pk) if record_pk else None
    require_office(request.user)
    form = kind.form(request.POST or None, instance=record, department=department, user=request.user)
    verb = "编辑" if record else "新增"
    return _save_form(
        request,
        form,
        title=f"{verb}{kind.label}",
        department=department,
        next_url=department.get_absolute_url() + f"#{kind.anchor}",
    )


def _save_form(request, form, *, title, department=None, next_url=None):
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save_record(request.user)
        except StaleEditError as error:
            current = error.current
            refuse_stale(form, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存：{saved}")
            return redirect(next_url or saved.get_absolute_url())
    return render(
        request,
        "registry/record_form.html",
        {
            "form": form,
            "title": title,
            "department": department,
            "current": current,
            "current_values": _field_values(current, form) if current else [],
            "cancel_url": next_url
            or (department.get_absolute_url() if department else reverse("registry:department-list")),
        },
    )


def _field_values(instance, form):
    """(label, display value) of the form's model fields on `instance`, to show what is stored now."""
    values = []
    for name in form.Meta.fields:
        field = instance._meta.get_field(name)
        display = getattr(instance, f"get_{name}_display", None)
        value = display() if display else getattr(instance, name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        values.append((field.verbose_name, value))
    return values


@require_http_methods(["GET", "POST"])
def record_archive(request, pk, kind, record_pk):
    """Archive (or restore) a unit, duty or plaque after confirmation; nothing is hard-deleted."""
    kind = _record_kind_or_404(kind)
    department = get_visible_or_404(Department, request.user, pk=pk)
    require_office(request.user)
    if not kind.archivable:
        raise Http404("该类记录不能归档。")
    record = _department_record(request, kind, department, record_pk)
    if request.method == "POST":
        restore = request.POST.get("action") == "restore"
        services.record_set_archived(actor=request.user, record=record, archived=not restore)
        messages.success(request, f"已{'恢复' if restore else '归档'}：{record}")
        return redirect(department.get_absolute_url() + f"#{kind.anchor}")
    return render(request, "registry/record_archive.html", {"department": department, "record": record, "kind": kind})
