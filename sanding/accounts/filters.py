"""The base of every list page's filter set: options scoped like the rows, Bootstrap classes on every field."""

import django_filters
from django import forms

from .scoping import ScopedQuerySet


def style_filter_form(form):
    for f in form.fields.values():
        css = "form-select form-select-sm" if isinstance(f.widget, forms.Select) else "form-control form-control-sm"
        f.widget.attrs.setdefault("class", css)


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set for `user`: every choice of a scoped model (区划, 责任单位, rounds, ...) offers only what
    the user may see, through the same `visible_to(user)` as the rows, so no option names another
    department or region than the rows could. Subclasses narrow the options further in `scope_filters`."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for f in self.filters.values():
            queryset = getattr(f, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                f.queryset = queryset.visible_to(user)
        self.scope_filters(user)
        style_filter_form(self.form)

    def scope_filters(self, user):
        """Narrow the (already scoped) option querysets further; called before the form is built."""
