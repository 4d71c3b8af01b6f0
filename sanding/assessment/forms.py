from django import forms
from django.core.exceptions import ValidationError

from sanding.accounts.models import User
from sanding.accounts.scoping import scope_for
from sanding.core import cleaning
from sanding.core.forms import BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin
from sanding.registry.choices import DepartmentCategory
from sanding.registry.models import Department, Region

from . import selectors
from .choices import AssessmentState, Method, RoundState, ScoringRule
from .models import SCORE, Checklist, Item, Round, Section
from .services import DUPLICATE_CODE, AnswerInput, ReviewInput

NA_LABEL = "不适用"


class ChecklistForm(BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin, forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="适用部门类别",
        choices=DepartmentCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示适用于全部类别。",
    )

    class Meta:
        model = Checklist
        fields = ["name", "region", "description", "categories"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user)
        if self.instance.pk:
            self.fields["region"].disabled = True
        self.fields["categories"].widget.attrs.pop("class", None)


class SectionForm(BootstrapFormMixin, SubmitOnceFormMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


# A category's 分值 is typed as text (a number or “不适用”); a number is checked as the column stores it
# (finite, not negative, at most 7 digits with 2 decimals).
CATEGORY_POINTS = forms.DecimalField(
    **SCORE,
    min_value=0,
    error_messages={"invalid": "请填写分值，或填写“不适用”，或留空使用默认分值。", "min_value": "分值不能为负数。"},
)


class ItemForm(BootstrapFormMixin, SubmitOnceFormMixin, forms.ModelForm):
    """An item, plus one optional field per department category: a different maximum or “不适用”."""

    class Meta:
        model = Item
        fields = [
            "section",
            "code",
            "text",
            "guidance",
            "rule",
            "max_points",
            "step",
            "deduction",
            "evidence_required",
            "na_allowed",
            "is_veto",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.instance.checklist = checklist
        self.fields["code"].widget.attrs["placeholder"] = "留空则自动编号"
        self.fields["section"].queryset = Section.objects.filter(checklist=checklist, archived=False)
        self.fields["section"].empty_label = None
        rules = {r.category: r for r in self.instance.category_rules.all()} if self.instance.pk else {}
        self.category_fields = []
        for i, (value, label) in enumerate(DepartmentCategory.choices):
            name = f"cat_{i}"
            rule = rules.get(value)
            initial = "" if rule is None else (NA_LABEL if rule.excluded else rule.max_points)
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                initial=initial,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "默认"}),
            )
            self.category_fields.append((value, name))

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if code:
            other = (
                Item.objects.filter(checklist=self.checklist, code=code, archived=False)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if other is not None:
                raise ValidationError(DUPLICATE_CODE.format(code=code, other=other.text[:20]))
        return code

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if rule == ScoringRule.SCALE and not data.get("step"):
            self.add_error("step", "分档打分须设置打分步长。")
        if rule == ScoringRule.DEDUCTION and not data.get("deduction"):
            self.add_error("deduction", "扣分制须设置每处扣分。")
        step, max_points = data.get("step"), data.get("max_points")
        if rule == ScoringRule.SCALE and step and max_points is not None and max_points % step:
            self.add_error("step", "分值须为打分步长的整数倍。")
        rules = {}
        for category, name in self.category_fields:
            text = (data.get(name) or "").strip()
            if not text:
                rules[category] = (None, False)
            elif text == NA_LABEL:
                rules[category] = (None, True)
            else:
                try:
                    value = CATEGORY_POINTS.clean(text)
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                rules[category] = (value, False)
        self.category_rules = rules
        return data


class BandForm(forms.Form):
    min_percent = forms.DecimalField(
        label="得分率不低于（%）",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )
    label = forms.CharField(
        label="等级名称", max_length=20, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )
    stars = forms.IntegerField(
        label="星级",
        min_value=0,
        max_value=5,
        initial=0,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )


BandFormSet = forms.formset_factory(BandForm, extra=2, can_delete=True, max_num=10)


class RoundForm(BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin, forms.ModelForm):
    scope_categories = forms.MultipleChoiceField(
        label="按部门类别",
        choices=DepartmentCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_regions = cleaning.ModelMultipleChoiceField(
        label="按区划", queryset=Region.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    scope_departments = cleaning.ModelMultipleChoiceField(
        label="逐个选择部门",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="可按区划和类别分组勾选或搜索；与上面按类别、区划选出的部门合并。",
    )

    class Meta:
        model = Round
        fields = ["name", "region", "checklist", "fill_deadline", "review_deadline"]
        widgets = {
            "fill_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "review_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user=None, checklists=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = Region.objects.visible_to(user)
        self.fields["region"].queryset = regions
        self.fields["checklist"].queryset = checklists
        self.fields["scope_regions"].queryset = regions
        self.fields["scope_departments"].queryset = (
            Department.objects.visible_to(user).active().select_related("region")
        )
        for name in ("scope_categories", "scope_regions"):
            self.fields[name].widget.attrs.pop("class", None)
        if self.instance.pk:
            self.fields["region"].disabled = True
            if self.instance.state != RoundState.DRAFT:
                self.fields["checklist"].disabled = True
                for name in ("scope_categories", "scope_regions", "scope_departments"):
                    del self.fields[name]

    def department_groups(self):
        """The departments to pick from, grouped by region then category (in the registry's order):
        [(region, [(category, [(department, checked)])])]."""
        if "scope_departments" not in self.fields:
            return []
        field = self["scope_departments"]
        checked = {str(v) for v in (field.value() or [])}
        order = selectors.CATEGORY_ORDER
        departments = sorted(
            self.fields["scope_departments"].queryset,
            key=lambda d: (d.region.path, order.get(d.category, 99), d.code),
        )
        groups = []
        for d in departments:
            if not groups or groups[-1][0] != d.region:
                groups.append((d.region, []))
            categories = groups[-1][1]
            if not categories or categories[-1][0] != d.category:
                categories.append((d.category, []))
            categories[-1][1].append((d, str(d.pk) in checked))
        return groups

    def clean(self):
        data = super().clean()
        fill, review = data.get("fill_deadline"), data.get("review_deadline")
        if fill and review and review < fill:
            self.add_error("review_deadline", "审核截止日期不能早于填报截止日期。")
        if self.instance.pk and self.instance.state != RoundState.DRAFT:
            for name in ("fill_deadline", "review_deadline"):
                if not data.get(name) and name in self.fields:
                    self.add_error(name, "轮次开始后须设置该日期。")
        if not self.instance.pk and not (
            data.get("scope_categories") or data.get("scope_regions") or data.get("scope_departments")
        ):
            raise ValidationError("请至少按类别、区划或逐个选择一种方式确定参加评估的部门。")
        return data

    def selected_departments(self):
        data = self.cleaned_data
        if "scope_categories" not in data:
            return []
        base = Department.objects.visible_to(self.user).active()
        chosen = set()
        if data.get("scope_categories") or data.get("scope_regions"):
            qs = base
            if data.get("scope_categories"):
                qs = qs.filter(category__in=data["scope_categories"])
            if data.get("scope_regions"):
                qs = qs.filter(region__in=data["scope_regions"])
            checklist = data.get("checklist")
            if checklist and checklist.categories:
                qs = qs.filter(category__in=checklist.categories)
            chosen.update(qs)
        chosen.update(data.get("scope_departments") or [])
        return sorted(chosen, key=lambda d: d.code)


class ReviewerField(cleaning.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        region = obj.region.name if obj.region_id else "全部区划"
        return f"{obj}（{region} · {obj.role_label}）"


class AssignForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(label="评估方式", choices=[("", "不修改"), *Method.choices], required=False)
    reviewers = ReviewerField(
        label="审核人",
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="只列出本级、上级和下级编办的工作人员；下级编办人员只能审核本区划的部门。",
    )
    change_reviewers = forms.BooleanField(
        label="同时设置审核人（不选审核人表示管辖该部门的编办人员均可审核）", required=False
    )

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = selectors.reviewer_choices(round_).prefetch_related("groups")


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="退回原因", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写退回原因。"}
    )


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "部门名称或简称"}))
    state = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *AssessmentState.choices], required=False)
    category = forms.ChoiceField(
        label="部门类别", choices=[("", "全部类别"), *DepartmentCategory.choices], required=False
    )
    round = forms.ModelChoiceField(label="轮次", queryset=Round.objects.none(), required=False, empty_label="全部轮次")
    mine = forms.BooleanField(label="只看我审核的", required=False)

    def __init__(self, *args, rounds=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        if user is not None and not scope_for(user).is_office:
            del self.fields["mine"]  # staff-only filters
            if scope_for(user).is_clerk:
                del self.fields["category"]
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = "form-check-input"
            elif isinstance(f.widget, forms.Select):
                f.widget.attrs["class"] = "form-select form-select-sm"
            else:
                f.widget.attrs["class"] = "form-control form-control-sm"

    def filter(self, qs, user):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(department__name__icontains=q) | qs.filter(department__short_name__icontains=q)
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data["round"]:
            qs = qs.filter(round=data["round"])
        if data.get("mine"):
            qs = qs.filter(reviewers=user)
        return qs


class SimpleFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "名称"}))
    state = forms.ChoiceField(label="状态", required=False)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "全部状态"), *states]
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["state"].widget.attrs["class"] = "form-select form-select-sm"

    def filter(self, qs, state_field):
        if not self.is_valid():
            return qs
        if self.cleaned_data["q"].strip():
            qs = qs.filter(name__icontains=self.cleaned_data["q"].strip())
        if self.cleaned_data["state"]:
            qs = qs.filter(**{state_field: self.cleaned_data["state"]})
        return qs


