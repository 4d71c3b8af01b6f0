"""Data: clear what an item's kind does not take, before 0005 adds the constraints that forbid it.

- a 长期坚持 item has a review interval and no deadline: its deadline is cleared (and kept in 备注, so
  nothing typed is lost);
- only 长期坚持 items have a review interval: 期限 and 立行立改 items lose a stray one.

Rows are updated in place (no history rows, no events: nobody acted). The reverse is a no-op.
"""

from django.db import migrations

ONGOING = "长期坚持"


def forwards(apps, schema_editor):
    Rectification = apps.get_model("ledger", "Rectification")
    for item in Rectification.objects.filter(kind=ONGOING, deadline__isnull=False).only("pk", "deadline", "notes"):
        note = f"原整改时限 {item.deadline:%Y-%m-%d}（长期坚持类不设时限，已清除）"
        notes = f"{item.notes}；{note}" if item.notes else note
        Rectification.objects.filter(pk=item.pk).update(deadline=None, notes=notes[:300])
    Rectification.objects.exclude(kind=ONGOING).filter(review_interval_days__isnull=False).update(
        review_interval_days=None
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_trigram_search")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
