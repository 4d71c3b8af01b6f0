from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sanding.accounts.scoping import get_visible_or_404, require_office, scope_for
from sanding.core.cleaning import clean_text, no_nul, parse_id, parse_ids
from sanding.core.forms import SubmitOnceForm, refuse_stale
from sanding.core.links import in_app_path
from sanding.core.pagination import paginate
from sanding.core.services import StaleEditError, posted_version
from sanding.core.submissions import submit_once
from sanding.registry.models import Region

from . import selectors, services, sources
from .choices import Action, Source, Status
from .deadlines import warning_days
from .export import export_ledger
from .filters import IssueFilter, RectificationFilter
from .forms import (
    BulkForm,
    CategoryForm,
    IssueForm,
    ProgressForm,
    RectificationForm,
    RegionSettingForm,
    TransitionForm,
)
from .models import Attachment, Issue, IssueCategory, Notification, Rectification
from .pagination import paginate_capped

TRANSITION_STASH = "ledger-transition-failed"

# --- the ledger list ----------------------------------------------------------------------------------


def _filterset(request):
    return RectificationFilter(
        request.GET or None, queryset=selectors.rectification_list(user=request.user), user=request.user
    )


def rectification_list(request):
    filterset = _filterset(request)
    page = paginate_capped(request, filterset.qs)
    context = {
        "filter": filterset,
        "page": page,
        "bulk_form": BulkForm(),
        "today": timezone.localdate(),
        "warning_days": warning_days(),
    }
    # An htmx request (a filter changed) gets the table, plus the 责任单位 options swapped out of band,
    # so they follow a changed 区划.
    template = (
        "ledger/_rectification_results.html" if request.headers.get("HX-Request") else "ledger/rectification_list.html"
    )
    return render(request, template, context)


def issue_without_items_notice(request):
    """“N 个问题尚无整改事项” for 编办 staff: loaded by the ledger list after the page (hx-trigger=load),
    since the count reads every issue in scope and must not delay the list."""
    n = selectors.issues_without_items_count(user=request.user) if scope_for(request.user).is_office else 0
    return render(request, "ledger/_issue_without_items_notice.html", {"n": n})


def ledger_export(request):
    """Exactly the rows the list shows with the same filters, in the standard layout."""
    filterset = _filterset(request)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    scope_name = request.user.department or request.user.region or "全部区划"
    export_ledger(filterset.qs, response, subtitle=f"{scope_name}  导出时间：{timezone.localtime():%Y-%m-%d %H:%M}")
    filename = f"问题整改台账-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(text):
    return quote(text)


@require_POST
def ledger_bulk(request):
    require_office(request.user)
    form = BulkForm(request.POST)
    ids = parse_ids(request.POST.getlist("ids"))
    # Back to the list page the form was on; never elsewhere ("//host/…" starts with "/" too).
    back = in_app_path(request.POST.get("next"), reverse("ledger:rectification-list"))
    if not ids:
        messages.error(request, "请先勾选要操作的整改事项。")
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    items = list(Rectification.objects.visible_to(request.user).filter(pk__in=ids).select_related("issue"))
    if len(items) != len(set(ids)):
        raise Http404("未找到部分整改事项，或您无权操作。")
    action = form.cleaned_data["action"]
    result = services.rectification_bulk_update(
        actor=request.user,
        rectifications=items,
        deadline=form.cleaned_data["deadline"] if action == "deadline" else None,
        flagged={"flag": True, "unflag": False}.get(action),
    )
    label = dict(BulkForm.ACTIONS)[action]
    if result.changed:
        messages.success(request, f"{label}：已更改 {len(result.changed)} 项：{_codes(result.changed)}。")
    else:
        messages.warning(request, f"{label}：没有事项被更改。")
    for reason, skipped in result.skipped_by_reason().items():
        messages.warning(request, f"跳过 {len(skipped)} 项（{reason}）：{_codes(skipped)}。")
    return redirect(back)


def _codes(items, limit=10):
    codes = [str(r) for r in items[:limit]]
    more = f" 等 {len(items)} 项" if len(items) > limit else ""
    return "、".join(codes) + more


# --- issues -------------------------------------------------------------------------------------------


def issue_list(request):
    """问题列表: one row per issue (also those without rectification items), filtered and paginated."""
    filterset = IssueFilter(request.GET or None, queryset=selectors.issue_list(user=request.user), user=request.user)
    page = paginate_capped(request, filterset.qs)
    context = {"filter": filterset, "page": page}
    template = "ledger/_issue_results.html" if request.headers.get("HX-Request") else "ledger/issue_list.html"
    return render(request, template, context)


