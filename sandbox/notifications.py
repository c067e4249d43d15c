"""Notifications, SFS's webhooks (CONTRACT.md 6.12 and section 7): endpoints, subscriptions and
delivery from threads of their own (notification_delivery.py).

Every place that changes a proposal's `workflowStatus` or `decisionStatus` calls `status_changed`
with the store's lock held; the call only queues work and never blocks on the network.

Choices where the contract is silent:
- One endpoint per introducer client (the token's client id). PUT, GET and DELETE without one
  answer 404. PUT may clear the key with `"apiKey": null`; later attempts, retries included, go
  to the endpoint as it is then.
- A subscription belongs to its proposal and dies with it: a wiped proposal's subscriptions and
  the deliveries still under way for them end, as do those of a deleted subscription or endpoint.
  Such a delivery is not sent again and does not count as failed.
- Unsubscribing with no endpoint registered is 409 like subscribing; an unknown subscription of
  the proposal is 404.

Lock order: the store's lock, then this module's. The delivery threads take this module's lock
only, never the store's, so they cannot deadlock with a request or a timer.
"""

import threading
import uuid
from dataclasses import dataclass

from .access import owned_proposal
from .calls import Reply
from .errors import ApiError, not_found, validation_failed
from .notification_delivery import Deliverer, loopback_problem, notifications_url
from .timeutil import iso_ms
from .validation import Enum, Obj, Str, Violations

DECISION_RECEIVED = "DECISION_RECEIVED"
CREDIT_STATUS_CHANGED = "CREDIT_STATUS_CHANGED"
EVENT_TYPES = (DECISION_RECEIVED, CREDIT_STATUS_CHANGED)
DECISIONS_RECEIVED = ("ACCEPTED", "DECLINED", "MORE_INFORMATION")

NEW_ENDPOINT = Obj({"basePath": (Str(), True), "apiKey": (Str(), False)})
CHANGED_ENDPOINT = Obj({"basePath": (Str(), False), "apiKey": (Str(), False)}, keep_null=True)
SUBSCRIPTION = Obj({"eventType": (Enum(EVENT_TYPES), True)})


@dataclass
class Endpoint:
    base_path: str
    api_key: str | None


@dataclass(frozen=True)
class Subscription:
    id: str
    owner: str
    proposal_id: int
    event_type: str


def events_of(old_workflow, old_decision, new_workflow, new_decision) -> list[str]:
    """The event types a status change causes (CONTRACT.md section 7)."""
    events = []
    if new_decision != old_decision and new_decision in DECISIONS_RECEIVED:
        events.append(DECISION_RECEIVED)
    if new_workflow != old_workflow:
        events.append(CREDIT_STATUS_CHANGED)
    return events


