"""Benchmark of the staff review pages on PostgreSQL against Django admin's change list.

    .venv/bin/python bench/dashboard.py \
        --database-url postgres://postgres@127.0.0.1:5432/portal_bench [--json out.json]

Creates the database when missing, migrates it, seeds 100,000 proposals and 1,000,000 call-log
rows with COPY (kept for the next run when the counts already match), then times each page with
Django's test Client in this process and prints p50/p95. Queries run for real; only the HTTP
server is skipped, which is the same for every page measured.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ORGANISATION = "Bench Asset Brokers Ltd"
BROKERS = 25
HOT_CALLS = 20_000  # the proposal whose timeline is measured: polled for months
OFFICES = [(7001, "Leeds"), (7002, "Bristol"), (7003, "Glasgow"), (7004, "Cardiff")]
STATUS_MIX = [  # portal status, weight
    ("SENT", 70),
    ("DRAFT", 12),
    ("FAILED", 5),
    ("GONE", 4),
    ("QUEUED", 3),
    ("SENDING", 2),
    ("VERIFYING", 2),
    ("CONFLICT", 2),
]
DECISIONS = ["", "NOT_AVAILABLE", "PENDING", "ACCEPTED", "ACCEPTED", "DECLINED"]
WORDS = ["Acme", "Plant", "Cranes", "Haulage", "Farm", "Diggers", "Print", "Medical"]
WORDS += ["Lab", "Energy", "Marine", "Bakery"]


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def django_setup(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "introducer_portal.settings"
    os.environ.setdefault("DJANGO_DEBUG", "False")  # no query log kept in memory while timing
    os.environ.setdefault("AXES_ENABLED", "False")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


# ------------------------------------------------------------------------------------------------
# Seeding
# ------------------------------------------------------------------------------------------------
def _copy(model, columns, rows) -> None:
    """COPY rows into ``model``'s table; JSON values go as JSON text."""
    from django.db import connection

    table = model._meta.db_table
    names = ", ".join(f'"{model._meta.get_field(c).column}"' for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({names}) FROM STDIN"  # noqa: S608 - names come from the model
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _proposal_rows(organisation, brokers, credential, n, now, rng):
    from proposals.models import Proposal

    specified = [
        "organisation", "broker", "credential", "reference", "status", "office_id",
        "customer_name", "amount_financed", "sfs_id", "workflow_status", "decision_status",
        "last_checked_at", "queued_at", "sent_at", "decided_at", "last_error_code",
        "last_error_message", "created", "updated",
    ]  # fmt: skip
    # Every other column gets its model default, since the database has none of its own.
    rest = [f for f in Proposal._meta.concrete_fields if f.name not in specified and f.name != "id"]
    columns = specified + [f.name for f in rest]
    defaults = [
        json.dumps(f.get_default()) if f.get_internal_type() == "JSONField" else f.get_default()
        for f in rest
    ]
    statuses = [s for s, w in STATUS_MIX for _ in range(w)]

    def rows():
        for i in range(n):
            status = "SENT" if i == 0 else rng.choice(statuses)  # row 0: the timeline's
            created = now - timedelta(seconds=rng.randint(600, 365 * 86400))
            updated = created + timedelta(seconds=rng.randint(0, 3 * 86400))
            updated = min(updated, now)
            submitted = status != "DRAFT"
            decision = rng.choice(DECISIONS) if status == "SENT" else ""
            failed = status == "FAILED"
            yield [
                organisation.pk,
                rng.choice(brokers).pk,
                credential.pk if submitted else None,
                f"IP-B{i:07d}" if submitted else None,
                status,
                rng.choice(OFFICES)[0],
                f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} Ltd",
                Decimal(rng.randint(1_000, 900_000)),
                500_000 + i if status in ("SENT", "CONFLICT", "GONE") else None,
                decision or ("DRAFT" if status == "SENT" else ""),
                decision,
                updated if status == "SENT" else None,
                created + timedelta(minutes=1) if submitted else None,
                created + timedelta(minutes=2) if status == "SENT" else None,
                updated if decision in ("ACCEPTED", "DECLINED") else None,
                rng.choice(["VALIDATION", "ETAG_MISMATCH", "TIMEOUT"]) if failed else "",
                "SFS refused the proposal" if failed else "",
                created,
                updated,
                *defaults,
            ]

    return columns, rows()


