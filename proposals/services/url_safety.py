"""Which URLs the portal may call for SieSmart (SSRF): https to public addresses only.

A custom credential's API or token URL is typed by an admin, and the answers of a connection test
are kept in the call log where that admin reads them; so a URL pointing into the portal's own
network would turn "Test connection" into a way to read internal services. A URL is refused when
it is not https, carries a user name, query string or fragment (the `?x=` trick that turns the
appended API path into a harmless query), or when any address its host resolves to is loopback,
private, link-local, multicast, reserved or unspecified. Hosts listed in
``SIESMART_ALLOWED_PRIVATE_HOSTS`` (the sandbox in development) are exempt, and may use http.

The same check runs when a form is saved and again before every call the worker makes.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings

from proposals.siesmart.url_guard import GuardedSession, UrlRefused


class UnresolvableHost(Exception):
    """The host name does not resolve now; at call time that is transient, in a form a refusal."""


def _allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in settings.SIESMART_ALLOWED_PRIVATE_HOSTS if host}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    refused = (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    return not refused and ip.is_global


def _addresses(host: str, port: int) -> set[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise UnresolvableHost(host) from exc
    return {info[4][0] for info in infos}


def _refusal(url: str) -> str | None:
    """Why ``url`` may not be called, or None. Raises UnresolvableHost when DNS has no answer."""
    if "?" in url:
        return "must not contain a query string (?…)."
    if "#" in url:
        return "must not contain a fragment (#…)."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL."
    if "@" in parts.netloc:
        return "must not contain a user name or password."
    host = (parts.hostname or "").lower()
    if not host:
        return "needs a host name."
    allowed = host in _allowed_hosts() or f"{host}:{port}" in _allowed_hosts()
    if parts.scheme != "https" and not (allowed and parts.scheme == "http"):
        return "must start with https://."
    if allowed:
        return None
    addresses = _addresses(host, port or 443)
    if not addresses or not all(_is_public(address) for address in addresses):
        return (
            "points at a loopback, private, link-local or otherwise internal address; "
            "only public SFS hosts may be used."
        )
    return None


def url_refusal(url: str) -> str | None:
    """For a form: the reason ``url`` is refused (a sentence after the field's name), or None."""
    try:
        return _refusal(url)
    except UnresolvableHost:
        return "has a host name that does not resolve."


def outgoing_url_check(url: str) -> None:
    """The guard of every SieSmart call (see `proposals.siesmart.url_guard`)."""
    try:
        reason = _refusal(url)
    except UnresolvableHost as exc:
        # Never sent and worth retrying later, like any failure to connect; the wrapped
        # NewConnectionError tells the client the request did not leave.
        raise requests.ConnectionError(
            urllib3.exceptions.NewConnectionError(None, f"{exc} does not resolve")
        ) from exc
    if reason:
        raise UrlRefused(f"the URL {reason}")


def guarded_session() -> GuardedSession:
    return GuardedSession(check=outgoing_url_check)
