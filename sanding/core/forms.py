from django import forms

from .services import MISSING_VERSION
from .submissions import MISSING, TOKEN_FIELD, new_token, well_formed


class VersionedFormMixin:
    """Carries the version the user loaded, so a save over somebody else's edit is refused.

    Editing an existing record needs the version: a POST without it (or with a malformed one) is refused
    with a form error, never saved over whatever is stored now.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.IntegerField(widget=forms.HiddenInput, required=False)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            field.initial = instance.version
        self.fields["expected_version"] = field

    def clean(self):
        data = super().clean()
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and data.get("expected_version") is None:
            self._errors.pop("expected_version", None)
            self.add_error(None, forms.ValidationError(MISSING_VERSION, code="missing_version"))
        return data


class SubmitOnceFormMixin:
    """A create form's one-time token (see `sanding.core.submissions`; the view uses `submit_once`).

    Each rendering carries a fresh token; a POST without one is refused with a form error (and the form
    shown again carries a fresh token, so posting it again works). Editing an existing record needs no
    token: the version guards it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            return
        name = self.add_prefix(TOKEN_FIELD)
        self.fields[TOKEN_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False, initial=new_token())
        self._token_missing = self.is_bound and not well_formed(self.data.get(name))
        if self._token_missing:
            self.data = self.data.copy()
            self.data[name] = self.fields[TOKEN_FIELD].initial

    def clean(self):
        data = super().clean()
        if getattr(self, "_token_missing", False):
            self.add_error(None, forms.ValidationError(MISSING, code="token"))
        return data


class SubmitOnceForm(SubmitOnceFormMixin, forms.Form):
    """Only the one-time token: for a create POST whose inputs are not a Django form (uploads, copies)."""


class BootstrapFormMixin:
    """Adds Bootstrap classes to every widget, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


def refuse_stale(form, error):
    """Show a stale-save refusal on `form`, and let the next save go through.

    The page shows the stored values beside the user's input; the form now carries the stored version,
    so saving again is a deliberate decision to replace them rather than a refusal that never ends.
    """
    form.add_error(None, error)
    form.data = form.data.copy()
    form.data["expected_version"] = error.current.version
