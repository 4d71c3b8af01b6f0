"""The tables that can be imported and exported, by URL slug."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    importer: str  # dotted path of the Importer class
    rows: str  # dotted path of `rows(queryset)` for the export
    view: str  # URL name of the page that lists what was imported

    @property
    def view_url(self):
        return reverse(self.view)

    @property
    def importer_class(self):
        return import_string(self.importer)

    @property
    def layout(self):
        return self.importer_class.layout


KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "ledger",
            "问题整改台账",
            "sanding.spreadsheets.importers.ledger.LedgerImporter",
            "sanding.spreadsheets.exports.ledger_rows",
            "ledger:rectification-list",
        ),
        Kind(
            "departments",
            "部门名录",
            "sanding.spreadsheets.importers.registry.DepartmentImporter",
            "sanding.spreadsheets.importers.registry.department_rows",
            "registry:department-list",
        ),
        Kind(
            "quotas",
            "机构编制统计表",
            "sanding.spreadsheets.importers.registry.QuotaImporter",
            "sanding.spreadsheets.importers.registry.quota_rows",
            "registry:department-list",
        ),
        Kind(
            "units",
            "内设机构名录",
            "sanding.spreadsheets.importers.registry.UnitImporter",
            "sanding.spreadsheets.importers.registry.unit_rows",
            "registry:department-list",
        ),
    )
}
KIND_CHOICES = [(k.slug, k.label) for k in KINDS.values()]
