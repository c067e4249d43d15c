"""The token call: client credentials in, a bearer token out. Recorded like every call, never
rate-limited (SFS does not count it), repeated on transient failures (asking twice is harmless)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests

from . import endpoints, jsonio
from .calllog import CallLog, trace_id_of
from .errors import MalformedResponseError, TokenError
from .retry import CallPolicy, backoff_delay
from .types import Token
from .url_guard import TokenUrlRefusedError, UrlRefused

USER_AGENT = "introducer-portal-siesmart/1"


class TokenEndpoint:
    def __init__(
        self,
        *,
        session: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        policy: CallPolicy,
        call_log: CallLog,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self.session = session
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.audience = audience
        self.policy = policy
        self.call_log = call_log
        self.sleep = sleep
        self.clock = clock
        self.rng = rng

    def __repr__(self) -> str:  # never the secret
        return f"<TokenEndpoint {self.token_url} client_id={self.client_id}>"

    def fetch(self, *, lane: str) -> Token:
        """A new token, or TokenError (the API call it was for was never sent)."""
        payload = {
            "grant_type": endpoints.GRANT_TYPE,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "audience": self.audience,
        }
        attempt = 0
        while True:
            attempt += 1
            started_at = datetime.now(UTC)
            started = time.perf_counter()
            response: requests.Response | None = None
            token: Token | None = None
            error: TokenError | None = None
            try:
                response = self.session.post(
                    self.token_url,
                    data=jsonio.encode(payload).encode("utf-8"),
                    headers={
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                        "User-Agent": USER_AGENT,
                    },
                    timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                    allow_redirects=False,
                )
                token = self._read(response)
            except UrlRefused as exc:
                # Refused by the portal's guard before anything was sent; never retried.
                error = TokenUrlRefusedError(f"The portal refused to call the token URL: {exc}")
                error.__cause__ = exc
            except requests.RequestException as exc:
                error = TokenError(
                    f"The SieSmart token endpoint is unreachable ({type(exc).__name__})",
                    transient=True,
                )
                error.__cause__ = exc
            except TokenError as exc:
                error = exc
            self.call_log.record(
                lane=lane,
                started_at=started_at,
                duration_ms=int((time.perf_counter() - started) * 1000),
                method="POST",
                path=endpoints.TOKEN_RECORD_PATH,
                url=self.token_url,
                attempt=attempt,
                response=response,
                error=error,
                request_body=payload,
                token=token.access_token if token else None,
            )
            if token is not None:
                return token
            assert error is not None
            if not error.retryable or attempt > self.policy.max_retries:
                raise error
            self.sleep(
                backoff_delay(
                    attempt - 1,
                    base=self.policy.backoff_base,
                    cap=self.policy.backoff_cap,
                    rng=self.rng,
                )
            )

    def _read(self, response: requests.Response) -> Token:
        trace_id = trace_id_of(response)
        status = response.status_code
        try:
            body = jsonio.decode(response.content) if response.content else None
        except ValueError:
            body = None
        if 200 <= status < 300:
            try:
                return Token.from_token_response(body, now=self.clock())
            except MalformedResponseError as exc:
                raise TokenError(exc.message, status=status, trace_id=trace_id) from exc
        # [ASSUME] Auth0's refusal: {"error": "access_denied", "error_description": "..."}.
        fields = body if isinstance(body, dict) else {}
        error = fields.get("error")
        error = error if isinstance(error, str) else None
        description = fields.get("error_description")
        description = description if isinstance(description, str) else None
        raise TokenError(
            f"The SieSmart token endpoint refused: {error or f'HTTP {status}'}"
            + (f" ({description})" if description else ""),
            status=status,
            error=error,
            error_description=description,
            trace_id=trace_id,
            transient=status >= 500 or status == 429,
        )
