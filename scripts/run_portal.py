"""``make run``: the web server, a worker, beat and the sandbox in the foreground.

Ctrl-C (or SIGTERM) stops them all. Logs of every process go to this terminal, prefixed.

DEBUG stays off (the portal's own 404/500 pages) unless ``DJANGO_DEBUG=1`` is set, which is what
``make dev`` does. Every file the processes create is private to this user (umask 077).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
HOST = os.environ.get("PORTAL_HOST", "127.0.0.1")
PORT = os.environ.get("PORTAL_PORT", "8000")
SANDBOX_PORT = os.environ.get("SANDBOX_PORT", "8765")
WEB_WORKERS = os.environ.get("WEB_CONCURRENCY", "3")
WORKER_CONCURRENCY = os.environ.get("CELERY_CONCURRENCY", "2")


def commands() -> dict[str, list[str]]:
    celery = [PY, "-m", "celery", "-A", "introducer_portal"]
    procs = {}
    if (REPO / "sandbox" / "__main__.py").exists():
        procs["sandbox"] = [PY, "-m", "sandbox", "--host", "127.0.0.1", "--port", SANDBOX_PORT]
    procs["web"] = [
        PY,
        "-m",
        "gunicorn",
        "introducer_portal.wsgi",
        "--bind",
        f"{HOST}:{PORT}",
        "--workers",
        WEB_WORKERS,
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
    ]
    procs["worker"] = [
        *celery,
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        WORKER_CONCURRENCY,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        "interactive,background",
    ]
    procs["beat"] = [*celery, "beat", "--loglevel", "INFO"]
    return procs  # fmt: skip


def pipe(name: str, stream) -> None:
    for line in iter(stream.readline, ""):
        sys.stdout.write(f"{name:>8} | {line}")
        sys.stdout.flush()


def allowed_hosts(host: str) -> str:
    """The local names, plus the address served on when it is a specific one."""
    names = ["localhost", "127.0.0.1", "[::1]"]
    if host not in ("", "0.0.0.0", "::", *names):  # noqa: S104 - compared, not bound
        names.append(host)
    return ",".join(names)


def main() -> int:
    os.umask(0o077)  # the database, logs and broker files under var/: this user's only
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_DEBUG", "0")
    env.setdefault("ALLOWED_HOSTS", allowed_hosts(HOST))
    env.setdefault("SIESMART_SANDBOX_URL", f"http://127.0.0.1:{SANDBOX_PORT}")
    procs: dict[str, subprocess.Popen] = {}
    for name, cmd in commands().items():
        procs[name] = subprocess.Popen(
            cmd, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        threading.Thread(target=pipe, args=(name, procs[name].stdout), daemon=True).start()
        if name == "sandbox":
            time.sleep(1)  # the demo data below points at it
    subprocess.run(
        [PY, "manage.py", "demo_data", *(["--connect-sandbox"] if "sandbox" in procs else [])],
        cwd=REPO,
        env=env,
        check=False,
    )
    print(f"\nIntroducer Portal: http://{HOST}:{PORT}  (Ctrl-C stops everything)\n", flush=True)

    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping.is_set():
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest", flush=True)
                stopping.set()
                break
        stopping.wait(1)
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
