"""The PDFs the sandbox writes: the agreement, the direct debit mandate, a signed copy and the
decision document, each with the proposal's own figures (CONTRACT.md 6.11 and section 7)."""

from .pdf import write_pdf


def _money(value) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _figures(proposal) -> list[str]:
    lines = [
        f"Proposal: {proposal.id}    Reference: {proposal.label or '-'}",
        f"Customer: {proposal.customer_name or '-'}",
    ]
    calculation = proposal.calculation
    if calculation is not None:
        sheet, result = calculation["sheet"], calculation["result"]
        lines += [
            f"Term: {sheet['term']} months, paid {sheet['paymentPeriod'].lower()} "
            f"in {sheet['paymentMode'].lower()}",
            f"Assets total: {_money(result.get('assetsTotal'))}",
            f"Down payment: {_money(result.get('downPayment'))}",
            f"Amount financed: {_money(result.get('amountFinanced'))}",
            f"Number of payments: {result.get('numberOfPayments')}",
            f"Instalment: {_money(result.get('instalment'))}",
            f"Total payable: {_money(result.get('totalPayable'))}",
        ]
    for asset in proposal.assets:
        lines.append(
            f"Asset: {asset['quantity']} x {asset['description']} ({asset['assetIacCode']}, "
            f"{asset['condition'].lower()}) at {_money(asset['valuePerAsset'])}"
        )
    for loan in proposal.loans:
        purpose = (loan.get("loanPurpose") or {}).get("name") or "loan"
        lines.append(f"Loan: {purpose} {_money(loan.get('value'))}")
    return lines


def agreement(proposal, type_name: str) -> bytes:
    lines = _figures(proposal)
    condition = proposal.decision.get("condition")
    if condition:
        lines += ["", f"Condition: {condition}"]
    lines += ["", "Signed for the customer: ______________________", "", "Siemens Financial"]
    return write_pdf(type_name, lines)


def mandate(proposal, type_name: str) -> bytes:
    instalment = None
    if proposal.calculation is not None:
        instalment = proposal.calculation["result"].get("instalment")
    lines = [
        f"Customer: {proposal.customer_name or '-'}",
        f"Proposal: {proposal.id}    Reference: {proposal.label or '-'}",
        f"Regular collection: {_money(instalment)}",
        "Service user: Siemens Financial Services",
        "",
        "Account holder's signature: ______________________",
    ]
    return write_pdf(type_name, lines)


def signed_copy(original_title: str, proposal, signatories: list[dict], stamp: str) -> bytes:
    lines = _figures(proposal) + ["", f"Signed electronically on {stamp} by:"]
    for person in signatories:
        lines.append(f"  {person['firstName']} {person['lastName']} <{person['email']}>")
    return write_pdf(f"{original_title} (signed)", lines)


def decision_document(proposal) -> bytes:
    decision = proposal.decision
    lines = _figures(proposal) + [
        "",
        f"Decision: {decision['decisionStatus']}",
        f"Decided on: {decision['decisionDate']}",
        f"Valid until: {decision.get('decisionValidUntilDate') or '-'}",
    ]
    for key, title in (("reason", "Reason"), ("condition", "Condition"), ("comment", "Comment")):
        if decision.get(key):
            lines.append(f"{title}: {decision[key]}")
    return write_pdf("Credit decision", lines)
