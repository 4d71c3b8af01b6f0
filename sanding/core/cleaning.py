"""Cleaning of what a request carries before it reaches a query: ids and search text.

Anything can arrive in a query string or a posted field. An id is only ever ASCII digits within the range
of the database's integer keys: `str.isdigit()` also accepts "²" and "١" (which `int()` then refuses), and
SQLite cannot even bind an integer above 2**63 - 1 (an OverflowError, not an empty result). Text must not
carry NUL, which PostgreSQL can neither store nor compare.
"""

import re

from django import forms

MAX_ID = 2**63 - 1  # the largest BigAutoField key on SQLite and PostgreSQL
_ID = re.compile(r"[0-9]{1,19}")
NUL = "\x00"


def parse_id(value):
    """The id `value` names, as an int; None when it is not a valid id (empty, signed, non-ASCII digits,
    zero, out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ID.fullmatch(text):
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values):
    """The valid ids among `values` (e.g. request.POST.getlist("ids")), in order, without duplicates;
    anything else is dropped."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))


def no_nul(value):
    """Text from a request as typed, less any NUL character (never meaningful, and PostgreSQL refuses it);
    "" for a missing value. For the few fields a view reads itself rather than through a form field (a
    form's CharField refuses NUL with a form error)."""
    return str(value if value is not None else "").replace(NUL, "")


def clean_text(value):
    """Text from a request without NUL characters, stripped (for search boxes read by the views)."""
    return no_nul(value).strip()


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but a posted value that is not an id is refused as an invalid choice before any
    query: Django checks each value with an `exact` lookup (safe) and then all of them with `pk__in`, which
    SQLite cannot bind for a value above 2**63 - 1."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if parse_id(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)
