"""Proposal versions (CONTRACT.md section 3): the one place that reads an ETag as an instant.

[ASSUME] The ETag is exactly the proposal's `updated` value, and versions strictly increase.
Everywhere else the ETag stays opaque: stored as received and sent back unchanged.
"""

from datetime import UTC, datetime


def same_version(etag: str | None, updated_raw: str | None) -> bool:
    """Whether an ETag names the same version as a proposal's `updated`.

    [ASSUME] the ETag is the `updated` value (CONTRACT.md section 3). The ETag stays opaque
    everywhere else; here only its weak prefix and quotes are set aside, as HTTP allows either.
    """
    if etag is None or updated_raw is None:
        return False
    normalised = etag.strip()
    normalised = normalised.removeprefix("W/").strip('"')
    if normalised == updated_raw:
        return True
    # Same instant written differently (e.g. +00:00 for Z) is the same version.
    try:
        return datetime.fromisoformat(normalised) == datetime.fromisoformat(updated_raw)
    except ValueError:
        return False


def _version_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def version_is_older(candidate: str | None, held: str | None) -> bool:
    """Whether the version `candidate` (an ETag or an `updated`) came before `held`.

    [ASSUME] versions are `updated` instants that strictly increase (CONTRACT.md section 3), the
    same assumption as `same_version`. Unknown or unreadable either way: not older, so the
    answer is taken, as before notifications could arrive out of order."""
    candidate_at, held_at = _version_instant(candidate), _version_instant(held)
    if candidate_at is None or held_at is None:
        return False
    return candidate_at < held_at
