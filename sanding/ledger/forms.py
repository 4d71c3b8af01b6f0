from django import forms
from django.utils import timezone

from sanding.core import cleaning
from sanding.core.forms import BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin
from sanding.core.services import MISSING_VERSION
from sanding.registry.models import Department

from .choices import Action, Source
from .models import Attachment, Issue, IssueCategory, Rectification, kind_errors
from .uploads import allowed_extensions

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = {"required": "此项为必填项。"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the services (size, type, content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"可多选，支持 {allowed_extensions()}。")
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class IssueForm(BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin, forms.ModelForm):
    cooperating = cleaning.ModelMultipleChoiceField(
        label="配合单位",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="按住 Ctrl（Mac 为 ⌘）可多选。",
    )
    files = MultipleFileField(label="附件")

    class Meta:
        model = Issue
        fields = ["description", "category", "source", "department", "found_on", "severity", "source_ref", "source_url"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "found_on": DATE,
            "source_ref": forms.HiddenInput,
            "source_url": forms.HiddenInput,
        }
        error_messages = {
            "description": REQUIRED,
            "category": REQUIRED,
            "source": REQUIRED,
            "department": REQUIRED,
            "severity": REQUIRED,
            "found_on": {**REQUIRED, "invalid": "请输入有效的日期。"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = (
            Department.objects.visible_to(user).active().select_related("region").order_by("region__path", "code")
        )
        self.fields["department"].queryset = departments
        self.fields["cooperating"].queryset = departments
        categories = IssueCategory.objects.filter(active=True)
        if self.instance.pk:
            categories = IssueCategory.objects.filter(active=True) | IssueCategory.objects.filter(
                pk=self.instance.category_id
            )
            self.fields["cooperating"].initial = list(self.instance.cooperating.values_list("pk", flat=True))
        self.fields["category"].queryset = categories
        if not self.instance.pk and not self.initial.get("found_on"):
            self.initial["found_on"] = timezone.localdate()

    def clean_found_on(self):
        value = self.cleaned_data["found_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("发现日期不能晚于今天。")
        return value

    def clean(self):
        data = super().clean()
        department = data.get("department")
        if department and department in (data.get("cooperating") or []):
            self.add_error("cooperating", "配合单位不能包含责任单位。")
        if self.instance.pk and department and department.region_id != self.instance.region_id:
            self.add_error("department", "责任单位必须属于问题所在区划。")
        return data


class RectificationForm(BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin, forms.ModelForm):
    review_interval_days = forms.IntegerField(
        label="复查周期（天）",
        required=False,
        min_value=1,
        help_text="仅“长期坚持”类填写：每隔多少天复查一次。",
        error_messages={"invalid": "复查周期须为正整数天数。", "min_value": "复查周期须为正整数天数。"},
    )

    class Meta:
        model = Rectification
        fields = ["measures", "department", "responsible_person", "kind", "deadline", "review_interval_days", "notes"]
        widgets = {"measures": forms.Textarea(attrs={"rows": 4}), "deadline": DATE}
        help_texts = {
            "kind": "期限：须填整改时限；立行立改：可填须完成的日期；长期坚持：不设时限，填复查周期，不计逾期。",
            "deadline": "“期限”类必填，“立行立改”类可填，“长期坚持”类不填。",
        }
        error_messages = {
            "measures": REQUIRED,
            "department": REQUIRED,
            "deadline": {"invalid": "请输入有效的日期。"},
        }

    def __init__(self, *args, issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue = issue
        self.fields["department"].queryset = Department.objects.filter(region=issue.region_id).active().order_by("code")
        if not self.instance.pk and not self.initial.get("department"):
            # 责任单位 defaults to the issue's 责任单位 (model_to_dict put a None there for a new item).
            self.initial["department"] = issue.department_id

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            for name, message in kind_errors(
                kind=kind, deadline=data.get("deadline"), review_interval_days=data.get("review_interval_days")
            ).items():
                if name not in self.errors:
                    self.add_error(name, message)
        deadline = data.get("deadline")
        # A new item's deadline cannot already have passed (the services accept one, for imports of
        # historical ledgers; an existing item keeps the deadline it has).
        if not self.instance.pk and deadline and deadline < timezone.localdate() and "deadline" not in self.errors:
            self.add_error("deadline", "整改时限不能早于今天。")
        return data


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="佐证材料")
    evidence = cleaning.ModelMultipleChoiceField(
        label="或选择已有材料",
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选佐证材料不属于该整改事项。", "invalid_pk_value": "所选材料无效。"},
    )
    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION}
    )

    def __init__(self, *args, rectification=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rectification is not None:
            self.fields["evidence"].queryset = Attachment.objects.filter(rectification=rectification).order_by("pk")


class ProgressForm(BootstrapFormMixin, SubmitOnceFormMixin, forms.Form):
    reported_on = forms.DateField(
        label="报送日期", widget=DATE, error_messages={**REQUIRED, "invalid": "请输入有效的日期。"}
    )
    percent = forms.IntegerField(
        label="完成进度（%）",
        min_value=0,
        max_value=100,
        error_messages={
            **REQUIRED,
            "invalid": "请输入整数。",
            "min_value": "完成进度不能小于0。",
            "max_value": "完成进度不能超过100。",
        },
    )
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}), error_messages=REQUIRED)
    files = MultipleFileField(label="附件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("reported_on", timezone.localdate())

    def clean_reported_on(self):
        value = self.cleaned_data["reported_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("报送日期不能晚于今天。")
        return value


class BulkForm(forms.Form):
    ACTIONS = [("deadline", "设置整改时限"), ("flag", "挂牌督办"), ("unflag", "取消挂牌督办")]
    action = forms.ChoiceField(
        label="批量操作", choices=ACTIONS, error_messages={**REQUIRED, "invalid_choice": "请选择有效的操作。"}
    )
    deadline = forms.DateField(
        label="整改时限", required=False, widget=DATE, error_messages={"invalid": "请输入有效的日期。"}
    )
    ids = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "deadline" and not data.get("deadline"):
            self.add_error("deadline", "请填写要设置的整改时限。")
        return data


class CategoryForm(BootstrapFormMixin, SubmitOnceFormMixin, forms.ModelForm):
    class Meta:
        model = IssueCategory
        fields = ["name", "seq", "active"]
        error_messages = {"name": {**REQUIRED, "unique": "已有同名类别。"}}


class RegionSettingForm(BootstrapFormMixin, forms.Form):
    head_review = forms.BooleanField(label="启用单位负责人审核", required=False)


SOURCE_CHOICES = Source.choices
