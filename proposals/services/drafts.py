"""Drafts: a proposal is saved on every step, so nothing typed is ever lost.

A step's POST always saves: what could be read goes into the parts (shaped as CONTRACT.md's
request body), what could not stays in ``draft_input[step]`` exactly as typed, and the step's
problems come back to be shown at their fields. Validation reads only the local config mirror.
"""

import copy
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from proposals.lifecycle import Action, action_permitted
from proposals.models import Credential, MirroredOffice, Proposal, Status, User
from proposals.services import PortalError
from proposals.services.config_mirror import OfficeConfig, lookups_for, office_config
from proposals.services.credentials import credential_active_for
from proposals.services.events import event_record
from proposals.services.validation import (
    STEPS,
    Problem,
    problem_step,
    proposal_amounts,
    proposal_validate,
)
from proposals.services.validation_input import INVALID, step_parse

log = logging.getLogger(__name__)

STEP_FIELDS = {
    "office": ["office_id", "sales_contact_id"],
    "customer": ["customer_kind", "customer", "delivery_address"],
    "assets": ["assets", "loans"],
    "calculation": ["calculation"],
    "review": ["notes", "decision_request", "request_decision"],
}
DECISION_REQUEST_KEYS = (
    "commentToRiskAnalyst",
    "siemensMayContactCustomer",
    "siemensMayRequestCreditData",
    "prelease",
)
# Parts of a typed-in customer the form does not show; kept as they are when it is saved.
_ADDRESS_KEYS_KEPT = (
    "houseNumber",
    "houseName",
    "flatName",
    "region",
    "phoneNumber",
    "mobilePhoneNumber",
    "email",
)
_AMOUNT_LIMIT = Decimal("1000000000000")  # what ``amount_financed`` can hold


@dataclass(frozen=True)
class DraftContext:
    """What the forms and the checks of one proposal read: the mirror of its credential."""

    credential: Credential | None
    offices: tuple[MirroredOffice, ...]
    config: OfficeConfig | None
    legal_forms: tuple
    titles: tuple


def proposal_editable(proposal: Proposal) -> bool:
    return action_permitted(proposal, Action.EDIT)


def office_locked(proposal: Proposal) -> bool:
    """SFS has the proposal: its office cannot change (no call changes it)."""
    return bool(proposal.sfs_id) and proposal.status != Status.GONE


def draft_context(*, proposal: Proposal) -> DraftContext:
    credential = proposal.credential or credential_active_for(
        organisation_id=proposal.organisation_id
    )
    if credential is None:
        return DraftContext(None, (), None, (), ())
    offices = tuple(MirroredOffice.objects.filter(credential=credential).order_by("name"))
    office = next((o for o in offices if o.office_id == proposal.office_id), None)
    legal_forms, titles = lookups_for(credential)
    return DraftContext(
        credential, offices, office_config(office) if office else None, legal_forms, titles
    )


def proposal_create_draft(*, user: User) -> Proposal:
    credential = credential_active_for(organisation_id=user.organisation_id)
    if credential is None:
        raise PortalError(
            "Your firm has no active SFS connection yet: ask your admin to set one up."
        )
    offices = list(MirroredOffice.objects.filter(credential=credential))
    if not offices:
        raise PortalError(
            "SFS's configuration (offices, pricelists) has not been loaded yet: ask your admin "
            "to refresh it."
        )
    proposal = Proposal.objects.create(
        organisation_id=user.organisation_id,
        broker=user,
        credential=credential,
        status=Status.DRAFT,
        office_id=offices[0].office_id if len(offices) == 1 else None,
        step="office",
    )
    event_record(proposal=proposal, kind="created", actor=user, message="Draft started.")
    return proposal


def _customer_name(proposal: Proposal) -> str:
    customer = proposal.customer if isinstance(proposal.customer, dict) else {}
    if proposal.customer_kind == "manual":
        return str(customer.get("companyName") or "")[:255]
    number = str(customer.get("registrationNumber") or "")
    base = (proposal.base_snapshot or {}).get("customer") or {}
    if number and base.get("registrationNumber") == number and base.get("companyName"):
        return str(base["companyName"])[:255]  # SFS resolved it
    return number[:255]


def _denormalise(proposal: Proposal, config: OfficeConfig | None) -> None:
    proposal.customer_name = _customer_name(proposal)
    _total, amount = proposal_amounts(proposal, config)
    if amount is not None and abs(amount) < _AMOUNT_LIMIT:
        proposal.amount_financed = amount.quantize(Decimal("0.01"))
    else:
        proposal.amount_financed = None


def _merge_customer(previous: dict, kind: str, before_kind: str, customer: dict) -> dict:
    """Keep what SFS or an earlier save added that the form does not show."""
    if kind != "manual" or before_kind != "manual" or not isinstance(previous, dict):
        return customer
    if "professionType" in previous and customer:
        customer.setdefault("professionType", previous["professionType"])
    old_address, new_address = previous.get("address"), customer.get("address")
    if isinstance(old_address, dict) and isinstance(new_address, dict):
        for key in _ADDRESS_KEYS_KEPT:
            if old_address.get(key) is not None:
                new_address.setdefault(key, old_address[key])
    return customer


