from django import forms
from django.urls import reverse
from django.utils.html import format_html

from proposals.models import Credential, Environment, Organisation
from proposals.services.credentials import (
    credential_for_environment,
    effective_urls,
    secret_must_be_retyped,
)
from proposals.services.url_safety import url_refusal

URL_LABELS = {"api_url": "API base URL", "token_url": "Token URL"}


class CredentialForm(forms.Form):
    environment = forms.ChoiceField(
        choices=Environment.choices,
        help_text="Sandbox, SFS test and SFS production fill in their URLs themselves.",
    )
    api_url = forms.URLField(
        label=URL_LABELS["api_url"],
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Custom URLs only: https, a public host, no query string, "
        "e.g. https://host/siesmart/b2b/v1",
    )
    token_url = forms.URLField(
        label=URL_LABELS["token_url"], required=False, max_length=300, assume_scheme="https"
    )
    client_id = forms.CharField(label="Client id", max_length=200)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: it is stored encrypted and never shown. "
        "Leave blank to keep the stored secret (only while the URLs and environment stay).",
    )
    make_active = forms.BooleanField(
        label="Use this credential for new submissions", required=False
    )

    def __init__(
        self,
        *args,
        organisation: Organisation,
        credential: Credential | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.credential = credential
        for name, field in self.fields.items():
            css = "form-check-input" if name == "make_active" else "form-control"
            if name == "environment":
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        environment = data.get("environment")
        if not environment:
            return data
        self._check_environment_free(environment)
        urls = self._check_urls(environment, data)
        if not data.get("client_secret"):
            if self.credential is None:
                self.add_error("client_secret", "A new credential needs its client secret.")
            elif urls and secret_must_be_retyped(
                credential=self.credential, environment=environment, urls=urls
            ):
                self.add_error(
                    "client_secret",
                    "The environment or a URL changed: type the client secret again. "
                    "The stored secret is only ever sent to the URLs it was saved with.",
                )
        if data.get("make_active") and environment == Environment.SFS_PRODUCTION:
            already_active = (
                self.credential is not None
                and self.credential.is_active
                and self.credential.environment == Environment.SFS_PRODUCTION
            )
            if not already_active:
                self.add_error(
                    "make_active",
                    "SFS production is made active from the SFS connection page, after a "
                    'successful "Test connection" and a confirmation. Save without this box.',
                )
        return data

    def _check_environment_free(self, environment: str) -> None:
        """One credential per environment: point at the existing one instead of replacing it."""
        existing = credential_for_environment(
            organisation=self.organisation, environment=environment
        )
        if existing is None or (self.credential and existing.pk == self.credential.pk):
            return
        self.add_error(
            "environment",
            format_html(
                'Your organisation already has a {} credential: <a href="{}">edit that one</a> '
                "instead.",
                existing.get_environment_display(),
                reverse("credential_edit", args=[existing.pk]),
            ),
        )

    def _check_urls(self, environment: str, data: dict) -> tuple[str, str] | None:
        """The URLs this credential would call, each checked against SSRF; None if refused."""
        if environment == Environment.CUSTOM:
            missing = [name for name in URL_LABELS if not data.get(name)]
            for name in missing:
                self.add_error(name, "Custom URLs need both the API URL and the token URL.")
            if missing:
                return None
            refused = False
            for name, label in URL_LABELS.items():
                reason = url_refusal(data[name])
                if reason:
                    self.add_error(name, f"The {label} {reason}")
                    refused = True
            return None if refused else (data["api_url"], data["token_url"])
        urls = effective_urls(environment=environment)
        if environment == Environment.SANDBOX:
            # Its URL comes from SIESMART_SANDBOX_URL: fine in development, refused in
            # production unless the host is allowed there.
            reasons = [url_refusal(url) for url in urls]
            if any(reasons):
                self.add_error(
                    "environment",
                    f"The sandbox cannot be used here: its URL {next(r for r in reasons if r)}",
                )
                return None
        return urls


class ProductionActivationForm(forms.Form):
    """The confirmation on "Use for new submissions" for SFS production."""

    confirm_production = forms.BooleanField(
        required=False,
        label="I confirm: new submissions go to SFS production as real proposals",
    )
