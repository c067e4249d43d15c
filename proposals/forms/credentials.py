from django import forms

from proposals.models import Environment


class CredentialForm(forms.Form):
    environment = forms.ChoiceField(
        choices=Environment.choices,
        help_text="Sandbox, SFS test and SFS production fill in their URLs themselves.",
    )
    api_url = forms.URLField(
        label="API base URL",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Custom URLs only, e.g. https://host/siesmart/b2b/v1",
    )
    token_url = forms.URLField(
        label="Token URL", required=False, max_length=300, assume_scheme="https"
    )
    client_id = forms.CharField(label="Client id", max_length=200)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: it is stored encrypted and never shown. "
        "Leave blank to keep the stored secret.",
    )
    make_active = forms.BooleanField(
        label="Use this credential for new submissions", required=False
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        for name, field in self.fields.items():
            css = "form-check-input" if name == "make_active" else "form-control"
            if name == "environment":
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("environment") == Environment.CUSTOM:
            for name in ("api_url", "token_url"):
                if not data.get(name):
                    self.add_error(name, "Custom URLs need both the API URL and the token URL.")
        if not self.has_secret and not data.get("client_secret"):
            self.add_error("client_secret", "A new credential needs its client secret.")
        return data
