"""The mark a browser carries once it was signed in (``proposals.middleware``), for clients that
log in with ``force_login`` and so never receive the answer that sets it."""

from datetime import date

from django.core.signing import get_cookie_signer

from proposals.middleware import KEPT_MARK_COOKIE, KEPT_MARK_SALT


def mark_signed_in(client) -> None:
    """Give ``client`` the cookie a real login's answer sets (as ``set_signed_cookie`` does)."""
    signer = get_cookie_signer(salt=KEPT_MARK_COOKIE + KEPT_MARK_SALT)
    client.cookies[KEPT_MARK_COOKIE] = signer.sign(date.today().isoformat())
