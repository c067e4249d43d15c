"""CONTRACT.md 6.12 item 1 (register, change, read, delete the notification endpoint) and the
loopback-only rule of section 7, on the shared sandbox over HTTP.
"""

import pytest
import requests

from tests.sandbox.helpers import assert_error, violations

PATH = "/notification-endpoints"
LOCAL = "http://127.0.0.1:8999/hooks/sfs"

pytestmark = pytest.mark.usefixtures("no_endpoints")


def test_register_answers_the_base_path_and_never_the_key(api):
    response = api.post(PATH, json={"basePath": LOCAL, "apiKey": "s3cret-key"})
    assert response.status_code == 200, response.text
    assert response.json() == {"basePath": LOCAL}
    assert response.headers["Content-Type"] == "application/json"
    read = api.get(PATH)
    assert read.status_code == 200
    assert read.json() == {"basePath": LOCAL}
    assert "s3cret-key" not in response.text + read.text


def test_the_key_is_optional(api):
    response = api.post(PATH, json={"basePath": LOCAL})
    assert response.status_code == 200, response.text
    assert response.json() == {"basePath": LOCAL}


def test_a_second_registration_is_invalid_state(api):
    assert api.post(PATH, json={"basePath": LOCAL}).status_code == 200
    other = "http://localhost:9000/other"
    assert_error(api.post(PATH, json={"basePath": other}), 409, "INVALID_STATE")
    assert api.get(PATH).json() == {"basePath": LOCAL}


def test_put_changes_either_field(api):
    api.post(PATH, json={"basePath": LOCAL, "apiKey": "one"})
    moved = "http://localhost:9001/new/place"
    response = api.put(PATH, json={"basePath": moved})
    assert response.status_code == 200, response.text
    assert response.json() == {"basePath": moved}
    response = api.put(PATH, json={"apiKey": "two"})
    assert response.status_code == 200, response.text
    assert response.json() == {"basePath": moved}
    assert api.get(PATH).json() == {"basePath": moved}


def test_delete_answers_204_and_then_nothing_is_registered(api):
    api.post(PATH, json={"basePath": LOCAL})
    response = api.delete(PATH)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(PATH), 404, "NOT_FOUND")
    assert_error(api.delete(PATH), 404, "NOT_FOUND")
    # Registering again is allowed once the old one is gone.
    assert api.post(PATH, json={"basePath": LOCAL}).status_code == 200


def test_without_an_endpoint_read_change_and_delete_are_404(api):
    assert_error(api.get(PATH), 404, "NOT_FOUND")
    assert_error(api.put(PATH, json={"basePath": LOCAL}), 404, "NOT_FOUND")
    assert_error(api.delete(PATH), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "base_path",
    [
        "http://127.0.0.1:8999/hooks",
        "http://127.8.9.10/hooks",
        "http://localhost:8000",
        "https://LOCALHOST/hooks/sfs",
        "http://[::1]:8000/hooks",
    ],
)
def test_loopback_hosts_are_accepted(api, base_path):
    response = api.post(PATH, json={"basePath": base_path})
    assert response.status_code == 200, response.text
    assert response.json() == {"basePath": base_path}


@pytest.mark.parametrize(
    "base_path",
    [
        "https://portal.example/hooks/sfs",
        "http://10.0.0.1/hooks",
        "http://192.168.1.20:8000/hooks",
        "http://0.0.0.0:8000/hooks",
        "http://[::2]/hooks",
        "http://127.0.0.1.nip.io/hooks",
        "http://localhost.example.com/hooks",
        "ftp://127.0.0.1/hooks",
        "127.0.0.1:8000/hooks",
        "http://127.0.0.1:8000/hooks?x=1",
        "http://user:pw@127.0.0.1/hooks",
        "http://127.0.0.1:notaport/hooks",
    ],
)
def test_other_hosts_and_non_urls_are_refused(api, base_path):
    response = api.post(PATH, json={"basePath": base_path})
    assert violations(response) == [("basePath", "INVALID_VALUE")]
    assert_error(api.get(PATH), 404, "NOT_FOUND")


def test_put_to_another_host_is_refused_and_changes_nothing(api):
    api.post(PATH, json={"basePath": LOCAL})
    response = api.put(PATH, json={"basePath": "http://203.0.113.9/hooks"})
    assert violations(response) == [("basePath", "INVALID_VALUE")]
    assert api.get(PATH).json() == {"basePath": LOCAL}


def test_body_problems_are_listed_at_once(api):
    response = api.post(PATH, json={"apiKey": 12, "colour": "red"})
    assert sorted(violations(response)) == [
        ("apiKey", "WRONG_TYPE"),
        ("basePath", "REQUIRED"),
        ("colour", "UNKNOWN_FIELD"),
    ]
    response = api.post(PATH, data=b"{not json", headers={"Content-Type": "application/json"})
    assert violations(response) == [(None, "MALFORMED_JSON")]


def test_the_endpoint_belongs_to_the_introducer_client(api, other_api):
    api.post(PATH, json={"basePath": LOCAL})
    assert_error(other_api.get(PATH), 404, "NOT_FOUND")
    theirs = "http://localhost:9100/theirs"
    assert other_api.post(PATH, json={"basePath": theirs}).status_code == 200
    assert other_api.get(PATH).json() == {"basePath": theirs}
    assert api.get(PATH).json() == {"basePath": LOCAL}


def test_needs_a_token(sandbox):
    response = requests.post(sandbox.api_url + PATH, json={"basePath": LOCAL}, timeout=5)
    assert_error(response, 401, "UNAUTHORIZED")


def test_each_call_is_counted_like_any_api_call(sandbox, api):
    before = sandbox.stats()["requests"]["byEndpoint"]
    api.post(PATH, json={"basePath": LOCAL})
    api.get(PATH)
    api.put(PATH, json={"apiKey": "k"})
    api.delete(PATH)
    after = sandbox.stats()["requests"]["byEndpoint"]
    for key in (f"POST {PATH}", f"GET {PATH}", f"PUT {PATH}", f"DELETE {PATH}"):
        assert after.get(key, 0) == before.get(key, 0) + 1, key
