"""Cache-Control: no-store and Permissions-Policy on pages, exports and downloads; static files keep caching."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanding.ledger.models import Attachment
from tests.ledger.factories import IssueFactory, RectificationFactory


def assert_private(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control, response["Cache-Control"]
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_business_page_and_login_page(client, login, staff_user):
    assert_private(client.get(reverse("login")))
    assert_private(login(staff_user).get(reverse("registry:department-list")))


def test_ledger_export(login, staff_user):
    response = login(staff_user).get(reverse("ledger:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_private(response)


def test_attachment_download(login, staff_user, department):
    item = RectificationFactory(issue=IssueFactory(department=department), seq=1)
    attachment = Attachment.objects.create(
        issue=item.issue,
        rectification=item,
        file=SimpleUploadedFile("佐证.pdf", b"%PDF-1.4\n"),
        name="佐证.pdf",
        size=9,
        content_type="application/pdf",
    )
    response = login(staff_user).get(reverse("ledger:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert_private(response)


@pytest.mark.parametrize("path", ["/nowhere/", "/admin/"])
def test_errors_redirects_and_the_admin(login, admin_user, path):
    assert_private(login(admin_user).get(path))


def test_static_files_keep_their_caching(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
