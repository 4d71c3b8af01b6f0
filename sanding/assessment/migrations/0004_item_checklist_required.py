import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_fill_item_checklist")]

    operations = [
        migrations.AlterField(
            model_name="item",
            name="checklist",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="assessment.checklist",
                verbose_name="评分表",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(
                condition=models.Q(("archived", False), models.Q(("code", ""), _negated=True)),
                fields=("checklist", "code"),
                name="item_code_unique_per_checklist",
                violation_error_message="本评分表中已有相同编号的评分细则，请换一个编号。",
            ),
        ),
    ]
