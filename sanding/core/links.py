"""Links a user can store or send the browser to: http(s) URLs and the application's own paths only.

A link field that accepted anything stored `javascript:alert(1)`, run by whoever clicked it. The validator
goes on the model field (so forms, the admin and imports all check it) and `safe_link` guards the rendering
of rows stored before.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


def is_safe_link(value):
    """An http(s) URL with a host (an intranet name without a dot included), or a path of this application
    ("/ledger/…", not "//host/…"); no whitespace, control character or backslash anywhere; nothing else."""
    if not value or not isinstance(value, str):
        return False
    if value != value.strip() or any(ch.isspace() or ord(ch) < 32 or ch in "\\\x7f" for ch in value):
        return False
    if value.startswith("/"):
        return not value.startswith("//")
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@deconstructible
class LinkValidator:
    message = "链接须以 http:// 或 https:// 开头，或为本系统内以“/”开头的地址。"
    code = "invalid_link"

    def __call__(self, value):
        if not is_safe_link(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, LinkValidator)


def safe_link(value, default=""):
    """`value` when it is a safe link, else `default` (for redirects and for rendering stored links)."""
    return value if is_safe_link(value) else default


def in_app_path(value, default):
    """`value` when it is a path of this application (a `next` to go back to), else `default`."""
    return value if is_safe_link(value) and value.startswith("/") else default
