"""Forms of the two-factor pages: each asks for one code; the service judges it."""

from django import forms


def _code_field(label: str, help_text: str, *, numeric: bool) -> forms.CharField:
    attrs = {"class": "form-control", "autocomplete": "one-time-code", "spellcheck": "false"}
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=40,
        strip=True,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"required": "Enter a code."},
    )


class CodeForm(forms.Form):
    """One code field; a refusal of the service is added to it, so it shows beside the field."""

    def refuse(self, message: str) -> None:
        self.add_error("code", message)


class EnrolForm(CodeForm):
    code = _code_field(
        "Code from your app",
        "The 6-digit code your authenticator app shows for Introducer Portal.",
        numeric=True,
    )


class VerifyForm(CodeForm):
    code = _code_field(
        "Code",
        "The 6-digit code from your authenticator app, or one of your recovery codes.",
        numeric=False,
    )


class TurnOffForm(CodeForm):
    code = _code_field(
        "Code to confirm",
        "A current code from your app (or a recovery code) shows it is you.",
        numeric=False,
    )
