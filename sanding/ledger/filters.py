import django_filters
from django import forms
from django.db.models import Q

from sanding.accounts.scoping import scope_for
from sanding.registry.models import Department, Region

from .choices import Light, Source, Status
from .models import IssueCategory, Rectification, today
from .selectors import light_q

YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _yes_no(label, method):
    return django_filters.TypedChoiceFilter(
        label=label, choices=YES_NO, method=method, coerce=lambda v: v == "1", empty_value=None
    )


class RectificationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="搜索", method="search", widget=forms.TextInput(attrs={"placeholder": "问题编号、描述、整改措施"})
    )
    status = django_filters.ChoiceFilter(label="整改状态", choices=Status.choices, empty_label="全部状态")
    overdue = _yes_no("逾期", "filter_overdue")
    light = django_filters.ChoiceFilter(label="亮灯", choices=Light.choices, method="filter_light", empty_label="全部")
    category = django_filters.ModelChoiceFilter(
        label="问题类别", field_name="category", queryset=IssueCategory.objects.all(), empty_label="全部类别"
    )
    source = django_filters.ChoiceFilter(
        label="问题来源", field_name="issue__source", choices=Source.choices, empty_label="全部来源"
    )
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.none(), empty_label="全部区划")
    department = django_filters.ModelChoiceFilter(
        label="责任单位", queryset=Department.objects.none(), empty_label="全部单位"
    )
    deadline_from = django_filters.DateFilter(label="时限自", field_name="deadline", lookup_expr="gte", widget=DATE)
    deadline_to = django_filters.DateFilter(label="时限至", field_name="deadline", lookup_expr="lte", widget=DATE)
    flagged = _yes_no("挂牌督办", "filter_flagged")
    ordering = django_filters.OrderingFilter(
        label="排序",
        fields=(("deadline", "deadline"), ("updated_at", "updated"), ("id", "created")),
        field_labels={"deadline": "整改时限", "updated_at": "最近更新", "id": "登记顺序"},
        empty_label="默认（按时限）",
    )

    class Meta:
        model = Rectification
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        regions = Region.objects.visible_to(user)
        self.filters["region"].queryset = regions
        # The unit list stays short: the chosen region's units (or the user's own region's), plus the
        # chosen unit itself, all within the user's scope.
        data = self.data or {}
        region_id = data.get("region") or getattr(user, "region_id", None)
        departments = Department.objects.visible_to(user)
        if scope.is_clerk:
            departments = Department.objects.filter(region=user.region_id)
        query = Q(region=region_id) if str(region_id or "").isdigit() else Q()
        chosen = data.get("department")
        if str(chosen or "").isdigit():
            query |= Q(pk=chosen)
        self.filters["department"].queryset = departments.filter(query).only("pk", "name", "code").order_by("code")
        self.filters["category"].queryset = IssueCategory.objects.all()
        for f in self.form.fields.values():
            css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
            f.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_light(self, queryset, name, value):
        return queryset.filter(light_q(value, today()))

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(flagged=value)
