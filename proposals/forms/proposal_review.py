"""Step 5: the notes, and how the credit decision is asked for."""

from django import forms

from proposals.forms.proposal_common import StepForm

NOTE_HELP = "Optional; up to 2,000 characters."


def _note(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=NOTE_HELP,
        widget=forms.Textarea(attrs={"rows": 3, "data-max-length": "2000"}),
    )


class ReviewForm(StepForm):
    PATHS = {
        "specialConditionText": "special_condition_text",
        "scheduleAssetsDescription": "schedule_assets_description",
        "commentToRiskAnalyst": "comment_to_risk_analyst",
        "siemensMayContactCustomer": "siemens_may_contact_customer",
        "siemensMayRequestCreditData": "siemens_may_request_credit_data",
        "prelease": "prelease",
    }

    special_condition_text = _note("Special conditions")
    schedule_assets_description = _note("Schedule of assets")
    request_decision = forms.BooleanField(
        label="Ask SFS for the credit decision as soon as it has the proposal",
        required=False,
        initial=True,
        help_text="Otherwise you can ask for it later from the proposal's page.",
    )
    comment_to_risk_analyst = _note("Comment to the risk analyst")
    siemens_may_contact_customer = forms.BooleanField(
        label="SFS may contact the customer", required=False
    )
    siemens_may_request_credit_data = forms.BooleanField(
        label="SFS may request credit data",
        required=False,
        help_text="Matters for US proposals only.",
    )
    prelease = forms.BooleanField(label="Pre-lease", required=False)

    BOOLEANS = (
        "request_decision",
        "siemens_may_contact_customer",
        "siemens_may_request_credit_data",
        "prelease",
    )


def review_initial(proposal) -> dict:
    notes = proposal.notes if isinstance(proposal.notes, dict) else {}
    request = proposal.decision_request if isinstance(proposal.decision_request, dict) else {}
    return {
        "special_condition_text": notes.get("specialConditionText") or "",
        "schedule_assets_description": notes.get("scheduleAssetsDescription") or "",
        "request_decision": bool(proposal.request_decision),
        "comment_to_risk_analyst": request.get("commentToRiskAnalyst") or "",
        "siemens_may_contact_customer": bool(request.get("siemensMayContactCustomer")),
        "siemens_may_request_credit_data": bool(request.get("siemensMayRequestCreditData")),
        "prelease": bool(request.get("prelease")),
    }
