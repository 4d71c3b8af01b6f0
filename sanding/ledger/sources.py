"""Records an issue can be raised from (问题来源), described by the apps that own them.

An issue raised from another app's record keeps `source_ref` = "<prefix>:<id>" (e.g. `assessment.answer:12`).
`settings.LEDGER_ISSUE_SOURCES` maps each prefix to a module of the app that owns the record, so the ledger
imports none of those apps. Such a module defines:

- `draft(*, pk, user)`: what a new issue raised from the record starts with: a dict of `department` (id),
  `topic` (the text the category hints read), `lines` (the parts of the description) and `url` (the
  record's page); Http404 when the user cannot see the record;
- `describe(*, pk, user, url)`: {"label", "url"} naming the record readably (never the raw reference);
  `url` is the link stored with the issue, else the record's own page; a record the user cannot see is
  named without details or a link.
"""

from django.conf import settings
from django.utils.module_loading import import_module

# A reviewed self-assessment answer (登记问题 with ?assessment_answer=<id>).
ASSESSMENT_ANSWER = "assessment.answer"


def source(prefix):
    """The module that knows the records of `prefix`."""
    return import_module(settings.LEDGER_ISSUE_SOURCES[prefix])


def make_ref(prefix, pk):
    return f"{prefix}:{pk}"


def split_ref(ref):
    """(module, id text) of a `source_ref` whose prefix is configured; (None, None) for any other text."""
    for prefix, path in settings.LEDGER_ISSUE_SOURCES.items():
        if ref.startswith(f"{prefix}:"):
            return import_module(path), ref[len(prefix) + 1 :]
    return None, None
