"""Writes shared by every app: a versioned save that records who made the change."""

from django.core.exceptions import ValidationError
from django.db import transaction

MISSING_VERSION = "缺少版本号，请刷新页面后重新提交。"


class MissingVersionError(ValidationError):
    """An edit was posted without the version the user loaded: it is refused, never applied."""

    def __init__(self):
        super().__init__(MISSING_VERSION, code="missing_version")


def posted_version(data, name="expected_version"):
    """The version a POST carries (`data` is request.POST); MissingVersionError when absent or malformed."""
    value = (data.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()):
        raise MissingVersionError()
    return int(value)


class StaleEditError(ValidationError):
    """Somebody else saved the record after this form was loaded."""

    def __init__(self, current):
        super().__init__(
            "该记录已被他人修改（当前版本 %(version)s），请查看最新内容后重新提交。",
            code="stale",
            params={"version": current.version},
        )
        self.current = current


def save_versioned(*, actor, instance, expected_version=None, reason=""):
    """Save `instance` if nobody changed it since `expected_version`; history records `actor`.

    New rows (no pk) are simply created. Raises StaleEditError when the stored version differs.
    """
    model = type(instance)
    with transaction.atomic():
        if instance.pk is not None:
            current = model._base_manager.select_for_update().get(pk=instance.pk)
            if expected_version is not None and current.version != expected_version:
                raise StaleEditError(current)
            instance.version = current.version + 1
        instance._history_user = actor
        if reason:
            instance._change_reason = reason
        instance.full_clean()
        instance.save()
    return instance
