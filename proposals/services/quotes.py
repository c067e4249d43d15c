"""Quotes: SFS's calculation without storing it, asked in the interactive lane.

The same inputs answer at once from a cache: a broker flipping between two terms pays one call
per term, not one per click.
"""

import hashlib
import json
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from proposals import jobs
from proposals.lifecycle import Action, action_permitted
from proposals.models import MirroredOffice, Proposal, User
from proposals.services import PortalError
from proposals.services.body import calculation_body
from proposals.services.config_mirror import office_config, to_plain
from proposals.services.credentials import credential_active_for, describe_error
from proposals.services.siesmart_access import client_for
from proposals.services.validation import proposal_amounts
from proposals.siesmart import errors
from proposals.siesmart.enums import Lane

QUOTE_CACHE_SECONDS = 6 * 3600


def _credential(proposal: Proposal):
    return proposal.credential or credential_active_for(organisation_id=proposal.organisation_id)


def quote_inputs(proposal: Proposal) -> dict:
    credential = _credential(proposal)
    calculation = calculation_body(proposal)
    if credential is None or not proposal.office_id or not calculation or not proposal.assets:
        raise PortalError("A quote needs the office, the assets and the calculation details.")
    office = MirroredOffice.objects.filter(
        credential=credential, office_id=proposal.office_id
    ).first()
    _assets_total, financed = proposal_amounts(proposal, office_config(office) if office else None)
    if financed is None:
        raise PortalError("A quote needs every asset's quantity and value.")
    return {
        "credential_id": credential.pk,
        "office_id": proposal.office_id,
        "amount_financed": str(financed.quantize(Decimal("0.01"))),
        "calculation": json.loads(json.dumps(to_plain(calculation))),
    }


def _key(inputs: dict) -> str:
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return f"quote:{digest}"


def quote_request(*, proposal: Proposal, user: User) -> dict:
    if not action_permitted(proposal, Action.QUOTE):
        raise PortalError("A quote is for a proposal that is still open to changes.")
    inputs = quote_inputs(proposal)
    key = _key(inputs)
    cached = cache.get(key)
    if cached:
        proposal.quote = {**cached, "inputs": key, "cached": True}
    else:
        proposal.quote = {"state": "queued", "inputs": key, "at": timezone.now().isoformat()}
    proposal.save(update_fields=["quote", "updated"])
    if not cached:
        # Saved first: outside a transaction the job goes at once, and must find these inputs.
        jobs.job_enqueue(jobs.QUOTE, proposal.pk, key)
    return proposal.quote


def quote_run(*, proposal_id: int, key: str) -> dict:
    proposal = Proposal.objects.select_related("credential").get(pk=proposal_id)
    if (proposal.quote or {}).get("inputs") != key:
        return {"state": "superseded"}  # the broker changed the inputs meanwhile
    inputs = quote_inputs(proposal)
    credential = _credential(proposal)
    Proposal.objects.filter(pk=proposal_id).update(quote={**proposal.quote, "state": "running"})
    client = client_for(credential=credential, lane=Lane.INTERACTIVE, proposal_id=proposal.pk)
    try:
        result = client.quote(
            calculation=calculation_body(proposal),
            office_id=inputs["office_id"],
            amount_financed=inputs["amount_financed"],
        )
    except errors.BudgetExhausted:
        raise
    except errors.ValidationError as error:
        outcome = {
            "state": "failed",
            "message": describe_error(error),
            "violations": [
                {"field": v.field, "code": v.code, "userMessage": v.user_message}
                for v in error.violations
            ],
            "trace_id": error.trace_id,
        }
    except errors.SieSmartError as error:
        outcome = {"state": "failed", "message": describe_error(error), "trace_id": error.trace_id}
    else:
        outcome = {"state": "ok", "result": to_plain(result)}
        cache.set(key, {**outcome, "at": timezone.now().isoformat()}, QUOTE_CACHE_SECONDS)
    outcome.update(inputs=key, at=timezone.now().isoformat())
    Proposal.objects.filter(pk=proposal_id, quote__inputs=key).update(quote=outcome)
    return outcome
