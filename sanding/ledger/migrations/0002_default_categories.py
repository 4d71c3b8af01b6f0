"""Seed the nine default issue categories (DESIGN.md) and the 单位负责人 group."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    "部门职能不理顺",
    "工作职责未明确",
    "部门间职责边界不清",
    "部门内部职责不理顺",
    "工作流程有待进一步优化",
    "议事协调机构协调配合不畅",
    "基层管理体制机制不理顺",
    "编制人员管理",
    "机构编制违规违纪",
]
HEAD_GROUP = "单位负责人"


def seed(apps, schema_editor):
    IssueCategory = apps.get_model("ledger", "IssueCategory")
    Group = apps.get_model("auth", "Group")
    for seq, name in enumerate(DEFAULT_CATEGORIES, start=1):
        IssueCategory.objects.get_or_create(name=name, defaults={"seq": seq * 10})
    Group.objects.get_or_create(name=HEAD_GROUP)


def unseed(apps, schema_editor):
    IssueCategory = apps.get_model("ledger", "IssueCategory")
    IssueCategory.objects.filter(name__in=DEFAULT_CATEGORIES, issues__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
