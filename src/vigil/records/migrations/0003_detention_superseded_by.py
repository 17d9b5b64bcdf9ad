# A correcting report supersedes the detention it corrects; the figures' covering index gains the column so
# that counting only current detentions still never reads the table itself.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_detention_event_figures_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="detention",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supersedes",
                to="records.detention",
            ),
        ),
        migrations.RemoveIndex(model_name="detention", name="detention_event_figures"),
        migrations.AddIndex(
            model_name="detention",
            index=models.Index(
                fields=[
                    "event",
                    "person",
                    "detained_on",
                    "city",
                    "report",
                    "head_count",
                    "is_synthetic",
                    "superseded_by",
                ],
                name="detention_event_figures",
            ),
        ),
    ]
