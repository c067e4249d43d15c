"""Injected faults and the runtime settings (CONTRACT.md section 7, control endpoints).

Each `POST /__sandbox__/faults` replaces every fault, so `{}` clears them. The random draws come
from one generator (seedable with `--random-seed`) so a run can be repeated.
"""

import math
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from .errors import validation_failed
from .validation import Violations


def _number(body, key, v, low=0.0, high=math.inf, default=0.0):
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        v.add(key, "WRONG_TYPE", f"{key} must be a number.")
        return default
    value = float(value)
    if not low <= value <= high:
        v.add(key, "INVALID_VALUE", f"{key} must be {low:g} to {high:g}.")
        return default
    return value


def _check_keys(body, allowed, v):
    for key in body:
        if key not in allowed:
            v.add(key, "UNKNOWN_FIELD", f"{key} is not a known field.")


@dataclass
class Plan:
    """What the faults do to one request."""

    burst_retry_after: int | None = None
    latency: float = 0.0
    server_error: int | None = None
    hang: float = 0.0
    drop: bool = False
    underwriter_edit: bool = False


FAULT_KEYS = (
    "serverErrorRate",
    "serverErrorStatus",
    "latencyMs",
    "hangRate",
    "hangSeconds",
    "dropRate",
    "underwriterEditRate",
    "rateLimitBurstSeconds",
    "endpoints",
    "notificationLossRate",
    "notificationDuplicateRate",
    "notificationDelaySeconds",
)


class Faults:
    def __init__(self, random_seed=None):
        self._lock = threading.Lock()
        self._random = random.Random(random_seed)
        self.config: dict = {}
        self._burst_until = 0.0

    def replace(self, body: dict) -> dict:
        v = Violations()
        _check_keys(body, FAULT_KEYS, v)
        config = {
            key: _number(body, key, v, high=1.0)
            for key in (
                "serverErrorRate",
                "hangRate",
                "dropRate",
                "underwriterEditRate",
                "notificationLossRate",
                "notificationDuplicateRate",
            )
        }
        status = body.get("serverErrorStatus", 500)
        if isinstance(status, bool) or status not in (500, 503):
            v.add("serverErrorStatus", "INVALID_VALUE", "serverErrorStatus must be 500 or 503.")
        config["serverErrorStatus"] = status
        timed = ("latencyMs", "hangSeconds", "rateLimitBurstSeconds", "notificationDelaySeconds")
        for key in timed:
            config[key] = _number(body, key, v, high=3600.0)
        endpoints = body.get("endpoints")
        if endpoints is not None and (
            not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints)
        ):
            v.add("endpoints", "WRONG_TYPE", "endpoints must be a list of strings.")
            endpoints = None
        config["endpoints"] = endpoints
        if len(v):
            raise validation_failed(v.items)
        with self._lock:
            self.config = config
            self._burst_until = time.monotonic() + config["rateLimitBurstSeconds"]
        return config

    def public(self) -> dict:
        return dict(self.config) if self.config else {}

    def notification_delays(self) -> list[float]:
        """The first-attempt delay of each copy of one notification: [] lost, two duplicated.

        Notifications are not API calls, so `endpoints` does not limit these faults.
        """
        with self._lock:
            config, draw = self.config, self._random.random
            if not config:
                return [0.0]
            if config["notificationLossRate"] and draw() < config["notificationLossRate"]:
                return []
            copies = 1
            if config["notificationDuplicateRate"] and draw() < config["notificationDuplicateRate"]:
                copies = 2
            return [draw() * config["notificationDelaySeconds"] for _ in range(copies)]

    def plan(self, endpoint: str) -> Plan | None:
        """Draw the faults for one request, or None when none applies to its endpoint."""
        with self._lock:
            config = self.config
            if not config:
                return None
            endpoints = config["endpoints"]
            if endpoints is not None and endpoint not in endpoints:
                return None
            plan = Plan()
            remaining = self._burst_until - time.monotonic()
            if remaining > 0:
                plan.burst_retry_after = max(1, math.ceil(remaining))
                return plan
            draw = self._random.random
            plan.latency = config["latencyMs"] / 1000.0
            if config["serverErrorRate"] and draw() < config["serverErrorRate"]:
                plan.server_error = config["serverErrorStatus"]
            if config["hangRate"] and draw() < config["hangRate"]:
                plan.hang = config["hangSeconds"]
            if config["dropRate"] and draw() < config["dropRate"]:
                plan.drop = True
            if config["underwriterEditRate"] and draw() < config["underwriterEditRate"]:
                plan.underwriter_edit = True
            return plan


SETTING_KEYS = {
    "rateLimitPerMinute": "rate_limit",
    "retryAfterHeader": "retry_after_header",
    "tokenLifetimeSeconds": "token_lifetime",
    "decisionDelaySeconds": "decision_delay",
    "documentReviewDelaySeconds": "document_review_delay",
    "signingDelaySeconds": "signing_delay",
    "activationDelaySeconds": "activation_delay",
    "documentedSearchOnly": "documented_search_only",
}
# v2 delays that follow the decision delay until they are set (CONTRACT.md section 7).
FOLLOWS_DECISION_DELAY = ("document_review_delay", "signing_delay", "activation_delay")


@dataclass
class Settings:
    rate_limit: int = 100
    retry_after_header: bool = True
    token_lifetime: float = 86400.0
    decision_delay: float = 10.0
    document_review_delay: float | None = None
    signing_delay: float | None = None
    activation_delay: float | None = None
    documented_search_only: bool = False

    def delay(self, attribute: str) -> float:
        """A v2 delay in seconds: its own value once set, else the decision delay."""
        value = getattr(self, attribute)
        return self.decision_delay if value is None else value

    def public(self) -> dict:
        answer = {key: getattr(self, attribute) for key, attribute in SETTING_KEYS.items()}
        for key, attribute in SETTING_KEYS.items():
            if attribute in FOLLOWS_DECISION_DELAY:
                answer[key] = self.delay(attribute)
        return answer

    def update(self, body: dict) -> dict:
        v = Violations()
        _check_keys(body, SETTING_KEYS, v)
        changes = {}
        if "rateLimitPerMinute" in body:
            value = body["rateLimitPerMinute"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                v.add("rateLimitPerMinute", "INVALID_VALUE", "A whole number, 0 for no limit.")
            else:
                changes["rate_limit"] = value
        if "retryAfterHeader" in body:
            if not isinstance(body["retryAfterHeader"], bool):
                v.add("retryAfterHeader", "WRONG_TYPE", "retryAfterHeader must be true or false.")
            else:
                changes["retry_after_header"] = body["retryAfterHeader"]
        if "documentedSearchOnly" in body:
            if not isinstance(body["documentedSearchOnly"], bool):
                v.add("documentedSearchOnly", "WRONG_TYPE", "Must be true or false.")
            else:
                changes["documented_search_only"] = body["documentedSearchOnly"]
        for key in (
            "tokenLifetimeSeconds",
            "decisionDelaySeconds",
            "documentReviewDelaySeconds",
            "signingDelaySeconds",
            "activationDelaySeconds",
        ):
            if key in body:
                low = 0.001 if key == "tokenLifetimeSeconds" else 0.0
                changes[SETTING_KEYS[key]] = _number(body, key, v, low=low, high=1e9)
        if len(v):
            raise validation_failed(v.items)
        for attribute, value in changes.items():
            setattr(self, attribute, value)
        return self.public()
