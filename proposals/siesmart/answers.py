"""How each answer becomes its type, and how a query value is written: the client's small
translators, kept apart so that the client reads as a list of calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import jsonio
from .parsing import require_list, require_object
from .transport import Answer
from .types import AssetResult, CalculationResult, Proposal


def proposal(answer: Answer) -> Proposal:
    return Proposal.from_json(answer.body, etag=answer.etag)


def asset(answer: Answer) -> AssetResult:
    return AssetResult.from_json(answer.body, etag=answer.etag)


def quote(answer: Answer) -> CalculationResult:
    body = require_object(answer.body, "quote answer")
    # [DOC] `{"result": {...}}`; a bare result object is read as well.
    return CalculationResult.from_json(body.get("result", body), "quote result")


def list_of(kind: Any, what: str) -> Callable[[Answer], list[Any]]:
    """A parser for a JSON array of `kind` (any type with `from_json`)."""

    def parse(answer: Answer) -> list[Any]:
        return [kind.from_json(item) for item in require_list(answer.body, what)]

    return parse


def query_value(value: object) -> str:
    """A query parameter as SFS reads it: timestamps in the contract's form, the rest as text."""
    if isinstance(value, datetime):
        return jsonio.format_timestamp(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
