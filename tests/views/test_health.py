import pytest

from introducer_portal.celery import app as celery_app


def test_healthz_answers_200_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.fixture
def unreachable_broker():
    saved = celery_app.conf.broker_url, dict(celery_app.conf.broker_transport_options)
    celery_app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"
    celery_app.conf.broker_transport_options = {}
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


def test_healthz_names_an_unreachable_broker(client, db, unreachable_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["database"] == "ok"
