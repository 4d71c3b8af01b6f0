from django import forms


class VersionedFormMixin:
    """Carries the version the user loaded, so a save over somebody else's edit is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.IntegerField(widget=forms.HiddenInput, required=False)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            field.initial = instance.version
        self.fields["expected_version"] = field


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
