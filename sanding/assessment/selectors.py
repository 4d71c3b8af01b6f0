"""Reads of the assessment app, always through the user's scope, in a fixed number of queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from sanding.accounts.choices import Role
from sanding.accounts.models import User
from sanding.accounts.scoping import scope_for
from sanding.registry.choices import DepartmentCategory

from . import scoring
from .choices import EDITABLE_STATES, AssessmentState, ChecklistStatus, RoundState
from .models import Answer, Assessment, Checklist, Evidence, GradeBand, Item, Round, Section, SectionResult

CATEGORY_ORDER = {value: index for index, (value, _) in enumerate(DepartmentCategory.choices)}


def checklist_list(*, user):
    return (
        Checklist.objects.visible_to(user)
        .select_related("region")
        .annotate(
            n_sections=Count("sections", filter=Q(sections__archived=False), distinct=True),
            n_rounds=Count("rounds", distinct=True),
        )
        .order_by("name", "-edition")  # Meta.ordering is dropped from GROUP BY queries
    )


def published_checklists(*, user):
    return Checklist.objects.visible_to(user).filter(status=ChecklistStatus.PUBLISHED)


def checklist_structure(checklist):
    """Sections (not removed) with their items and category rules: three queries."""
    items = Item.objects.filter(archived=False).prefetch_related("category_rules").order_by("seq", "pk")
    return list(
        Section.objects.filter(checklist=checklist, archived=False)
        .order_by("seq", "pk")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def effective_max(item, category):
    """The item's maximum for a department category, or None when it does not apply to it."""
    for rule in item.category_rules.all():
        if rule.category == category:
            if rule.excluded:
                return None
            return rule.max_points if rule.max_points is not None else item.max_points
    return item.max_points


def scoring_rule(item, category):
    max_points = effective_max(item, category)
    if max_points is None:
        return None
    return scoring.Rule(kind=item.rule, max_points=max_points, step=item.step, deduction=item.deduction)


def checklist_bands(checklist):
    return [scoring.Band(b.min_percent, b.label, b.stars) for b in GradeBand.objects.filter(checklist=checklist)]


def item_lines(sections, category):
    return [
        scoring.ItemLine(
            item_id=item.pk,
            section_id=section.pk,
            max_points=effective_max(item, category),
            is_veto=item.is_veto,
            text=item.text,
        )
        for section in sections
        for item in section.items.all()
    ]


# --- lists -------------------------------------------------------------------------------------------


def round_list(*, user):
    return (
        Round.objects.visible_to(user)
        .select_related("checklist", "region")
        .annotate(
            n_total=Count("assessments", filter=Q(assessments__withdrawn=False)),
            n_submitted=Count(
                "assessments",
                filter=Q(assessments__withdrawn=False, assessments__state=AssessmentState.SUBMITTED),
            ),
            n_approved=Count(
                "assessments",
                filter=Q(assessments__withdrawn=False, assessments__state=AssessmentState.APPROVED),
            ),
        )
        .order_by("-created_at", "-pk")  # Meta.ordering is dropped from GROUP BY queries
    )


def assessment_list(*, user):
    return (
        Assessment.objects.visible_to(user)
        .filter(withdrawn=False)
        .select_related("round", "department", "department__region", "round__checklist")
        .prefetch_related("reviewers")
        .order_by("-round__created_at", "round_id", "department__code")
    )


# --- one department's form ---------------------------------------------------------------------------


@dataclass
class Row:
    item: object
    answer: object
    max_points: object
    evidence: list = field(default_factory=list)

    @property
    def below_full(self):
        score = self.answer.final_score if self.answer else None
        return self.max_points is not None and score is not None and score < self.max_points


@dataclass
class SheetSection:
    section: object
    rows: list
    subtotal: object = None


