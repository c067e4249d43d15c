"""Account pages: password reset and change, invitations, two-factor authentication."""

urlpatterns: list = []