def issue_detail(request, pk):
    issue = selectors.issue_for_page(user=request.user, pk=pk)
    rectifications = list(
        Rectification.objects.visible_to(request.user).filter(issue=issue).select_related("department").order_by("seq")
    )
    attachments = list(Attachment.objects.filter(issue=issue, rectification__isnull=True).select_related("uploaded_by"))
    history = list(issue.history.select_related("history_user").order_by("-history_date")[:30])
    return render(
        request,
        "ledger/issue_detail.html",
        {
            "issue": issue,
            "rectifications": rectifications,
            "attachments": attachments,
            "history": history,
            "source": selectors.issue_source(issue=issue, user=request.user),
            "today": timezone.localdate(),
        },
    )


# Which default category a checklist section's problems usually belong to (staff may change it).
SECTION_CATEGORY_HINTS = [
    ("议事协调", "议事协调机构协调配合不畅"),
    ("编制", "编制人员管理"),
    ("职数", "编制人员管理"),
    ("内设机构", "部门内部职责不理顺"),
    ("挂牌", "机构编制违规违纪"),
    ("边界", "部门间职责边界不清"),
    ("职能", "部门职能不理顺"),
    ("职责", "工作职责未明确"),
]


def _assessment_initial(user, answer_id):
    """Pre-fill a new issue from a reviewed self-assessment answer (?assessment_answer=<id>), which the
    assessment app describes (settings.LEDGER_ISSUE_SOURCES); the category follows the section's title."""
    if not answer_id:
        return {}
    pk = parse_id(answer_id)
    if pk is None:
        raise Http404("未找到该自查评估答题。")
    draft = sources.source(sources.ASSESSMENT_ANSWER).draft(pk=pk, user=user)
    category = None
    for keyword, name in SECTION_CATEGORY_HINTS:
        if keyword in draft["topic"]:
            category = IssueCategory.objects.filter(name=name, active=True).first()
            break
    return {
        "source": Source.SELF_CHECK,
        "department": draft["department"],
        "category": category.pk if category else None,
        "description": "；".join(draft["lines"]),
        "source_ref": sources.make_ref(sources.ASSESSMENT_ANSWER, pk),
        "source_url": draft["url"],
    }


@require_http_methods(["GET", "POST"])
@submit_once
def issue_form(request, pk=None):
    issue = get_visible_or_404(Issue, request.user, pk=pk) if pk else None
    require_office(request.user)
    initial = {} if issue else _assessment_initial(request.user, request.GET.get("assessment_answer", ""))
    allow_duplicate = request.POST.get("duplicate", request.GET.get("duplicate")) == "1"
    if issue is None and request.method == "GET" and initial.get("source_ref") and not allow_duplicate:
        existing = selectors.issues_from_source(user=request.user, source_ref=initial["source_ref"])
        if existing:
            # The answer was already raised: show that issue instead of silently creating a duplicate.
            return render(
                request,
                "ledger/issue_duplicate.html",
                {"existing": existing, "again_url": f"{request.get_full_path()}&duplicate=1"},
            )
    form = IssueForm(request.POST or None, request.FILES or None, instance=issue, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        source_ref = form.cleaned_data.get("source_ref") or ""
        existing = (
            selectors.issues_from_source(user=request.user, source_ref=source_ref)
            if issue is None and source_ref and not allow_duplicate
            else []
        )
        if existing:
            form.add_error(
                None,
                f"该来源记录已登记为问题 {'、'.join(i.code for i in existing)}；如确需另行登记，请从“仍要登记”进入。",
            )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.issue_save(
                actor=request.user,
                issue=form.instance,
                cooperating=list(form.cleaned_data["cooperating"]),
                files=form.cleaned_data["files"],
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已保存问题 {saved.code}。")
            if issue is None:
                return redirect("ledger:rectification-create", pk=saved.pk)
            return redirect(saved)
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": f"编辑问题 {issue.code}" if issue else "登记问题",
            "cancel_url": issue.get_absolute_url() if issue else reverse("ledger:rectification-list"),
            "multipart": True,
            "from_assessment": bool(initial.get("source_ref")),
            "allow_duplicate": allow_duplicate,
        },
    )


def _add_errors(form, error):
    if isinstance(error, StaleEditError):
        refuse_stale(form, error)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- rectification items --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@submit_once
def rectification_form(request, pk):
    """New item under issue `pk` (URL rectification-create) or edit item `pk` (rectification-edit)."""
    if request.resolver_match.url_name == "rectification-create":
        issue = get_visible_or_404(Issue, request.user, pk=pk)
        item = None
    else:
        item = selectors.rectification_for_page(user=request.user, pk=pk)
        issue = item.issue
    require_office(request.user)
    instance = item or Rectification(issue=issue)
    form = RectificationForm(request.POST or None, instance=instance, issue=issue)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.rectification_save(
                actor=request.user,
                rectification=form.instance,
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已保存整改事项 {saved}。")
            return redirect(saved)
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": f"编辑整改事项 {item}" if item else f"为问题 {issue.code} 新增整改事项",
            "issue": issue,
            "cancel_url": item.get_absolute_url() if item else issue.get_absolute_url(),
        },
    )


