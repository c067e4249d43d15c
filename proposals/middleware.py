"""Nothing typed is lost on an expired session.

A broker whose session expired mid-form posts a step to a login redirect. ``KeepPostAcrossLogin``
(placed right before Django's ``LoginRequiredMiddleware``) keeps that POST in the session under
the step's path; login keeps the session's data, and the step's page, opened after login, saves
the kept input through ``proposal_save_step`` (only when the proposal is the broker's own).

It runs in ``process_view``, after the CSRF check: only a genuine post of the broker's own
browser is kept.
"""

from django.http import JsonResponse
from django.urls import reverse

SESSION_KEY = "kept_posts"
KEPT_URL_NAME = "proposal_step"
MAX_KEPT = 5  # paths kept at once; the oldest goes first
MAX_VALUES = 2_000
MAX_VALUE_LENGTH = 20_000


def _plain(post) -> dict:
    """The POST as a dict of strings (lists where a key repeats), minus the CSRF token."""
    data = {}
    for key in list(post.keys())[:MAX_VALUES]:
        if key == "csrfmiddlewaretoken":
            continue
        values = [str(v)[:MAX_VALUE_LENGTH] for v in post.getlist(key)]
        data[key] = values[0] if len(values) == 1 else values
    return data


class KeepPostAcrossLogin:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if (
            request.method != "POST"
            or match is None
            or match.url_name != KEPT_URL_NAME
            or request.user.is_authenticated
        ):
            return None
        kept = dict(request.session.get(SESSION_KEY) or {})
        kept.pop(request.path, None)
        while len(kept) >= MAX_KEPT:
            kept.pop(next(iter(kept)))
        kept[request.path] = _plain(request.POST)
        request.session[SESSION_KEY] = kept
        if request.headers.get("X-Autosave") == "1":
            return JsonResponse(
                {
                    "saved": False,
                    "loggedOut": True,
                    "message": "You were logged out. Log in again: what you typed is kept.",
                    "loginUrl": f"{reverse('login')}?next={request.path}",
                },
                status=401,
            )
        return None  # LoginRequiredMiddleware sends the browser to log in, then back here


def kept_post_pop(request) -> dict | None:
    """The input kept for this path while logged out, taken out of the session (once)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or request.path not in kept:
        return None
    data = kept.pop(request.path)
    request.session[SESSION_KEY] = kept
    return data if isinstance(data, dict) else None
