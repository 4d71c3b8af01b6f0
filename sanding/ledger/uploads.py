"""Upload checks for ledger attachments: size and type, by name and by content."""

from django.conf import settings
from django.core.exceptions import ValidationError

from sanding.core.uploads import content_matches, extension

# The kinds a ledger attachment may be; whether the content agrees is decided by sanding.core.uploads.
ALLOWED = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".pptx", ".zip", ".doc", ".xls", ".ofd", ".txt")


def allowed_extensions():
    return ", ".join(sorted(ALLOWED))


def validate_upload(upload):
    limit_mb = getattr(settings, "LEDGER_MAX_UPLOAD_MB", 20)
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(f"文件“{upload.name}”超过 {limit_mb} MB 的大小限制。", code="too_big")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件。", code="empty")
    ext = extension(upload.name)
    if f".{ext}" not in ALLOWED:
        raise ValidationError(f"不支持文件“{upload.name}”的类型，仅支持：{allowed_extensions()}。", code="type")
    if not content_matches(ext, upload):
        raise ValidationError(f"文件“{upload.name}”的内容与扩展名不符。", code="content")
