"""Posting forms as a browser does: with the hidden one-time token and version the page rendered.

Create forms carry a one-time token (`submit_token`) and edit forms the version the user loaded
(`expected_version`); a POST without them is refused. Tests that post forms read both from the page,
the way a browser sends them, instead of inventing values.
"""

from html.parser import HTMLParser

from sanding.core.submissions import TOKEN_FIELD

CARRIED = (TOKEN_FIELD, "expected_version")


class _Forms(HTMLParser):
    """Every <form> of a page: its attributes and its hidden inputs (name -> value)."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"attrs": attrs, "hidden": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden" and attrs.get("name"):
            self._current["hidden"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_forms(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms


def hidden_fields(client, url, *, form_id=None, action=None):
    """The token and version of the form at `url` (the one with this id, or posting to `action`, or the
    first form that carries either)."""
    for form in page_forms(client, url):
        if form_id is not None and form["attrs"].get("id") != form_id:
            continue
        if action is not None and form["attrs"].get("action") != action:
            continue
        carried = {k: v for k, v in form["hidden"].items() if k in CARRIED}
        if carried or form_id is not None or action is not None:
            return carried
    raise AssertionError(f"no form with a token or version on {url}")


def post_form(client, url, data=None, *, page=None, form_id=None, **kwargs):
    """POST `data` to `url` with the token and version of the form on `page` (default: `url` itself).

    `form_id` picks one form on a page that has several (e.g. "action-close" on an item page); otherwise
    the form posting to `url` is used when `page` is another page.
    """
    action = url if page is not None and form_id is None else None
    fields = hidden_fields(client, page or url, form_id=form_id, action=action)
    return client.post(url, {**fields, **(data or {})}, **kwargs)
