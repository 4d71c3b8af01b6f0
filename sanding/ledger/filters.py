import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q

from sanding.accounts.filters import ScopedFilterSet
from sanding.core.cleaning import parse_id
from sanding.registry.models import Department, Region

from .choices import Light, Source, Status
from .deadlines import light_q
from .models import Issue, IssueCategory, Rectification
from .selectors import DEADLINE_ORDER

YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _yes_no(label, method):
    return django_filters.TypedChoiceFilter(
        label=label, choices=YES_NO, method=method, coerce=lambda v: v == "1", empty_value=None
    )


OPEN = "open"
STATUS_CHOICES = [(OPEN, "未销号（全部在办）"), *Status.choices]

# 排序: value → (label, order). Undated items (长期坚持, 立行立改 without a date) come last both ways.
ORDERINGS = {
    "deadline": ("整改时限（由近到远）", DEADLINE_ORDER),
    "-deadline": ("整改时限（由远到近）", (F("deadline").desc(nulls_last=True), F("id").desc())),
    "-updated": ("最近更新在前", (F("updated_at").desc(), F("id").desc())),
    "updated": ("最早更新在前", (F("updated_at").asc(), F("id").asc())),
    "-created": ("最新登记在前", (F("id").desc(),)),
    "created": ("最早登记在前", (F("id").asc(),)),
}


def _department_options(departments, data, user):
    """责任单位 options, among the departments the user may see (a clerk: their own only), follow 区划: the
    chosen region's units; without a chosen region, the user's own region's units plus the unit asked for
    (a link may name a unit of a region below). A unit outside the chosen region is not an option, so
    changing 区划 drops it instead of showing an empty list."""
    region_id = parse_id(data.get("region"))
    if region_id:
        query = Q(region=region_id)
    else:
        own = getattr(user, "region_id", None)
        query = Q(region=own) if own else Q()
        chosen = parse_id(data.get("department"))
        if own and chosen:
            query |= Q(pk=chosen)
    return departments.filter(query).only("pk", "name", "code").order_by("code")


class _ScopedFilterSet(ScopedFilterSet):
    """区划 and 责任单位 options limited to what the user may see (the base scopes them like the rows);
    责任单位 follows the chosen 区划."""

    def scope_filters(self, user):
        department = self.filters["department"]
        department.queryset = _department_options(department.queryset, self.data or {}, user)


class RectificationFilter(_ScopedFilterSet):
    q = django_filters.CharFilter(
        label="搜索", method="search", widget=forms.TextInput(attrs={"placeholder": "问题编号、描述、整改措施"})
    )
    status = django_filters.ChoiceFilter(
        label="整改状态", choices=STATUS_CHOICES, method="filter_status", empty_label="全部状态"
    )
    overdue = _yes_no("逾期", "filter_overdue")
    light = django_filters.ChoiceFilter(label="亮灯", choices=Light.choices, method="filter_light", empty_label="全部")
    category = django_filters.ModelChoiceFilter(
        label="问题类别", field_name="category", queryset=IssueCategory.objects.all(), empty_label="全部类别"
    )
    source = django_filters.ChoiceFilter(
        label="问题来源", field_name="issue__source", choices=Source.choices, empty_label="全部来源"
    )
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.all(), empty_label="全部区划")
    department = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Department.objects.all(), empty_label="全部单位"
    )
    deadline_from = django_filters.DateFilter(label="时限自", field_name="deadline", lookup_expr="gte", widget=DATE)
    deadline_to = django_filters.DateFilter(label="时限至", field_name="deadline", lookup_expr="lte", widget=DATE)
    flagged = _yes_no("挂牌督办", "filter_flagged")
    ordering = django_filters.ChoiceFilter(
        label="排序",
        choices=[(k, label) for k, (label, _) in ORDERINGS.items()],
        method="order",
        empty_label="默认（按时限，无时限在后）",
    )

    class Meta:
        model = Rectification
        fields = []

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        return queryset.exclude(status=Status.CLOSED) if value == OPEN else queryset.filter(status=value)

    def order(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value][1])

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_light(self, queryset, name, value):
        return queryset.filter(light_q(value))

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(flagged=value)


HAS_ITEMS = [("", "全部"), ("0", "无整改事项"), ("1", "有整改事项"), ("open", "有未销号事项")]
ISSUE_ORDERINGS = {
    "-found": ("发现日期（新→旧）", (F("found_on").desc(), F("id").desc())),
    "found": ("发现日期（旧→新）", (F("found_on").asc(), F("id").asc())),
    "code": ("问题编号（小→大）", (F("year").asc(), F("seq").asc(), F("id").asc())),
}


class IssueFilter(_ScopedFilterSet):
    """Filters of the issue list (问题列表)."""

    q = django_filters.CharFilter(
        label="搜索", method="search", widget=forms.TextInput(attrs={"placeholder": "问题编号、问题描述"})
    )
    items = django_filters.ChoiceFilter(
        label="整改事项", choices=HAS_ITEMS[1:], method="filter_items", empty_label="全部"
    )
    category = django_filters.ModelChoiceFilter(
        label="问题类别", field_name="category", queryset=IssueCategory.objects.all(), empty_label="全部类别"
    )
    source = django_filters.ChoiceFilter(label="问题来源", choices=Source.choices, empty_label="全部来源")
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.all(), empty_label="全部区划")
    department = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Department.objects.all(), empty_label="全部单位"
    )
    found_from = django_filters.DateFilter(label="发现自", field_name="found_on", lookup_expr="gte", widget=DATE)
    found_to = django_filters.DateFilter(label="发现至", field_name="found_on", lookup_expr="lte", widget=DATE)
    ordering = django_filters.ChoiceFilter(
        label="排序",
        choices=[(k, label) for k, (label, _) in ISSUE_ORDERINGS.items()],
        method="order",
        empty_label="默认（问题编号新→旧）",
    )

    class Meta:
        model = Issue
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(description__icontains=value)) if value else queryset

    def filter_items(self, queryset, name, value):
        items = Rectification.objects.filter(issue=OuterRef("pk"))
        if value == "0":
            return queryset.filter(~Exists(items))
        if value == "open":
            return queryset.filter(Exists(items.exclude(status=Status.CLOSED)))
        return queryset.filter(Exists(items))

    def order(self, queryset, name, value):
        return queryset.order_by(*ISSUE_ORDERINGS[value][1])
