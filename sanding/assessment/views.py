"""Function views: fetch through the user's scope, validate, call a service, redirect with a message."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sanding.accounts.scoping import get_visible_or_404, require_office, scope_for
from sanding.core.pagination import paginate
from sanding.core.services import StaleEditError

from . import exports, selectors, services
from .choices import EDITABLE_STATES, AssessmentState, ChecklistStatus, RoundState
from .forms import (
    AssessmentFilterForm,
    AssignForm,
    BandFormSet,
    ChecklistForm,
    ItemForm,
    ReasonForm,
    RoundForm,
    SectionForm,
    SimpleFilterForm,
    answer_files,
    answer_inputs,
    review_inputs,
)
from .models import Assessment, Checklist, Evidence, GradeBand, Item, Round, Section


def _error_text(error):
    return "；".join(error.messages)


# --- checklists --------------------------------------------------------------------------------------


def checklist_list(request):
    require_office_or_leader(request.user)
    form = SimpleFilterForm(request.GET or None, states=ChecklistStatus.choices)
    qs = form.filter(selectors.checklist_list(user=request.user), "status")
    return render(request, "assessment/checklist_list.html", {"page": paginate(request, qs), "filter_form": form})


def require_office_or_leader(user):
    if scope_for(user).is_clerk or scope_for(user).role is None:
        raise PermissionDenied("您无权查看评分表。")


@require_http_methods(["GET", "POST"])
def checklist_form(request, pk=None):
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk) if pk else None
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
            form.add_error(None, error)
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
    require_office_or_leader(request.user)
    checklist = get_visible_or_404(Checklist.objects.select_related("region", "copied_from"), request.user, pk=pk)
    context = _structure_context(request, checklist)
    context["bands"] = list(GradeBand.objects.filter(checklist=checklist))
    context["rounds"] = list(checklist.rounds.order_by("-created_at"))
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
def section_form(request, pk, section_pk=None):
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
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
def item_form(request, pk, item_pk=None):
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
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
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
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
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
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
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    if not _draft_or_error(request, checklist):
        return redirect(checklist)
    initial = [{"min_percent": b.min_percent, "label": b.label, "stars": b.stars} for b in checklist.bands.all()]
    formset = BandFormSet(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and formset.is_valid():
        bands = [
            (f.cleaned_data["min_percent"], f.cleaned_data["label"], f.cleaned_data["stars"])
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.bands_save(actor=request.user, checklist=checklist, bands=bands)
        except ValidationError as e:
            error = _error_text(e)
        else:
            messages.success(request, "等级设置已保存。")
            return redirect(checklist.get_absolute_url() + "#bands")
    return render(
        request, "assessment/checklist_bands.html", {"checklist": checklist, "formset": formset, "error": error}
    )


@require_http_methods(["GET", "POST"])
def checklist_publish(request, pk):
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    if request.method == "POST":
        try:
            services.checklist_publish(actor=request.user, checklist=checklist)
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
        },
    )


@require_http_methods(["GET", "POST"])
def checklist_copy(request, pk):
    require_office(request.user)
    checklist = get_visible_or_404(Checklist, request.user, pk=pk)
    if request.method == "POST":
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
        },
    )


# --- rounds ------------------------------------------------------------------------------------------


def round_list(request):
    form = SimpleFilterForm(request.GET or None, states=RoundState.choices)
    qs = form.filter(selectors.round_list(user=request.user), "state")
    return render(request, "assessment/round_list.html", {"page": paginate(request, qs), "filter_form": form})


@require_http_methods(["GET", "POST"])
def round_form(request, pk=None):
    require_office(request.user)
    round_ = get_visible_or_404(Round, request.user, pk=pk) if pk else None
    checklists = selectors.published_checklists(user=request.user)
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
            form.add_error(None, error)
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
    show_results = selectors.results_visible(request.user, round_)
    overview = selectors.round_overview(round_, user=request.user)
    sections = [s["section"] for s in overview.section_averages]
    approved = [a for _, rows in overview.categories for a in rows]
    by_assessment = selectors.section_results_by_assessment([a.pk for a in approved]) if show_results else {}
    categories = [
        (category, [(a, [by_assessment.get(a.pk, {}).get(s.pk) for s in sections]) for a in rows])
        for category, rows in overview.categories
    ]
    mine = None
    if scope.is_clerk:
        mine = Assessment.objects.filter(round=round_, department=scope.department_id, withdrawn=False).first()
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": round_,
            "overview": overview,
            "sections": sections,
            "categories": categories if show_results else [],
            "show_results": show_results,
            "events": list(round_.events.select_related("actor")[:20]),
            "mine": mine,
            "chart": overview.distribution,
        },
    )


def round_forms(request, pk):
    """The round's department forms with state, method and reviewers; staff assign in bulk here."""
    round_ = get_visible_or_404(Round.objects.select_related("checklist"), request.user, pk=pk)
    is_office = scope_for(request.user).is_office
    assign_form = AssignForm(request.POST or None, user=request.user) if is_office else None
    if request.method == "POST":
        require_office(request.user)
        ids = [int(i) for i in request.POST.getlist("assessment") if i.isdigit()]
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
    filter_form = AssessmentFilterForm(request.GET or None, rounds=rounds)
    qs = filter_form.filter(selectors.assessment_list(user=request.user).filter(round=round_), request.user)
    return render(
        request,
        "assessment/round_forms.html",
        {"round": round_, "page": paginate(request, qs), "filter_form": filter_form, "assign_form": assign_form},
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
    require_office(request.user)
    round_ = get_visible_or_404(Round, request.user, pk=pk)
    if action not in ROUND_ACTIONS:
        raise Http404("未知的操作。")
    to_state, label, note = ROUND_ACTIONS[action]
    if request.method == "POST":
        try:
            if action == "publish":
                services.round_publish(actor=request.user, round_=round_)
            else:
                services.round_transition(
                    actor=request.user, round_=round_, to_state=to_state, comment=request.POST.get("comment", "")
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
    require_office(request.user)
    round_ = get_visible_or_404(Round, request.user, pk=pk)
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


# --- department forms --------------------------------------------------------------------------------


def assessment_list(request):
    rounds = Round.objects.visible_to(request.user).order_by("-created_at")
    filter_form = AssessmentFilterForm(request.GET or None, rounds=rounds)
    qs = filter_form.filter(selectors.assessment_list(user=request.user), request.user)
    return render(
        request,
        "assessment/assessment_list.html",
        {"page": paginate(request, qs), "filter_form": filter_form},
    )


def _assessment(request, pk):
    qs = Assessment.objects.select_related(
        "round", "round__checklist", "department", "department__region"
    ).prefetch_related(Prefetch("reviewers"))
    return get_visible_or_404(qs, request.user, pk=pk, withdrawn=False)


@require_http_methods(["GET", "POST"])
def assessment_detail(request, pk):
    """The department's form: filled by its clerk, reviewed by staff, read by everyone else in scope."""
    assessment = _assessment(request, pk)
    scope = scope_for(request.user)
    round_ = assessment.round
    is_own_clerk = scope.is_clerk and scope.department_id == assessment.department_id
    can_fill = (
        is_own_clerk and assessment.state in EDITABLE_STATES and round_.state in (RoundState.OPEN, RoundState.REVIEWING)
    )
    can_review = (
        assessment.state == AssessmentState.SUBMITTED
        and round_.state != RoundState.CLOSED
        and selectors.can_review(request.user, assessment)
    )
    item_errors, posted, error_message, current = {}, None, None, None
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = _int(request.POST.get("expected_version"))
        try:
            if action in ("save", "submit"):
                sheet, _ = selectors.assessment_sheet(assessment)
                ids = [row.item.pk for s in sheet for row in s.rows]
                posted = request.POST
                services.assessment_save_draft(
                    actor=request.user,
                    assessment=assessment,
                    inputs=answer_inputs(request.POST, ids),
                    files=answer_files(request.FILES, ids),
                    expected_version=version,
                )
                if action == "submit":
                    services.assessment_submit(actor=request.user, assessment=assessment)
                    messages.success(request, "评估表已提交审核，提交后不能再修改。")
                else:
                    messages.success(request, "草稿已保存。")
                return redirect(assessment)
            if action == "review":
                sheet, _ = selectors.assessment_sheet(assessment)
                ids = [row.item.pk for s in sheet for row in s.rows]
                posted = request.POST
                services.assessment_review_save(
                    actor=request.user,
                    assessment=assessment,
                    inputs=review_inputs(request.POST, ids),
                    expected_version=version,
                )
                messages.success(request, "审核意见已保存。")
                return redirect(assessment)
            if action == "carry_over":
                n = services.assessment_carry_over(actor=request.user, assessment=assessment)
                messages.success(request, f"已从上一轮带入 {n} 项的自评说明和佐证材料，请逐项确认得分。")
                return redirect(assessment)
            raise Http404("未知的操作。")
        except services.AnswerErrors as error:
            item_errors = error.item_errors
            error_message = error.messages[0]
        except StaleEditError as error:
            current = error.current
            error_message = error.messages[0]
        except ValidationError as error:
            if action == "submit":  # the draft was saved; only submission failed
                messages.error(request, _error_text(error))
                return redirect(assessment)
            error_message = _error_text(error)
        assessment = _assessment(request, pk)
    sheet, result = selectors.assessment_sheet(assessment)
    show_review = scope.is_office or scope.role == "leader" or round_.is_published
    own = selectors.self_result(assessment, sheet)
    rows_state = _row_state(sheet, posted, item_errors, review=can_review)
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "assessment": assessment,
            "round": round_,
            "sheet": sheet,
            "rows_state": rows_state,
            "result": result,
            "own": own,
            "can_fill": can_fill,
            "can_review": can_review,
            "show_review": show_review,
            "show_result": show_review and assessment.state == AssessmentState.APPROVED,
            "error_message": error_message,
            "current": current,
            "events": selectors.assessment_events(assessment),
            "missing": services.missing_requirements(assessment) if can_fill else [],
            "ledger_url": _ledger_url() if show_review and scope.is_office else None,
            "is_own_clerk": is_own_clerk,
            "return_event": assessment.events.filter(to_state=AssessmentState.RETURNED).first()
            if assessment.state == AssessmentState.RETURNED
            else None,
        },
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _row_state(sheet, posted, errors, *, review):
    """Per item: the values to show (the posted ones after a refused save, so no input is lost)."""
    state = {}
    for s in sheet:
        for row in s.rows:
            item_id, a = row.item.pk, row.answer
            if posted is not None and not review:
                values = {
                    "value": posted.get(f"v-{item_id}", ""),
                    "na": posted.get(f"na-{item_id}") == "1",
                    "na_reason": posted.get(f"nar-{item_id}", ""),
                    "explanation": posted.get(f"ex-{item_id}", ""),
                }
            else:
                values = {
                    "value": a.self_value if a else "",
                    "na": a.not_applicable if a else False,
                    "na_reason": a.na_reason if a else "",
                    "explanation": a.explanation if a else "",
                }
            if posted is not None and review:
                values["review_value"] = posted.get(f"rv-{item_id}", "")
                values["review_comment"] = posted.get(f"rc-{item_id}", "")
            else:
                values["review_value"] = (a.reviewed_value or a.self_value) if a else ""
                values["review_comment"] = a.review_comment if a else ""
            values["error"] = errors.get(item_id, "")
            row.state = values
            state[item_id] = values
    return state


@require_http_methods(["GET", "POST"])
def assessment_return(request, pk):
    assessment = _assessment(request, pk)
    require_office(request.user)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_return(
                actor=request.user,
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                expected_version=_int(request.POST.get("expected_version")),
            )
        except StaleEditError as error:
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已退回 {assessment.department} 修改。")
            return redirect(assessment)
    return render(request, "assessment/assessment_return.html", {"assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
def assessment_approve(request, pk):
    assessment = _assessment(request, pk)
    require_office(request.user)
    if request.method == "POST":
        try:
            services.assessment_approve(
                actor=request.user, assessment=assessment, expected_version=_int(request.POST.get("expected_version"))
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"已审定 {assessment.department}，结果已固定。")
        return redirect(assessment)
    return render(
        request,
        "assessment/confirm.html",
        {
            "title": "审定",
            "message": (
                f"确定审定“{assessment.department}”的评估表吗？"
                "未调整的条目以自评分为核定分，审定后总分、等级和排名即固定。"
            ),
            "button": "确定审定",
            "cancel_url": assessment.get_absolute_url(),
            "version": assessment.version,
        },
    )


# --- evidence ----------------------------------------------------------------------------------------


def evidence_download(request, pk):
    """Evidence is only ever served here, after the scope check (never from a public media URL)."""
    evidence = get_visible_or_404(Evidence.objects.select_related("answer__assessment"), request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    inline = evidence.kind in ("pdf", "image") and request.GET.get("inline") == "1"
    response = FileResponse(handle, as_attachment=not inline, filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def evidence_withdraw(request, pk):
    evidence = get_visible_or_404(Evidence.objects.select_related("answer__assessment__round"), request.user, pk=pk)
    try:
        services.evidence_withdraw(actor=request.user, evidence=evidence)
    except ValidationError as error:
        if request.headers.get("HX-Request"):
            return HttpResponse(f'<span class="text-danger small">{_error_text(error)}</span>')
        messages.error(request, _error_text(error))
    if request.headers.get("HX-Request"):
        return HttpResponse('<span class="text-muted small">已撤回</span>')
    messages.success(request, f"已撤回佐证材料：{evidence}")
    return redirect(evidence.answer.assessment)
