"""The checks that come before a body is read (CONTRACT.md section 3, order of checks):
resource exists (404), belongs to the caller (403), If-Match missing then stale (412), state (409).
"""

from .calls import INTEGER
from .errors import ApiError, forbidden, invalid_state, not_found
from .store import CHANGEABLE, Proposal


def parse_id(text) -> int | None:
    """A path or query id; anything but a plain whole number names nothing (404)."""
    if isinstance(text, str) and INTEGER.fullmatch(text):
        return int(text)
    return None


def proposal_of(sb, call, proposal_id) -> Proposal:
    proposal = sb.store.get(proposal_id)
    if proposal is None:
        raise not_found("The proposal")
    if proposal.owner != call.client_id:
        raise forbidden("The proposal")
    return proposal


def owned_proposal(sb, call) -> Proposal:
    return proposal_of(sb, call, parse_id(call.params.get("id")))


def office_of(sb, call, office_id) -> int:
    owner = sb.seed.office_owner(office_id)
    if owner is None:
        raise not_found("The office")
    if owner != call.client_id:
        raise forbidden("The office")
    return office_id


def normalize_etag(value: str) -> str:
    """Strip a `W/` prefix and surrounding quotes: clients may send the ETag either way."""
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:].strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value


def require_if_match(call, proposal: Proposal):
    sent = call.header("If-Match")
    if sent is None or not sent.strip():
        raise ApiError(412, "IF_MATCH_MISSING", "A change needs If-Match with the proposal's ETag.")
    if normalize_etag(sent) != proposal.etag:
        msg = "The proposal has changed since this version: fetch it again."
        raise ApiError(412, "ETAG_MISMATCH", msg)


def require_changeable(proposal: Proposal):
    if proposal.workflow_status not in CHANGEABLE:
        raise invalid_state(proposal.workflow_status)


def for_change(sb, call) -> Proposal:
    """The proposal a change call names, after every check that comes before its body."""
    proposal = owned_proposal(sb, call)
    require_if_match(call, proposal)
    require_changeable(proposal)
    return proposal
