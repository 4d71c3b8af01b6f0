"""Round (评估轮次) pages: list, form, overview, the department forms, actions and export."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sanding.accounts.scoping import get_visible_or_404, require_office, scope_for
from sanding.core.cleaning import no_nul, parse_ids
from sanding.core.forms import refuse_stale
from sanding.core.pagination import paginate
from sanding.core.services import StaleEditError
from sanding.core.submissions import submit_once

from .. import exports, selectors, services
from ..choices import AssessmentState, RoundState
from ..forms import (
    AssessmentFilterForm,
    AssignForm,
    RoundForm,
    SimpleFilterForm,
)
from ..models import Assessment, Checklist, Round
from ._common import _error_text


def _require_manager(request, round_):
    """Writes to a round are for the office that organises it (county staff may only follow it)."""
    require_office(request.user)
    if not round_.is_managed_by(scope_for(request.user)):
        raise PermissionDenied("只有组织本轮评估的编办可以修改本轮。")


def round_list(request):
    form = SimpleFilterForm(request.GET or None, states=RoundState.choices)
    qs = form.filter(selectors.round_list(user=request.user), "state")
    return render(request, "assessment/round_list.html", {"page": paginate(request, qs), "filter_form": form})


@require_http_methods(["GET", "POST"])
@submit_once
def round_form(request, pk=None):
    round_ = get_visible_or_404(Round.objects.select_related("region"), request.user, pk=pk) if pk else None
    require_office(request.user)
    if round_ is not None:
        _require_manager(request, round_)
    checklists = selectors.published_checklists(user=request.user).select_related("region")
    if round_:
        checklists = checklists | Checklist.objects.filter(pk=round_.checklist_id)
    initial = {}
    if round_ is None:
        initial["region"] = request.user.region_id
    form = RoundForm(request.POST or None, instance=round_, user=request.user, checklists=checklists, initial=initial)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            if round_:
                saved = services.round_update(
                    actor=request.user, round_=form.instance, expected_version=form.cleaned_data["expected_version"]
                )
                added = (
                    services.round_add_departments(
                        actor=request.user, round_=saved, departments=form.selected_departments()
                    )
                    if saved.state == RoundState.DRAFT
                    else 0
                )
            else:
                departments = form.selected_departments()
                saved = services.round_create(actor=request.user, round_=form.instance, departments=departments)
                added = len(departments)
        except StaleEditError as error:
            current = error.current
            refuse_stale(form, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存轮次：{saved}" + (f"，纳入 {added} 个部门" if added else "") + "。")
            return redirect(saved)
    return render(
        request,
        "assessment/round_form.html",
        {"form": form, "round": round_, "current": current, "title": "编辑评估轮次" if round_ else "新建评估轮次"},
    )


def _ledger_url():
    """The ledger's “new issue” page, when the ledger app provides one (the hook for issue 4)."""
    try:
        return reverse("ledger:issue-create")
    except NoReverseMatch:
        return None


def round_detail(request, pk):
    round_ = get_visible_or_404(Round.objects.select_related("checklist", "region"), request.user, pk=pk)
    scope = scope_for(request.user)
    if scope.is_clerk:
        # A clerk sees their own department only: no round-wide figures computed from one department.
        mine = (
            Assessment.objects.filter(round=round_, department=scope.department_id, withdrawn=False)
            .select_related("department")
            .first()
        )
        return render(
            request,
            "assessment/round_detail.html",
            {"round": round_, "mine": mine, "show_results": round_.is_published, "clerk_view": True},
        )
    overview = selectors.round_overview(round_, user=request.user)
    sections = [s["section"] for s in overview.section_averages]
    approved = [a for _, rows in overview.categories for a in rows]
    by_assessment = selectors.section_results_by_assessment([a.pk for a in approved])
    categories = [
        (category, [(a, [by_assessment.get(a.pk, {}).get(s.pk) for s in sections]) for a in rows])
        for category, rows in overview.categories
    ]
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": round_,
            "overview": overview,
            "sections": sections,
            "categories": categories,
            "show_results": True,
            "can_manage": round_.is_managed_by(scope),
            "events": list(round_.events.select_related("actor")[:20]),
            "chart": overview.distribution,
        },
    )


