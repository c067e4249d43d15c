"""Secrets never reach a record: by key, in free text, and by their exact value."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.siesmart.redaction import REDACTED, for_record, redact, redact_text, truncate


def test_secret_keys_are_redacted_at_any_depth():
    body = {
        "client_secret": "a",
        "access_token": "b",
        "Authorization": "Bearer c",
        "nested": [{"apiSecretValue": "d", "userPassword": "e", "refresh_token": "f"}],
        "label": "IP-1",
    }
    assert redact(body) == {
        "client_secret": REDACTED,
        "access_token": REDACTED,
        "Authorization": REDACTED,
        "nested": [
            {"apiSecretValue": REDACTED, "userPassword": REDACTED, "refresh_token": REDACTED}
        ],
        "label": "IP-1",
    }


def test_decimals_become_plain_json_numbers():
    assert redact({"amount": Decimal("10.50"), "whole": Decimal("3")}) == {
        "amount": 10.5,
        "whole": 3,
    }
    json.dumps(redact({"amount": Decimal("10.50")}))


def test_secrets_in_free_text_are_redacted():
    text = 'client_secret=abc&x=1 {"access_token": "xyz"} Authorization: Bearer tok.en-1'
    cleaned = redact_text(text)
    for secret in ("abc", "xyz", "tok.en-1"):
        assert secret not in cleaned
    assert "x=1" in cleaned


def test_known_secrets_are_scrubbed_anywhere():
    value = {"note": "they sent back s3cr3t-value", "s3cr3t-value": 1}
    recorded = json.dumps(for_record(value, known_secrets=["s3cr3t-value"]))
    assert "s3cr3t-value" not in recorded


def test_truncation_keeps_small_values_and_previews_large_ones():
    assert truncate({"a": 1}) == {"a": 1}
    assert truncate(None) is None
    cut = truncate("x" * 50, limit=10)
    assert cut == {"truncated": True, "length": 50, "preview": "x" * 10}


secret_values = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=30)
keys = st.sampled_from(["client_secret", "access_token", "password", "Authorization", "mySecret"])
plain = st.recursive(
    st.none() | st.integers() | st.text(alphabet="ABCDEFGH ", max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "label"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(secret=secret_values, key=keys, filler=plain, depth=st.integers(0, 3))
def test_a_secret_under_a_secret_key_never_survives(secret, key, filler, depth):
    body: object = {key: secret, "other": filler}
    for _ in range(depth):
        body = {"wrapper": [body, filler]}
    assert secret not in json.dumps(for_record(body))