def _call_rows(organisation, credential, proposal_ids, hot_id, n, now, rng):
    columns = [
        "at", "organisation", "credential", "proposal", "method", "path", "status",
        "duration_ms", "trace_id", "attempt", "error_code", "error_message", "lane",
        "request_body", "response_body",
    ]  # fmt: skip
    body = json.dumps({"id": 1, "label": "IP-B0000001", "workflowStatus": "DRAFT"})

    def rows():
        for i in range(n):
            hot = i < HOT_CALLS
            proposal = hot_id if hot else rng.choice(proposal_ids)
            error = rng.random() < 0.03
            yield [
                now - timedelta(seconds=(i * 17 if hot else rng.randint(1, 365 * 86400))),
                organisation.pk,
                credential.pk,
                proposal,
                "GET",
                "/proposals/search" if not hot and i % 3 else f"/proposals/{proposal}",
                503 if error else 200,
                rng.randint(20, 900),
                f"trace-{i:08x}",
                1,
                "UNAVAILABLE" if error else "",
                "SFS is unavailable" if error else "",
                "background",
                None,
                body if hot or i % 10 == 0 else None,
            ]

    return columns, rows()


def seed(n_proposals: int, n_calls: int) -> dict:
    from django.db import connection, transaction

    from proposals.models import (
        Credential,
        MirroredOffice,
        Proposal,
        ProposalEvent,
        Role,
        SieSmartCall,
        User,
    )
    from proposals.services.people import organisation_get_or_create, user_upsert

    organisation = organisation_get_or_create(name=ORGANISATION)
    staff = user_upsert(
        organisation=organisation, username="bench-staff", password="bench-pass-2026",
        role=Role.STAFF, first_name="Bench", last_name="Staff",
    )  # fmt: skip
    admin = user_upsert(
        organisation=organisation, username="bench-admin", password="bench-pass-2026",
        role=Role.ADMIN, first_name="Bench", last_name="Admin",
    )  # fmt: skip
    # Portal admins see their organisation only in Django admin; a platform operator's
    # superuser sees every row, unscoped: both change lists are measured.
    root, _ = User.objects.update_or_create(
        username="bench-root",
        defaults={"organisation": organisation, "role": Role.ADMIN, "is_staff": True,
                  "is_superuser": True, "password": "!unusable"},
    )  # fmt: skip
    people = {"staff": staff, "admin": admin, "root": root}
    have = (Proposal.objects.count(), SieSmartCall.objects.count())
    hot = Proposal.objects.filter(reference="IP-B0000000").first()
    if have == (n_proposals, n_calls) and hot is not None:
        print(f"reusing {have[0]:,} proposals and {have[1]:,} calls")
        return {**people, "hot": hot, "seconds": 0.0}

    started = time.perf_counter()
    rng = random.Random(2026)  # the same data on every run
    now = datetime.now(UTC)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE proposals_siesmartcall, proposals_proposalevent, "
                "proposals_notification, proposals_proposal CASCADE"
            )
        # Brokers never log in here: no password hashing (a second or so each).
        brokers = [
            User.objects.update_or_create(
                username=f"bench-broker-{b}",
                defaults={
                    "organisation": organisation,
                    "role": Role.BROKER,
                    "first_name": f"Broker{b:02d}",
                    "last_name": rng.choice(WORDS),
                    "password": "!unusable",
                },
            )[0]  # fmt: skip
            for b in range(BROKERS)
        ]
        credential = Credential.objects.filter(organisation=organisation).first()
        if credential is None:
            credential = Credential.objects.create(
                organisation=organisation, environment="sandbox", is_active=True,
                api_url="http://127.0.0.1:8765/siesmart/b2b/v1",
                token_url="http://127.0.0.1:8765/oauth/token",
                client_id="bench", client_secret_encrypted="unused",
            )  # fmt: skip
        for office_id, name in OFFICES:
            MirroredOffice.objects.update_or_create(
                credential=credential, office_id=office_id,
                defaults={"name": name, "country_code": "GB", "refreshed_at": now},
            )  # fmt: skip
        _copy(Proposal, *_proposal_rows(organisation, brokers, credential, n_proposals, now, rng))
        ids = list(Proposal.objects.values_list("id", flat=True))
        hot = Proposal.objects.get(reference="IP-B0000000")
        _copy(SieSmartCall, *_call_rows(organisation, credential, ids, hot.pk, n_calls, now, rng))
        event_columns = ["proposal", "at", "actor_label", "kind", "from_status", "to_status"]
        event_columns.append("message")
        events = [
            [pk, now - timedelta(days=1), "worker", "sent", "QUEUED", "SENT", ""] for pk in ids
        ]
        events += [
            [hot.pk, now - timedelta(hours=h), "worker", "refreshed", "SENT", "SENT", ""]
            for h in range(500)
        ]
        _copy(ProposalEvent, event_columns, events)
    connection.ensure_connection()
    with connection.cursor() as cursor:  # VACUUM cannot run inside a transaction
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    print(f"seeded {n_proposals:,} proposals and {n_calls:,} calls in {seconds:.1f} s")
    return {**people, "hot": hot, "seconds": seconds}