def round_forms(request, pk):
    """The round's department forms with state, method and reviewers; staff assign in bulk here."""
    round_ = get_visible_or_404(Round.objects.select_related("checklist", "region"), request.user, pk=pk)
    can_manage = round_.is_managed_by(scope_for(request.user))
    assign_form = AssignForm(request.POST or None, round_=round_) if can_manage else None
    if request.method == "POST":
        _require_manager(request, round_)
        ids = parse_ids(request.POST.getlist("assessment"))
        chosen = list(Assessment.objects.visible_to(request.user).filter(round=round_, pk__in=ids))
        if not chosen:
            messages.error(request, "请先勾选部门。")
        elif assign_form.is_valid():
            data = assign_form.cleaned_data
            try:
                services.round_assign(
                    actor=request.user,
                    round_=round_,
                    assessments=chosen,
                    method=data["method"] or None,
                    reviewers=list(data["reviewers"]) if data["change_reviewers"] else None,
                )
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, f"已更新 {len(chosen)} 个部门的评估方式或审核人。")
                return redirect(reverse("assessment:round-forms", args=[round_.pk]) + "?" + request.GET.urlencode())
    rounds = Round.objects.filter(pk=round_.pk)
    filter_form = AssessmentFilterForm(request.GET or None, rounds=rounds, user=request.user)
    qs = filter_form.filter(selectors.assessment_list(user=request.user).filter(round=round_), request.user)
    return render(
        request,
        "assessment/round_forms.html",
        {
            "round": round_,
            "page": paginate(request, qs),
            "filter_form": filter_form,
            "assign_form": assign_form,
            "can_manage": can_manage,
        },
    )


ROUND_ACTIONS = {
    "open": (RoundState.OPEN, "开始填报", "开始填报后，各部门即可登录填写评估表。"),
    "review": (RoundState.REVIEWING, "进入审核", "进入审核阶段后仍可退回部门修改。"),
    "reopen": (RoundState.OPEN, "重新开放填报", "轮次回到填报阶段。"),
    "close": (
        RoundState.CLOSED,
        "结束本轮",
        "结束后不能再审核和修改，已审定部门的结果和排名将固定。未审定的部门不参加排名。",
    ),
    "publish": (None, "发布结果", "发布后各部门可以看到本部门的核定分、等级和排名。"),
}


@require_http_methods(["GET", "POST"])
def round_action(request, pk, action):
    round_ = get_visible_or_404(Round, request.user, pk=pk)
    require_office(request.user)
    _require_manager(request, round_)
    if action not in ROUND_ACTIONS:
        raise Http404("未知的操作。")
    to_state, label, note = ROUND_ACTIONS[action]
    if request.method == "POST":
        try:
            if action == "publish":
                services.round_publish(actor=request.user, round_=round_)
            else:
                services.round_transition(
                    actor=request.user, round_=round_, to_state=to_state, comment=no_nul(request.POST.get("comment"))
                )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"{label}：操作成功。")
        return redirect(round_)
    pending = round_.assessments.filter(withdrawn=False).exclude(state=AssessmentState.APPROVED).count()
    extra = f"目前还有 {pending} 个部门未审定。" if action == "close" and pending else ""
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": label,
            "message": f"确定对“{round_}”执行“{label}”吗？{note}{extra}",
            "button": f"确定{label}",
            "cancel_url": round_.get_absolute_url(),
            "comment": action != "publish",
        },
    )


@require_http_methods(["GET", "POST"])
def round_withdraw(request, pk, assessment_pk):
    round_ = get_visible_or_404(Round, request.user, pk=pk)
    require_office(request.user)
    _require_manager(request, round_)
    assessment = get_visible_or_404(
        Assessment.objects.select_related("round", "department"), request.user, pk=assessment_pk, round=round_
    )
    if request.method == "POST":
        try:
            services.round_withdraw_department(actor=request.user, assessment=assessment)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"已将 {assessment.department} 移出本轮。")
        return redirect("assessment:round-forms", pk=round_.pk)
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": "移出本轮",
            "message": f"确定将“{assessment.department}”移出“{round_}”吗？可在编辑轮次时重新选入。",
            "button": "确定移出",
            "danger": True,
            "cancel_url": reverse("assessment:round-forms", args=[round_.pk]),
        },
    )


def round_export(request, pk):
    round_ = get_visible_or_404(Round.objects.select_related("checklist"), request.user, pk=pk)
    if not selectors.results_visible(request.user, round_):
        raise PermissionDenied("本轮结果尚未发布。")
    content = exports.round_results_xlsx(round_=round_, user=request.user)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{round_.name}-结果-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
