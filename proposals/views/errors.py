"""Error pages in the portal's design; none shows a stack trace."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    # No context processors' queries here: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))
