"""``make bench``: every benchmark, a table of figures, and ``var/bench/results.json``.

Order (about 13 minutes here): the sandbox alone; then freshness (5 measured minutes at SFS's
real limit) with economy beside it and throughput once freshness has set up; then submit
latency on the embedded broker and on Redis; then the dashboard on PostgreSQL. Each phase has
its own process, var/ folder, sandbox and workers. Last (issue 14, bench/push.py), freshness and
economy again with SFS's notifications on, each phase serving its own portal for the sandbox to
deliver to, then the lossy run (about 25 minutes more).
"""

import json
import socket
import subprocess
import sys
import time

from bench.common import BENCH_DIR, REPO, fresh_phase_dir, phase_env

PG_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
REDIS = ("127.0.0.1", 6379)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def start_phase(phase: str, module: str, **extra: str) -> subprocess.Popen:
    fresh_phase_dir(phase)
    log = (BENCH_DIR / f"{phase}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", module],
        cwd=REPO,
        env=phase_env(phase, BENCH_PHASE=phase, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def finish(phase: str, process: subprocess.Popen, timeout: float) -> dict:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return {"error": f"did not finish within {timeout:.0f} s"}
    path = BENCH_DIR / f"{phase}.json"
    if process.returncode != 0 or not path.exists():
        tail = (BENCH_DIR / f"{phase}.log").read_text()[-1500:]
        return {"error": f"exit {process.returncode}", "log_tail": tail}
    return json.loads(path.read_text())


def run_script(phase: str, args: list[str], timeout: float) -> dict:
    path = BENCH_DIR / f"{phase}.json"
    path.unlink(missing_ok=True)
    with (BENCH_DIR / f"{phase}.log").open("w") as log:
        try:
            subprocess.run(
                [sys.executable, *args, "--json", str(path)],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"did not finish within {timeout:.0f} s"}
    if not path.exists():
        return {"error": "no result", "log_tail": (BENCH_DIR / f"{phase}.log").read_text()[-1500:]}
    return json.loads(path.read_text())


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: dict = {}
    results["sandbox"] = run_script("sandbox", ["bench/sandbox_throughput.py"], 120)
    results["upload"] = run_script("upload", ["bench/upload.py"], 300)

    freshness = start_phase("freshness", "bench.freshness")
    economy = start_phase("economy", "bench.economy")
    setup_done = BENCH_DIR / "freshness.setup-done"
    deadline = time.monotonic() + 600
    while not setup_done.exists() and freshness.poll() is None and time.monotonic() < deadline:
        time.sleep(1)
    throughput = start_phase("throughput", "bench.throughput")
    results["economy"] = finish("economy", economy, 600)
    results["throughput"] = finish("throughput", throughput, 900)
    results["freshness"] = finish("freshness", freshness, 900)

    latency = start_phase("latency-embedded", "bench.latency")
    results["latency_embedded"] = finish("latency-embedded", latency, 300)
    if reachable(*REDIS):
        latency = start_phase(
            "latency-redis",
            "bench.latency",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
            REDIS_URL="redis://127.0.0.1:6379/6",
        )
        results["latency_redis"] = finish("latency-redis", latency, 300)
    else:
        results["latency_redis"] = {"error": "Redis is not running on 127.0.0.1:6379"}

    if reachable("127.0.0.1", 5432):
        results["dashboard"] = run_script(
            "dashboard", ["bench/dashboard.py", "--database-url", PG_URL], 900
        )
    else:
        results["dashboard"] = {"error": "PostgreSQL is not running on 127.0.0.1:5432"}

    # issue 16: the ceiling with SFS's limit lifted (embedded, then PostgreSQL with Redis), and
    # decision lag while the limit binds.
    ceiling = start_phase("ceiling-embedded", "bench.ceiling")
    results["ceiling"] = {"embedded": finish("ceiling-embedded", ceiling, 900)}
    if reachable("127.0.0.1", 5432) and reachable(*REDIS):
        ceiling = start_phase(
            "ceiling-postgres",
            "bench.ceiling",
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal_bench_ceiling",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/9",
            REDIS_URL="redis://127.0.0.1:6379/10",
        )
        results["ceiling"]["postgres"] = finish("ceiling-postgres", ceiling, 900)
    else:
        results["ceiling"]["postgres"] = {"error": "PostgreSQL or Redis is not running"}
    results["burst"] = finish("burst", start_phase("burst", "bench.burst"), 600)
    # issue 14: freshness and economy again with SFS's notifications on (bench/push.py); the
    # lossy run alone, since it may wait a whole safety-net period for a lost notification.
    push = start_phase("freshness_push", "bench.push")
    economy_push = start_phase("economy_push", "bench.push")
    results["economy_push"] = finish("economy_push", economy_push, 720)
    results["freshness_push"] = finish("freshness_push", push, 900)
    lossy = start_phase("freshness_push_lossy", "bench.push")
    results["freshness_push_lossy"] = finish("freshness_push_lossy", lossy, 1200)

    results["total_seconds"] = round(time.monotonic() - started, 1)
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    return 1 if any(isinstance(v, dict) and "error" in v for v in results.values()) else 0


def _row(name: str, value, goal: str = "") -> None:
    print(f"  {name:<52} {value!s:>14}  {goal}")


def print_table(r: dict) -> None:
    print("\nIntroducer Portal benchmarks\n")
    for section, rows in (
        ("Sandbox, 8 clients", [("requests a second", "requests_per_second", ">= 300"),
                                ("p50 ms", "p50_ms", ""), ("p99 ms", "p99_ms", "")]),
        ("Throughput (limit 600/min, budget 540)", [
            ("creates in each whole minute after the first", "creates_in_each_whole_minute", ""),
            ("steady ratio of 600", "ratio_of_limit", ">= 0.88"),
            ("second 60 to last create, ratio of 600", "ratio_to_last_create", ""),
            ("429 answers", "responses_429", "0"),
            ("max requests in any 60 s", "max_requests_in_60s", "<= 600")]),
        ("Economy (100 proposals, decision delay 60 s)", [
            ("portal calls per proposal", "portal_calls_per_proposal", "<= 3.3"),
            ("checklist reads per proposal (after acceptance)", "checklist_reads_per_proposal", ""),
            ("naive poller calls per proposal", "naive_calls_per_proposal", "")]),
        ("Freshness (2,000 open, limit 100/min)", [
            ("p50 s from decision to portal", "p50_seconds", ""),
            ("p95 s from decision to portal", "p95_seconds", "< 60"),
            ("polling share of the budget", "polling_share_of_budget", "< 0.10"),
            ("429 answers", "responses_429", "0")]),
        ("Submit latency, embedded broker", [("p50 ms", "p50_ms", ""), ("p95 ms", "p95_ms", "")]),
        ("Submit latency, Redis", [("p50 ms", "p50_ms", ""), ("p95 ms", "p95_ms", "")]),
        ("Upload of a 10 MiB PDF", [("p50 s", "p50_seconds", "< 1"),
                                    ("max s", "max_seconds", "< 1"),
                                    ("peak MB above rest", "peak_above_rest_mb_max", "<= 100")]),
    ):  # fmt: skip
        key = {
            "Sandbox, 8 clients": "sandbox",
            "Submit latency, embedded broker": "latency_embedded",
            "Submit latency, Redis": "latency_redis",
        }.get(section, section.split(" ")[0].lower())
        data = r.get(key, {})
        print(section)
        if "error" in data:
            _row("error", data["error"])
            continue
        for label, field, goal in rows:
            _row(label, data.get(field), goal)
    print("Dashboard (PostgreSQL, 100,000 proposals, 1,000,000 calls)")
    dashboard = r.get("dashboard", {})
    if "error" in dashboard:
        _row("error", dashboard["error"])
    else:
        print(json.dumps(dashboard.get("table", dashboard), indent=2, default=str)[:3000])
    # issue 16
    for database, data in r.get("ceiling", {}).items():
        print(f"Ceiling, {database} (limit lifted, 4 workers, beat on)")
        for field, goal in (("proposals", ""), ("creates_per_minute", ">= 6000 pg, 5000 emb"),
                            ("duplicates", "0"), ("missing", "0"), ("sql_per_proposal", ""),
                            ("sessions_per_1000_proposals", "<= 10"), ("error", "")):  # fmt: skip
            if field in data:
                _row(field, data[field], goal)
    burst = r.get("burst", {})
    print("Burst (limit 600/min, budget 540, 300 queued at once)")
    for field, goal in (("decision_lag_p95_s", "< 10"), ("responses_429", "0"), ("error", "")):
        if field in burst:
            _row(field, burst[field], goal)
    # issue 14
    print("Push (notifications on, polling the safety net; 2,000 open, limit 100/min)")
    for key, field, goal in (
        ("freshness_push", "p50_s", ""),
        ("freshness_push", "p95_s", "< 2"),
        ("freshness_push", "polling_share", "< 0.02"),
        ("freshness_push_lossy", "p95_s", "<= safety net"),
        ("freshness_push_lossy", "all_seen", "true"),
        ("freshness_push_lossy", "safety_net_seconds", ""),
        ("economy_push", "calls_per_proposal", ""),
        ("economy", "portal_calls_per_proposal", "(polling)"),
    ):
        data = r.get(key, {})
        _row(f"{key} {field}", data.get("error") and "error" or data.get(field), goal)
    print(f"\nTotal {r.get('total_seconds')} s; figures in var/bench/results.json")


if __name__ == "__main__":
    sys.exit(main())
