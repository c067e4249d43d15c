"""The one road every call to SieSmart takes: token, rate slot, send with timeouts, record, typed
error, retry by failure class. `SieSmartClient._request` is its only caller for API calls."""

from __future__ import annotations

import copy
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests

from . import endpoints, jsonio
from .calllog import FROM_RESPONSE, CallLog, trace_id_of
from .errors import (
    BudgetExhausted,
    MalformedResponseError,
    RateLimitedError,
    SieSmartError,
    TokenError,
    UnauthorizedError,
    error_from_response,
)
from .protocols import Limiter, Recorder, TokenStore, bind_limiter
from .retry import CallPolicy, backoff_delay, error_from_exception, safe_to_repeat, should_retry
from .token_endpoint import USER_AGENT, TokenEndpoint
from .tokens import TokenManager
from .types import Token
from .upload_body import Base64JsonBody
from .url_guard import UrlRefused, UrlRefusedError

logger = logging.getLogger("proposals.siesmart")

T = TypeVar("T")

# [DOC] SFS lifts a block by itself; without Retry-After we assume a minute.
DEFAULT_RATE_LIMIT_PAUSE = 60.0


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: its parsed body (None when empty), ETag exactly as received, trace id.
    `response` is set only for a streamed answer (a download), whose body is left unread."""

    status: int
    body: Any
    etag: str | None
    trace_id: str | None
    response: requests.Response | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class _Outgoing:
    method: str
    path: str
    url: str
    params: dict[str, Any] | None
    body: Any  # the JSON-able body, kept for the record
    body_text: str | None  # exactly what is sent
    if_match: str | None
    stream: Base64JsonBody | None = None  # sent instead of body_text, encoded as it goes
    stream_response: bool = False
    accept_text: bool = False


class Transport:
    def __init__(
        self,
        *,
        api_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        credential_key: str,
        token_store: TokenStore,
        limiter: Limiter,
        recorder: Recorder,
        lane: str,
        policy: CallPolicy,
        session: requests.Session,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: random.Random,
        renew_before: float,
        token_wait: float,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.credential_key = credential_key
        self.token_store = token_store
        # Slots are taken in the credential's name, so a shared limiter can be fair between
        # the organisations behind one budget.
        self.limiter = bind_limiter(limiter, credential_key)
        self.lane = lane
        self.policy = policy
        self.session = session
        self.sleep = sleep
        self.clock = clock
        self.rng = rng
        self.renew_before = renew_before
        self.token_wait = token_wait
        self.call_log = CallLog(
            recorder=recorder, credential_key=credential_key, client_secret=client_secret
        )
        self.token_endpoint = TokenEndpoint(
            session=session,
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            audience=audience,
            policy=policy,
            call_log=self.call_log,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )
        self.tokens = self._token_manager()

    def _token_manager(self) -> TokenManager:
        policy = self.policy
        # The renewal lock must outlast the longest renewal: every attempt timing out, plus
        # the backoffs between them; else a second process would renew alongside.
        longest_renewal = (policy.connect_timeout + policy.read_timeout) * (
            policy.max_retries + 1
        ) + policy.backoff_cap * policy.max_retries
        return TokenManager(
            store=self.token_store,
            key=self.credential_key,
            fetch=lambda: self.token_endpoint.fetch(lane=self.lane),
            clock=self.clock,
            sleep=self.sleep,
            renew_before=self.renew_before,
            lock_timeout=longest_renewal + 5.0,
            max_wait=self.token_wait,
        )

    def with_lane(self, lane: str) -> Transport:
        """A copy in another lane; session, stores, limiter and recorder are shared."""
        other = copy.copy(self)
        other.lane = lane
        other.tokens = other._token_manager()  # so that its token calls record its lane
        return other

    def __repr__(self) -> str:  # never the secret
        return f"<Transport {self.api_url} credential={self.credential_key} lane={self.lane}>"

    # -- the API road ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        if_match: str | None = None,
        retry: bool | None = None,
        parse: Callable[[Answer], T],
        stream: Base64JsonBody | None = None,
        stream_response: bool = False,
        accept_text: bool = False,
    ) -> T:
        """Send one API call, repeating it only where the failure class and the call allow.
        `stream`: a body encoded while it is sent (an upload); the record holds its placeholder.
        `stream_response`: leave a 2xx body unread for the caller (`Answer.response`).
        `accept_text`: a 2xx body that is not JSON is given to `parse` as its text."""
        method = method.upper()
        may_repeat = safe_to_repeat(method, if_match) if retry is None else retry
        outgoing = _Outgoing(
            method=method,
            path=path,
            url=self.api_url + path,
            params=params,
            body=stream.record_body if stream is not None else json,
            body_text=None if json is None or stream is not None else jsonio.encode(json),
            if_match=if_match,
            stream=stream,
            stream_response=stream_response,
            accept_text=accept_text,
        )
        attempt = retries_done = 0
        rejected_token: str | None = None
        last_error: SieSmartError | None = None
        while True:
            attempt += 1
            try:
                token = self.tokens.token(rejected=rejected_token)
                self._take_slot()
            except (BudgetExhausted, TokenError) as blocked:
                # Nothing was sent this time. On a retry, the earlier failure says more: its
                # outcome may be unknown, and the caller must learn that.
                if last_error is not None:
                    raise last_error from blocked
                raise
            result = self._attempt(outgoing, token, attempt, parse)
            if not isinstance(result, SieSmartError):
                return result
            error = result
            if isinstance(error, UnauthorizedError) and rejected_token is None:
                # Revoked or expired early: renew once and replay once. A 401 is decided before
                # SFS does anything, so even a create may be replayed.
                rejected_token = token.access_token
                self.tokens.reject(token)
                continue
            if isinstance(error, RateLimitedError):
                pause = (
                    DEFAULT_RATE_LIMIT_PAUSE
                    if error.retry_after is None
                    else max(error.retry_after, 1.0)
                )
                self.limiter.pause(pause)
                raise error
            if may_repeat and should_retry(
                error, retries_done=retries_done, max_retries=self.policy.max_retries
            ):
                delay = backoff_delay(
                    retries_done,
                    base=self.policy.backoff_base,
                    cap=self.policy.backoff_cap,
                    rng=self.rng,
                )
                retries_done += 1
                last_error = error
                logger.info(
                    "SieSmart %s %s failed (%s); retry %d in %.2f s",
                    method, path, error.code, retries_done, delay,
                )  # fmt: skip
                self.sleep(delay)
                continue
            raise error

    def _take_slot(self) -> None:
        """A slot from the shared budget: a short wait inline, a long one is the caller's."""
        waited = 0.0
        while True:
            wait = self.limiter.acquire(self.lane)
            if wait <= 0:
                return
            if waited + wait > self.policy.max_inline_wait:
                logger.info("SieSmart budget exhausted in lane %s; wait %.1f s", self.lane, wait)
                raise BudgetExhausted(wait, lane=self.lane)
            self.sleep(wait)
            waited += wait

    def _attempt(
        self, outgoing: _Outgoing, token: Token, attempt: int, parse: Callable[[Answer], T]
    ) -> T | SieSmartError:
        headers = {
            "Authorization": token.authorization,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if outgoing.body_text is not None or outgoing.stream is not None:
            headers["Content-Type"] = "application/json"
        if outgoing.if_match is not None:
            headers[endpoints.IF_MATCH_HEADER] = outgoing.if_match
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        response: requests.Response | None = None
        data: Any = None
        if outgoing.stream is not None:
            data = outgoing.stream  # iterable with a len(): sent with its Content-Length
        elif outgoing.body_text is not None:
            data = outgoing.body_text.encode("utf-8")
        try:
            response = self.session.request(
                outgoing.method,
                outgoing.url,
                params=outgoing.params,
                data=data,
                headers=headers,
                timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                allow_redirects=False,
                stream=outgoing.stream_response,
            )
            result = self._read(response, parse, outgoing)
        except UrlRefused as exc:
            # The portal's guard (a GuardedSession) refused the URL: nothing left the process.
            result = UrlRefusedError(f"The portal refused to call this URL: {exc}")
            result.__cause__ = exc
        except requests.RequestException as exc:
            result = error_from_exception(exc)
            result.__cause__ = exc
        self.call_log.record(
            lane=self.lane,
            started_at=started_at,
            duration_ms=int((time.perf_counter() - started) * 1000),
            method=outgoing.method,
            path=outgoing.path,
            url=response.url if response is not None else _full_url(outgoing),
            attempt=attempt,
            response=response,
            error=result if isinstance(result, SieSmartError) else None,
            request_body=outgoing.body,
            token=token.access_token,
            response_body=_streamed_placeholder(response, outgoing, result),
        )
        return result

    @staticmethod
    def _read(
        response: requests.Response, parse: Callable[[Answer], T], outgoing: _Outgoing
    ) -> T | SieSmartError:
        """The parsed answer or the typed error. Never raises: every outcome gets recorded."""
        trace_id = trace_id_of(response)
        if not 200 <= response.status_code < 300:
            return error_from_response(response)
        try:
            if outgoing.stream_response:
                body = None  # the caller reads it, once, from `answer.response`
            elif outgoing.accept_text:
                body = _json_or_text(response.content)
            else:
                body = jsonio.decode(response.content) if response.content else None
            answer = Answer(
                status=response.status_code,
                body=body,
                etag=response.headers.get(endpoints.ETAG_HEADER),
                trace_id=trace_id,
                response=response if outgoing.stream_response else None,
            )
            return parse(answer)
        except MalformedResponseError as exc:
            message = exc.message
        except ValueError:
            message = f"SieSmart answered {response.status_code} with a body that is not JSON"
        except (TypeError, KeyError, AttributeError, ArithmeticError):
            # A shape no parser foresaw. Still an error with the answer's status and trace id,
            # never a crash that would hide whether the request was carried out.
            logger.warning("Unexpected SieSmart answer shape", exc_info=True)
            message = f"SieSmart answered {response.status_code} with an unexpected shape"
        return MalformedResponseError(
            message,
            status=response.status_code,
            trace_id=trace_id,
            body=response.text[:500],
        )


def _json_or_text(content: bytes) -> Any:
    if not content:
        return None
    try:
        return jsonio.decode(content)
    except ValueError:
        return content.decode("utf-8", errors="replace").strip()


def _streamed_placeholder(
    response: requests.Response | None, outgoing: _Outgoing, result: object
) -> Any:
    """For a streamed 2xx, what the record holds instead of the body (reading it here would load
    the whole file); otherwise `calllog.FROM_RESPONSE`: read the body as usual."""
    if response is None or not outgoing.stream_response or isinstance(result, SieSmartError):
        return FROM_RESPONSE
    size = response.headers.get("Content-Length", "?")
    kind = response.headers.get("Content-Type", "unknown type")
    return f"<file {size} bytes, {kind}>"


def _full_url(outgoing: _Outgoing) -> str:
    prepared = requests.models.PreparedRequest()
    prepared.prepare_url(outgoing.url, outgoing.params)
    return prepared.url or outgoing.url
