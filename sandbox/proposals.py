"""Create, read and change proposals (CONTRACT.md 6.1, 6.2 read, 6.4, 6.8 delivery address)."""

from decimal import Decimal

from .access import for_change, owned_proposal, parse_id, require_changeable, require_if_match
from .calls import Reply
from .errors import forbidden, not_found, validation_failed
from .rules import assets_total, loans_total, normalize
from .schemas import ADDRESS, ASSET, CALCULATION_REQUEST, CREATE, CUSTOMER_PUT, PATCH
from .validation import Violations

PATCH_ATTRIBUTES = {
    "label": "label",
    "salesContactId": "sales_contact_id",
    "specialConditionText": "special_condition_text",
    "scheduleAssetsDescription": "schedule_assets_description",
}


def _store_asset(proposal, clean: dict, asset_id=None) -> dict:
    if asset_id is None:
        asset_id = proposal.next_asset_id
        proposal.next_asset_id += 1
    asset = {"id": asset_id, **normalize(ASSET, clean)}
    # The supplier was resolved through the register: keep its name and address.
    asset["equipmentSupplier"] = clean.get("equipmentSupplier")
    return asset


def store_loan(proposal, loan: dict, loan_id=None) -> dict:
    """A checked loan (purpose resolved, see `Rules.loan`) with its id."""
    if loan_id is None:
        loan_id = proposal.next_loan_id
        proposal.next_loan_id += 1
    return {"id": loan_id, **loan}


def stored_codes(sb, proposal) -> list:
    """The stored assets as `(field path, code, parent)`, to hold against a pricelist."""
    codes = []
    for index, asset in enumerate(proposal.assets):
        parent = sb.seed.iac[asset["assetIacCode"]]["parentCode"]
        codes.append((f"assets[{index}].assetIacCode", asset["assetIacCode"], parent))
    return codes


def create(sb, call) -> Reply:
    body = call.json()
    office_id = body.get("officeId")
    if isinstance(office_id, int) and not isinstance(office_id, bool):
        owner = sb.seed.office_owner(office_id)
        if owner is not None and owner != call.client_id:
            raise forbidden("The office")
    v = Violations()
    clean = CREATE.clean(body, "", v)
    office = clean.get("officeId")
    if office is not None and office not in sb.seed.offices:
        v.add("officeId", "OFFICE_NOT_FOUND", f"Office {office} does not exist.")
        office = None
    customer, manual = sb.rules.customers(clean, body, "", v)
    no_customer = body.get("customer") is None and body.get("customerManual") is None
    if body.get("deliveryAddress") is not None and no_customer:
        v.add("deliveryAddress", "CUSTOMER_MISSING", "A delivery address needs a customer.")
    assets = clean.get("assets")
    loans, sheet, result = [], None, None
    if office is not None:
        loans, sheet, result = _office_parts(sb, clean, body, office, v)
    if len(v):
        raise validation_failed(v.items)
    with sb.store.lock:
        proposal = sb.store.create(call.client_id, office)
        for key, attribute in PATCH_ATTRIBUTES.items():
            setattr(proposal, attribute, clean.get(key))
        proposal.customer, proposal.customer_manual = customer, manual
        proposal.assets = [_store_asset(proposal, asset) for asset in assets or ()]
        proposal.loans = [store_loan(proposal, loan) for loan in loans]
        if clean.get("deliveryAddress") is not None:
            proposal.delivery_address = normalize(ADDRESS, clean["deliveryAddress"])
        if sheet is not None:
            proposal.calculation = {"sheet": sheet, "result": result}
        sb.stats.proposal_created(proposal.label)
        return Reply(201, proposal.render(), proposal.etag)


def _office_parts(sb, clean, body, office, v: Violations) -> tuple:
    """The parts of a create body that depend on its office: (loans, sheet, result)."""
    if clean.get("salesContactId") is not None:
        sb.rules.sales_contact(clean["salesContactId"], office, "salesContactId", v)
    assets = clean.get("assets")
    codes = sb.rules.assets(assets, "assets", office, v)
    loans = sb.rules.loans(clean.get("loans"), "loans", office, v)
    sheet = (clean.get("calculation") or {}).get("sheet")
    if sheet is None:
        return loans, None, None
    total = Decimal(0) if body.get("assets") is None else assets_total(assets)
    loans_sum = loans_total(clean.get("loans"))
    product = sheet.get("marketProductId")
    sb.rules.loans_for_product(product, office, total, (len(loans), loans_sum), v, field="loans")
    result = sb.rules.calculation(
        sheet, "calculation.sheet", office, v, total=total, codes=codes, loans=loans_sum
    )
    return loans, sheet, result