# ------------------------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------------------------
def _get(client, url: str, stream: bool = False) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    if stream:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, size


def _time_all(pages: dict, runs: int, stream: bool = False) -> dict:
    """Round robin over ``pages``: a burst of load on the machine hits every page alike."""
    samples = {name: [] for name in pages}
    sizes = {}
    for client, url in pages.values():
        _get(client, url, stream)  # warm: connection, compiled templates, caches
    for _ in range(runs):
        for name, (client, url) in pages.items():
            elapsed, sizes[name] = _get(client, url, stream)
            samples[name].append(elapsed)
    results = {}
    for name, values in samples.items():
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        results[name] = {
            "url": pages[name][1],
            "runs": runs,
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(p95, 1),
            "bytes": sizes[name],
        }
    return results


def login_past_two_factor(client, user) -> None:
    """two-factor: staff and admins must pass it; log in with a real confirmed device and mark
    the session verified, as ``django_otp.login`` does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def measure(seeded: dict, runs: int, export_runs: int, sort_runs: int) -> dict:
    from django.test import Client

    from proposals.models import Proposal
    from proposals.selectors_staff import SORT_KEYS

    hot = seeded["hot"]
    broker_id = Proposal.objects.filter(status="FAILED").values_list("broker_id", flat=True)[0]
    # A host the settings allow (ALLOWED_HOSTS has no "testserver" outside the test settings).
    staff_client, admin_client, root_client = (Client(HTTP_HOST="localhost") for _ in range(3))
    for client, who in ((staff_client, "staff"), (admin_client, "admin"), (root_client, "root")):
        login_past_two_factor(client, seeded[who])
    pages = {
        "dashboard, first page": (staff_client, "/staff/"),
        "dashboard, filtered": (staff_client, f"/staff/?status=FAILED&broker={broker_id}"),
        "dashboard, status + sort": (staff_client, "/staff/?status=SENT&sort=-amount"),
        "dashboard, search": (staff_client, "/staff/?q=Cranes+Marine"),
        "dashboard, page 500": (staff_client, "/staff/?page=500"),
        "timeline, 20k calls": (staff_client, f"/staff/proposals/{hot.pk}/"),
        "health": (staff_client, "/staff/health/"),
        "admin change list": (root_client, "/admin/proposals/proposal/"),
        "admin, filtered": (root_client, "/admin/proposals/proposal/?status__exact=FAILED"),
        "admin, search": (root_client, "/admin/proposals/proposal/?q=Cranes+Marine"),
        "admin, portal admin (scoped)": (admin_client, "/admin/proposals/proposal/"),
    }
    results = _time_all(pages, runs)
    if sort_runs:  # every whitelisted sort key, both ways: none may fall off a cliff
        sorts = {
            f"sort {sort}": (staff_client, f"/staff/?sort={sort}")
            for key in SORT_KEYS
            for sort in (key, f"-{key}")
        }
        results |= _time_all(sorts, sort_runs)
    if export_runs:
        export = {"export, all rows (CSV)": (staff_client, "/staff/export.csv")}
        results |= _time_all(export, export_runs, stream=True)
    return results


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_bench")
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--sort-runs", type=int, default=5, help="0: skip the sort keys")
    parser.add_argument("--json", dest="json_path", help="also write the results here")
    args = parser.parse_args(argv)
    if args.calls < HOT_CALLS:
        parser.error(f"--calls must be at least {HOT_CALLS}")

    ensure_database(args.database_url)
    django_setup(args.database_url)
    seeded = seed(args.proposals, args.calls)
    results = measure(seeded, args.runs, args.export_runs, args.sort_runs)

    width = max(len(name) for name in results)
    print(f"\n{'page':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  runs")
    for name, row in results.items():
        print(f"{name:<{width}}  {row['p50_ms']:>8.1f}  {row['p95_ms']:>8.1f}  {row['runs']}")
    report = {
        "proposals": args.proposals,
        "calls": args.calls,
        "seed_seconds": round(seeded["seconds"], 1),
        "table": {name: [row["p50_ms"], row["p95_ms"]] for name, row in results.items()},
        "pages": results,
        "dashboard_not_slower_than_admin": all(
            results["dashboard, first page"]["p50_ms"] <= results[name]["p50_ms"]
            for name in ("admin change list", "admin, portal admin (scoped)")
        ),
    }
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