def assessment_sheet(assessment):
    """The form's sections and rows, with answers and live evidence, in five queries."""
    sections = checklist_structure(assessment.round.checklist)
    answers = {
        a.item_id: a
        for a in Answer.objects.filter(assessment=assessment).only(*[f.attname for f in Answer._meta.fields])
    }
    evidence = defaultdict(list)
    versions = defaultdict(int)
    for ev in (
        Evidence.objects.filter(answer__assessment=assessment)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    ):
        versions[ev.answer_id] += 1
        ev.version_number = versions[ev.answer_id]  # every upload to the item is a version, withdrawn too
        if not ev.withdrawn:
            evidence[ev.answer_id].append(ev)
    result = scoring.compute(
        item_lines(sections, assessment.category),
        {
            item_id: scoring.AnswerLine(item_id, a.counts_as_not_applicable, a.final_score)
            for item_id, a in answers.items()
        },
        [],
    )
    out = []
    for section in sections:
        rows = []
        for item in section.items.all():
            max_points = effective_max(item, assessment.category)
            if max_points is None:
                continue
            answer = answers.get(item.pk)
            rows.append(
                Row(item=item, answer=answer, max_points=max_points, evidence=evidence[answer.pk] if answer else [])
            )
        if rows:
            out.append(SheetSection(section=section, rows=rows, subtotal=result.sections.get(section.pk)))
    return out, result


def self_result(assessment, sheet):
    """Total of the department's own scores (what the clerk sees before publication)."""
    lines = [
        scoring.ItemLine(r.item.pk, s.section.pk, r.max_points, r.item.is_veto, r.item.text)
        for s in sheet
        for r in s.rows
    ]
    answers = {
        r.item.pk: scoring.AnswerLine(r.item.pk, r.answer.not_applicable, r.answer.self_score)
        for s in sheet
        for r in s.rows
        if r.answer
    }
    return scoring.compute(lines, answers, [])


def assessment_events(assessment):
    return list(assessment.events.select_related("actor"))


def can_review(user, assessment):
    """Who may review a form: 编办 staff whose region covers the department, and of those —
    admins always; staff only when assigned, or when nobody is assigned to the form."""
    scope = scope_for(user)
    if not scope.is_office:
        return False
    if scope.region_ids is not None and assessment.department.region_id not in scope.region_ids:
        return False
    if scope.is_admin:
        return True
    reviewer_ids = [u.pk for u in assessment.reviewers.all()]
    return not reviewer_ids or user.pk in reviewer_ids