def _item_context(request, item, *, failed=None):
    """Everything the item page shows. `failed` re-opens one action's form after a refused step
    (action, the typed comment, the evidence chosen, the error messages)."""
    actions = services.allowed_actions(user=request.user, rectification=item)
    roles = services.actor_roles(request.user, item)
    all_attachments = selectors.rectification_attachments(item)
    failed = failed or {}
    action_forms = []
    # The failed action may no longer be offered (somebody else acted first): its message and the typed
    # text are shown on their own, so nothing the user wrote is lost.
    failed_elsewhere = None
    if failed.get("action") in Action.values and failed["action"] not in actions:
        failed_elsewhere = {**failed, "action": Action(failed["action"])}
    for action in actions:
        is_failed = failed.get("action") == action
        form = TransitionForm(
            initial={
                "action": action,
                "expected_version": item.version,
                "comment": failed.get("comment", "") if is_failed else "",
            }
        )
        action_forms.append(
            {
                "action": Action(action),
                "form": form,
                "open": is_failed,
                "errors": failed.get("errors", []) if is_failed else [],
                "chosen": set(failed.get("evidence", [])) if is_failed else set(),
            }
        )
    timeline = selectors.rectification_timeline(item)
    return {
        "item": item,
        "issue": item.issue,
        "cooperating": list(item.issue.cooperating.all()),
        "action_forms": action_forms,
        "failed_elsewhere": failed_elsewhere,
        "upload_form": SubmitOnceForm(),
        "can_report": bool(roles & {services.OFFICE, services.CLERK}) and item.status != Status.CLOSED,
        "is_office": services.OFFICE in roles,
        "timeline": timeline,
        "application": selectors.latest_application(timeline),
        "progress": selectors.rectification_progress(item),
        "attachments": [a for a in all_attachments if a.progress_id is None and a.event_id is None],
        "all_attachments": all_attachments,
        "history": selectors.rectification_changes(item),
        "today": timezone.localdate(),
    }


def rectification_detail(request, pk):
    item = selectors.rectification_for_page(user=request.user, pk=pk)
    failed = request.session.pop(TRANSITION_STASH, None)
    if not failed or failed.get("pk") != item.pk:
        failed = None
    return render(request, "ledger/rectification_detail.html", _item_context(request, item, failed=failed))


@require_POST
def rectification_transition(request, pk):
    """Run one workflow step; on a refusal, back to the item page (PRG) with the typed text kept."""
    item = selectors.rectification_for_page(user=request.user, pk=pk)
    form = TransitionForm(request.POST, request.FILES, rectification=item)
    action = request.POST.get("action", "")
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.rectification_transition(
                actor=request.user,
                rectification=item,
                action=action,
                comment=form.cleaned_data["comment"],
                files=form.cleaned_data["files"],
                evidence=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"已{Action(action).label}：{item}")
            return redirect(item)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    if action not in Action.values:
        messages.error(request, "请求无效，请重试。")
        return redirect(item)
    if form.is_valid() and form.cleaned_data["files"]:
        errors = [*errors, "所选文件未保存，请重新选择。"]
    request.session[TRANSITION_STASH] = {
        "pk": item.pk,
        "action": action,
        "comment": request.POST.get("comment", ""),
        "evidence": parse_ids(request.POST.getlist("evidence")),
        "errors": errors,
    }
    return redirect(f"{item.get_absolute_url()}#action-{action}")


@require_POST
def rectification_flag(request, pk):
    item = selectors.rectification_for_page(user=request.user, pk=pk)
    require_office(request.user)
    flagged = request.POST.get("flagged") == "1"
    try:
        services.rectification_set_flag(
            actor=request.user,
            rectification=item,
            flagged=flagged,
            comment=no_nul(request.POST.get("comment")),
            expected_version=posted_version(request.POST),
        )
    except ValidationError as error:
        label = "挂牌督办" if flagged else "取消挂牌督办"
        for m in error.messages:
            messages.error(request, f"未能{label}：{m}")
    else:
        messages.success(request, "已挂牌督办。" if flagged else "已取消挂牌督办。")
    return redirect(item)


