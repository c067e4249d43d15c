"""Rate slots remember whose call took them: the limiter's fair share between organisations."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_staff_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="rateslot",
            name="holder",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
    ]
