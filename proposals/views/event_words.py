"""What a broker reads of the timeline, the notifications and a conflict: words, never SFS's codes.

The stored texts stay as they were written (staff read them raw: they need the codes and trace
ids to talk to SFS). A broker's page passes them through here: a text with a code in it gives
way to a sentence chosen by the event's kind, and SFS's statuses are put in words.
"""

import re

from proposals.lifecycle import WORDS, words  # noqa: F401 - read from here by the views
from proposals.services.parts import GROUP_LABELS
from proposals.siesmart import enums

# SFS sent a violation without its sentence: the broker is told so, not shown its code.
UNDESCRIBED = "SFS found a problem it did not describe."


_ENUMS = (
    enums.WorkflowStatus,
    enums.DecisionStatus,
    enums.ErrorCode,
    enums.ClientErrorCode,
    enums.PrecheckCode,
    enums.ViolationCode,
    enums.DocumentTypeCode,
    enums.SigningStatus,
    enums.NotificationEventType,
)
_VALUE_ENUMS = (
    *_ENUMS,
    enums.PaymentPeriod,
    enums.PaymentMode,
    enums.AssetCondition,
    enums.CompanyType,
    enums.DocumentIdType,
)
CODE_VALUES = frozenset(str(member) for enum in _ENUMS for member in enum)
_VALUE_CODES = frozenset(str(member) for enum in _VALUE_ENUMS for member in enum)
_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
_CODE_LIKE = re.compile(
    r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"  # UPPER_SNAKE: a code, known or not yet
    r"|\b[a-z]+(?:[A-Z][a-z0-9]*)+\b"  # camelCase: an API field
    rf"|{_UUID}|trace id|\b[0-9a-f]{{16,}}\b"
)
_WORD = re.compile(r"\b[A-Z]+\b")
_REFERENCE_PREFIX = re.compile(r"^\s*IP-\d{4}-[A-Z0-9]+\s*:?\s*")
_SFS_CHANGE = re.compile(r"SFS: (\S+) / (\S+) → (\S+) / (\S+)")

EVENT_WORDS = {
    "created": "Draft started.",
    "copied": "Copied from an earlier proposal.",
    "submitted": "Queued for sending to SFS.",
    "send_attempt": "Sending to SFS.",
    "sent": "Sent to SFS.",
    "outcome_unknown": "SFS did not answer clearly; the portal checks and tries again.",
    "send_failed": "Sending failed: SFS refused it. See what to fix above.",
    "lease_expired": "Sending was interrupted; the portal checks SFS before sending again.",
    "requeued": "Queued again by staff.",
    "resend_gone": "Sending again a proposal SFS no longer has.",
    "refresh_requested": "You asked SFS for news.",
    "sfs_changed": "SFS updated the proposal.",
    "decision": "SFS decided.",
    "decision_asked": "Decision asked.",
    "decision_requested": "Decision requested from SFS.",
    "decision_not_allowed": "SFS does not take a decision request in this state.",
    "decision_refused": "SFS cannot decide yet: it needs more from you.",
    "precheck_asked": "Pre-check asked.",
    "changes_submitted": "Changes queued for SFS.",
    "changes_sent": "Changes accepted by SFS.",
    "changes_refused": "SFS refused the changes.",
    "conflict": "SFS changed the same parts meanwhile: choose which to keep.",
    "conflict_resolved": "Conflict settled.",
    "merged": "SFS changed other parts meanwhile; merged and sending yours again.",
    "cancel_asked": "Cancel asked.",
    "cancel_refused": "SFS refused to cancel.",
    "cancelled": "Cancelled at SFS.",
    "gone": "SFS no longer has this proposal. Sending it again is your choice.",
}
NOTIFICATION_WORDS = {
    "decision": "SFS has decided: open the proposal to see the decision.",
    "send_failed": "It could not be sent to SFS: open it to see what to fix.",
    "conflict": "Your changes and SFS's overlap: choose which to keep.",
    "decision_refused": "SFS cannot decide yet: open it to see what SFS still needs.",
    "gone": "SFS no longer has this proposal. Sending it again is your choice.",
}


def has_codes(text: str) -> bool:
    """Whether ``text`` holds something only SFS or a developer reads: a code, an API field
    name, a trace id."""
    if not text:
        return False
    if _CODE_LIKE.search(text):
        return True
    return any(word in CODE_VALUES for word in _WORD.findall(text))


def _status_words(workflow: str, decision: str) -> str:
    stage = words(workflow) if workflow not in ("", "-") else ""
    detail = ""
    if decision not in ("", "-", "NOT_AVAILABLE") and decision != workflow:
        detail = "SFS is deciding" if decision == "PENDING" else words(decision).lower()
    if stage and detail:
        return f"{stage} ({detail})"
    return stage or detail.capitalize()


