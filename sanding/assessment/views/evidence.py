"""Evidence downloads (permission-checked) and withdrawal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sanding.accounts.scoping import get_visible_or_404

from .. import services
from ..models import Evidence
from ._common import _error_text


def evidence_download(request, pk):
    """Evidence is only ever served here, after the scope check (never from a public media URL)."""
    evidence = get_visible_or_404(Evidence.objects.select_related("answer__assessment"), request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    inline = evidence.kind in ("pdf", "image") and request.GET.get("inline") == "1"
    response = FileResponse(handle, as_attachment=not inline, filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def evidence_withdraw(request, pk):
    evidence = get_visible_or_404(Evidence.objects.select_related("answer__assessment__round"), request.user, pk=pk)
    try:
        services.evidence_withdraw(actor=request.user, evidence=evidence)
    except ValidationError as error:
        if request.headers.get("HX-Request"):
            return HttpResponse(f'<span class="text-danger small">{_error_text(error)}</span>')
        messages.error(request, _error_text(error))
    if request.headers.get("HX-Request"):
        return HttpResponse('<span class="text-muted small">已撤回</span>')
    messages.success(request, f"已撤回佐证材料：{evidence}")
    return redirect(evidence.answer.assessment)
