"""The client's address, as far as the deployment's own proxies can vouch for it.

``TRUSTED_PROXY_COUNT`` says how many reverse proxies of ours stand in front of the portal. With
0 (the default) ``REMOTE_ADDR`` is the client. With N, each of our N proxies appended the address
it saw to ``X-Forwarded-For``, so the client is the N-th entry from the right; entries further
left were written by the client and prove nothing. A header with fewer than N entries, or an
entry that is not an IP address, falls back to ``REMOTE_ADDR``: fail closed, never trust a
client-chosen value.

django-axes reads it through ``AXES_CLIENT_IP_CALLABLE`` (axes' own ipware settings need the
django-ipware package, which the portal does not install).
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < hops:
        return remote
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
