import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanding.accounts.scoping import require_admin
from sanding.core.cleaning import parse_id
from sanding.core.pagination import paginate
from sanding.registry.models import Region

from . import selectors, services
from .exports import export_table
from .forms import UploadForm
from .kinds import KINDS
from .writing import blank_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
def job_list(request):
    """导入导出: upload form, the user's import jobs, templates and exports."""
    require_admin(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                region=form.cleaned_data["region"],
                upload=form.cleaned_data["file"],
                sheet=form.cleaned_data["sheet"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, "文件已上传，正在后台校验。可以离开本页，稍后在“我的导入任务”中查看。")
            return redirect(job)
    page = paginate(request, selectors.job_list(user=request.user))
    regions = Region.objects.visible_to(request.user)
    return render(
        request,
        "spreadsheets/job_list.html",
        {"form": form, "page": page, "kinds": KINDS.values(), "regions": regions},
    )


@require_GET
def job_detail(request, pk):
    job = selectors.job_for(user=request.user, pk=pk)
    require_admin(request.user)
    preview = (job.result or {}).get("preview", {})
    kind = KINDS.get(job.kind)
    return render(request, "spreadsheets/job_detail.html", {"job": job, "preview": preview, "kind": kind})


@require_GET
def job_status(request, pk):
    """The progress fragment htmx polls; once the job has finished the page reloads to show the result."""
    job = selectors.job_for(user=request.user, pk=pk)
    require_admin(request.user)
    response = render(request, "spreadsheets/_job_status.html", {"job": job})
    if not job.active and request.GET.get("was") == "active":
        response["HX-Refresh"] = "true"
    return response


@require_POST
def job_confirm(request, pk):
    job = selectors.job_for(user=request.user, pk=pk)
    require_admin(request.user)
    try:
        services.job_confirm(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已确认，正在后台导入。")
    return redirect(job)


def _kind_or_404(slug):
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404("未知的表格类型。") from None


@require_GET
def template_download(request, kind):
    require_admin(request.user)
    kind = _kind_or_404(kind)
    handle = tempfile.TemporaryFile()
    blank_template(kind.layout, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{kind.label}导入模板.xlsx", content_type=XLSX)


@require_GET
def export_download(request, kind):
    kind = _kind_or_404(kind)
    region_id = request.GET.get("region", "")
    region = get_object_or_404(Region.objects.visible_to(request.user), pk=parse_id(region_id) or 0)
    require_admin(request.user)
    handle = tempfile.TemporaryFile()
    export_table(slug=kind.slug, region=region, target=handle)
    handle.seek(0)
    name = f"{region.name}{kind.label}_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
