"""Building blocks shared by every app: optimistic locking and scoped querysets."""

from django.db import models


class VersionedModel(models.Model):
    """A row edited through forms: `version` grows on every save, so a stale form is refused.

    See `sanding.core.services.save_versioned`.
    """

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True
