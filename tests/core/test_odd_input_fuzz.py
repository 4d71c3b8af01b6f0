"""Property-based tests: odd input anywhere never gets a 500 or an unescaped script back.

Every page of `tests/core/pages.py` is opened once over the test world; its GET parameters (the fields of its
filter form and filter set, its links' query parameters, what the view reads itself) and its POST forms (every
field the rendered form carries) are then fed random text by hypothesis: Chinese, full-width characters,
control characters and NUL, very long strings, HTML and script, huge and negative numbers, dates out of range,
mixed with valid values so that the checks behind the first field are reached too. For every request:

- the status is never 500 (200, a redirect, or the Chinese 400 / 403 / 404 page);
- no response (nor the page a redirect leads to) carries `<script>alert` or a `javascript:` link unescaped;
- a refused form (not a redirect) wrote no row in any table of the application (history included).

Each example runs in a savepoint rolled back afterwards, so every example starts from the same world.
The profile (tests/conftest.py) bounds the examples per page; `HYPOTHESIS_PROFILE=thorough` runs many more.
"""

import logging
import re
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLResolver, get_resolver, resolve
from hypothesis import example as hypothesis_example
from hypothesis import given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .pages import NOT_PAGES, PAGES, Form, class_params, link_params, parse

pytestmark = pytest.mark.django_db

EXAMPLES = Counter()  # page id -> hypothesis examples run

SCRIPT = "<script>alert(1)</script>"
# Values that broke pages before (NUL on PostgreSQL, ids SQLite cannot bind, digits int() refuses) or that
# must come back escaped. Every page also gets each of KILLERS in all its fields at once (explicit examples).
KILLERS = ["9" * 30, "²", "a\x00b", SCRIPT, "-1", "NaN"]
NUMBERS = ["-1", "0", "１２", "２", "²", "٣", "9223372036854775807", "9223372036854775808", "9" * 30, "-" + "9" * 30]
NUMBERS += ["1e308", "-1e308", "NaN", "inf", "1.5", "0x10", "1_000"]
SPECIAL = [
    SCRIPT,
    f'"><{SCRIPT[1:]}',
    "'><ScRiPt>alert(1)</sCrIpT>",
    "javascript:alert(1)",
    " JavaScript:alert(document.cookie)",
    "//evil.example/",
    "\x00",
    "a\x00b",
    f"\x00{SCRIPT}",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "云州市市场监督管理局",
    "\u3000",
    "\u202e",
    "\ufeff",
    "\r\n",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "on",
    "[]",
    "None",
    " ",
    "",
]
odd_text = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(SPECIAL),
    st.text(max_size=40),  # any code point: control characters and NUL included
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), min_size=1, max_size=20),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.builds(lambda s, n: s * n, st.sampled_from(["长", "a", "9", "<", "\x00"]), st.integers(300, 5000)),
)

