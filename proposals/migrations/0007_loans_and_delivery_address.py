# The loans (CONTRACT.md 6.7) and the delivery address (6.8) of a proposal; only these two
# fields (other helpers' models get their own migrations).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0006_config_v2_lookups"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="loans",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="proposal",
            name="delivery_address",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
