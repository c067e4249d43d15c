"""Nothing typed is lost on an expired session, and nothing signed-in is kept in a cache.

``KeepPostAcrossLogin``: a broker whose session expired mid-form posts a step to a login
redirect. The middleware (placed right before Django's ``LoginRequiredMiddleware``) keeps that
POST in the session under the step's path; login keeps the session's data, and the step's page,
opened after login, saves the kept input through ``proposal_save_step`` (only when the proposal
is the broker's own). It runs in ``process_view``, after the CSRF check: only a genuine post of
the broker's own browser is kept.

Only a browser that was logged in before may leave a post behind (issue 10, point 6): the
session itself is gone once it expired, so a signed cookie (``KEPT_MARK_COOKIE``), set on any
signed-in answer, marks the browser. A visitor who never logged in gets no session row at all,
and what is kept is capped in size (``MAX_KEPT_BYTES``); a bigger post is not kept and the person
is told. Expired sessions are cleared by beat (``proposals.background.clear_expired_sessions``).

``NoStoreWhenSignedIn``: every answer to a signed-in person (pages, exports, JSON) may hold
another organisation's view of a deal, so no cache, shared or the browser's, may keep it.
"""

import json
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

SESSION_KEY = "kept_posts"
KEPT_URL_NAME = "proposal_step"
MAX_KEPT = 5  # paths kept at once; the oldest goes first
# Everything kept for one session, as JSON. A post that does not fit is not kept (and the person
# is told), rather than kept cut short.
MAX_KEPT_BYTES = 256 * 1024
KEPT_MARK_COOKIE = "portal_was_signed_in"
KEPT_MARK_SALT = "proposals.middleware.kept-posts"
KEPT_MARK_DAYS = 14

TOO_BIG = (
    "What you typed was too large to keep while you were logged out (the limit is "
    f"{MAX_KEPT_BYTES // 1024} KB). Log in and enter it again."
)
NOT_SIGNED_IN = "You are not logged in, so what you posted was not kept. Log in and try again."


def _plain(post) -> dict:
    """The POST as a dict of strings (lists where a key repeats), minus the CSRF token."""
    data = {}
    for key in post:
        if key == "csrfmiddlewaretoken":
            continue
        values = [str(v) for v in post.getlist(key)]
        data[key] = values[0] if len(values) == 1 else values
    return data


def _size(data) -> int:
    return len(json.dumps(data, separators=(",", ":")).encode())


def _marked_today(request) -> str | None:
    """The day the browser's mark was last renewed, when the mark is genuine."""
    return request.get_signed_cookie(
        KEPT_MARK_COOKIE,
        default=None,
        salt=KEPT_MARK_SALT,
        max_age=KEPT_MARK_DAYS * 24 * 3600,
    )


def was_signed_in(request) -> bool:
    return _marked_today(request) is not None


def _kept_with(request, data: dict) -> dict | None:
    """The session's kept posts with ``data`` added for this path, oldest dropped to fit the
    caps; None when ``data`` alone is over the size cap."""
    if _size(data) > MAX_KEPT_BYTES:
        return None
    kept = dict(request.session.get(SESSION_KEY) or {})
    kept.pop(request.path, None)
    while kept and (len(kept) >= MAX_KEPT or _size(kept) + _size(data) > MAX_KEPT_BYTES):
        kept.pop(next(iter(kept)))
    kept[request.path] = data
    return kept


class KeepPostAcrossLogin:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        today = date.today().isoformat()
        # Renewed at most once a day, so signed-in answers rarely carry a Set-Cookie.
        if user is not None and user.is_authenticated and _marked_today(request) != today:
            response.set_signed_cookie(
                KEPT_MARK_COOKIE,
                today,
                salt=KEPT_MARK_SALT,
                max_age=KEPT_MARK_DAYS * 24 * 3600,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if (
            request.method != "POST"
            or match is None
            or match.url_name != KEPT_URL_NAME
            or request.user.is_authenticated
        ):
            return None
        kept = _kept_with(request, _plain(request.POST)) if was_signed_in(request) else None
        if kept is not None:
            request.session[SESSION_KEY] = kept
            message = "You were logged out. Log in again: what you typed is kept."
        else:
            # Nothing touches the session: a stranger's post never creates a session row.
            message = TOO_BIG if was_signed_in(request) else NOT_SIGNED_IN
        if request.headers.get("X-Autosave") == "1":
            return JsonResponse(
                {
                    "saved": False,
                    "kept": kept is not None,
                    "loggedOut": True,
                    "message": message,
                    "loginUrl": f"{reverse('login')}?next={request.path}",
                },
                status=401,
            )
        if kept is None:
            # The message store is the cookie first, so this adds no session row either.
            messages.warning(request, message, fail_silently=True)
        return None  # LoginRequiredMiddleware sends the browser to log in, then back here


def kept_post_pop(request) -> dict | None:
    """The input kept for this path while logged out, taken out of the session (once)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or request.path not in kept:
        return None
    data = kept.pop(request.path)
    request.session[SESSION_KEY] = kept
    return data if isinstance(data, dict) else None


class NoStoreWhenSignedIn:
    """``Cache-Control: no-store, private`` (and no-cache) on every signed-in answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
        return response