TABLES = sorted(
    {m._meta.db_table for m in apps.get_models() if m.__module__.startswith(("sanding.", "simple_history."))}
)
JS_LINK = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STATUSES = {200, 301, 302, 400, 403, 404}
ERROR_PAGES = {400: "（400）", 403: "（403）", 404: "（404）"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    data: dict
    htmx: bool = False


def row_counts():
    """The number of rows of every table of the application (history included), in one query."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in TABLES))
        return dict(zip(TABLES, cursor.fetchone(), strict=True))


def check(response, what):
    assert response.status_code in STATUSES, f"{what}: status {response.status_code}"
    if not response.get("Content-Type", "").startswith("text/html") or getattr(response, "streaming", False):
        return
    content = response.content.decode("utf-8", errors="replace")
    assert "<script>alert" not in content.lower(), f"{what}: unescaped script in the response"
    assert not JS_LINK.search(content), f"{what}: a javascript: link in the response"
    if response.status_code in ERROR_PAGES and not response.headers.get("HX-Request"):
        assert ERROR_PAGES[response.status_code] in content, f"{what}: not the Chinese error page"


def values_for(options):
    """A value for a field: one of its options (to get past it to the checks behind) or odd text."""
    valid = sorted({v for v in options if v is not None})
    return st.one_of(st.sampled_from(valid), odd_text) if valid else odd_text


@st.composite
def get_requests(draw, path, params):
    """A GET of the page with some of its parameters, each an option or odd text (sometimes repeated)."""
    names = draw(st.lists(st.sampled_from(sorted(params)), unique=True, min_size=1, max_size=len(params)))
    query = {}
    for name in names:
        values = values_for(params[name])
        query[name] = draw(st.one_of(values, st.lists(values, min_size=2, max_size=3)))
    return Request("get", path, query, draw(st.booleans()))


@st.composite
def post_requests(draw, action, form: Form):
    """The form posted with each field kept as rendered, left out, set to odd text, or set to the one odd
    value this example puts in many fields at once; a named submit button picks the action."""
    shared = draw(odd_text)
    initial = form.initial()
    payload = {}
    for name in form.names():
        kept = initial.get(name)
        options = [v for v, _ in form.options.get(name, [])] + (kept or [])
        choice = draw(st.sampled_from(["keep", "shared", "odd", "omit"] if kept else ["shared", "odd", "omit"]))
        if choice == "keep":
            payload[name] = kept
        elif choice == "shared":
            payload[name] = shared
        elif choice == "odd":
            value = values_for(options)
            payload[name] = draw(st.lists(value, max_size=3) if name in form.multiple else value)
    buttons = form.buttons()
    if buttons:
        name, value = draw(st.sampled_from(buttons))
        payload[name] = value
    return Request("post", action, payload)


TEXT_KILLERS = ["a\x00b", SCRIPT]  # also typed into the text fields (or the text areas) only
TYPED = {"text", "textarea", "search", "number", "date", "email", "url", "tel"}


def killer_requests(path, params, post_forms):
    """Each killer value in every parameter and every field at once; each text killer also in the typed
    fields only (a form otherwise valid gets as far as saving it). A form's first submit button is kept."""
    requests = []
    for value in KILLERS:
        if params:
            requests.append(Request("get", path, dict.fromkeys(params, value)))
        for action, form in post_forms:
            buttons = dict(form.buttons()[:1])
            everywhere = dict.fromkeys((n for n in form.names() if n not in buttons), value)
            requests.append(Request("post", action, {**everywhere, **buttons}))
            if value not in TEXT_KILLERS:
                continue
            typed = {name for name, kind, *_ in form.fields if kind in TYPED}
            textareas = {name for name, kind, *_ in form.fields if kind == "textarea"}
            for fields in {frozenset(typed), frozenset(textareas)} - {frozenset()}:
                initial = {k: v for k, v in form.initial().items() if k not in fields}
                requests.append(Request("post", action, {**initial, **dict.fromkeys(fields, value), **buttons}))
    return requests


def _get_params(page, parsed, path):
    """name -> known values of the page's GET parameters: its filter form's fields (with their options), its
    links' query parameters, the fields of the filter set or form classes it declares, what the view reads."""
    params = {name: set() for name in (*page.params, *class_params(page.filters))}
    for form in parsed.forms:
        if form.method == "get" and urlsplit(form.action).path in ("", path):
            for name in form.names():
                params.setdefault(name, set()).update(v for v, _ in form.options.get(name, []))
                params[name].update(form.initial().get(name, []))
    for name, values in link_params(parsed.links, path).items():
        params.setdefault(name, set()).update(values)
    return params


def _post_forms(parsed, url):
    """(action, form) of every POST form on the page but the navigation's logout."""
    forms = []
    for form in parsed.forms:
        if form.method != "post":
            continue
        action = form.action or url
        if resolve(urlsplit(action).path).url_name == "logout":
            continue
        forms.append((action, form))
    return forms


@pytest.fixture(scope="module", autouse=True)
def _report_examples(request):
    """Print how many examples ran (the counts also back the per-page assertion that some did)."""
    yield
    total = sum(EXAMPLES.values())
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and total:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nodd-input fuzz: {total} hypothesis examples over {len(EXAMPLES)} pages")


class _Interventions(logging.Handler):
    """Collects what BadInputMiddleware turned into a 400: odd input a view, filter or form failed to clean."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def send(client, request, interventions):
    """Send one request and check it; a redirect is followed and the page it leads to checked too."""
    what = f"{request.method.upper()} {request.path} {request.data!r:.300}"
    before = row_counts() if request.method == "post" else None
    if request.method == "post":
        response = client.post(request.path, request.data)
    else:
        response = client.get(request.path, request.data, **({"HTTP_HX_REQUEST": "true"} if request.htmx else {}))
    check(response, what)
    if before is not None and response.status_code not in (301, 302):
        assert row_counts() == before, f"{what}: a refused form wrote rows"
    if response.status_code in (301, 302) and response.url.startswith("/"):
        check(client.get(response.url), f"{what} -> {response.url}")
    assert not interventions.records, f"{what}: answered 400 by BadInputMiddleware, uncleaned input: " + "; ".join(
        f"{r.exc_info[0].__name__}: {r.exc_info[1]}" for r in interventions.records if r.exc_info
    )


def fuzz_page(client, world, page):
    """Open `page`, read its inputs, and run the hypothesis examples against them."""
    client.force_login(world.users[page.user])
    url = page.url(world)
    path = urlsplit(url).path
    first = client.get(url)
    check(first, f"GET {url}")
    assert first.status_code == 200, f"{page.id} should open for {page.user}"
    html = first.content.decode() if first.get("Content-Type", "").startswith("text/html") else ""
    parsed = parse(html)
    params = _get_params(page, parsed, path)
    post_forms = _post_forms(parsed, url)
    strategies = [get_requests(path, params)] if params else []
    strategies += [post_requests(action, form) for action, form in post_forms]
    if not strategies:
        return
    interventions = _Interventions()
    logger = logging.getLogger("sanding.bad_input")

    def example(request):
        EXAMPLES[page.id] += 1
        logger.addHandler(interventions)
        interventions.records.clear()
        try:
            with transaction.atomic():
                send(client, request, interventions)
                transaction.set_rollback(True)
        finally:
            logger.removeHandler(interventions)

    for request in killer_requests(path, params, post_forms):
        example = hypothesis_example(request=request)(example)
    example = given(request=st.one_of(strategies))(example)
    if hypothesis_settings.default.derandomize:
        example = seed(zlib.crc32(page.id.encode()))(example)
    example()
    assert EXAMPLES[page.id] > 0


GROUPS = sorted({p.url_name.split(":")[0] if ":" in p.url_name else "core" for p in PAGES})


@pytest.mark.parametrize("group", GROUPS)
def test_odd_input_never_breaks_a_page(world, client, group):
    """Every page of the group (one world for them all: building it is the slow part), each page with its
    own examples; every page is tried and the failures are reported together."""
    failures = []
    for page in PAGES:
        if (page.url_name.split(":")[0] if ":" in page.url_name else "core") != group:
            continue
        try:
            fuzz_page(client, world, page)
        except Exception as error:  # collected and reported below
            last = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(f"{page.id}: {type(error).__name__}: {str(error)[:2000]} ({last.filename}:{last.lineno})")
    assert not failures, "\n\n".join(failures)


def _url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":  # Django's admin site: tests/*/test_admin.py
                namespace = f"{pattern.namespace}:" if pattern.namespace else ""
                yield from _url_names(pattern.url_patterns, prefix + namespace)
        elif pattern.name:
            yield prefix + pattern.name


def test_every_url_is_a_page_or_explained():
    """A new page is fuzzed once it is in PAGES (tests/core/pages.py); a URL that is no page says why."""
    names = set(_url_names(get_resolver().url_patterns))
    pages = {page.url_name for page in PAGES}
    assert names - pages - set(NOT_PAGES) == set(), "add these URLs to PAGES or NOT_PAGES in tests/core/pages.py"
    assert (pages | set(NOT_PAGES)) - names == set(), "these URLs are gone"
