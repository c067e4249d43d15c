"""Error pages in the portal's design; none shows a stack trace or the URL patterns.

These answer whenever DEBUG is off (``make run``, production); ``make dev`` keeps Django's
debug pages for development on a developer's own machine.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

log = logging.getLogger(__name__)

# The last resort when even the template cannot render (a broken template or storage).
PLAIN_500 = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Something went wrong · Introducer Portal</title></head><body><main>"
    "<h1>Something went wrong on our side</h1><p>Nothing you saved is lost. Please try again "
    "in a moment; if it keeps happening, tell your portal admin.</p></main></body></html>"
)


@login_not_required
def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # No request and so no context processors: the database may be what failed.
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}))
    except Exception:  # noqa: BLE001 - an error page must answer whatever else is broken
        log.exception("the 500 page itself failed to render")
        return HttpResponseServerError(PLAIN_500)
