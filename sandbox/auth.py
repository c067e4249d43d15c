"""Access tokens and the token endpoint (CONTRACT.md section 2, an Auth0 tenant's shapes)."""

import json
import secrets
import threading
import time

AUDIENCE = "https://api.siesmart.com/b2b"
TOKEN_FIELDS = ("grant_type", "client_id", "client_secret", "audience")


class Tokens:
    """Opaque random tokens; each maps to its client and an expiry (monotonic clock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def issue(self, client_id: str, lifetime: float) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            if len(self._tokens) > 10_000:  # forget expired ones now and then
                self._tokens = {t: e for t, e in self._tokens.items() if e[1] > now}
            self._tokens[token] = (client_id, now + lifetime)
        return token

    def client_of(self, authorization: str | None) -> str | None:
        """The client of an `Authorization: Bearer <token>` header; None for any other."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        entry = self._tokens.get(token.strip())
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._tokens)
            self._tokens = {}
        return count


def token_endpoint(sb, raw_body: bytes) -> tuple[int, dict]:
    """`POST /oauth/token`: answers (status, body) in the shapes of Auth0."""
    try:
        body = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    if not isinstance(body, dict) or any(not isinstance(body.get(f), str) for f in TOKEN_FIELDS):
        return 400, {"error": "invalid_request", "error_description": "Invalid request body."}
    if body["grant_type"] != "client_credentials":
        return 400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant."}
    client = sb.seed.clients.get(body["client_id"])
    known = client is not None and secrets.compare_digest(
        client["clientSecret"].encode(), body["client_secret"].encode()
    )
    if not known or body["audience"] != AUDIENCE:
        return 401, {"error": "access_denied", "error_description": "Unauthorized"}
    lifetime = sb.settings.token_lifetime
    token = sb.tokens.issue(body["client_id"], lifetime)
    sb.stats.token_issued()
    return 200, {"access_token": token, "token_type": "Bearer", "expires_in": int(lifetime)}