def _merge_assets(previous, assets: list[dict]) -> list[dict]:
    """An asset keeps its SFS id (a change replaces that asset) and the fields the form lacks."""
    known = {a.get("id"): a for a in previous or [] if isinstance(a, dict) and a.get("id")}
    for asset in assets:
        old = known.get(asset.get("id"))
        if old is None:
            asset.pop("id", None)  # only ids SFS gave may come back
            continue
        for key, value in old.items():
            if key not in asset and key in ("location", "equipmentSupplier"):
                asset[key] = value
    return assets


def _merge_loans(previous, loans: list[dict]) -> list[dict]:
    """A loan keeps its SFS id (a change replaces that loan); an id SFS never gave is dropped."""
    known = {loan.get("id") for loan in previous or [] if isinstance(loan, dict) and loan.get("id")}
    for loan in loans:
        if loan.get("id") not in known:
            loan.pop("id", None)
    return loans


def _merge_dict(previous, values: dict) -> dict:
    merged = dict(previous) if isinstance(previous, dict) else {}
    for key, value in values.items():
        if value is INVALID:
            continue
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _apply(proposal: Proposal, step: str, fields: dict) -> None:
    if step == "customer" and "customer" in fields:
        fields["customer"] = _merge_customer(
            proposal.customer, fields["customer_kind"], proposal.customer_kind, fields["customer"]
        )
    if step == "assets":
        fields["assets"] = _merge_assets(proposal.assets, fields["assets"])
        if "loans" in fields:
            fields["loans"] = _merge_loans(proposal.loans, fields["loans"])
    if step == "review":
        fields["notes"] = _merge_dict(proposal.notes, fields["notes"])
        fields["decision_request"] = _merge_dict(
            proposal.decision_request, fields["decision_request"]
        )
    for name, value in fields.items():
        setattr(proposal, name, value)


def _step_problems(
    proposal: Proposal, step: str, context: DraftContext, typed: list[Problem]
) -> list[Problem]:
    """The problems a step shows: what could not be read first, then the rules of its parts."""
    found = proposal_validate(
        proposal=proposal,
        config=context.config,
        legal_forms=context.legal_forms,
        titles=context.titles,
        complete=False,
    )
    seen = {problem.field for problem in typed}
    kept = [
        problem
        for problem in found
        if problem_step(problem.field, problem.code) == step
        and problem.field not in seen
        and not any(problem.field and f and f.startswith(f"{problem.field}.") for f in seen)
    ]
    return [*typed, *kept]


def step_started(proposal: Proposal, step: str) -> bool:
    """Whether a step holds anything yet: an untouched step shows no problems."""
    if step in (proposal.draft_input or {}):
        return True
    return {
        "office": proposal.office_id is not None or proposal.sales_contact_id is not None,
        "customer": bool(proposal.customer) or proposal.delivery_address is not None,
        "assets": bool(proposal.assets) or bool(proposal.loans),
        "calculation": bool(proposal.calculation),
        "review": bool(proposal.notes) or bool(proposal.decision_request),
    }.get(step, False)


def proposal_step_problems(*, proposal: Proposal, step: str) -> list[Problem]:
    """The problems a step shows when it is opened again (typed input kept included)."""
    if step not in STEPS or not step_started(proposal, step):
        return []
    context = draft_context(proposal=proposal)
    typed: list[Problem] = []
    kept = (proposal.draft_input or {}).get(step)
    if isinstance(kept, dict):
        _fields, typed, _raw = step_parse(step, kept, lambda: context.config)
    return _step_problems(proposal, step, context, typed)


def proposal_typed_problems(*, proposal: Proposal, context: DraftContext | None = None):
    """Input kept as typed that could not be read yet: a send would leave it out, so the
    pages refuse to send until it is fixed."""
    context = context or draft_context(proposal=proposal)
    typed: list[Problem] = []
    for step, kept in (proposal.draft_input or {}).items():
        if step in STEPS and isinstance(kept, dict):
            typed += step_parse(step, kept, lambda: context.config)[1]
    return typed


def proposal_problems(*, proposal: Proposal) -> list[Problem]:
    """Everything to fix before the proposal can go for a decision (the review page)."""
    context = draft_context(proposal=proposal)
    typed = proposal_typed_problems(proposal=proposal, context=context)
    seen = {problem.field for problem in typed}
    found = proposal_validate(
        proposal=proposal,
        config=context.config,
        legal_forms=context.legal_forms,
        titles=context.titles,
        complete=True,
    )
    return [*typed, *(p for p in found if p.field not in seen)]