class Notifications:
    def __init__(self, sb):
        self.sb = sb
        self._lock = threading.Lock()
        self._endpoints: dict[str, Endpoint] = {}
        self._by_pair: dict[tuple[int, str], Subscription] = {}
        self._by_id: dict[str, Subscription] = {}
        self.deliverer = Deliverer(sb.stats, self.target_of)

    def status_changed(self, proposal, old_workflow: str, old_decision: str) -> None:
        """Queue the notifications a status change causes, for subscribed pairs only."""
        events = events_of(
            old_workflow,
            old_decision,
            proposal.workflow_status,
            proposal.decision["decisionStatus"],
        )
        if not events:
            return
        occurred = iso_ms(proposal.updated)
        for event_type in events:
            with self._lock:
                subscription = self._by_pair.get((proposal.id, event_type))
                if subscription is None:
                    continue
                url = notifications_url(self._endpoints[subscription.owner].base_path)
            self._queue(subscription, url, occurred)

    def _queue(self, subscription: Subscription, url: str, occurred: str):
        payload = {
            "notificationId": str(uuid.uuid4()),
            "subscriptionId": subscription.id,
            "eventType": subscription.event_type,
            "proposalId": subscription.proposal_id,
            "occurred": occurred,
        }
        delays = self.sb.faults.notification_delays()
        # A lost one is listed too (never attempted), so a test can tell loss from no event.
        for delay in delays or [None]:
            record = self.sb.stats.notification_created(
                payload["notificationId"], subscription.event_type, subscription.proposal_id, url
            )
            if delay is not None:
                self.deliverer.enqueue(payload, record, delay)

    def target_of(self, subscription_id: str) -> tuple[str, str | None] | None:
        """Where a delivery goes now (url, api key), or None when its subscription died."""
        with self._lock:
            subscription = self._by_id.get(subscription_id)
            if subscription is None:
                return None
            endpoint = self._endpoints.get(subscription.owner)
            if endpoint is None:
                return None
            target = notifications_url(endpoint.base_path), endpoint.api_key
        # A plain dict read, safe without the store's lock (see the lock order above).
        if self.sb.store.get(subscription.proposal_id) is None:
            return None
        return target

    def close(self) -> None:
        """Stop the delivery threads."""
        self.deliverer.stop()

    # ---- endpoints ----------------------------------------------------------------------------

    def register(self, owner: str, base_path: str, api_key: str | None):
        with self._lock:
            if owner in self._endpoints:
                raise ApiError(409, message="A notification endpoint is already registered.")
            self._endpoints[owner] = Endpoint(base_path, api_key)

    def change(self, owner: str, changes: dict) -> str:
        with self._lock:
            endpoint = self._endpoints.get(owner)
            if endpoint is None:
                raise not_found("The notification endpoint")
            endpoint.base_path = changes.get("basePath", endpoint.base_path)
            endpoint.api_key = changes.get("apiKey", endpoint.api_key)
            return endpoint.base_path

    def base_path_of(self, owner: str) -> str:
        with self._lock:
            endpoint = self._endpoints.get(owner)
            if endpoint is None:
                raise not_found("The notification endpoint")
            return endpoint.base_path

    def unregister(self, owner: str):
        with self._lock:
            if self._endpoints.pop(owner, None) is None:
                raise not_found("The notification endpoint")
            for subscription in [s for s in self._by_id.values() if s.owner == owner]:
                self._forget(subscription)

    # ---- subscriptions ------------------------------------------------------------------------

    def require_endpoint(self, owner: str):
        with self._lock:
            self._require_endpoint(owner)

    def subscribe(self, owner: str, proposal_id: int, event_type: str) -> str:
        with self._lock:
            self._require_endpoint(owner)
            subscription = self._by_pair.get((proposal_id, event_type))
            if subscription is None:
                subscription = Subscription(str(uuid.uuid4()), owner, proposal_id, event_type)
                self._by_pair[(proposal_id, event_type)] = subscription
                self._by_id[subscription.id] = subscription
            return subscription.id

    def unsubscribe(self, owner: str, proposal_id: int, subscription_id: str):
        with self._lock:
            self._require_endpoint(owner)
            subscription = self._by_id.get(subscription_id)
            if subscription is None or subscription.proposal_id != proposal_id:
                raise not_found("The subscription")
            self._forget(subscription)

    def _require_endpoint(self, owner: str):
        if owner not in self._endpoints:
            msg = "No notification endpoint is registered: register one first."
            raise ApiError(409, message=msg)

    def _forget(self, subscription: Subscription):
        del self._by_id[subscription.id]
        del self._by_pair[(subscription.proposal_id, subscription.event_type)]


# ---- the API handlers (CONTRACT.md 6.12 items 1 and 2) ----------------------------------------


def _clean(spec: Obj, call) -> dict:
    v = Violations()
    clean = spec.clean(call.json(), "", v)
    base_path = clean.get("basePath")
    if "basePath" in clean and base_path is None:
        v.add("basePath", "REQUIRED", "basePath cannot be removed.")
    elif base_path is not None and (problem := loopback_problem(base_path)) is not None:
        v.add("basePath", "INVALID_VALUE", problem)
    if len(v):
        raise validation_failed(v.items)
    return clean


def register_endpoint(sb, call) -> Reply:
    clean = _clean(NEW_ENDPOINT, call)
    sb.notifications.register(call.client_id, clean["basePath"], clean.get("apiKey"))
    return Reply(200, {"basePath": clean["basePath"]})


def change_endpoint(sb, call) -> Reply:
    # 404 before the body, as for a proposal (CONTRACT.md section 3, order of checks).
    sb.notifications.base_path_of(call.client_id)
    clean = _clean(CHANGED_ENDPOINT, call)
    return Reply(200, {"basePath": sb.notifications.change(call.client_id, clean)})


def read_endpoint(sb, call) -> Reply:
    return Reply(200, {"basePath": sb.notifications.base_path_of(call.client_id)})


def delete_endpoint(sb, call) -> Reply:
    sb.notifications.unregister(call.client_id)
    return Reply(204)


def subscribe(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        sb.notifications.require_endpoint(call.client_id)
        v = Violations()
        clean = SUBSCRIPTION.clean(call.json(), "", v)
        if len(v):
            raise validation_failed(v.items)
        subscription_id = sb.notifications.subscribe(
            call.client_id, proposal.id, clean["eventType"]
        )
    return Reply(200, subscription_id)


def unsubscribe(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        sb.notifications.unsubscribe(call.client_id, proposal.id, call.params["subscription-id"])
    return Reply(204)
