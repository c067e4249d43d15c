"""`GET /proposals/search` (CONTRACT.md 6.2, with v2's `contract-no` and `document-status`)."""

from .access import office_of
from .calls import Query, Reply
from .errors import validation_failed
from .validation import Violations, int64_parameter

WORKFLOW_STATUSES = (
    "DRAFT",
    "DECISION_REQUESTED",
    "ACCEPTED",
    "DECLINED",
    "MORE_INFORMATION",
    "CANCELLED",
    "ACTIVATED",
)
DOCUMENT_STATUSES = ("OUTSTANDING", "COMPLETE")
# Not in SFS's published list: the `documentedSearchOnly` setting drops them as if never sent.
UNDOCUMENTED = ("page", "updated-after")
PARAMETERS = {
    "proposal-label",
    "office-id",
    "workflow-status",
    "customer-name",
    "customer-reg-no",
    "contract-no",
    "document-status",
    "created-after",
    "created-before",
    "updated-after",
    "sales-contact-id",
    "size",
    "sort-by",
    "sort-order",
    "page",
}
DEFAULT_SIZE = 20
MAX_SIZE = 100


def outstanding(proposal) -> bool:
    """A required item of the checklist is not yet received and valid (CONTRACT.md 6.10).

    The items are `documents.Item`s: received means a `received_date`.
    """
    return any(
        item.required and not (item.received_date is not None and item.valid)
        for item in proposal.documents
    )


def _filters(q: Query) -> list:
    """Predicates on a proposal; timestamps compare in microseconds, exclusively."""
    tests = []
    label = q.text("proposal-label")
    if label is not None:
        tests.append(lambda p: p.label == label)
    status = q.choice("workflow-status", WORKFLOW_STATUSES)
    if status is not None:
        tests.append(lambda p: p.workflow_status == status)
    name = q.text("customer-name")
    if name is not None:
        folded = name.casefold()
        tests.append(lambda p: p.customer_name is not None and folded in p.customer_name.casefold())
    number = q.text("customer-reg-no")
    if number is not None:
        tests.append(lambda p: p.registration_number == number)
    contract = q.text("contract-no")
    if contract is not None:
        tests.append(lambda p: p.contract_no == contract)
    documents = q.choice("document-status", DOCUMENT_STATUSES)
    if documents is not None:
        wanted = documents == "OUTSTANDING"
        tests.append(lambda p: outstanding(p) == wanted)
    contact = int64_parameter(q, "sales-contact-id")
    if contact is not None:
        tests.append(lambda p: p.sales_contact_id == contact)
    after = q.timestamp_us("created-after")
    if after is not None:
        tests.append(lambda p: p.created * 1000 > after)
    before = q.timestamp_us("created-before")
    if before is not None:
        tests.append(lambda p: p.created * 1000 < before)
    updated_after = q.timestamp_us("updated-after")
    if updated_after is not None:
        tests.append(lambda p: p.updated * 1000 > updated_after)
    return tests


def search(sb, call) -> Reply:
    v = Violations()
    pairs = call.query
    if sb.settings.documented_search_only:
        pairs = [(name, value) for name, value in pairs if name not in UNDOCUMENTED]
    q = Query(pairs, PARAMETERS, v)
    office = int64_parameter(q, "office-id")
    if office is not None:
        office_of(sb, call, office)  # 404 or 403 come before any 400
    tests = _filters(q)
    size = int64_parameter(q, "size", minimum=1, maximum=MAX_SIZE)
    page = int64_parameter(q, "page", minimum=0)
    sort_by = q.choice("sort-by", ("UPDATED", "CREATED")) or "UPDATED"
    descending = (q.choice("sort-order", ("ASC", "DESC")) or "DESC") == "DESC"
    if len(v):
        raise validation_failed(v.items)
    size = size or DEFAULT_SIZE
    page = page or 0
    if office is not None:
        tests.append(lambda p: p.office_id == office)
    with sb.store.lock:
        found = [p for p in sb.store.of_owner(call.client_id) if all(t(p) for t in tests)]
        stamp = (lambda p: p.updated) if sort_by == "UPDATED" else (lambda p: p.created)
        sign = -1 if descending else 1
        # Ties go by id ascending whatever the order.
        found.sort(key=lambda p: (sign * stamp(p), p.id))
        start = page * size
        content = [p.summary() for p in found[start : start + size]]
    return Reply(200, {"content": content, "page": page, "size": size, "totalElements": len(found)})