def region_ancestor_paths(path):
    """ "YZ/XC/" -> ["YZ/", "YZ/XC/"]: the paths of a region and every region above it."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def office_users():
    return User.objects.filter(is_active=True).filter(
        Q(groups__name__in=[Role.STAFF.label, Role.ADMIN.label]) | Q(is_superuser=True)
    )


def reviewer_choices(round_):
    """Candidate reviewers for a round's forms: 编办 staff of the round's region, of the regions above it
    (they cover every department) and of the regions below it (they cover their own region's
    departments only; the service refuses them for others)."""
    region = round_.region
    covering = region_ancestor_paths(region.path)
    return (
        office_users()
        .filter(Q(region__path__in=covering) | Q(region__path__startswith=region.path))
        .select_related("region")
        .distinct()
        .order_by("region__path", "username")
    )


def fill_closed_reason(assessment, *, today=None):
    """Why the department cannot change its form now, or None when it can.

    Filling runs while the round is open and until its 填报截止日期 (staff extend it by editing the
    round). A form the 编办 returned (退回) stays open to its department until resubmitted, also after the
    deadline and while the round is 审核中: the return is the staff's own reopening of that one form.
    """
    round_ = assessment.round
    if round_.state == RoundState.DRAFT:
        return "本轮评估当前不接受填报。"
    if round_.state == RoundState.CLOSED:
        return "本轮评估已结束，不能再保存或提交。"
    if assessment.state not in EDITABLE_STATES:
        return f"评估表当前为“{AssessmentState(assessment.state).label}”，不能再修改。"
    if assessment.state == AssessmentState.RETURNED:
        return None
    if round_.state == RoundState.REVIEWING:
        return "本轮评估已进入审核阶段，不能再保存或提交。"
    today = today or timezone.localdate()
    if round_.fill_deadline and today > round_.fill_deadline:
        return (
            f"填报已于 {round_.fill_deadline:%Y-%m-%d} 截止，不能再保存或提交；如需补报，请联系编办延长填报截止日期。"
        )
    return None


def days_left(deadline, *, today=None):
    """Whole days until a deadline (0 on the day itself, negative after); None without a deadline."""
    if deadline is None:
        return None
    return (deadline - (today or timezone.localdate())).days


def results_visible(user, round_):
    """Clerks see reviewed scores and results only once the round is published."""
    return not scope_for(user).is_clerk or round_.is_published


# --- the round page ----------------------------------------------------------------------------------


@dataclass
class RoundOverview:
    progress: list  # (state, label, count)
    total: int
    categories: list  # (category, [assessment…]) ranked
    section_averages: list  # (section, average percentage, average score, max)
    distribution: dict  # for the chart
    approved: int


DISTRIBUTION_BUCKETS = [(0, 60), (60, 70), (70, 80), (80, 90), (90, 101)]


def round_overview(round_, *, user):
    """Progress counts, ranking per category, section averages and the score distribution.

    Four queries whatever the number of departments.
    """
    visible = Assessment.objects.visible_to(user).filter(round=round_, withdrawn=False)
    counts = Counter(dict(visible.order_by().values_list("state").annotate(n=Count("pk"))))
    progress = [(state.value, state.label, counts.get(state.value, 0)) for state in AssessmentState]
    approved = list(
        visible.filter(state=AssessmentState.APPROVED)
        .select_related("department")
        .order_by("category", "rank", "department__code")
    )
    by_category = defaultdict(list)
    for a in approved:
        by_category[a.category].append(a)
    sections = list(Section.objects.filter(checklist=round_.checklist_id, archived=False).order_by("seq", "pk"))
    sums = defaultdict(lambda: [scoring.ZERO, scoring.ZERO, 0])
    for section_id, score, max_score in SectionResult.objects.filter(
        assessment__in=visible.filter(state=AssessmentState.APPROVED)
    ).values_list("section_id", "score", "max_score"):
        acc = sums[section_id]
        acc[0] += score
        acc[1] += max_score
        acc[2] += 1
    section_averages = []
    for s in sections:
        score, max_score, n = sums[s.pk]
        section_averages.append(
            {
                "section": s,
                "percentage": scoring.percentage(score, max_score),
                "average": (score / n).quantize(scoring.CENT) if n else None,
            }
        )
    labels = ["60%以下", "60%–70%", "70%–80%", "80%–90%", "90%及以上"]
    buckets = [0] * len(DISTRIBUTION_BUCKETS)
    for a in approved:
        if a.percentage is None:
            continue
        for i, (low, high) in enumerate(DISTRIBUTION_BUCKETS):
            if low <= a.percentage < high:
                buckets[i] += 1
                break
    distribution = {
        "labels": labels,
        "counts": buckets,
        "sections": [s["section"].title for s in section_averages],
        "section_percentages": [float(s["percentage"]) if s["percentage"] is not None else 0 for s in section_averages],
    }
    return RoundOverview(
        progress=progress,
        total=sum(counts.values()),
        categories=sorted(by_category.items(), key=lambda pair: (CATEGORY_ORDER.get(pair[0], 99), pair[0])),
        section_averages=section_averages,
        distribution=distribution,
        approved=len(approved),
    )


def section_results_by_assessment(assessments):
    by = defaultdict(dict)
    for r in SectionResult.objects.filter(assessment__in=assessments):
        by[r.assessment_id][r.section_id] = r
    return by


# --- the department page (一部门一档) -------------------------------------------------------------------


def department_trend(*, department, user):
    """Approved results of a department across rounds, oldest first (clerks: published rounds only)."""
    qs = (
        Assessment.objects.visible_to(user)
        .filter(department=department, withdrawn=False, state=AssessmentState.APPROVED)
        .select_related("round", "round__checklist")
        .order_by("round__created_at", "round_id")
    )
    if scope_for(user).is_clerk:
        qs = qs.filter(round__published_at__isnull=False)
    return list(qs)


def department_open_assessments(*, department, user):
    return list(
        Assessment.objects.visible_to(user)
        .filter(department=department, withdrawn=False)
        .exclude(state=AssessmentState.APPROVED)
        .select_related("round")
        .order_by("-round__created_at")
    )
