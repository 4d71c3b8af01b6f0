"""One-time tokens for create forms: the same form posted twice creates one record.

A create form carries a random token in a hidden field (`SubmitOnceFormMixin` issues one each time the
form is rendered). The view is decorated with `submit_once`, which on a POST records the token in
`SubmissionToken` — in the same transaction as the view's writes — and stores where the successful POST
redirected to. A repeat of the same token (double click, second tab, resubmission after the back button)
runs nothing and is redirected to that first result with a message.

Race safety comes from the database: the token row is inserted before the view runs, under a unique
constraint. A second POST with the same token blocks on that insert until the first one's transaction
ends (PostgreSQL waits on the uncommitted unique key; SQLite takes its write lock up front), then either
finds the committed result or, if the first POST failed and rolled back, runs normally itself.

A POST without a well-formed token passes through to the view, whose form refuses it
(`SubmitOnceFormMixin`), so nothing is created without a token.
"""

import datetime
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from .models import SubmissionToken

TOKEN_FIELD = "submit_token"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")
# A used token is remembered this long (a resubmission after that creates again); older rows are removed.
TOKEN_TTL = datetime.timedelta(days=1)

REPEATED = "该表单已提交过，以下是第一次提交的结果。"
MISSING = "表单已过期或不完整，请核对内容后重新提交。"


def new_token():
    return secrets.token_urlsafe(24)


def well_formed(token):
    return isinstance(token, str) and TOKEN_RE.fullmatch(token) is not None


def _succeeded(request, response):
    """A create view succeeded when it redirects without having queued an error message."""
    if response.status_code not in (301, 302, 303):
        return False
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    return not any(m.level >= messages.ERROR for m in queued)


def submit_once(view):
    """Decorate a view that creates a record from a POSTed form carrying a one-time token."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
        if not well_formed(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = SubmissionToken.objects.create(user=request.user, token=token)
            except IntegrityError:
                first = (
                    SubmissionToken.objects.filter(user=request.user, token=token)
                    .values_list("result_url", flat=True)
                    .first()
                )
                messages.info(request, REPEATED)
                return redirect(first or "home")
            response = view(request, *args, **kwargs)
            if not _succeeded(request, response):
                transaction.set_rollback(True)  # free the token: the user fixes the form and posts it again
                return response
            claim.result_url = response["Location"][:500]
            claim.save(update_fields=["result_url"])
            SubmissionToken.objects.filter(user=request.user, created_at__lt=timezone.now() - TOKEN_TTL).delete()
        return response

    return wrapped
