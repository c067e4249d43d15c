"""Every form looks and reads the same: Bootstrap's classes on each widget, `is-invalid` on a
field with an error, and each `aria-describedby` naming help and error texts that are there."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DESCRIBED = re.compile(r'aria-describedby="([^"]+)"')
INPUT = re.compile(r"<(input|select|textarea)\b[^>]*>")


def described_ids_exist(page: str) -> list[str]:
    """The ids named by aria-describedby that the page does not have."""
    missing = []
    for names in DESCRIBED.findall(page):
        for name in names.split():
            if f'id="{name}"' not in page:
                missing.append(name)
    return missing


def visible_inputs(page: str) -> list[str]:
    return [
        tag.group(0)
        for tag in INPUT.finditer(page)
        if 'type="hidden"' not in tag.group(0) and 'name="csrfmiddlewaretoken"' not in tag.group(0)
    ]


def test_the_login_form_is_styled_and_its_error_is_read_out(client):
    page = client.get(reverse("login")).content.decode()
    inputs = visible_inputs(page)
    assert inputs and all("form-control" in tag for tag in inputs), inputs
    assert described_ids_exist(page) == []


def test_a_failed_credential_save_marks_the_fields_it_names(login, admin_user):
    client = login(admin_user)
    response = client.post(
        reverse("credential_new"),
        {"environment": "custom", "api_url": "not a url", "token_url": "", "client_id": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    invalid = [tag for tag in visible_inputs(page) if "is-invalid" in tag]
    assert any('name="api_url"' in tag for tag in invalid), invalid
    assert any('name="client_id"' in tag for tag in invalid), invalid
    assert all('aria-invalid="true"' in tag for tag in invalid)
    assert described_ids_exist(page) == []


def test_help_text_is_named_by_its_field(login, broker):
    page = login(broker).get(reverse("broker_home")).content.decode()
    search = next(tag for tag in visible_inputs(page) if 'name="q"' in tag)
    assert 'aria-describedby="id_q_helptext"' in search
    assert 'id="id_q_helptext"' in page
