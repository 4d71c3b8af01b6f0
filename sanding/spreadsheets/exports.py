"""Exports in the same layouts the imports read, so an exported file imports again unchanged."""

from django.utils import timezone
from django.utils.module_loading import import_string

from sanding.ledger import export as ledger_export
from sanding.ledger.models import Rectification
from sanding.registry.models import Department

from .kinds import KINDS
from .writing import SheetWriter, new_workbook


def ledger_rows(queryset):
    return ledger_export.ledger_rows(queryset)


def export_table(*, slug, region, target):
    """Write the region's table `slug` to `target` (path or binary file); returns the row count."""
    kind = KINDS[slug]
    stamp = f"{region.name}  导出时间：{timezone.localdate():%Y年%m月%d日}"
    if slug == "ledger":
        queryset = Rectification.objects.filter(region=region).order_by("issue__year", "issue__seq", "seq")
        return ledger_export.export_ledger(queryset, target, title=f"{region.name}问题整改台账", subtitle=stamp)
    departments = Department.objects.filter(region=region).order_by("code")
    workbook, styles = new_workbook()
    writer = SheetWriter(
        workbook, kind.layout, title=f"{region.name}{kind.layout.title}", subtitle=stamp, styles=styles
    )
    count = 0
    for row in import_string(kind.rows)(departments):
        writer.write(row)
        count += 1
    workbook.save(target)
    return count