def read(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        return Reply(200, proposal.render(), proposal.etag)


def apply_patch(sb, proposal, body) -> None:
    """PATCH's fields, shared with the underwriter edit of the control endpoints."""
    v = Violations()
    clean = PATCH.clean(body, "", v)
    if clean.get("salesContactId") is not None:
        sb.rules.sales_contact(clean["salesContactId"], proposal.office_id, "salesContactId", v)
    if len(v):
        raise validation_failed(v.items)
    for key, value in clean.items():
        setattr(proposal, PATCH_ATTRIBUTES[key], value)
    proposal.touch()


def patch(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        apply_patch(sb, proposal, call.json())
        return Reply(200, proposal.render(), proposal.etag)


def put_customer(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        body = call.json()
        v = Violations()
        clean = CUSTOMER_PUT.clean(body, "", v)
        if body.get("customer") is None and body.get("customerManual") is None:
            v.add("customer", "REQUIRED", "Give one of customer or customerManual.")
        customer, manual = sb.rules.customers(clean, body, "", v)
        if len(v):
            raise validation_failed(v.items)
        proposal.customer, proposal.customer_manual = customer, manual
        proposal.touch()
        return Reply(200, proposal.render(), proposal.etag)


def _clean_asset(sb, proposal, body) -> dict:
    v = Violations()
    clean = ASSET.clean(body, "", v)
    codes = []
    sb.rules.asset(clean, "", proposal.office_id, v, codes)
    if proposal.calculation is not None and codes:
        pricelist = sb.seed.pricelists[proposal.calculation["sheet"]["introducerPricelistId"]]
        for field, code, parent in codes:
            if parent not in pricelist["iacCodes"]:
                v.add(field, "IAC_CODE_NOT_ALLOWED", f"The pricelist does not finance {code}.")
    if len(v):
        raise validation_failed(v.items)
    return clean


def parts_changed(proposal):
    # A stored calculation no longer matches the assets or loans until it is calculated again.
    if proposal.calculation is not None:
        proposal.calculation_outdated = True
    proposal.touch()


def add_asset(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        clean = _clean_asset(sb, proposal, call.json())
        asset = _store_asset(proposal, clean)
        proposal.assets = [*proposal.assets, asset]
        parts_changed(proposal)
        return Reply(201, asset, proposal.etag)


def _asset_index(call, proposal) -> int:
    index = proposal.find_asset(parse_id(call.params.get("asset-id")))
    if index is None:
        raise not_found("The asset")
    return index


def replace_asset(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        index = _asset_index(call, proposal)
        require_if_match(call, proposal)
        require_changeable(proposal)
        clean = _clean_asset(sb, proposal, call.json())
        asset = _store_asset(proposal, clean, proposal.assets[index]["id"])
        assets = list(proposal.assets)
        assets[index] = asset
        proposal.assets = assets
        parts_changed(proposal)
        return Reply(200, asset, proposal.etag)


def delete_asset(sb, call) -> Reply:
    with sb.store.lock:
        proposal = owned_proposal(sb, call)
        index = _asset_index(call, proposal)
        require_if_match(call, proposal)
        require_changeable(proposal)
        proposal.assets = [a for i, a in enumerate(proposal.assets) if i != index]
        parts_changed(proposal)
        return Reply(204, None, proposal.etag)


def calculate_stored(sb, proposal, sheet, v: Violations) -> dict | None:
    """A sheet on the proposal's stored assets and loans: the result, or None after violations.

    Shared by the stored calculation and the quote by proposal, so the two always agree.
    """
    total = assets_total(proposal.assets)
    loans = loans_total(proposal.loans)
    sb.rules.loans_for_product(
        sheet.get("marketProductId"),
        proposal.office_id,
        total,
        (len(proposal.loans), loans),
        v,
        field="sheet.marketProductId",
    )
    codes = stored_codes(sb, proposal)
    return sb.rules.calculation(
        sheet, "sheet", proposal.office_id, v, total=total, codes=codes, loans=loans
    )


def calculate(sb, call) -> Reply:
    with sb.store.lock:
        proposal = for_change(sb, call)
        body = call.json()
        v = Violations()
        clean = CALCULATION_REQUEST.clean(body, "", v)
        sheet = clean.get("sheet")
        result = None
        if sheet is not None:
            result = calculate_stored(sb, proposal, sheet, v)
        if len(v):
            raise validation_failed(v.items)
        proposal.calculation = {"sheet": sheet, "result": result}
        proposal.calculation_outdated = False
        proposal.touch()
        return Reply(200, proposal.render(), proposal.etag)


def post_delivery_address(sb, call) -> Reply:
    """`POST /proposals/{id}/customer/delivery-address`: set or replace it (CONTRACT.md 6.8)."""
    with sb.store.lock:
        proposal = for_change(sb, call)
        v = Violations()
        clean = ADDRESS.clean(call.json(), "", v)
        if proposal.customer is None and proposal.customer_manual is None:
            v.add(None, "CUSTOMER_MISSING", "A delivery address needs a customer: add one first.")
        if len(v):
            raise validation_failed(v.items)
        proposal.delivery_address = normalize(ADDRESS, clean)
        proposal.touch()
        return Reply(200, proposal.render(), proposal.etag)
