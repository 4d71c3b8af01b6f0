import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sanding.assessment import services
from sanding.assessment.models import Answer, Evidence
from tests.assessment.conftest import PDF, items, pdf
from tests.assessment.test_views import sheet_post
from tests.posting import post_form


def office_zip(kind):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return out.getvalue()


@pytest.fixture
def answer(assessment):
    return Answer.objects.select_related("assessment__round").get(assessment=assessment, item__code="1.1")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("b.PNG", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image"),
        ("c.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, "image"),
        ("d.docx", office_zip("docx"), "word"),
        ("e.xlsx", office_zip("xlsx"), "excel"),
        ("f.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 20, "word"),
    ],
)
def test_allowed_types_are_stored_with_sha256(answer, clerk, name, content, kind):
    evidence = services.evidence_upload(actor=clerk, answer=answer, uploaded=SimpleUploadedFile(name, content))
    assert (evidence.kind, evidence.size, evidence.sha256) == (kind, len(content), hashlib.sha256(content).hexdigest())
    with evidence.file.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "a.exe",
            b"MZ" + b"0" * 20,
            "不支持文件“a.exe”的类型，只能上传PDF、图片（JPG/PNG）、Word（DOC/DOCX）、Excel（XLS/XLSX）。",
        ),
        (
            "fake.pdf",
            b"<html>not a pdf</html>",
            "文件“fake.pdf”的内容与扩展名不符或已损坏，只能上传PDF、图片（JPG/PNG）、Word（DOC/DOCX）、Excel（XLS/XLSX）。",
        ),
        (
            "x.docx",
            office_zip("xlsx"),
            "文件“x.docx”的内容与扩展名不符或已损坏，只能上传PDF、图片（JPG/PNG）、Word（DOC/DOCX）、Excel（XLS/XLSX）。",
        ),
        ("empty.pdf", b"", "文件“empty.pdf”是空文件。"),
    ],
)
def test_bad_files_are_refused_in_chinese(answer, clerk, name, content, message):
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(actor=clerk, answer=answer, uploaded=SimpleUploadedFile(name, content))
    assert error.value.messages == [message]
    assert Evidence.objects.count() == 0


def test_size_limit(answer, clerk, settings):
    settings.ASSESSMENT_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(actor=clerk, answer=answer, uploaded=SimpleUploadedFile("big.pdf", big))
    assert error.value.messages == ["文件“big.pdf”超过 1 MB 的大小限制。"]
    assert Evidence.objects.count() == 0


def test_new_upload_is_a_new_version_never_an_overwrite(answer, clerk):
    first = services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("制度.pdf", PDF))
    second = services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("制度.pdf", PDF + b"% v2\n"))
    assert first.file.name != second.file.name
    with first.file.open("rb") as handle:
        assert handle.read() == PDF
    same = services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf("制度.pdf", PDF))
    assert same.pk == first.pk  # the same bytes again: the live row already there, not a second one
    assert list(Evidence.objects.filter(answer=answer).order_by("pk").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]


def test_withdrawn_evidence_is_kept(answer, clerk, login):
    evidence = services.evidence_upload(actor=clerk, answer=answer, uploaded=pdf())
    response = login(clerk).post(f"/assessment/evidence/{evidence.pk}/withdraw/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.withdrawn is True
    assert evidence.file.storage.exists(evidence.file.name)


def test_upload_error_in_the_form_is_shown_and_input_kept(login, clerk, assessment, checklist):
    data = sheet_post(checklist, **{"1_2": "6"})
    data[f"f-{items(checklist)['1.1'].pk}"] = SimpleUploadedFile("病毒.exe", b"MZ0000")
    response = post_form(login(clerk), f"/assessment/{assessment.pk}/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "不支持文件“病毒.exe”的类型" in page
    assert 'value="6"' in page
    assert Evidence.objects.count() == 0