def _sfs_change(message: str) -> str:
    found = _SFS_CHANGE.search(message or "")
    if not found:
        return EVENT_WORDS["sfs_changed"]
    now = _status_words(found.group(3), found.group(4))
    return f"At SFS: {now}." if now else EVENT_WORDS["sfs_changed"]


def event_words(event) -> str:
    """One timeline line in words; the stored message when it is plain words already."""
    kind = getattr(event, "kind", "") or ""
    if kind == "sfs_changed":
        return _sfs_change(event.message)
    message = (getattr(event, "message", "") or "").strip()
    if message and not has_codes(message):
        return message
    return EVENT_WORDS.get(kind) or (words(kind) + "." if kind and not has_codes(kind) else "")


def notification_words(notification) -> str:
    """A notification in words, without the reference (the page shows it once, as the link)."""
    message = _REFERENCE_PREFIX.sub("", (getattr(notification, "message", "") or "").strip())
    if message and not has_codes(message):
        return message[:1].upper() + message[1:]
    return NOTIFICATION_WORDS.get(notification.kind, "Something changed on this proposal.")


_DECORATIONS = re.compile(rf"\s*(\(trace id [^)]*\)|\[[^\]]*\]|\([A-Z][A-Z0-9_]*\)|{_UUID})")


def error_words(message: str) -> str:
    """A stored error (``The request is invalid [400 VALIDATION_FAILED] (trace id …)``) as a
    broker reads it: SFS's sentence without the status, code and trace id."""
    plain = _DECORATIONS.sub("", message or "").strip()
    if not message:
        return ""
    if not plain or has_codes(plain):
        return "SFS refused the request."
    return plain


FIELD_WORDS = {
    "specialConditionText": "Special conditions",
    "scheduleAssetsDescription": "Assets schedule description",
    "registrationNumber": "Registration number",
    "sourceCountryCode": "Country of registration",
    "companyType": "Company type",
    "companyName": "Company name",
    "legalForm": "Legal form",
    "assetIacCode": "Asset type",
    "valuePerAsset": "Value per asset",
    "introducerPricelistId": "Pricelist",
    "marketProductId": "Product",
    "paymentMethod": "Payment method",
    "paymentMode": "Payments in advance or arrears",
    "paymentPeriod": "Payment period",
    "specialPayments": "Special payment",
    "loanPurpose": "Loan purpose",
    "postalCode": "Postcode",
    "countryCode": "Country",
    "houseNumber": "House number",
    "houseName": "House name",
    "flatName": "Flat",
    "dateOfBirth": "Date of birth",
    "dateOfIncorporation": "Date of incorporation",
    "firstName": "First name",
    "lastName": "Last name",
    "phoneNumber": "Phone",
    "mobilePhoneNumber": "Mobile phone",
    "monthAtAddress": "Months at the address",
    "jobTitle": "Job title",
    "jobTitleCustom": "Job title",
    "professionType": "Profession",
    "boardmemberId": "Partner",
    "downPayment": "Down payment",
    "residualValue": "Residual value",
    "salesContactId": "Sales contact",
    "deliveryAddress": "Delivery address",
    "customerManual": "Customer",
    "partners": "Partner",
    "assets": "Asset",
    "address": "Address",
}
# Structure, not meaning: "company.registrationNumber" reads "Registration number".
_SILENT = {"manual", "company", "id", "type"}


def _split_camel(name: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).lower()
    return spaced[:1].upper() + spaced[1:]


def field_words(path: str) -> str:
    """``manual.address.postalCode`` → ``Address › Postcode``; ``#2.valuePerAsset`` →
    ``No. 2 › Value per asset``."""
    if not path:
        return ""
    parts = []
    for segment in re.split(r"[.\s]+", str(path).strip()):
        if not segment or segment in _SILENT:
            continue
        if segment.lstrip("#").isdigit():
            parts.append(f"No. {segment.lstrip('#')}")
        elif segment in FIELD_WORDS:
            parts.append(FIELD_WORDS[segment])
        elif segment in GROUP_LABELS:
            parts.append(GROUP_LABELS[segment])
        else:
            parts.append(_split_camel(segment))
    return " › ".join(parts) or "Value"


def value_words(value) -> str:
    """An SFS code among a part's values (``LIMITED_COMPANY``) in words."""
    text = "" if value is None else str(value)
    if text in _VALUE_CODES or re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", text):
        return words(text)
    return text