@require_http_methods(["GET", "POST"])
@submit_once
def progress_create(request, pk):
    item = selectors.rectification_for_page(user=request.user, pk=pk)
    if not services.actor_roles(request.user, item) & {services.OFFICE, services.CLERK}:
        raise PermissionDenied("只有责任单位填报员或编办工作人员可以报送整改进展。")
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_report(
                actor=request.user,
                rectification=item,
                reported_on=form.cleaned_data["reported_on"],
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "已报送整改进展。")
            return redirect(item)
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": f"报送整改进展 · {item}",
            "cancel_url": item.get_absolute_url(),
            "multipart": True,
            "item": item,
        },
    )


@require_POST
@submit_once
def attachment_upload(request, pk):
    item = selectors.rectification_for_page(user=request.user, pk=pk)
    files = request.FILES.getlist("files")
    once = SubmitOnceForm(request.POST)
    if not once.is_valid():
        messages.error(request, "页面已过期，文件未上传，请重新选择文件后上传。")
        return redirect(f"{item.get_absolute_url()}#attachments")
    if not files:
        messages.error(request, "请选择要上传的文件。")
        return redirect(item)
    try:
        services.attachment_add(actor=request.user, rectification=item, files=files)
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
    else:
        messages.success(request, f"已上传 {len(files)} 个文件。")
    return redirect(f"{item.get_absolute_url()}#attachments")


def attachment_download(request, pk):
    attachment = get_visible_or_404(Attachment, request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the 挂图作战 board ------------------------------------------------------------------------------------


def board(request):
    regions = list(selectors.board_regions(request.user))
    if not regions:
        raise Http404("您的账号尚未分配区划。")
    chosen = request.GET.get("region")
    region = next((r for r in regions if str(r.pk) == chosen), None)
    if region is None:
        user_region = request.user.region_id
        region = next((r for r in regions if r.pk == user_region), regions[0])
    figures = selectors.board(user=request.user, region=region)
    chart_data = {
        "status": [{"name": s["label"], "value": s["n"], "status": s["status"]} for s in figures["by_status"]],
        "categories": [
            {"name": c["name"], "total": c["total"], "closed": c["closed"], "overdue": c["overdue"]}
            for c in figures["categories"]
        ],
        "timeline": figures["timeline"],
        "burndown": figures["burndown"],
    }
    return render(
        request,
        "ledger/board.html",
        {
            "regions": regions,
            "region": region,
            "f": figures,
            "chart_data": chart_data,
            "today": figures["on"],
            "warning_days": warning_days(),
        },
    )


# --- notifications ----------------------------------------------------------------------------------------


def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    q = clean_text(request.GET.get("q"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return render(request, "ledger/notification_list.html", {"page": paginate(request, qs), "show": show, "q": q})


@require_POST
def notification_read(request):
    qs = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    posted = request.POST.getlist("ids")
    if posted:  # the ticked ones (none when none is a valid id); without ids, all
        qs = qs.filter(pk__in=parse_ids(posted))
    n = qs.update(read_at=timezone.now())
    messages.success(request, f"已将 {n} 条通知标为已读。")
    return redirect("ledger:notification-list")


# --- settings: categories and the per-region switch ---------------------------------------------------------


def category_list(request):
    require_office(request.user)

    categories = IssueCategory.objects.annotate(n=Count("issues"))
    return render(request, "ledger/category_list.html", {"categories": categories})


@require_http_methods(["GET", "POST"])
@submit_once
def category_form(request, pk=None):
    require_office(request.user)
    category = IssueCategory.objects.filter(pk=pk).first() if pk else None
    if pk and category is None:
        raise Http404("未找到该类别。")
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = request.user
        saved.save()
        messages.success(request, f"已保存问题类别：{saved}")
        return redirect("ledger:category-list")
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": "编辑问题类别" if category else "新增问题类别",
            "cancel_url": reverse("ledger:category-list"),
            "help": "类别不能删除；不再使用的类别请取消“启用”。",
        },
    )


@require_http_methods(["GET", "POST"])
def region_setting(request, pk):
    region = get_visible_or_404(Region, request.user, pk=pk)
    require_office(request.user)
    current = services.head_review_enabled(region.pk)
    form = RegionSettingForm(request.POST or None, initial={"head_review": current})
    if request.method == "POST" and form.is_valid():
        services.region_setting_save(actor=request.user, region=region, head_review=form.cleaned_data["head_review"])
        messages.success(request, f"已保存 {region} 的台账设置。")
        return redirect(f"{reverse('ledger:board')}?region={region.pk}")
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": f"{region} · 台账设置",
            "cancel_url": f"{reverse('ledger:board')}?region={region.pk}",
            "help": (
                "启用后，部门申请销号须经单位负责人（“单位负责人”用户组中的本部门填报员）审核，"
                "再由编办核验销号；任一环节退回，事项回到“整改中”。"
            ),
        },
    )
