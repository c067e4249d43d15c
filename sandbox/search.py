"""`GET /proposals/search` (CONTRACT.md 6.2)."""

from .access import office_of
from .calls import Query, Reply
from .errors import validation_failed
from .validation import Violations

WORKFLOW_STATUSES = (
    "DRAFT",
    "DECISION_REQUESTED",
    "ACCEPTED",
    "DECLINED",
    "MORE_INFORMATION",
    "CANCELLED",
)
PARAMETERS = {
    "proposal-label",
    "office-id",
    "workflow-status",
    "customer-name",
    "customer-reg-no",
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
    contact = q.integer("sales-contact-id")
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
    q = Query(call.query, PARAMETERS, v)
    office = q.integer("office-id")
    if office is not None:
        office_of(sb, call, office)  # 404 or 403 come before any 400
    tests = _filters(q)
    size = q.integer("size", minimum=1, maximum=MAX_SIZE)
    page = q.integer("page", minimum=0)
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
