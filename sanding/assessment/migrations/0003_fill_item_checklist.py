"""Data: fill the denormalised Item.checklist and make item codes unique within each checklist.

Before this, one checklist could hold the same 编号 twice (QA found it); later duplicates get a suffix
("1.2" → "1.2-2") so that the unique constraint of the next migration can be added.
"""

from collections import defaultdict

from django.db import migrations


def forwards(apps, schema_editor):
    Item = apps.get_model("assessment", "Item")
    for item in Item.objects.filter(checklist__isnull=True).select_related("section"):
        item.checklist_id = item.section.checklist_id
        item.save(update_fields=["checklist"])
    by_checklist = defaultdict(list)
    for item in (
        Item.objects.filter(archived=False).exclude(code="").order_by("section__seq", "section_id", "seq", "pk")
    ):
        by_checklist[item.checklist_id].append(item)
    for rows in by_checklist.values():
        used = {item.code for item in rows}
        seen = set()
        for item in rows:
            if item.code not in seen:
                seen.add(item.code)
                continue
            n = 2
            while f"{item.code}-{n}" in used:
                n += 1
            item.code = f"{item.code}-{n}"
            used.add(item.code)
            seen.add(item.code)
            item.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_history_and_item_checklist")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
