"""Downloads streamed through the portal, after the checks of every page."""

import pytest
from django.urls import reverse

from proposals.views.documents import FILE_NAME_AT_MOST, safe_file_name
from tests.documents.conftest import document_of


def _agreement_url(proposal, variant=None):
    item = document_of(proposal, "AGREEMENT")
    url = reverse(
        "proposal_document_download",
        args=[proposal.pk, item["id"]["type"], str(item["id"]["value"])],
    )
    return f"{url}?variant={variant}" if variant else url


def _streamed_body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["broker", "staff"])
def test_the_agreement_streams_as_a_pdf_to_its_organisation(request, accepted, login, who):
    response = login(request.getfixturevalue(who)).get(_agreement_url(accepted))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert _streamed_body(response).startswith(b"%PDF")


@pytest.mark.parametrize("intruder", ["broker2", "other_broker", "other_staff"])
def test_anyone_else_gets_404_and_sfs_is_not_asked(
    request, accepted, login, documents_sandbox, intruder
):
    before = documents_sandbox.stats()["requests"]["total"]
    client = login(request.getfixturevalue(intruder))
    assert client.get(_agreement_url(accepted)).status_code == 404
    assert client.get(reverse("proposal_decision_document", args=[accepted.pk])).status_code == 404
    assert documents_sandbox.stats()["requests"]["total"] == before


def test_a_download_sfs_does_not_allow_is_a_message_not_an_error(accepted, login, broker):
    client = login(broker)
    response = client.get(_agreement_url(accepted, variant="signed"), follow=True)
    assert response.status_code == 200
    assert "SFS does not allow this download" in response.content.decode()


def test_a_document_not_on_the_checklist_is_not_asked_for(accepted, login, broker):
    url = reverse("proposal_document_download", args=[accepted.pk, "GENERATED", "999999"])
    response = login(broker).get(url, follow=True)
    assert "not on SFS&#x27;s checklist" in response.content.decode()


def test_the_decision_document_downloads_once_decided(sent, credential, login, broker,
                                                      documents_sandbox):  # fmt: skip
    client = login(broker)
    url = reverse("proposal_decision_document", args=[sent.pk])
    response = client.get(url, follow=True)
    assert "no decision document for this proposal yet" in response.content.decode()

    documents_sandbox.control(
        "POST", f"/__sandbox__/proposals/{sent.sfs_id}/decide", {"decisionStatus": "ACCEPTED"}
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _streamed_body(response).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\agreement.pdf", "agreement.pdf"),
        ("agree\x00ment\r\n.pdf", "agreement.pdf"),
        ("", "fallback.pdf"),
        ("...", "fallback.pdf"),
    ],
)
def test_file_names_lose_path_parts_and_control_characters(given, expected):
    assert safe_file_name(given, "fallback.pdf") == expected


def test_a_long_file_name_is_cut_keeping_its_extension():
    name = safe_file_name("a" * 300 + ".pdf", "fallback.pdf")
    assert len(name) == FILE_NAME_AT_MOST and name.endswith(".pdf")
