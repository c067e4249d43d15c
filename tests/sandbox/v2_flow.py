"""Helpers of the v2 document tests (CONTRACT.md 6.9 to 6.11 and section 7), over HTTP only."""

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

import requests

from tests.sandbox.helpers import financing, seed, unique_label, wait_for

PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
TYPE_IDS = {kind["code"]: kind["id"] for kind in seed()["documentTypes"]}
DOCUMENT_KEYS = {
    "id", "documentType", "required", "received", "receivedDate", "valid", "validationDate",
    "reason", "reasonNote", "downloadAllowed", "downloadSignedAllowed", "downloadUploadedAllowed",
    "sendByEmailAllowed", "printOptions", "eligibleForSigning", "signingEnabled",
    "sendSigningRequestAllowed", "canBeSignedCombined", "signingRequest",
}  # fmt: skip
LEASE = {"introducerPricelistId": 502, "marketProductId": 20, "term": 48}
WAIT = 10.0


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def upload_body(code, content=PDF, file_name="scan.pdf", document_id=None) -> dict:
    body = {"uploadedDocument": {"fileContent": b64(content), "type": {"id": TYPE_IDS[code]}}}
    if file_name is not None:
        body["fileName"] = file_name
    if document_id is not None:
        body["documentId"] = document_id
    return body


def etag_of(api, pid) -> str:
    return api.fetch(pid)[1]


def checklist(api, pid) -> list[dict]:
    response = api.get(f"/proposals/{pid}/documents")
    assert response.status_code == 200, response.text
    return response.json()


def item(documents, code) -> dict:
    return next(d for d in documents if d["documentType"]["code"] == code)


def upload(api, pid, code, **kwargs):
    return api.change(
        "POST", f"/proposals/{pid}/documents", etag_of(api, pid), json=upload_body(code, **kwargs)
    )


def wait_item(api, pid, code, predicate):
    def check():
        found = [d for d in checklist(api, pid) if d["documentType"]["code"] == code]
        return found[-1] if found and predicate(found[-1]) else None

    return wait_for(check, timeout=WAIT)


def wait_status(api, pid, *statuses) -> dict:
    return wait_for(
        lambda: (p := api.fetch(pid)[0])["workflowStatus"] in statuses and p, timeout=WAIT
    )


def decided(api, amount=13_000, registration="01234567", **sheet) -> int:
    """A proposal whose decision was requested and has been made; answers its id."""
    overrides = financing(amount, **sheet) if amount != 13_000 else {}
    customer = {"registrationNumber": registration, "sourceCountryCode": "GB",
                "companyType": "LIMITED_COMPANY"}  # fmt: skip
    proposal, etag = api.create(label=unique_label(), customer=customer, **overrides)
    response = api.request_decision(proposal["id"], etag)
    assert response.status_code == 200, response.text
    wait_status(api, proposal["id"], "ACCEPTED", "DECLINED", "MORE_INFORMATION")
    return proposal["id"]


def control(sandbox, path, body=None) -> requests.Response:
    return requests.post(sandbox.base_url + "/__sandbox__" + path, json=body or {}, timeout=10)


def download(api, pid, document, variant=None) -> requests.Response:
    kind, value = document["id"]["type"], document["id"]["value"]
    params = {"variant": variant} if variant else None
    return api.get(f"/proposals/{pid}/documents/{kind}/{value}/download", params=params)


def pdf_text(content: bytes) -> str:
    """Render the PDF with poppler (it must render) and answer its text."""
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "install poppler-utils"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(content)
        rendered = subprocess.run(
            ["pdftoppm", "-r", "20", "-png", str(path), str(Path(folder) / "page")],
            capture_output=True,
            timeout=30,
        )
        assert rendered.returncode == 0 and not rendered.stderr, rendered.stderr
        assert list(Path(folder).glob("page*.png"))
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, timeout=30, check=True
        )
        return text.stdout.decode("utf-8")
