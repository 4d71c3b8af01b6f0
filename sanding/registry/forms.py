from django import forms

from sanding.core import cleaning
from sanding.core.forms import BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin

from . import services
from .models import Department, Duty, InternalUnit, LeaderPost, Plaque, Region, Regulation, StaffingQuota


class RegistryForm(BootstrapFormMixin, SubmitOnceFormMixin, VersionedFormMixin, forms.ModelForm):
    """Base of every registry form: Bootstrap widgets, the optimistic-lock version, a new record's one-time token."""

    def __init__(self, *args, department=None, user=None, **kwargs):
        self.department = department
        self.user = user
        super().__init__(*args, **kwargs)
        if department is not None and hasattr(self.instance, "department_id") and not self.instance.pk:
            self.instance.department = department

    def save_record(self, actor):
        """Write through the registry services (versioned, with history). Call after is_valid()."""
        return services.record_save(
            actor=actor, record=self.instance, expected_version=self.cleaned_data.get("expected_version")
        )


class DepartmentForm(RegistryForm):
    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "aliases", "region", "category", "rank", "parent", "status", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(self.user)
        parents = Department.objects.visible_to(self.user).active().select_related("region")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class RegulationForm(RegistryForm):
    class Meta:
        model = Regulation
        fields = ["doc_no", "title", "issued_on", "is_current"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"is_current": "设为现行后，本部门原现行“三定”规定自动转为历史版本。"}

    def save_record(self, actor):
        return services.regulation_save(
            actor=actor, regulation=self.instance, expected_version=self.cleaned_data.get("expected_version")
        )


class InternalUnitForm(RegistryForm):
    class Meta:
        model = InternalUnit
        fields = ["name", "seq", "in_regulation", "actually_set"]


class DutyForm(RegistryForm):
    lead_unit = forms.ModelChoiceField(
        InternalUnit.objects.none(), label="主办科室", required=False, help_text="留空表示该职责尚未分解到科室。"
    )
    assist_units = cleaning.ModelMultipleChoiceField(
        InternalUnit.objects.none(), label="协办科室", required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    class Meta:
        model = Duty
        fields = ["seq", "text", "change_type"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.instance.regulation = Regulation.objects.filter(department=self.department, is_current=True).first()
        units = InternalUnit.objects.filter(department=self.department, archived=False)
        self.fields["lead_unit"].queryset = units
        self.fields["assist_units"].queryset = units
        if self.instance.pk:
            assignments = list(self.instance.assignments.all())
            self.fields["lead_unit"].initial = next((a.unit_id for a in assignments if a.role == "lead"), None)
            self.fields["assist_units"].initial = [a.unit_id for a in assignments if a.role == "assist"]

    def clean(self):
        if self.instance.regulation_id is None:
            raise forms.ValidationError("该部门尚无现行“三定”规定，请先录入“三定”规定再添加职责。")
        data = super().clean()
        lead = data.get("lead_unit")
        if lead and lead in (data.get("assist_units") or []):
            self.add_error("assist_units", "主办科室不能同时作为协办科室。")
        return data

    def save_record(self, actor):
        return services.duty_save(
            actor=actor,
            duty=self.instance,
            lead_unit=self.cleaned_data.get("lead_unit"),
            assist_units=self.cleaned_data.get("assist_units") or [],
            expected_version=self.cleaned_data.get("expected_version"),
        )


class StaffingQuotaForm(RegistryForm):
    class Meta:
        model = StaffingQuota
        fields = ["type", "approved", "actual"]


class LeaderPostForm(RegistryForm):
    class Meta:
        model = LeaderPost
        fields = ["level", "approved", "actual"]


class PlaqueForm(RegistryForm):
    class Meta:
        model = Plaque
        fields = ["name", "authorised", "hung"]
