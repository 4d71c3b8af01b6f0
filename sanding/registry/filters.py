import django_filters
from django import forms
from django.db.models import Q

from sanding.accounts.filters import ScopedFilterSet

from .choices import DepartmentCategory, DepartmentRank, DepartmentStatus
from .models import Department, Region

YES_NO = [("", "全部"), ("1", "是"), ("0", "否")]


class ChineseOrderingFilter(django_filters.OrderingFilter):
    descending_fmt = "%s（降序）"


class DepartmentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label="搜索", method="search", widget=forms.TextInput(attrs={"placeholder": "名称、简称、别名或代码"})
    )
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.all(), empty_label="全部区划")
    category = django_filters.ChoiceFilter(label="部门类别", choices=DepartmentCategory.choices, empty_label="全部类别")
    rank = django_filters.ChoiceFilter(label="机构规格", choices=DepartmentRank.choices, empty_label="全部规格")
    status = django_filters.ChoiceFilter(label="状态", choices=DepartmentStatus.choices, empty_label="全部状态")
    overrun = django_filters.TypedChoiceFilter(
        label="超编", choices=YES_NO, method="filter_overrun", coerce=lambda v: v == "1", empty_value=None
    )
    leader_overrun = django_filters.TypedChoiceFilter(
        label="超职数", choices=YES_NO, method="filter_leader_overrun", coerce=lambda v: v == "1", empty_value=None
    )
    ordering = ChineseOrderingFilter(
        label="排序",
        fields=(("code", "code"), ("name", "name"), ("staffing_approved", "approved"), ("staffing_actual", "actual")),
        field_labels={"code": "代码", "name": "名称", "staffing_approved": "核定编制", "staffing_actual": "实有人员"},
        empty_label="默认排序",
    )

    class Meta:
        model = Department
        fields = ["q", "region", "category", "rank", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(aliases__icontains=value)
            | Q(code__istartswith=value)
        )

    def filter_overrun(self, queryset, name, value):
        return queryset.filter(has_staffing_overrun=value)

    def filter_leader_overrun(self, queryset, name, value):
        return queryset.filter(has_leader_overrun=value)
