"""Every URL of the SieSmart API, in one place.

Most paths are not public: each one tagged [ASSUME] below is our decision (CONTRACT.md), listed in
the README as "to confirm with SFS". When SFS says otherwise, this module is the only one to change.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote


class EnvironmentUrls(NamedTuple):
    api_url: str
    token_url: str


# CONTRACT.md section 1. The version segment (v1) may change with a new API version [DOC].
ENVIRONMENTS: dict[str, EnvironmentUrls] = {
    # Our simulator, served by `python -m sandbox` [ASSUME: our own choice of host and port].
    "sandbox": EnvironmentUrls(
        "http://127.0.0.1:8765/siesmart/b2b/v1",
        "http://127.0.0.1:8765/oauth/token",
    ),
    # [DOC]
    "sfs_test": EnvironmentUrls(
        "https://api-test.sfs.siemens.cloud/siesmart/b2b/v1",
        "https://sfs-q-001.siemens-sfs.auth0app.com/oauth/token",
    ),
    # [DOC]
    "sfs_production": EnvironmentUrls(
        "https://api.sfs.siemens.cloud/siesmart/b2b/v1",
        "https://sfs-p-001.siemens-sfs.auth0app.com/oauth/token",
    ),
}

# [DOC] The same audience in every environment.
AUDIENCE = "https://api.siesmart.com/b2b"
# [DOC] client-credentials grant.
GRANT_TYPE = "client_credentials"
# The token call is recorded under this path so the call log reads alike for every environment.
TOKEN_RECORD_PATH = "/oauth/token"

# [DOC] Every answer carries the trace id in this header; error objects repeat it as `traceId`.
TRACE_ID_HEADER = "X-B2B-TRACE-ID"
ETAG_HEADER = "ETag"
IF_MATCH_HEADER = "If-Match"
RETRY_AFTER_HEADER = "Retry-After"


def _segment(value: object) -> str:
    """One path segment; ids are quoted so that a stray value can never change the path."""
    return quote(str(value), safe="")


# -- configuration (section 5): every path [ASSUME] ------------------------------------------------

OFFICES = "/common/offices"  # [ASSUME]
SALES_CONTACTS = "/common/sales-contacts"  # [ASSUME] ?office-id=N
IAC_CODES = "/common/iac-codes"  # [ASSUME] ?office-id=N
CALCULATION_CONFIG = "/common/calculation-config"  # [ASSUME] ?office-id=N
LEGAL_FORMS = "/common/legal-forms"  # [ASSUME]
TITLES = "/common/titles"  # [ASSUME]
OFFICE_ID_PARAM = "office-id"  # [ASSUME] the name follows the documented search parameters
# v2 lookups (CONTRACT.md 6.7, 6.10, 6.11)
LOAN_PURPOSES = "/common/loan-purposes"  # [ASSUME] ?office-id=N
DOCUMENT_TYPES = "/common/document-types"  # [ASSUME] ?office-id=N
JOB_TITLES = "/common/job-titles"  # [ASSUME]

# -- proposals (section 6) -------------------------------------------------------------------------

PROPOSALS = "/proposals"  # [DOC] per the API collection; POST creates
PROPOSAL_SEARCH = "/proposals/search"  # [DOC]
QUOTE = "/calculation"  # [DOC] a calculation that is not stored


def proposal(proposal_id: object) -> str:
    return f"{PROPOSALS}/{_segment(proposal_id)}"  # [ASSUME] GET / PATCH


def proposal_customer(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/customer"  # [ASSUME] PUT


def proposal_assets(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/assets"  # [DOC] POST


def proposal_asset(proposal_id: object, asset_id: object) -> str:
    return f"{proposal_assets(proposal_id)}/{_segment(asset_id)}"  # [DOC] PUT; [ASSUME] DELETE


def proposal_calculation(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/calculation"  # [DOC] POST: calculate and store


def proposal_precheck(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/decision/precheck"  # [ASSUME] GET


def proposal_decision(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/decision"  # [ASSUME] POST


def proposal_cancel(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/cancel"  # [ASSUME] POST


# -- v2: loans, delivery address (6.7, 6.8) --------------------------------------------------------


def proposal_loans(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/loans"  # [PM] POST


def proposal_loan(proposal_id: object, loan_id: object) -> str:
    return f"{proposal_loans(proposal_id)}/{_segment(loan_id)}"  # [PM] PUT; [ASSUME] DELETE


def proposal_delivery_address(proposal_id: object) -> str:
    return f"{proposal_customer(proposal_id)}/delivery-address"  # [PM] POST


# -- v2: documents, signing, decision document (6.10, 6.11) ----------------------------------------


def proposal_documents(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/documents"  # [ASSUME] GET the checklist; POST an upload


def proposal_document_download(proposal_id: object, id_type: object, id_value: object) -> str:
    # [ASSUME] GET ?variant=original|signed|uploaded
    return f"{proposal_documents(proposal_id)}/{_segment(id_type)}/{_segment(id_value)}/download"


def proposal_signing(proposal_id: object) -> str:
    return f"{proposal_documents(proposal_id)}/signing"  # [PM] POST


def proposal_signing_refresh(proposal_id: object) -> str:
    return f"{proposal_signing(proposal_id)}/refresh"  # [PM] POST


def proposal_decision_document(proposal_id: object) -> str:
    # [CL 1.2.6] that it exists; [ASSUME] the path and GET
    return f"{proposal_decision(proposal_id)}/decision-document/download"


DOWNLOAD_VARIANT_PARAM = "variant"  # [ASSUME]

# [ASSUME] The limits of an upload, for a form to check early; the client itself sends whatever
# it is given and lets SFS judge (FILE_TOO_LARGE, 413 PAYLOAD_TOO_LARGE).
MAX_UPLOAD_FILE_BYTES = 10 * 1024 * 1024  # the decoded file
MAX_REQUEST_BYTES = 15_000_000  # any request's Content-Length

# -- v2: notifications (6.12) ----------------------------------------------------------------------

NOTIFICATION_ENDPOINTS = "/notification-endpoints"  # [ASSUME] POST / PUT / DELETE / GET


def proposal_subscriptions(proposal_id: object) -> str:
    return f"{proposal(proposal_id)}/subscriptions"  # [ASSUME] POST


def proposal_subscription(proposal_id: object, subscription_id: object) -> str:
    return f"{proposal_subscriptions(proposal_id)}/{_segment(subscription_id)}"  # [ASSUME] DELETE


# -- query parameters ------------------------------------------------------------------------------

# Search parameters by their Python name: [DOC], but `updated-after` and `page` are [ASSUME].
SEARCH_PARAMS: dict[str, str] = {
    "label": "proposal-label",
    "office_id": "office-id",
    "workflow_status": "workflow-status",
    "customer_name": "customer-name",
    "customer_reg_no": "customer-reg-no",
    "contract_no": "contract-no",  # v2
    "document_status": "document-status",  # v2 [PM]; values [ASSUME] (enums.DocumentStatusFilter)
    "created_after": "created-after",
    "created_before": "created-before",
    "updated_after": "updated-after",  # [ASSUME]
    "sales_contact_id": "sales-contact-id",
    "sort_by": "sort-by",
    "sort_order": "sort-order",
    "page": "page",  # [ASSUME] 0-based
    "size": "size",
}
SEARCH_MAX_SIZE = 100  # [ASSUME] above it SFS answers 400 INVALID_VALUE

# Quote parameters [DOC].
QUOTE_OFFICE_ID_PARAM = "office-id"
QUOTE_AMOUNT_FINANCED_PARAM = "amount-financed"
QUOTE_PROPOSAL_ID_PARAM = "proposal-id"


def search_param_name(python_name: str) -> str:
    """The wire name of a search parameter; an unlisted one is passed kebab-cased, so a new
    documented parameter needs no code change."""
    return SEARCH_PARAMS.get(python_name, python_name.replace("_", "-"))