def proposal_save_step(*, proposal: Proposal, user: User, step: str, data) -> list[Problem]:
    """Save what was typed on ``step``; answers the step's problems (saved all the same)."""
    if step not in STEPS:
        raise PortalError("There is no such step.")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.organisation_id != user.organisation_id or locked.broker_id != user.pk:
            raise PortalError("Only the broker who owns this proposal can change it.")
        if not proposal_editable(locked):
            raise PortalError("This proposal cannot be changed in its current state.")
        context = draft_context(proposal=locked)
        fields, typed, raw = step_parse(step, data, lambda: context.config)
        # The office is shown locked (so not posted) once SFS has the proposal.
        posted_office = fields.pop("office_id", None) if office_locked(locked) else None
        if posted_office not in (None, locked.office_id):
            message = "The office cannot change once SFS has the proposal."
            typed.append(Problem("officeId", "INVALID_VALUE", message))
        before = {name: copy.deepcopy(getattr(locked, name)) for name in STEP_FIELDS[step]}
        _apply(locked, step, fields)
        changed = any(getattr(locked, name) != value for name, value in before.items())
        draft_input = dict(locked.draft_input or {})
        if typed:
            draft_input[step] = raw
        else:
            draft_input.pop(step, None)
        locked.draft_input = draft_input
        if step == "office":
            context = draft_context(proposal=locked)  # the office may have changed
        _denormalise(locked, context.config)
        locked.step = step
        update = [*STEP_FIELDS[step], "draft_input", "customer_name", "amount_financed", "step"]
        if changed and locked.violations:
            # SFS's verdict on a part the broker has changed since no longer holds.
            locked.violations = [
                v
                for v in locked.violations
                if problem_step(v.get("field"), v.get("code", "")) != step
            ]
            update.append("violations")
        locked.save(update_fields=[*update, "updated"])
        problems = _step_problems(locked, step, context, typed)
    proposal.refresh_from_db()
    return problems


def _copy_customer(proposal: Proposal) -> dict:
    customer = copy.deepcopy(proposal.customer) if isinstance(proposal.customer, dict) else {}
    if proposal.customer_kind != "manual":
        customer = {k: v for k, v in customer.items() if k not in ("companyName", "address")}
    return customer


def proposal_copy(*, proposal: Proposal, user: User) -> Proposal:
    """A new draft with the parts of ``proposal`` (none of SFS's), checked against today's
    config: the answer carries ``problems`` so the page can show them at once."""
    if proposal.organisation_id != user.organisation_id:
        raise PortalError("That proposal is not your firm's.")
    credential = credential_active_for(organisation_id=user.organisation_id)
    if credential is None:
        raise PortalError(
            "Your firm has no active SFS connection yet: ask your admin to set one up."
        )
    request = proposal.decision_request if isinstance(proposal.decision_request, dict) else {}
    copied = Proposal(
        organisation_id=user.organisation_id,
        broker=user,
        credential=credential,
        status=Status.DRAFT,
        office_id=proposal.office_id,
        sales_contact_id=proposal.sales_contact_id,
        customer_kind=proposal.customer_kind,
        customer=_copy_customer(proposal),
        assets=[
            {k: v for k, v in asset.items() if k != "id"}
            for asset in proposal.assets or []
            if isinstance(asset, dict)
        ],
        loans=[
            {k: v for k, v in loan.items() if k != "id"}
            for loan in proposal.loans or []
            if isinstance(loan, dict)
        ],
        delivery_address=copy.deepcopy(proposal.delivery_address),
        calculation=copy.deepcopy(proposal.calculation or {}),
        notes=copy.deepcopy(proposal.notes or {}),
        request_decision=proposal.request_decision,
        decision_request={k: request[k] for k in DECISION_REQUEST_KEYS if k in request},
        step="review",
    )
    context = draft_context(proposal=copied)
    _denormalise(copied, context.config)
    copied.save()
    event_record(
        proposal=copied,
        kind="copied",
        actor=user,
        message=f"Copied from {proposal}; checked against today's configuration.",
    )
    copied.problems = proposal_problems(proposal=copied)
    return copied


def proposal_delete_draft(*, proposal: Proposal, user: User) -> None:
    """Delete a draft SFS never had, for its own broker only.

    Its timeline goes with it, so the deletion is written to the portal's log instead. The row
    is locked first: a send started in another tab either wins (and the draft stays) or waits.
    """
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
        if locked is None:
            raise PortalError("This draft was already deleted.")
        if locked.organisation_id != user.organisation_id or locked.broker_id != user.pk:
            raise PortalError("Only the broker who owns this draft can delete it.")
        if locked.sfs_id or not action_permitted(locked, Action.DELETE):
            raise PortalError("Only a draft that was never sent to SFS can be deleted.")
        label, pk = str(locked), locked.pk
        locked.delete()
    log.info(
        "Draft deleted: proposal %s (%s) by user %s (%s)", pk, label, user.pk, user.get_username()
    )
