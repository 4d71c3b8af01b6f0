from django import forms

from sanding.core.forms import BootstrapFormMixin
from sanding.registry.models import Region

from .kinds import KIND_CHOICES
from .safety import limit


class UploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=KIND_CHOICES)
    region = forms.ModelChoiceField(label="区划", queryset=Region.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    sheet = forms.CharField(
        label="工作表名称", required=False, max_length=100, help_text="留空时自动识别数据所在的工作表。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user)
        if user.region_id:
            self.fields["region"].initial = user.region_id
        maximum = limit("SPREADSHEET_MAX_UPLOAD_BYTES") // (1024 * 1024)
        self.fields["file"].help_text = f"不超过 {maximum} MB；可含标题行、两级表头、填表说明等其他工作表。"
