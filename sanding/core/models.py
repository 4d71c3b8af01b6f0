"""Building blocks shared by every app: optimistic locking and scoped querysets."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class VersionedModel(models.Model):
    """A row edited through forms: `version` grows on every save, so a stale form is refused.

    See `sanding.core.services.save_versioned`.
    """

    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class SubmissionToken(models.Model):
    """A create form's one-time token, recorded when its POST first succeeds.

    The same form posted again (a double click, a second tab, the back button) finds the row and is sent
    to `result_url` instead of creating a second record; the unique constraint makes two simultaneous
    first posts wait for each other, so only one of them ever runs. See `sanding.core.submissions`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "表单提交记录"
        verbose_name_plural = "表单提交记录"
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="submission_token_once")]

    def __str__(self):
        return f"{self.token} → {self.result_url}"
