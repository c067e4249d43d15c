"""How many requests a second the sandbox serves, and how fast.

    .venv/bin/python bench/sandbox_throughput.py [--duration 15] [--threads 8] [--json out.json]

Starts a sandbox (no rate limit), creates some proposals, then lets client threads (each with its
own keep-alive `requests.Session`) hammer a mix of `GET /proposals/{id}`, a search and
`GET /common/offices`. Prints requests per second and the p50 and p99 latencies; `main()` answers
the same figures as a dict.
"""

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `tests.support` importable
    sys.path.insert(0, str(REPO))

from tests.support.sandbox_server import SandboxProcess  # noqa: E402

PROPOSALS = 50
LABELS = 10


def _body(number: int) -> dict:
    return {
        "officeId": 1001,
        "label": f"BENCH-{number % LABELS}",
        "customer": {
            "registrationNumber": "01234567",
            "sourceCountryCode": "GB",
            "companyType": "LIMITED_COMPANY",
        },
        "assets": [
            {
                "assetIacCode": "ITE2201",
                "condition": "NEW",
                "description": "Workstations",
                "quantity": 1 + number % 5,
                "valuePerAsset": 2500.00,
            }
        ],
    }


def _worker(api_url, token, ids, stop, latencies, errors, offset):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    paths = []
    for index, proposal_id in enumerate(ids):
        paths.append(f"{api_url}/proposals/{proposal_id}")
        paths.append(f"{api_url}/proposals/search?proposal-label=BENCH-{index % LABELS}&size=20")
        paths.append(f"{api_url}/common/offices")
    count = offset
    mine = []
    failed = 0
    while not stop.is_set():
        url = paths[count % len(paths)]
        count += 1
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=10)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        mine.append(time.perf_counter() - started)
        failed += not ok
    session.close()
    latencies.extend(mine)
    errors.append(failed)


def run(duration: float = 15.0, threads: int = 8) -> dict:
    with SandboxProcess(rate_limit=0) as sandbox:
        token = sandbox.token()
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            ids = [
                session.post(sandbox.api_url + "/proposals", json=_body(n), timeout=10).json()["id"]
                for n in range(PROPOSALS)
            ]
        stop = threading.Event()
        latencies: list[float] = []
        errors: list[int] = []
        workers = [
            threading.Thread(
                target=_worker,
                args=(sandbox.api_url, token, ids, stop, latencies, errors, n * 7),
            )
            for n in range(threads)
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        time.sleep(duration)
        stop.set()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    latencies.sort()
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "threads": threads,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": sum(errors),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentiles[49] * 1000, 2),
        "p99_ms": round(percentiles[98] * 1000, 2),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.duration, args.threads)
    print(
        f"{figures['requests_per_second']} requests/s over {figures['seconds']} s "
        f"({figures['requests']} requests, {figures['errors']} errors, {args.threads} threads); "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
