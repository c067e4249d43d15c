"""`python -m sandbox`: its options, its listening line, its own seed, a clean shutdown."""

import json
import signal
import subprocess
import sys

import pytest
import requests

from tests.sandbox.helpers import SEED_FILE, Api
from tests.support.sandbox_server import REPO, SandboxProcess


def test_help_lists_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--help"], cwd=REPO, capture_output=True, text=True,
        timeout=15, check=True,
    )  # fmt: skip
    for option in (
        "--host", "--port", "--seed", "--rate-limit", "--token-lifetime", "--decision-delay",
        "--random-seed",
    ):  # fmt: skip
        assert option in result.stdout


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_it_says_where_it_listens_and_stops_cleanly_on_a_signal(stop):
    sandbox = SandboxProcess().start()
    process = sandbox.process
    assert sandbox.output[0] == f"sandbox listening on {sandbox.base_url}\n"
    with Api(sandbox, sandbox.token()) as api:
        assert api.get("/common/offices").status_code == 200  # a kept-alive connection is open
        process.send_signal(stop)
        assert process.wait(timeout=5) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox.base_url + "/__sandbox__/stats", timeout=2)
    sandbox.stop()


def test_another_seed_file_can_be_given(tmp_path):
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    data["offices"][0]["name"] = "Renamed office"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(data), encoding="utf-8")
    with (
        SandboxProcess(extra_args=["--seed", seed]) as sandbox,
        Api(sandbox, sandbox.token()) as api,
    ):
        names = {office["name"] for office in api.get("/common/offices").json()}
        assert "Renamed office" in names


def test_a_broken_seed_or_a_taken_port_stops_it_with_a_message(tmp_path):
    broken = tmp_path / "seed.json"
    broken.write_text("{", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", "0", "--seed", str(broken)], cwd=REPO,
        capture_output=True, text=True, timeout=15,
    )  # fmt: skip
    assert result.returncode != 0 and "seed" in result.stderr
    with SandboxProcess() as running:
        result = subprocess.run(
            [sys.executable, "-m", "sandbox", "--port", str(running.port)], cwd=REPO,
            capture_output=True, text=True, timeout=15,
        )  # fmt: skip
        assert result.returncode != 0 and "cannot listen" in result.stderr


def test_invalid_options_are_refused():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--rate-limit", "-1"], cwd=REPO, capture_output=True,
        text=True, timeout=15,
    )  # fmt: skip
    assert result.returncode == 2