# --- the answer sheet: fields named per item -----------------------------------------------------------


def answer_inputs(post, item_ids):
    """Posted department answers: v-<id> value, na-<id> 不适用, nar-<id> reason, ex-<id> 自评说明."""
    return {
        item_id: AnswerInput(
            value=cleaning.no_nul(post.get(f"v-{item_id}")),
            not_applicable=post.get(f"na-{item_id}") == "1",
            na_reason=cleaning.no_nul(post.get(f"nar-{item_id}")),
            explanation=cleaning.no_nul(post.get(f"ex-{item_id}")),
        )
        for item_id in item_ids
        if f"v-{item_id}" in post or f"na-{item_id}" in post or f"ex-{item_id}" in post
    }


def answer_files(files, item_ids):
    return {item_id: files[f"f-{item_id}"] for item_id in item_ids if files.get(f"f-{item_id}")}


def review_inputs(post, item_ids):
    """Posted review: rv-<id> reviewed value, rc-<id> comment, rn-<id> “不认可不适用”."""
    return {
        item_id: ReviewInput(
            value=cleaning.no_nul(post.get(f"rv-{item_id}")),
            comment=cleaning.no_nul(post.get(f"rc-{item_id}")),
            reject_na=post.get(f"rn-{item_id}") == "1",
        )
        for item_id in item_ids
        if f"rv-{item_id}" in post or f"rc-{item_id}" in post
    }
