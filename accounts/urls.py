"""Account pages: password reset and change, invitations, two-factor authentication."""

from django.urls import path

from accounts.views import passwords, people, two_factor

urlpatterns: list = []

# ---- passwords, people and invitations (accounts/views/passwords.py, people.py) ----
urlpatterns += [
    path("password/reset/", passwords.password_reset, name="password_reset"),
    path("password/reset/sent/", passwords.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        passwords.password_reset_complete,
        name="password_reset_complete",
    ),
    path("password/change/", passwords.password_change, name="password_change"),
    path("people/", people.people, name="people"),
    path("people/invite", people.invitation_new, name="invitation_new"),
    path("people/<int:pk>/disable", people.person_disable_view, name="person_disable"),
    path("people/<int:pk>/enable", people.person_enable_view, name="person_enable"),
    path("invitations/<int:pk>/resend", people.invitation_resend_view, name="invitation_resend"),
    path(
        "invitations/<int:pk>/withdraw",
        people.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path("invitation/<str:token>/", people.invitation_accept_view, name="invitation_accept"),
]

# ---- two-factor authentication (accounts/views/two_factor.py) ----
urlpatterns += [
    path("two-factor/", two_factor.two_factor_settings, name="two_factor_settings"),
    path("two-factor/enrol", two_factor.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/verify", two_factor.two_factor_verify_view, name="two_factor_verify"),
    path(
        "two-factor/recovery-codes",
        two_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new",
        two_factor.two_factor_regenerate,
        name="two_factor_regenerate",
    ),
    path("two-factor/turn-off", two_factor.two_factor_turn_off_view, name="two_factor_turn_off"),
    path(
        "people/<int:pk>/reset-two-factor",
        two_factor.two_factor_reset_view,
        name="two_factor_reset",
    ),
]
