import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from sanding.accounts.choices import Role
from sanding.ledger.models import Issue, IssueCategory, Rectification
from sanding.spreadsheets.models import ImportJob, JobStatus
from sanding.spreadsheets.tasks import job_run
from tests.factories import DepartmentFactory, RegionFactory, UserFactory

HEADER = ["序号", "问题类别", "问题描述", "责任单位", "整改措施", "整改时限"]


def upload(path, name="台账.xlsx"):
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/octet-stream")


def post_upload(client, city, path, kind="ledger", name="台账.xlsx"):
    return client.post(
        reverse("spreadsheets:job-list"), {"kind": kind, "region": city.pk, "file": upload(path, name), "sheet": ""}
    )


@pytest.fixture
def ledger_file(make_xlsx, department, other_department):
    return make_xlsx(
        [
            ["标题"],
            HEADER,
            [1, "编制人员管理", "超编进人", "市市场监管局", "清理", "2025年底"],
            [2, "编制人员管理", "借用人员", "市统计局", "清退", "2025.6.30"],
        ]
    )


def test_anonymous_is_sent_to_login(client, city):
    response = client.get(reverse("spreadsheets:job-list"))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/spreadsheets/"


@pytest.mark.parametrize("who", ["clerk", "staff_user", "leader"])
def test_non_admins_cannot_import(request, login, who, city, ledger_file):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("spreadsheets:job-list")).status_code == 403
    assert post_upload(client, city, ledger_file).status_code == 403
    assert client.get(reverse("spreadsheets:template-download", args=["ledger"])).status_code == 403
    assert ImportJob.objects.count() == 0
    assert Issue.objects.count() == 0


def test_upload_preview_confirm_import(login, admin_user, city, ledger_file, department):
    client = login(admin_user)
    response = post_upload(client, city, ledger_file)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/spreadsheets/jobs/{job.pk}/"
    assert (job.status, job.user, job.original_name) == (JobStatus.VALIDATING, admin_user, "台账.xlsx")
    job_run(job_id=job.pk, commit=False)  # what the worker does
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert job.counts == {"问题": {"create": 2}, "整改事项": {"create": 2}}
    assert Issue.objects.count() == 0  # nothing written before confirmation
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert "确认导入" in page.content.decode()
    assert client.post(reverse("spreadsheets:job-confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    job_run(job_id=job.pk, commit=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.percent == 100
    assert sorted(Rectification.objects.values_list("measures", flat=True)) == ["清理", "清退"]


def test_preview_highlights_bad_cells(login, admin_user, city, make_xlsx, department):
    path = make_xlsx([HEADER, [1, "编制人员管理", "超编进人", "市火星局", "清理", "明年"]])
    client = login(admin_user)
    post_upload(client, city, path)
    job = ImportJob.objects.get()
    job_run(job_id=job.pk, commit=False)
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID
    html = client.get(job.get_absolute_url()).content.decode()
    assert html.count('class="cell-bad"') == 2
    assert "第2行 [整改时限] “明年”不是可识别的日期" in html
    assert "确认导入" not in html
    assert client.post(reverse("spreadsheets:job-confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID
    assert Issue.objects.count() == 0


def test_other_admins_job_is_404(login, admin_user, city, ledger_file):
    post_upload(login(admin_user), city, ledger_file)
    job = ImportJob.objects.get()

    other = UserFactory(username="admin2", role=Role.ADMIN, region=city)
    client = login(other)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("spreadsheets:job-confirm", args=[job.pk])).status_code == 404


def test_status_fragment_reloads_page_when_finished(login, admin_user, city, ledger_file):
    client = login(admin_user)
    post_upload(client, city, ledger_file)
    job = ImportJob.objects.get()
    url = reverse("spreadsheets:job-status", args=[job.pk]) + "?was=active"
    running = client.get(url)
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    job_run(job_id=job.pk, commit=False)
    finished = client.get(url)
    assert finished["HX-Refresh"] == "true"


def test_not_xlsx_is_refused_at_upload(login, admin_user, city, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes("序号,问题描述\n1,问题\n".encode())
    response = post_upload(login(admin_user), city, fake)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "文件不是 Excel 工作簿（.xlsx）。请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后再上传。"
    ]
    assert ImportJob.objects.count() == 0


def test_upload_size_limit(login, admin_user, city, ledger_file, settings):
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 1000
    response = post_upload(login(admin_user), city, ledger_file)
    size = ledger_file.stat().st_size / 1024 / 1024
    assert response.context["form"].errors["file"] == [f"文件大小 {size:.1f} MB，超过上限 0 MB。"]
    assert ImportJob.objects.count() == 0


def test_job_list_query_count_is_flat(login, admin_user, city, ledger_file):
    client = login(admin_user)
    post_upload(client, city, ledger_file)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("spreadsheets:job-list"))
    for _ in range(5):
        post_upload(client, city, ledger_file)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("spreadsheets:job-list"))
    assert len(response.context["page"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("kind", ["ledger", "departments", "quotas", "units"])
def test_blank_template_has_instructions(login, admin_user, kind, tmp_path):
    response = login(admin_user).get(reverse("spreadsheets:template-download", args=[kind]))
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    assert workbook.sheetnames[-1] == "填表说明"
    assert workbook.worksheets[0].max_row == 2  # title and header, no data


@pytest.mark.django_db(transaction=True)
def test_worker_runs_validation_and_import(client, make_xlsx):
    """The real background path: django-tasks-db's worker in batch mode."""
    city = RegionFactory(code="YZ", name="云州市", short_name="云州", level="city")
    DepartmentFactory(region=city, name="云州市统计局", short_name="市统计局")
    admin = UserFactory(username="admin", role=Role.ADMIN, region=city)
    # An earlier transactional test (the browser tests) flushed the categories the migration seeds.
    IssueCategory.objects.get_or_create(name="编制人员管理")
    path = make_xlsx([HEADER, [1, "编制人员管理", "借用人员", "市统计局", "清退", "2025.6.30"]])
    client.force_login(admin)
    post_upload(client, city, path)
    job = ImportJob.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    client.post(reverse("spreadsheets:job-confirm", args=[job.pk]))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert list(Rectification.objects.values_list("measures", flat=True)) == ["清退"]


def test_export_with_a_malformed_region_is_404(login, admin_user, city):
    url = reverse("spreadsheets:export-download", args=["ledger"]) + "?region=abc"
    assert login(admin_user).get(url).status_code == 404
