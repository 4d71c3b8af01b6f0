from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "sanding.ledger"
    verbose_name = "问题台账"
