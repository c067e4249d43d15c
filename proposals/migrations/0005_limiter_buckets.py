"""Rate slots become per-second buckets (issue 16): one row per second and holder, with a count,
so the database limiter's cost per call no longer grows with the calls in the window. Slots
already taken are folded into their buckets, so the minute under way keeps its count."""

import math

from django.db import migrations, models


def fold_slots_into_buckets(apps, schema_editor):
    RateSlot = apps.get_model("proposals", "RateSlot")
    buckets: dict[tuple[str, int, str], int] = {}
    for scope, taken_at, holder in RateSlot.objects.values_list("scope", "taken_at", "holder"):
        key = (scope, math.floor(taken_at), holder)
        buckets[key] = buckets.get(key, 0) + 1
    RateSlot.objects.all().delete()
    RateSlot.objects.bulk_create(
        RateSlot(scope=scope, taken_at=second, holder=holder, count=count)
        for (scope, second, holder), count in buckets.items()
    )


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_fair_share")]

    operations = [
        migrations.AddField(
            model_name="rateslot",
            name="count",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(fold_slots_into_buckets, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="rateslot", name="rate_slot_scope_time"),
        migrations.RemoveField(model_name="rateslot", name="lane"),
        migrations.AddConstraint(
            model_name="rateslot",
            constraint=models.UniqueConstraint(
                fields=("scope", "taken_at", "holder"), name="rate_slot_one_bucket"
            ),
        ),
    ]
