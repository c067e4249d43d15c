"""Indexes for the staff review dashboard (bench/dashboard.py measures what they buy).

Written as SQL rather than ``Meta.indexes`` on purpose: the trigram indexes exist on PostgreSQL
only, and the btree ones are kept out of the migration state so that a later ``makemigrations``
from a Meta without them never proposes dropping them. Every statement is idempotent.

- (organisation, column, id) btrees: the dashboard's sort keys with its id tie-breaker, so a
  sorted first page reads 50 index entries instead of sorting the organisation's rows (status
  and updated have theirs already; the broker's name lives in another table and cannot).
- Trigram GIN indexes on UPPER(reference) and UPPER(customer_name): what ``icontains`` compiles
  to on PostgreSQL, so a search is an index lookup rather than a scan of every row. When the
  database user may not create the pg_trgm extension the search still works, only slower.
"""

from django.db import DatabaseError, migrations, transaction

SORT_INDEXES = {
    "proposal_org_amount_id": "amount_financed",
    "proposal_org_created_id": "created",
    "proposal_org_checked_id": "last_checked_at",
    "proposal_org_customer_id": "customer_name",
    "proposal_org_reference_id": "reference",
    "proposal_org_office_id": "office_id",
    "proposal_org_workflow_id": "workflow_status",
    "proposal_org_decision_id": "decision_status",
}
TRIGRAM_INDEXES = {
    "proposal_reference_trgm": "reference",
    "proposal_customer_trgm": "customer_name",
}


def trigram_indexes_add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return  # no right to create it here: search falls back to a scan
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON proposals_proposal "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def trigram_indexes_remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0002_draft_input_and_derived_state"),
    ]

    operations = [
        *[
            migrations.RunSQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} "
                f"ON proposals_proposal (organisation_id, {column}, id)",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, column in SORT_INDEXES.items()
        ],
        migrations.RunPython(trigram_indexes_add, trigram_indexes_remove),
    ]
