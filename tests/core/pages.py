"""Every page of the application over the test world (tests/core/conftest.py), and what its HTML offers.

`PAGES` names each GET-able page once, with the user who may open it; the forms, fields, options and links of
a rendered page are read from its HTML (`parse`), so the fuzz and the option-scope checks cover a field, a
filter or a form as soon as a page renders it. `NOT_PAGES` lists the URLs that are not pages of their own
(posted to by a form on another page, or a file download) and why; `test_every_url_is_a_page_or_explained`
keeps the two lists complete.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.urls import reverse

from sanding.assessment.forms import AssessmentFilterForm, SimpleFilterForm
from sanding.ledger.filters import IssueFilter, RectificationFilter
from sanding.registry.filters import DepartmentFilter


@dataclass(frozen=True)
class Page:
    url_name: str
    args: Callable = lambda w: []
    user: str = "staff"
    query: Callable = lambda w: ""
    # GET parameters the view reads itself (not from a form or filter set on the page).
    params: tuple = ()
    # Form or filter set classes whose fields are GET parameters of the page.
    filters: tuple = ()
    variant: str = ""  # tells apart pages of one URL name (the registry's record kinds)

    def url(self, world):
        path = reverse(self.url_name, args=self.args(world))
        query = self.query(world)
        return f"{path}?{query}" if query else path

    @property
    def id(self):
        return f"{self.url_name}{'/' + self.variant if self.variant else ''}[{self.user}]"


def _filters():
    return {
        "department": (DepartmentFilter,),
        "rectification": (RectificationFilter,),
        "issue": (IssueFilter,),
        "assessment": (AssessmentFilterForm,),
        "simple": (SimpleFilterForm,),
    }


F = _filters()
KINDS = ("regulation", "duty", "unit", "quota", "leader-post", "plaque")


def _dept(w):
    return w.departments["dept"]


def _record(kind):
    return lambda w: [_dept(w).pk, kind, w.records["dept"][kind].pk]


PAGES = [
    Page("home"),
    Page("password_change"),
    Page("password_change_done"),
    # registry
    Page("registry:department-list", params=("page",), filters=F["department"]),
    Page("registry:department-create"),
    Page("registry:department-detail", lambda w: [_dept(w).pk]),
    Page("registry:department-edit", lambda w: [_dept(w).pk]),
    Page("registry:department-history", lambda w: [_dept(w).pk]),
    *[Page("registry:record-create", lambda w, k=k: [_dept(w).pk, k], variant=k) for k in KINDS],
    *[Page("registry:record-edit", _record(k), variant=k) for k in KINDS],
    Page("registry:record-archive", _record("unit")),
    # ledger
    Page("ledger:rectification-list", params=("page",), filters=F["rectification"]),
    Page("ledger:rectification-list", user="clerk", params=("page",), filters=F["rectification"]),
    Page("ledger:issue-list", params=("page",), filters=F["issue"]),
    Page("ledger:issue-list", user="county_staff", params=("page",), filters=F["issue"]),
    Page("ledger:export", filters=F["rectification"]),
    Page("ledger:board", params=("region",)),
    Page("ledger:issue-without-items-notice"),
    Page("ledger:issue-create", params=("assessment_answer", "duplicate")),
    Page("ledger:issue-detail", lambda w: [w.issues["dept"].pk]),
    Page("ledger:issue-edit", lambda w: [w.issues["dept"].pk]),
    Page("ledger:rectification-create", lambda w: [w.issues["dept"].pk]),
    Page("ledger:rectification-detail", lambda w: [w.items["dept"].pk]),
    Page("ledger:rectification-detail", lambda w: [w.items["dept"].pk], user="clerk"),
    Page("ledger:rectification-edit", lambda w: [w.items["dept"].pk]),
    Page("ledger:progress-create", lambda w: [w.items["dept"].pk]),
    Page("ledger:progress-create", lambda w: [w.items["dept"].pk], user="clerk"),
    Page("ledger:notification-list", params=("q", "show", "page")),
    Page("ledger:category-list"),
    Page("ledger:category-create"),
    Page("ledger:category-edit", lambda w: [w.objects["category"].pk]),
    Page("ledger:region-setting", lambda w: [w.regions["city"].pk]),
    # assessment
    Page("assessment:assessment-list", params=("page",), filters=F["assessment"]),
    Page("assessment:assessment-list", user="clerk", params=("page",), filters=F["assessment"]),
    Page("assessment:assessment-detail", lambda w: [w.objects["own_assessment"].pk], user="clerk"),
    Page("assessment:assessment-detail", lambda w: [w.objects["submitted_assessment"].pk]),
    Page("assessment:assessment-return", lambda w: [w.objects["submitted_assessment"].pk]),
    Page("assessment:assessment-approve", lambda w: [w.objects["submitted_assessment"].pk]),
    Page("assessment:round-list", params=("page",), filters=F["simple"]),
    Page("assessment:round-create"),
    Page("assessment:round-detail", lambda w: [w.objects["open_round"].pk]),
    Page("assessment:round-edit", lambda w: [w.objects["draft_round"].pk]),
    Page("assessment:round-forms", lambda w: [w.objects["open_round"].pk], params=("page",), filters=F["assessment"]),
    Page(
        "assessment:round-withdraw",
        lambda w: [w.objects["open_round"].pk, w.objects["submitted_assessment"].pk],
    ),
    Page("assessment:round-action", lambda w: [w.objects["draft_round"].pk, "open"]),
    Page("assessment:checklist-list", params=("page",), filters=F["simple"]),
    Page("assessment:checklist-create"),
    Page("assessment:checklist-detail", lambda w: [w.objects["draft"].pk]),
    Page("assessment:checklist-edit", lambda w: [w.objects["draft"].pk]),
    Page("assessment:checklist-bands", lambda w: [w.objects["draft"].pk]),
    Page("assessment:checklist-publish", lambda w: [w.objects["draft"].pk]),
    Page("assessment:checklist-copy", lambda w: [w.objects["published"].pk]),
    Page("assessment:section-create", lambda w: [w.objects["draft"].pk]),
    Page("assessment:section-edit", lambda w: [w.objects["draft"].pk, w.objects["section"].pk]),
    Page("assessment:item-create", lambda w: [w.objects["draft"].pk], params=("section",)),
    Page("assessment:item-edit", lambda w: [w.objects["draft"].pk, w.objects["item"].pk]),
    Page(
        "assessment:part-archive",
        lambda w: [w.objects["draft"].pk, "item", w.objects["item"].pk],
    ),
    # spreadsheets (admins)
    Page("spreadsheets:job-list", user="admin", params=("page",)),
    Page(
        "spreadsheets:export-download",
        lambda w: ["departments"],
        user="admin",
        query=lambda w: f"region={w.regions['city'].pk}",
        params=("region",),
    ),
]

# URLs that are not pages of their own, and why.
NOT_PAGES = {
    "login": "the login form (anonymous; Django's own view)",
    "logout": "POST only",
    "ledger:bulk": "POST only: the bulk form on the ledger list",
    "ledger:rectification-transition": "POST only: the action forms on the item page",
    "ledger:rectification-flag": "POST only: the 挂牌督办 form on the item page",
    "ledger:attachment-upload": "POST only: the upload form on the item page",
    "ledger:attachment-download": "a file download by id",
    "ledger:notification-read": "POST only: the form on the notification list",
    "assessment:evidence-download": "a file download by id",
    "assessment:evidence-withdraw": "POST only: a button on the assessment page",
    "assessment:round-export": "an Excel download of published results",
    "assessment:part-move": "POST only: the arrows on the checklist page",
    "spreadsheets:job-detail": "an import job's page (needs an uploaded file; tests/spreadsheets)",
    "spreadsheets:job-status": "an import job's progress fragment (tests/spreadsheets)",
    "spreadsheets:job-confirm": "POST only: confirms an import job (tests/spreadsheets)",
    "spreadsheets:template-download": "a blank Excel template, no input",
}


# --- reading a rendered page --------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    id: str = ""
    enctype: str = ""
    # (name, kind, value, extra): kind is text, hidden, textarea, checkbox, radio, select, file, submit...
    fields: list = field(default_factory=list)
    # name -> [(value, selected)] for <select> and for checkbox/radio groups
    options: dict = field(default_factory=dict)
    multiple: set = field(default_factory=set)

    def names(self):
        return list(dict.fromkeys(name for name, *_ in self.fields))

    def initial(self):
        """What the browser would send untouched (checked boxes, selected options, typed values)."""
        data = {}
        for name, kind, value, checked in self.fields:
            if kind in ("submit", "button", "file", "reset", "image"):
                continue
            if kind in ("checkbox", "radio") and not checked:
                continue
            if kind == "select":
                chosen = [v for v, selected in self.options.get(name, []) if selected]
                if not chosen and name not in self.multiple and self.options.get(name):
                    chosen = [self.options[name][0][0]]
                if chosen:
                    data.setdefault(name, []).extend(chosen)
                continue
            data.setdefault(name, []).append(value)
        return data

    def buttons(self):
        """(name, value) of the named submit buttons: which action the form posts."""
        return [(name, value) for name, kind, value, _ in self.fields if kind == "submit" and name]


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []
        self._form = None
        self._by_id = {}
        self._orphans = []  # fields with form="id", before or outside that form
        self._select = None
        self._option = None
        self._textarea = None

    def _target(self, attrs):
        if attrs.get("form"):
            return attrs["form"]
        return self._form

    def _add(self, attrs, kind, value, checked=False):
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            return
        target = self._target(attrs)
        entry = (name, kind, value, checked)
        if isinstance(target, str):
            self._orphans.append((target, entry))
        elif target is not None:
            target.fields.append(entry)
            if kind in ("checkbox", "radio"):
                target.options.setdefault(name, []).append((value, checked))
                if kind == "checkbox":
                    target.multiple.add(name)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                method=(attrs.get("method") or "get").lower(),
                action=attrs.get("action", ""),
                id=attrs.get("id", ""),
                enctype=attrs.get("enctype", ""),
            )
            self.forms.append(self._form)
            if self._form.id:
                self._by_id[self._form.id] = self._form
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._add(attrs, kind, attrs.get("value", default), "checked" in attrs)
        elif tag == "button":
            kind = (attrs.get("type") or "submit").lower()
            if kind == "submit":
                self._add(attrs, "submit", attrs.get("value", ""))
        elif tag == "select":
            self._select = attrs
            self._add(attrs, "select", "")
            target = self._target(attrs)
            if isinstance(target, Form) and attrs.get("name"):
                target.options.setdefault(attrs["name"], [])
                if "multiple" in attrs:
                    target.multiple.add(attrs["name"])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
        elif tag == "textarea":
            self._textarea = [attrs, ""]
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._option = None
            name = (self._select or {}).get("name")
            target = self._target(self._select or {})
            if name and isinstance(target, Form):
                target.options.setdefault(name, []).append((text.strip() if value is None else value, selected))
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            attrs, text = self._textarea
            self._textarea = None
            self._add(attrs, "textarea", text.removeprefix("\n"))

    def close(self):
        super().close()
        for form_id, entry in self._orphans:
            form = self._by_id.get(form_id)
            if form is not None:
                form.fields.append(entry)
                name, kind, value, checked = entry
                if kind in ("checkbox", "radio"):
                    form.options.setdefault(name, []).append((value, checked))
                    form.multiple.add(name)


def parse(html):
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def link_params(links, path):
    """name -> values of the query parameters of the page's links back to `path` (sorting, paging, tabs)."""
    params = {}
    for href in links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or (parts.path and parts.path != path):
            continue
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            params.setdefault(name, set()).add(value)
    return params


def class_params(classes):
    """The GET parameters a filter set or a form declares (base_filters / base_fields)."""
    names = []
    for cls in classes:
        declared = getattr(cls, "base_filters", None) or getattr(cls, "base_fields", {})
        names.extend(declared)
    return names
