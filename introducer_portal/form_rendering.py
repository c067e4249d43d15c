"""One look for every form: Bootstrap's classes on each widget and `is-invalid` on a field with
an error, given by the form renderer so no form has to remember them."""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

DEFAULT_CLASSES = (
    ((forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple), "form-check-input"),
    ((forms.Select, forms.SelectMultiple), "form-select"),
)


def default_class(widget: forms.Widget) -> str:
    for kinds, css in DEFAULT_CLASSES:
        if isinstance(widget, kinds):
            return css
    return "form-control"


class PortalBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        css = attrs.get("class") or widget.attrs.get("class") or default_class(widget)
        if self.errors and "is-invalid" not in css.split():
            css = f"{css} is-invalid"
        attrs["class"] = css
        return attrs


class PortalFormRenderer(DjangoTemplates):
    bound_field_class = PortalBoundField
