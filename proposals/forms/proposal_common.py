"""What every step's form shares: widgets styled for Bootstrap, and problems pinned to fields.

The step forms render and never validate: the draft service reads the POST (so the same rules
serve a form, an autosave and the input kept across a login) and answers problems with SFS's
field paths. ``pin_problems`` puts each one, and each of SFS's violations, next to its field.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django import forms

from proposals.services.validation_values import to_decimal

TEXT_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.Select: "form-select",
}


class OptionSelect(forms.Select):
    """A select whose options carry data attributes (``option_attrs[value]``) for the page's JS."""

    def __init__(self, *args, option_attrs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_attrs = option_attrs or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_attrs.get(str(value), {}))
        return option


def text_input(*, inputmode=None, autocomplete=None, placeholder=None, maxlength=None):
    attrs = {"inputmode": inputmode, "autocomplete": autocomplete, "placeholder": placeholder}
    if maxlength:
        attrs["maxlength"] = str(maxlength)
    return forms.TextInput(attrs={k: v for k, v in attrs.items() if v})


def money_input():
    return text_input(inputmode="decimal", autocomplete="off")


def date_input():
    return text_input(inputmode="numeric", placeholder="DD/MM/YYYY")


def date_display(value) -> str:
    """A stored date (YYYY-MM-DD) as typed in the UK: 31/01/1980; anything else as it is."""
    if not isinstance(value, str):
        return ""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def money_display(value) -> str:
    number = to_decimal(value)
    return f"{number:.2f}" if number is not None else ("" if value is None else str(value))


def ref_id(value):
    return value.get("id") if isinstance(value, dict) else None


class StepForm(forms.Form):
    """A step's form: rendered unbound from ``initial``, errors added from problems.

    ``PATHS`` maps SFS field paths (relative to ``path_prefix``) to the form's field names.
    """

    PATHS: dict[str, str] = {}
    use_required_attribute = False
    path_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self):
        for bound in self.fields.values():
            widget = bound.widget
            css = next(
                (c for kind, c in TEXT_CLASSES.items() if isinstance(widget, kind)), "form-control"
            )
            if not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", css)

    def field_for(self, path: str) -> str | None:
        """The field of an SFS path: exact, else without a trailing ``.id``/``.code``, else the
        nearest parent path this form knows."""
        if self.path_prefix:
            if path == self.path_prefix:
                path = ""
            elif path.startswith(f"{self.path_prefix}."):
                path = path[len(self.path_prefix) + 1 :]
            else:
                return None
        candidate = path
        while candidate:
            if candidate in self.PATHS and self.PATHS[candidate] in self.fields:
                return self.PATHS[candidate]
            candidate = candidate.rpartition(".")[0]
        return None

    def add_problem(self, name: str, message: str) -> None:
        errors = self.errors.setdefault(name, self.error_class(renderer=self.renderer))
        if message not in errors:
            errors.append(message)
        widget = self.fields[name].widget
        css = widget.attrs.get("class", "")
        if "is-invalid" not in css:
            widget.attrs["class"] = f"{css} is-invalid".strip()


@dataclass
class SummaryItem:
    message: str
    anchor: str = ""  # the id of the field to jump to, or "" for the whole proposal
    order: tuple = ()  # where the field is on the page: the summary reads in page order


@dataclass
class Pinned:
    summary: list[SummaryItem] = field(default_factory=list)
    top: list[str] = field(default_factory=list)


ROW_PATH = re.compile(r"^(?P<list>[\w.]+?)\[(?P<index>\d+)\](?:\.(?P<rest>.*))?$")


def _pin_row(formsets: dict, path: str, message: str) -> tuple[str, tuple] | None:
    """Pin to a row of a formset (``partners[1].dateOfBirth``); answers (field id, order)."""
    match = ROW_PATH.match(path)
    if not match:
        return None
    formset = formsets.get(match.group("list"))
    index = int(match.group("index"))
    if formset is None or index >= len(formset.forms):
        return None
    form = formset.forms[index]
    name = form.field_for(match.group("rest") or "") or form.fallback_field
    form.add_problem(name, message)
    return form[name].auto_id, (2, index, list(form.fields).index(name))


def pin_problems(problems, *, form, formsets=None) -> Pinned:
    """Put each problem (``Problem``, or SFS violation dict) next to its field.

    ``formsets`` maps a list path (``customerManual.partners``) to its formset. A problem of a
    whole list goes above the list; one no field answers for goes to the top of the page.
    """
    formsets = formsets or {}
    pinned = Pinned()
    for problem in problems:
        if isinstance(problem, dict):
            path, message = problem.get("field"), problem.get("userMessage") or problem.get("code")
        else:
            path, message = problem.field, problem.message
        message = str(message or "This needs fixing.")
        anchor, order = "", (0,)
        if path and path in formsets:
            errors = formsets[path].non_form_errors()
            if message not in errors:
                errors.append(message)
            anchor, order = f"{formsets[path].prefix}-list", (2, -1, 0)
        elif path:
            anchor, order = _pin_row(formsets, path, message) or ("", (0,))
            if not anchor and (name := form.field_for(path)):
                form.add_problem(name, message)
                anchor, order = form[name].auto_id, (1, list(form.fields).index(name))
        if not anchor and message not in pinned.top:
            pinned.top.append(message)
        if not any(i.message == message and i.anchor == anchor for i in pinned.summary):
            pinned.summary.append(SummaryItem(message, anchor, order))
    pinned.summary.sort(key=lambda item: item.order)
    return pinned
