"""Run the SieSmart sandbox (`python -m sandbox`) as a real process for tests.

    with SandboxProcess(decision_delay=0.2) as sandbox:
        auth = {"Authorization": f"Bearer {sandbox.token()}"}
        requests.get(sandbox.api_url + "/common/offices", headers=auth, timeout=5)
        sandbox.set_faults(serverErrorRate=1.0)

The process talks HTTP only; nothing of the sandbox is imported, so tests see what a client sees.
"""

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 15.0
AUDIENCE = "https://api.siesmart.com/b2b"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxProcess:
    """A sandbox process on 127.0.0.1; a context manager (start on enter, stop on exit)."""

    def __init__(
        self, *, rate_limit=0, token_lifetime=86400, decision_delay=1.0, port=None, extra_args=()
    ):
        self.rate_limit = rate_limit
        self.token_lifetime = token_lifetime
        self.decision_delay = decision_delay
        self.requested_port = port
        self.extra_args = tuple(str(arg) for arg in extra_args)
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []
        self.port: int | None = None
        self.base_url = self.api_url = self.token_url = ""
        self._session = requests.Session()

    # ---- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def start(self) -> "SandboxProcess":
        attempts = 1 if self.requested_port else 3  # a free port can be taken before we bind it
        for attempt in range(attempts):
            try:
                return self._start_once(self.requested_port or free_port())
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
        return self

    def _start_once(self, port: int) -> "SandboxProcess":
        command = [
            sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port),
            "--rate-limit", str(self.rate_limit), "--token-lifetime", str(self.token_lifetime),
            "--decision-delay", str(self.decision_delay), *self.extra_args,
        ]  # fmt: skip
        self.output = []
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        listening = threading.Event()
        threading.Thread(target=self._pump, args=(listening,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not listening.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox did not start:\n" + "".join(self.output))
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = self.base_url + "/siesmart/b2b/v1"
        self.token_url = self.base_url + "/oauth/token"
        return self

    def _pump(self, listening: threading.Event):
        # Keep reading the output so the pipe never fills up and blocks the sandbox.
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("sandbox listening on "):
                listening.set()

    def stop(self):
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self._session.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # ---- control endpoints --------------------------------------------------------------------

    def control(self, method, path, json=None) -> dict:
        response = self._session.request(method, self.base_url + path, json=json, timeout=10)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict:
        return self.control("GET", "/__sandbox__/stats")

    def reset_stats(self) -> dict:
        return self.control("POST", "/__sandbox__/stats/reset")

    def set_settings(self, **settings) -> dict:
        return self.control("POST", "/__sandbox__/settings", settings)

    def set_faults(self, **faults) -> dict:
        return self.control("POST", "/__sandbox__/faults", faults)

    def revoke_tokens(self) -> dict:
        return self.control("POST", "/__sandbox__/revoke-tokens")

    def wipe(self) -> dict:
        return self.control("POST", "/__sandbox__/wipe")

    def token(self, client_id="demo-introducer", client_secret="demo-secret") -> str:
        response = self._session.post(
            self.token_url,
            json={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": client_secret,
                "audience": AUDIENCE,
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]
