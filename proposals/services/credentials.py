"""SieSmart credentials: saved and audited by admins, secrets encrypted, one active per firm.

Rules that keep a secret where it belongs (issue 10): one credential per environment, never
replaced by "add"; a custom URL must pass the SSRF check (``url_safety``); the stored secret is only
ever sent to the URLs it was saved with, so a changed URL or environment needs it typed again; SFS
production becomes active only after a confirmation and a recent successful connection test.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from proposals import jobs
from proposals.models import (
    ConnectionTest,
    Credential,
    CredentialAudit,
    Environment,
    Organisation,
    SieSmartCall,
    User,
)
from proposals.services import PortalError
from proposals.services.crypto import secret_encrypt, secret_rotate
from proposals.services.sfs_notifications import endpoint_register_request
from proposals.services.shared_state import CacheTokenStore
from proposals.services.siesmart_access import client_for
from proposals.services.url_safety import url_refusal
from proposals.siesmart import errors
from proposals.siesmart.endpoints import ENVIRONMENTS, OFFICES, TOKEN_RECORD_PATH
from proposals.siesmart.enums import Lane
from proposals.siesmart.errors import SieSmartError
from proposals.siesmart.url_guard import UrlRefusedError

AUDITED_FIELDS = ("environment", "api_url", "token_url", "client_id", "is_active")
# SFS production is made active only after a successful test this recent (issue 10, point 4).
PRODUCTION_TEST_MAX_AGE = timedelta(minutes=15)
# Environments whose URLs may point at a private host: custom ones, and the sandbox (its URL comes
# from SIESMART_SANDBOX_URL). SFS test and production are fixed public hosts in code.
CHECKED_ENVIRONMENTS = (Environment.CUSTOM, Environment.SANDBOX)


def environment_urls(environment: str) -> tuple[str, str] | None:
    """The preset (API URL, token URL) of an environment; None for custom URLs."""
    if environment == Environment.SANDBOX:
        root = settings.SIESMART_SANDBOX_URL.rstrip("/")
        return f"{root}/siesmart/b2b/v1", f"{root}/oauth/token"
    preset = ENVIRONMENTS.get(environment)
    return (preset.api_url, preset.token_url) if preset else None


def effective_urls(*, environment: str, api_url: str = "", token_url: str = "") -> tuple[str, str]:
    """The URLs a credential of ``environment`` calls: the preset, else the given custom ones."""
    return environment_urls(environment) or (api_url, token_url)


def credential_for_environment(*, organisation: Organisation, environment: str):
    return Credential.objects.filter(organisation=organisation, environment=environment).first()


def secret_must_be_retyped(
    *, credential: Credential, environment: str, urls: tuple[str, str]
) -> bool:
    """Keeping the stored secret is allowed only while it would go to the same place."""
    return (environment, *urls) != (
        credential.environment,
        credential.api_url,
        credential.token_url,
    )


def _audit(*, credential, user, action, changes=None):
    CredentialAudit.objects.create(
        organisation_id=credential.organisation_id,
        credential=credential,
        user=user,
        action=action,
        changes=changes or {},
    )


def _refuse_unsafe_urls(environment: str, urls: tuple[str, str]) -> None:
    if environment not in CHECKED_ENVIRONMENTS:
        return
    for label, url in zip(("API URL", "token URL"), urls, strict=True):
        reason = url_refusal(url)
        if reason:
            raise PortalError(f"The {label} {reason}")


def _forget_token(credential: Credential) -> None:
    """A token fetched with the old secret or from the old host must never reach the new one."""
    store = CacheTokenStore()
    token = store.get(credential.cache_key)
    if token is not None:
        store.discard(credential.cache_key, token.access_token)


@sensitive_variables()
@transaction.atomic
def credential_save(
    *,
    organisation: Organisation,
    user: User | None,
    environment: str,
    client_id: str,
    client_secret: str = "",
    api_url: str = "",
    token_url: str = "",
    make_active: bool = False,
    credential: Credential | None = None,
) -> Credential:
    """Create the organisation's credential for ``environment``, or change ``credential``.

    A blank ``client_secret`` on a change keeps the stored one (the secret is write-only), unless
    the environment or a URL changed. ``make_active`` is for setup code; an admin makes SFS
    production active through ``credential_activate`` (the form refuses it here).
    """
    urls = effective_urls(environment=environment, api_url=api_url, token_url=token_url)
    if credential is not None and credential.organisation_id != organisation.pk:
        raise PortalError("That credential belongs to another organisation.")
    existing = credential_for_environment(organisation=organisation, environment=environment)
    if existing is not None and (credential is None or existing.pk != credential.pk):
        raise PortalError(
            f"Your organisation already has a {existing.get_environment_display()} credential; "
            "edit that one instead."
        )
    _refuse_unsafe_urls(environment, urls)
    creating = credential is None
    if creating and not client_secret:
        raise PortalError("A new credential needs its client secret.")
    if (
        not creating
        and not client_secret
        and secret_must_be_retyped(credential=credential, environment=environment, urls=urls)
    ):
        raise PortalError("The environment or a URL changed: type the client secret again.")
    credential = credential or Credential(organisation=organisation)
    before = {field: getattr(credential, field) for field in AUDITED_FIELDS}

    credential.environment = environment
    credential.api_url, credential.token_url = urls
    credential.client_id = client_id
    if client_secret:
        credential.client_secret_encrypted = secret_encrypt(client_secret)
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError as exc:  # a concurrent save took the environment first
        raise PortalError(
            "Your organisation already has a credential for that environment; reload the page."
        ) from exc
    if make_active:
        _activate(credential)

    after = {field: getattr(credential, field) for field in AUDITED_FIELDS}
    changes = {k: [before[k], after[k]] for k in AUDITED_FIELDS if before[k] != after[k]}
    if client_secret:
        changes["client_secret"] = "changed"  # that it changed, never what to
    if not creating and (client_secret or set(changes) - {"is_active"}):
        _forget_token(credential)
    _audit(
        credential=credential,
        user=user,
        action="created" if creating else "changed",
        changes=changes,
    )
    return credential


def _activate(credential: Credential) -> None:
    Credential.objects.filter(organisation_id=credential.organisation_id, is_active=True).exclude(
        pk=credential.pk
    ).update(is_active=False)
    if not credential.is_active:
        credential.is_active = True
        credential.save(update_fields=["is_active", "updated"])
    # issue 14: SFS is told where to send notifications (a job; no call when it knows already).
    if settings.SFS_NOTIFICATIONS:
        endpoint_register_request(credential=credential)


def production_activation_refusal(*, credential: Credential, confirmed: bool) -> str | None:
    """Why ``credential`` may not be made active now, or None. Only SFS production has rules:
    a confirmation, and a successful connection test begun after its last change (so with its
    current secret and URLs) and finished in the last 15 minutes."""
    if not credential.is_production:
        return None
    if not confirmed:
        return "Tick the confirmation to send new submissions to SFS production."
    recent_success = ConnectionTest.objects.filter(
        credential=credential,
        state=ConnectionTest.State.OK,
        created__gte=credential.updated,
        finished__gte=timezone.now() - PRODUCTION_TEST_MAX_AGE,
    ).exists()
    if not recent_success:
        return (
            'Run "Test connection" on this credential first: SFS production is made active only '
            "after a successful test of its current secret and URLs in the last 15 minutes."
        )
    return None


@transaction.atomic
def credential_activate(*, credential: Credential, user: User, confirmed: bool = False):
    reason = production_activation_refusal(credential=credential, confirmed=confirmed)
    if reason:
        raise PortalError(reason)
    _activate(credential)
    _audit(
        credential=credential,
        user=user,
        action="activated",
        changes={"confirmed": True} if credential.is_production else None,
    )
    return credential


def credential_active_for(*, organisation_id: int) -> Credential | None:
    return Credential.objects.filter(organisation_id=organisation_id, is_active=True).first()


@dataclass(frozen=True)
class CredentialHealth:
    token_expires_at: float | None
    last_success_at: object
    calls_last_hour: int
    budget_last_hour: int


def credential_health(*, credential: Credential) -> CredentialHealth:
    """What the admin page shows: derived from the token store and the call log."""
    token = CacheTokenStore().get(credential.cache_key)
    api_calls = SieSmartCall.objects.filter(credential=credential).exclude(path=TOKEN_RECORD_PATH)
    since = timezone.now() - timedelta(hours=1)
    return CredentialHealth(
        token_expires_at=token.expires_at if token else None,
        last_success_at=api_calls.filter(status__lt=300).aggregate(last=Max("at"))["last"],
        calls_last_hour=api_calls.filter(at__gte=since).count(),
        budget_last_hour=settings.SIESMART_BUDGET_PER_MINUTE * 60,
    )


def connection_test_request(*, credential: Credential, user: User) -> ConnectionTest:
    """Queue an interactive "Test connection"; the page follows its state."""

    test = ConnectionTest.objects.create(credential=credential, requested_by=user)
    _audit(credential=credential, user=user, action="connection test requested")
    jobs.job_enqueue(jobs.CONNECTION_TEST, test.pk)
    return test


@sensitive_variables()
@transaction.atomic
def credentials_rotate_keys() -> int:
    """Re-encrypt every stored secret with the first of ``FIELD_ENCRYPTION_KEYS``."""
    count = 0
    for credential in Credential.objects.select_for_update().filter(~Q(client_secret_encrypted="")):
        credential.client_secret_encrypted = secret_rotate(credential.client_secret_encrypted)
        credential.save(update_fields=["client_secret_encrypted"])
        count += 1
    return count


@sensitive_variables()  # the client holds the plain secret and the token
def connection_test_run(*, test_id: int) -> ConnectionTest:
    """Get a token and list the offices, in the interactive lane; keep outcome and trace id."""

    test = ConnectionTest.objects.select_related("credential").get(pk=test_id)
    ConnectionTest.objects.filter(pk=test.pk).update(state=ConnectionTest.State.RUNNING)
    client = client_for(credential=test.credential, lane=Lane.INTERACTIVE)
    try:
        client.fetch_token()
        offices = client.list_offices()
    except SieSmartError as error:
        test.state = ConnectionTest.State.FAILED
        test.message = describe_error(error)
        test.trace_id = error.trace_id or ""
    else:
        test.state = ConnectionTest.State.OK
        test.offices = [{"id": o.id, "name": o.name, "country": o.country_code} for o in offices]
        test.message = f"Token obtained; {len(offices)} office(s) answered."
        last = (
            SieSmartCall.objects.filter(credential=test.credential, path=OFFICES)
            .order_by("-at", "-id")
            .first()
        )
        test.trace_id = last.trace_id if last else ""
    test.finished = timezone.now()
    test.save(update_fields=["state", "message", "trace_id", "offices", "finished"])
    return test


def describe_error(error) -> str:
    """An error from SFS in words a person can act on (with its code, for support)."""

    if isinstance(error, UrlRefusedError):
        # Not SFS's answer: the SSRF guard's own reason ("... must not contain a query string").
        return f"{error.message} Fix the URL on the credential."
    words = {
        errors.TokenError: "SFS refused the client id or secret.",
        errors.UnauthorizedError: "SFS refused the token.",
        errors.ForbiddenError: "SFS says this credential may not do that.",
        errors.NotFoundError: "SFS does not know it (the test environment may have been wiped).",
        errors.RateLimitedError: "SFS's rate limit was reached; the portal waits and retries.",
        errors.ServerError: "SFS had an internal error.",
        errors.SieSmartTimeout: "SFS did not answer in time.",
        errors.SieSmartConnectionError: "SFS could not be reached.",
        errors.MalformedResponseError: "SFS answered something the portal does not understand.",
    }
    text = next(
        (text for kind, text in words.items() if isinstance(error, kind)),
        "SFS refused the request.",
    )
    detail = f" ({error.code})" if getattr(error, "code", None) else ""
    return f"{text}{detail} {error}".strip()
