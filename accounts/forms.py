"""Forms of the account pages: password reset and change (Django's, styled and audited),
inviting someone, and accepting an invitation."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.services.invitations import INVITABLE_ROLES
from accounts.services.passwords import password_reset_sent_record
from proposals.models import Role, User


class StyledMixin:
    """Bootstrap classes on every widget, as on the rest of the portal."""

    def style_fields(self):
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PortalPasswordResetForm(StyledMixin, PasswordResetForm):
    """Django's reset form; it emails active users only, and each email sent is audited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        password_reset_sent_record(user=context["user"])
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PortalSetPasswordForm(StyledMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class PortalPasswordChangeForm(StyledMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class InvitationForm(StyledMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
        initial=Role.BROKER,
        help_text="Brokers send proposals; staff review the whole organisation's; admins also "
        "manage people and the SFS connection.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["email"].widget.attrs.setdefault("autocomplete", "off")


class InvitationAcceptForm(StyledMixin, forms.Form):
    """The invited person's username and password; the password meets Django's validators."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        required=False,
        help_text="Leave blank to log in with your email address. Letters, digits and "
        "@ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.style_fields()

    def clean_username(self):
        username = self.cleaned_data.get("username", "").strip() or self.email
        for validator in User._meta.get_field("username").validators:
            validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken: choose another.")
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(username=data.get("username") or self.email, email=self.email)
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
