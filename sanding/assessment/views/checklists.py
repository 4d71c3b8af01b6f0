"""Checklist (评分表) pages: list, detail, the draft editor, publish and copy."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sanding.accounts.scoping import get_visible_or_404, require_office, scope_for
from sanding.core.forms import SubmitOnceForm, refuse_stale
from sanding.core.pagination import paginate
from sanding.core.services import StaleEditError, posted_version
from sanding.core.submissions import submit_once

from .. import history, selectors, services
from ..choices import ChecklistStatus
from ..forms import (
    BandFormSet,
    ChecklistForm,
    ItemForm,
    SectionForm,
    SimpleFilterForm,
)
from ..models import Checklist, GradeBand, Item, Round, Section
from ._common import _error_text


def checklist_list(request):
    require_office_or_leader(request.user)
    form = SimpleFilterForm(request.GET or None, states=ChecklistStatus.choices)
    qs = form.filter(selectors.checklist_list(user=request.user), "status")
    return render(request, "assessment/checklist_list.html", {"page": paginate(request, qs), "filter_form": form})


def require_office_or_leader(user):
    if scope_for(user).is_clerk or scope_for(user).role is None:
        raise PermissionDenied("您无权查看评分表。")


@require_http_methods(["GET", "POST"])
@submit_once
def checklist_form(request, pk=None):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk) if pk else None
    require_office(request.user)
    if checklist is not None and not _draft_or_error(request, checklist):
        return redirect(checklist)
    form = ChecklistForm(request.POST or None, instance=checklist, user=request.user)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            if checklist:
                saved = services.checklist_update(
                    actor=request.user, checklist=form.instance, expected_version=form.cleaned_data["expected_version"]
                )
            else:
                saved = services.checklist_create(actor=request.user, checklist=form.instance)
        except StaleEditError as error:
            current = error.current
            refuse_stale(form, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存评分表：{saved}")
            return redirect(saved)
    return render(
        request,
        "assessment/simple_form.html",
        {
            "form": form,
            "title": "编辑评分表" if checklist else "新建评分表",
            "current": current,
            "crumbs": [("评分表", reverse("assessment:checklist-list"))],
            "cancel_url": checklist.get_absolute_url() if checklist else reverse("assessment:checklist-list"),
        },
    )


def checklist_detail(request, pk):
    checklist = get_visible_or_404(Checklist.objects.select_related("region", "copied_from"), request.user, pk=pk)
    require_office_or_leader(request.user)
    context = _structure_context(request, checklist)
    context["bands"] = list(GradeBand.objects.filter(checklist=checklist))
    context["rounds"] = list(Round.objects.visible_to(request.user).filter(checklist=checklist).order_by("-created_at"))
    context["changes"] = history.checklist_changes(checklist)
    context["editions"] = list(
        Checklist.objects.visible_to(request.user)
        .filter(region=checklist.region, name=checklist.name)
        .exclude(pk=checklist.pk)
        .order_by("-edition")
    )
    return render(request, "assessment/checklist_detail.html", context)


def _structure_context(request, checklist):
    sections = selectors.checklist_structure(checklist)
    total = sum((i.max_points for s in sections for i in s.items.all()), services.scoring.ZERO)
    return {
        "checklist": checklist,
        "sections": sections,
        "total_points": total,
        "editable": checklist.is_draft and scope_for(request.user).is_office,
    }


def _draft_or_error(request, checklist):
    if not checklist.is_draft:
        messages.error(request, "已发布的评分表不能修改，请“复制为新版本”后编辑。")
        return False
    return True


@require_http_methods(["GET", "POST"])
@submit_once
def section_form(request, pk, section_pk=None):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    if not _draft_or_error(request, checklist):
        return redirect(checklist)
    section = get_visible_or_404(Section, request.user, pk=section_pk, checklist=checklist) if section_pk else None
    form = SectionForm(request.POST or None, instance=section)
    if section is None:
        form.instance.checklist = checklist
    if request.method == "POST" and form.is_valid():
        try:
            services.section_save(actor=request.user, section=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存评分项目：{form.instance.title}")
            return redirect(checklist.get_absolute_url() + f"#section-{form.instance.pk}")
    return render(
        request,
        "assessment/simple_form.html",
        {
            "form": form,
            "title": "编辑评分项目" if section else "新增评分项目",
            "crumbs": [
                ("评分表", reverse("assessment:checklist-list")),
                (str(checklist), checklist.get_absolute_url()),
            ],
            "cancel_url": checklist.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
@submit_once
def item_form(request, pk, item_pk=None):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    if not _draft_or_error(request, checklist):
        return redirect(checklist)
    item = (
        get_visible_or_404(
            Item.objects.prefetch_related("category_rules"), request.user, pk=item_pk, section__checklist=checklist
        )
        if item_pk
        else None
    )
    initial = {}
    if item is None and request.GET.get("section"):
        initial["section"] = request.GET["section"]
    form = ItemForm(request.POST or None, instance=item, checklist=checklist, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(actor=request.user, item=form.instance, category_rules=form.category_rules)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存评分细则：{form.instance.code}")
            return redirect(checklist.get_absolute_url() + f"#item-{form.instance.pk}")
    return render(
        request,
        "assessment/item_form.html",
        {"form": form, "checklist": checklist, "item": item, "title": "编辑评分细则" if item else "新增评分细则"},
    )


def _part(request, checklist, kind, part_pk):
    if kind == "section":
        return get_visible_or_404(Section, request.user, pk=part_pk, checklist=checklist)
    if kind == "item":
        return get_visible_or_404(Item, request.user, pk=part_pk, section__checklist=checklist)
    raise Http404("未知的类型。")


@require_POST
def part_move(request, pk, kind, part_pk, direction):
    """Move a section or item up or down; htmx requests get the structure fragment back."""
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    part = _part(request, checklist, kind, part_pk)
    try:
        services.part_move(actor=request.user, obj=part, direction=-1 if direction == "up" else 1)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    if request.headers.get("HX-Request"):
        checklist.refresh_from_db()
        return render(request, "assessment/_checklist_structure.html", _structure_context(request, checklist))
    return redirect(checklist)


@require_http_methods(["GET", "POST"])
def part_archive(request, pk, kind, part_pk):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    if not _draft_or_error(request, checklist):
        return redirect(checklist)
    part = _part(request, checklist, kind, part_pk)
    if request.method == "POST":
        try:
            services.part_archive(actor=request.user, obj=part)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"已移除：{part}")
        return redirect(checklist)
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": "移除" + ("评分项目" if kind == "section" else "评分细则"),
            "message": f"确定从草稿中移除“{part}”吗？记录会保留在数据库中，但不再出现在评分表里。",
            "button": "确定移除",
            "danger": True,
            "cancel_url": checklist.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def checklist_bands(request, pk):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    if not _draft_or_error(request, checklist):
        return redirect(checklist)
    initial = [{"min_percent": b.min_percent, "label": b.label, "stars": b.stars} for b in checklist.bands.all()]
    formset = BandFormSet(request.POST or None, initial=initial)
    error, version = None, checklist.version
    if request.method == "POST" and formset.is_valid():
        bands = [
            (f.cleaned_data["min_percent"], f.cleaned_data["label"], f.cleaned_data["stars"])
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.bands_save(
                actor=request.user, checklist=checklist, bands=bands, expected_version=posted_version(request.POST)
            )
        except StaleEditError as e:  # shown with the user's bands; saving again replaces the stored ones
            error, version = _error_text(e), e.current.version
        except ValidationError as e:
            error = _error_text(e)
        else:
            messages.success(request, "等级设置已保存。")
            return redirect(checklist.get_absolute_url() + "#bands")
    return render(
        request,
        "assessment/checklist_bands.html",
        {"checklist": checklist, "formset": formset, "error": error, "version": version},
    )


@require_http_methods(["GET", "POST"])
def checklist_publish(request, pk):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    if not checklist.is_draft:
        messages.info(request, f"“{checklist}”已经发布，不能再次发布；如需修改，请“复制为新版本”。")
        return redirect(checklist)
    if request.method == "POST":
        try:
            services.checklist_publish(
                actor=request.user, checklist=checklist, expected_version=posted_version(request.POST)
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"已发布：{checklist}。发布后内容不可再修改。")
        return redirect(checklist)
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": "发布评分表",
            "message": f"确定发布“{checklist}”吗？发布后评分表被冻结，不能再修改；如需调整，请“复制为新版本”。",
            "button": "确定发布",
            "cancel_url": checklist.get_absolute_url(),
            "version": checklist.version,
        },
    )


@require_http_methods(["GET", "POST"])
@submit_once
def checklist_copy(request, pk):
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    require_office(request.user)
    once = SubmitOnceForm(request.POST or None)
    if request.method == "POST" and once.is_valid():
        copy = services.checklist_copy(actor=request.user, checklist=checklist)
        messages.success(request, f"已复制为新版本：{copy}（草稿）。")
        return redirect(copy)
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": "复制为新版本",
            "message": f"将“{checklist}”的全部评分项目、细则和等级复制为一个新的草稿版本，原版本保持不变。",
            "button": "确定复制",
            "cancel_url": checklist.get_absolute_url(),
            "once": once,
        },
    )
