"""Upload checks for ledger attachments: size and type, by name and by content."""

from django.conf import settings
from django.core.exceptions import ValidationError

# extension -> accepted leading bytes (None: any text without NUL bytes)
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".ofd": (b"PK\x03\x04",),
    ".txt": None,
}


def allowed_extensions():
    return ", ".join(sorted(SIGNATURES))


def validate_upload(upload):
    limit_mb = getattr(settings, "LEDGER_MAX_UPLOAD_MB", 20)
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(f"文件“{upload.name}”超过 {limit_mb} MB 的大小限制。", code="too_big")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件。", code="empty")
    name = upload.name.lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext not in SIGNATURES:
        raise ValidationError(f"不支持文件“{upload.name}”的类型，仅支持：{allowed_extensions()}。", code="type")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    signatures = SIGNATURES[ext]
    if signatures is None:
        ok = b"\x00" not in head
    else:
        ok = any(head.startswith(sig) for sig in signatures)
    if not ok:
        raise ValidationError(f"文件“{upload.name}”的内容与扩展名不符。", code="content")
