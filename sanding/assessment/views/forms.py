"""The department's form: fill, review, return and approve."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sanding.accounts.scoping import get_visible_or_404, require_office, scope_for
from sanding.core.pagination import paginate
from sanding.core.services import MissingVersionError, StaleEditError, posted_version

from .. import history, selectors, services
from ..choices import AssessmentState, RoundState
from ..forms import (
    AssessmentFilterForm,
    ReasonForm,
    answer_files,
    answer_inputs,
    review_inputs,
)
from ..models import Assessment, Round
from ._common import _error_text


def _ledger_url():
    """The ledger's “new issue” page, when the ledger app provides one (the hook for issue 4)."""
    try:
        return reverse("ledger:issue-create")
    except NoReverseMatch:
        return None


def _stale_text(error, expected):
    """The loser of two simultaneous actions: who changed the form first after it was loaded, and how.

    "该评估表已由 张三 于 12-02 10:31 处理为“已审定”，您的操作未执行。" (from the form's history).
    """
    history = error.current.history.select_related("history_user")
    first = history.filter(version__gt=expected).order_by("history_date", "history_id").first()
    if first is None:
        return _error_text(error)
    before = history.filter(version__lte=expected).order_by("-history_date", "-history_id").first()
    when = timezone.localtime(first.history_date)
    state = AssessmentState(first.state).label
    done = f"处理为“{state}”" if before is None or before.state != first.state else f"修改（当前状态“{state}”）"
    return f"该评估表已由 {first.history_user or '系统'} 于 {when:%m-%d %H:%M} {done}，您的操作未执行。"


def assessment_list(request):
    rounds = Round.objects.visible_to(request.user).order_by("-created_at")
    filter_form = AssessmentFilterForm(request.GET or None, rounds=rounds, user=request.user)
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
    closed_reason = selectors.fill_closed_reason(assessment) if is_own_clerk else None
    can_fill = is_own_clerk and closed_reason is None
    can_review = (
        assessment.state == AssessmentState.SUBMITTED
        and round_.state != RoundState.CLOSED
        and selectors.can_review(request.user, assessment)
    )
    item_errors, posted, error_message, current, error_lines = {}, None, None, None, []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit"):
                sheet, _ = selectors.assessment_sheet(assessment)
                ids = [row.item.pk for s in sheet for row in s.rows]
                posted = request.POST
                version = posted_version(request.POST) if is_own_clerk else None  # others: refused by the service
                saved = services.assessment_save_draft(
                    actor=request.user,
                    assessment=assessment,
                    inputs=answer_inputs(request.POST, ids),
                    files=answer_files(request.FILES, ids),
                    expected_version=version,
                )
                for ev in saved.duplicates:
                    when = timezone.localtime(ev.uploaded_at)
                    note = f"{when:%Y-%m-%d %H:%M} 上传过相同内容"
                    messages.info(request, f"该文件已上传：{ev.original_name}（{note}），未重复保存。")
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
                version = posted_version(request.POST) if scope.is_office else None  # others: refused by the service
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
            raise BadRequest("未知的操作。")
        except services.AnswerErrors as error:
            item_errors = error.item_errors
            error_message = error.messages[0]
            error_lines = error.lines
        except MissingVersionError as error:  # nothing was saved: the input stays in the form
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
    items = {row.item.pk: row.item for s in sheet for row in s.rows}
    returned = assessment.state == AssessmentState.RETURNED
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
            "error_lines": error_lines,
            "files_lost": bool(error_message and request.FILES),
            "closed_reason": closed_reason,
            "days_left": selectors.days_left(round_.fill_deadline),
            "show_review_comments": show_review or (is_own_clerk and returned),
            "changes": history.assessment_changes(assessment, items, include_review=show_review),
            "current": current,
            "events": selectors.assessment_events(assessment),
            "missing": services.missing_requirements(assessment) if can_fill else [],
            "ledger_url": _ledger_url() if show_review and scope.is_office else None,
            "is_own_clerk": is_own_clerk,
            "return_event": assessment.events.filter(to_state=AssessmentState.RETURNED).first() if returned else None,
        },
    )


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
                values["reject_na"] = posted.get(f"rn-{item_id}") == "1"
            else:
                values["review_value"] = (a.reviewed_value or a.self_value) if a else ""
                values["review_comment"] = a.review_comment if a else ""
                values["reject_na"] = a.na_rejected if a else False
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
            expected = posted_version(request.POST)
            services.assessment_return(
                actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"], expected_version=expected
            )
        except StaleEditError as error:  # the typed reason stays in the form
            form.add_error(None, _stale_text(error, expected))
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
            expected = posted_version(request.POST)
            services.assessment_approve(actor=request.user, assessment=assessment, expected_version=expected)
        except StaleEditError as error:
            messages.error(request, _stale_text(error, expected))
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
