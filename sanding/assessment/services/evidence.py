"""Evidence (佐证材料): checked uploads stored under their SHA-256, never overwritten."""

import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from sanding.core.uploads import content_matches, extension

from ..models import Evidence
from ._common import _require_clerk_of, _require_fillable

KINDS = {
    # extension: kind (the content is checked by sanding.core.uploads)
    "pdf": "pdf",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "doc": "word",
    "docx": "word",
    "xls": "excel",
    "xlsx": "excel",
}
ALLOWED_LABEL = "PDF、图片（JPG/PNG）、Word（DOC/DOCX）、Excel（XLS/XLSX）"


def check_upload(uploaded):
    """Check an uploaded file by size, extension and content; returns (bytes, safe name, kind)."""
    limit = settings.ASSESSMENT_EVIDENCE_MAX_BYTES
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if uploaded.size > limit:
        raise ValidationError(f"文件“{name}”超过 {limit // (1024 * 1024) or 1} MB 的大小限制。")
    if uploaded.size == 0:
        raise ValidationError(f"文件“{name}”是空文件。")
    ext = extension(name)
    if ext not in KINDS:
        raise ValidationError(f"不支持文件“{name}”的类型，只能上传{ALLOWED_LABEL}。")
    uploaded.seek(0)
    data = uploaded.read()
    if not content_matches(ext, io.BytesIO(data)):
        raise ValidationError(f"文件“{name}”的内容与扩展名不符或已损坏，只能上传{ALLOWED_LABEL}。")
    safe = "".join(ch for ch in name if ch not in '<>:"|?*\x00') or f"file.{ext}"
    if len(safe) > 100:
        safe = safe[:90] + "." + ext
    return data, safe, KINDS[ext]


def _store_evidence(*, actor, answer, content, name, kind):
    """Store an upload on an answer; returns (evidence, created).

    The same bytes (same SHA-256) already live on this answer: nothing new, the existing row is returned
    (the page says “该文件已上传”). Different bytes are a new row, a new version; identical bytes stored
    for another answer are pointed at, never written twice.
    """
    digest = hashlib.sha256(content).hexdigest()
    live = Evidence.objects.filter(answer=answer, sha256=digest, withdrawn=False).first()
    if live is not None:
        return live, False
    evidence = Evidence(
        answer=answer, original_name=name, sha256=digest, size=len(content), kind=kind, uploaded_by=actor
    )
    same = Evidence.objects.filter(sha256=digest, original_name=name).first()
    if same is not None:  # identical bytes already stored: point at them, never write again
        evidence.file = same.file.name
        evidence.save()
    else:
        evidence.file.save(name, ContentFile(content), save=True)
    return evidence, True


@transaction.atomic
def evidence_upload(*, actor, answer, uploaded):
    """Attach a new file to an answer (a new version; earlier uploads stay). The same file again returns
    the row already there."""
    assessment = answer.assessment
    _require_clerk_of(actor, assessment)
    _require_fillable(assessment)
    content, name, kind = check_upload(uploaded)
    evidence, _ = _store_evidence(actor=actor, answer=answer, content=content, name=name, kind=kind)
    return evidence


@transaction.atomic
def evidence_withdraw(*, actor, evidence):
    """Take a file off the form (the file and its row are kept)."""
    assessment = evidence.answer.assessment
    _require_clerk_of(actor, assessment)
    _require_fillable(assessment)
    evidence.withdrawn = True
    evidence.save(update_fields=["withdrawn"])
