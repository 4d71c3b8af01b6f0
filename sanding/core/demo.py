"""The demo city 云州市, loaded from `fixtures/demo/` by `manage.py load_demo`.

Each app contributes a step (settings.DEMO_STEPS, so core names no app); steps run in order and each is
idempotent (running twice changes nothing).
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "sanding-demo"


def read_csv(name):
    with open(DEMO_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def upsert(model, lookup, values):
    """Create the row, or update it only where a value differs; returns (obj, changed)."""
    obj = model._base_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj._change_reason = "载入演示数据"
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj._change_reason = "载入演示数据"
        obj.save()
    return obj, bool(changed)


@transaction.atomic
def load_demo(*, stdout=None):
    for path in settings.DEMO_STEPS:
        import_string(path)(stdout=stdout)
