"""v2 notifications, SFS's webhooks (CONTRACT.md 6.12): the endpoint and the subscriptions.

A mixin of `SieSmartClient`. The subscription id is read in any of three forms (a JSON string,
an object with `id`, a text/plain UUID), as the contract asks of a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import endpoints
from . import parsing as p
from .enums import NotificationEventType
from .transport import Answer


@dataclass(frozen=True)
class NotificationEndpoint:
    """What SFS holds of the registered endpoint; the API key is never echoed."""

    base_path: str

    @classmethod
    def from_json(cls, data: object) -> NotificationEndpoint:
        what = "notification endpoint"
        return cls(base_path=p.text(p.require_object(data, what), "basePath", what))


def _endpoint(answer: Answer) -> NotificationEndpoint:
    return NotificationEndpoint.from_json(answer.body)


def subscription_id(answer: Answer) -> str:
    """The subscription's id: `"uuid"`, `{"id": "uuid"}` or the bare text `uuid`."""
    body = answer.body
    if isinstance(body, dict):
        # `id` is the contract's; the other two names are what a server might plausibly use.
        key = next((k for k in ("id", "subscriptionId", "uuid") if body.get(k)), "id")
        body = p.text(body, key, "subscription answer")
    if not isinstance(body, str) or not body.strip().strip('"'):
        raise p.malformed("subscription answer", f"is {type(body).__name__}, expected an id")
    return body.strip().strip('"')


def _nothing(answer: Answer) -> None:
    return None


class NotificationCalls:
    _request: Any  # SieSmartClient._request

    def register_notification_endpoint(
        self, base_path: str, *, api_key: str | None = None
    ) -> NotificationEndpoint:
        """Once per credential; a second registration is 409 INVALID_STATE (use `change_...`).
        `api_key` comes back on every notification as `X-API-KEY`."""
        body: dict[str, Any] = {"basePath": base_path}
        if api_key is not None:
            body["apiKey"] = api_key
        return self._request("POST", endpoints.NOTIFICATION_ENDPOINTS, json=body, parse=_endpoint)

    def change_notification_endpoint(
        self, *, base_path: str | None = None, api_key: str | None = None
    ) -> NotificationEndpoint:
        body: dict[str, Any] = {}
        if base_path is not None:
            body["basePath"] = base_path
        if api_key is not None:
            body["apiKey"] = api_key
        if not body:
            raise ValueError("Give base_path, api_key or both")
        # A PUT sets the same state however often it is sent: safe to repeat.
        return self._request(
            "PUT", endpoints.NOTIFICATION_ENDPOINTS, json=body, retry=True, parse=_endpoint
        )

    def delete_notification_endpoint(self) -> None:
        """Stops every notification, the subscriptions included."""
        return self._request("DELETE", endpoints.NOTIFICATION_ENDPOINTS, parse=_nothing)

    def get_notification_endpoint(self) -> NotificationEndpoint:
        """Raises NotFoundError when none is registered."""
        return self._request("GET", endpoints.NOTIFICATION_ENDPOINTS, parse=_endpoint)

    def subscribe(
        self, proposal_id: int, event_type: str = NotificationEventType.DECISION_RECEIVED
    ) -> str:
        """The subscription's id. No If-Match, no new ETag. The same (proposal, event type)
        answers the same id, so a repeat after a lost answer is harmless."""
        return self._request(
            "POST",
            endpoints.proposal_subscriptions(proposal_id),
            json={"eventType": str(event_type)},
            retry=True,
            accept_text=True,
            parse=subscription_id,
        )

    def unsubscribe(self, proposal_id: int, subscription: str) -> None:
        return self._request(
            "DELETE", endpoints.proposal_subscription(proposal_id, subscription), parse=_nothing
        )
