import pytest

from introducer_portal.celery import app as celery_app


def test_healthz_answers_200_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.fixture
def unreachable_broker(monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:1//")
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport, dict(conf.broker_transport_options)
    conf.broker_url, conf.broker_transport = "amqp://guest:guest@127.0.0.1:1//", None
    conf.broker_transport_options = {}
    yield
    conf.broker_url, conf.broker_transport, conf.broker_transport_options = saved


def test_healthz_names_an_unreachable_broker(client, db, unreachable_broker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["database"] == "ok"
